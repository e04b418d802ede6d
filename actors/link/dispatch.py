"""Routing: what the peer sent goes to the sans-IO Connection, and the events it raises,
like the host's commands and the stage actors' messages, go to the job that handles them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ferry.protocol.codec import decode
from ferry.protocol.connection import Connection
from ferry.protocol.errors import LocalProtocolError, ProtocolError
from ferry.protocol.events import (
    Accepted,
    Cancelled,
    Completed,
    ConnectionFailed,
    CreditGranted,
    DataReceived,
    EofReceived,
    Event,
    Failed,
    HandshakeComplete,
)
from ferry.protocol.frames import Frame, Hello
from ferry.protocol.limits import DEFAULT_MAX_MESSAGE_SIZE

from .connection import CLOSE_GRACE_SECONDS

logger = logging.getLogger(__name__)


class EventDispatch:
    """Decoding, command routing and protocol events (a part of PeerLink)."""

    conn: Connection
    listener: Callable[[Event], None]
    #: message type -> the handler; PeerLink fills it in from its parts.
    _HANDLERS: dict[type, Callable[[Any, Any], None]]

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def send(self, frames: list[Frame]) -> None: ...
        def _forward_data(self, event: DataReceived) -> None: ...
        def _start_chunker(self, event: Accepted) -> None: ...
        def _credit_granted(self, event: CreditGranted) -> None: ...
        def _eof_received(self, event: EofReceived) -> None: ...
        def _finished(self, event: Completed | Cancelled | Failed) -> None: ...
        def _close_soon(self, delay: float = 0.0) -> None: ...
        def _offer_waiting(self) -> None: ...
        def _heard_from_peer(self) -> None: ...
        def _start_keepalive(self, peer: Hello) -> None: ...

    def _on_message(self, message: bytes) -> None:  # a str from a peer: decode refuses it
        self._heard_from_peer()  # any message proves the peer alive, even one refused below
        try:
            frame = decode(message, max_message_size=DEFAULT_MAX_MESSAGE_SIZE)
        except ProtocolError as exc:
            logger.info("garbage from the peer: %s", exc.message)  # the host is told too
            self.send(self.conn.protocol_error(exc))
            self._dispatch_events()
            return
        self.send(self.conn.receive(frame))
        self._dispatch_events()

    def handle(self, message: Any) -> None:
        """A command from the host or a message from a stage actor, on the loop."""
        handler = self._HANDLERS.get(type(message))
        if handler is None:
            raise LocalProtocolError(f"the Channel cannot handle {message!r}")
        handler(self, message)
        self._dispatch_events()

    def _dispatch_events(self) -> None:
        for event in self.conn.pop_events():
            if isinstance(event, DataReceived):
                self._forward_data(event)
                continue
            if isinstance(event, Accepted):
                self._start_chunker(event)
            elif isinstance(event, CreditGranted):
                self._credit_granted(event)
            elif isinstance(event, EofReceived):
                self._eof_received(event)
            elif isinstance(event, Completed | Cancelled | Failed):
                self._finished(event)
            elif isinstance(event, ConnectionFailed):
                self._close_soon(delay=CLOSE_GRACE_SECONDS)  # let our ERROR frame go out
            elif isinstance(event, HandshakeComplete):
                self._offer_waiting()
                self._start_keepalive(event.peer)
            self.listener(event)
