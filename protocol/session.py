"""What the sender and receiver state machines share: terminal states, cancel and failure.

Each session is a small table-driven machine in the style of h11: ``TRANSITIONS`` maps a
state to the peer frames allowed in it and the handler for each. A frame not in the table
is a protocol violation: the session fails and answers ERROR, it never guesses. Handlers
validate everything before they change anything, so a refused frame leaves no half-state.
"""

from __future__ import annotations

import enum
from typing import ClassVar

from ferry.errors import FerryError

from .errors import LocalProtocolError, PeerGone, ProtocolError, error_from_code
from .events import Cancelled, Event, Failed
from .frames import TAGS, Cancel, Error, Frame


class State(enum.Enum):
    # sender
    IDLE = "idle"
    OFFERED = "offered"
    SENDING = "sending"
    EOF_SENT = "eof-sent"
    # receiver
    OFFER_RECEIVED = "offer-received"
    RECEIVING = "receiving"
    VERIFYING = "verifying"
    # both
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


TERMINAL_STATES = frozenset({State.COMPLETED, State.CANCELLED, State.FAILED})


class Session:
    """One transfer in one direction. Subclasses fill in ``TRANSITIONS``.

    Events are appended to ``events``, a list the owner (a :class:`Connection`) shares
    between all its sessions and drains.
    """

    TRANSITIONS: ClassVar[dict[State, dict[type, str]]] = {}

    def __init__(self, transfer_id: bytes, size: int, events: list[Event] | None) -> None:
        self.transfer_id = transfer_id
        self.size = size
        self.state = State.IDLE
        self.error: FerryError | None = None
        self._events: list[Event] = events if events is not None else []

    # -- queries -------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    # -- peer frames ---------------------------------------------------------------------

    def receive(self, frame: Frame) -> list[Frame]:
        """Apply one frame from the peer; return the frames to send in answer."""
        if self.finished:
            # Frames the peer sent before it learned we ended (chunks in flight after a
            # cancel, a WINDOW racing an EOF) are expected and harmless.
            return []
        if isinstance(frame, Cancel):
            return self._end_cancelled(frame.reason, by_peer=True)
        if isinstance(frame, Error):
            return self._end_failed(error_from_code(frame.code, frame.message), by_peer=True)
        handler_name = self.TRANSITIONS.get(self.state, {}).get(type(frame))
        if handler_name is None:
            return self.violation(f"unexpected {TAGS[type(frame)]} in state {self.state.value}")
        try:
            return getattr(self, handler_name)(frame)
        except ProtocolError as exc:
            return self.violation(exc.message)

    # -- local events ----------------------------------------------------------------------

    def cancel(self, reason: str = "cancelled") -> list[Frame]:
        """Cancel from this side; a no-op once the transfer has ended."""
        if self.finished:
            return []
        return [Cancel(self.transfer_id, reason), *self._end_cancelled(reason, by_peer=False)]

    def fail(self, error: FerryError) -> list[Frame]:
        """End the transfer because of a local failure (disk, actor, integrity)."""
        if self.finished:
            return []
        self._end_failed(error, by_peer=False)
        return [Error(self.transfer_id, error.code, error.message)]

    def connection_lost(self, error: FerryError | None = None, *, by_peer: bool = True) -> None:
        """The link is gone: nothing can be sent, the transfer fails."""
        if not self.finished:
            self._end_failed(
                error or PeerGone("the connection to the peer was lost"), by_peer=by_peer
            )

    def violation(self, message: str) -> list[Frame]:
        """The peer broke the protocol for this transfer: fail and tell it why."""
        return self.fail(ProtocolError(message))

    # -- helpers for subclasses --------------------------------------------------------------

    def _require(self, *states: State) -> None:
        if self.state not in states:
            allowed = ", ".join(s.value for s in states)
            raise LocalProtocolError(f"not allowed in state {self.state.value} (needs {allowed})")

    def _end_cancelled(self, reason: str, *, by_peer: bool) -> list[Frame]:
        self.state = State.CANCELLED
        self._events.append(Cancelled(self.transfer_id, reason, by_peer))
        return []

    def _end_failed(self, error: FerryError, *, by_peer: bool) -> list[Frame]:
        self.state = State.FAILED
        self.error = error
        self._events.append(Failed(self.transfer_id, error, by_peer))
        return []
