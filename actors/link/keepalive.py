"""The link's keepalive: PINGs out, silence counted, the peer declared gone (a part of
PeerLink). The schedule and the count are the sans-IO ``ferry.protocol.keepalive``; this
part only reads the clock, arms one timer and sends the frames."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ferry.errors import FerryError
from ferry.protocol.connection import Connection
from ferry.protocol.errors import PeerGone
from ferry.protocol.frames import Frame, Hello, Ping
from ferry.protocol.keepalive import FEATURE, Keepalive

from ..clock import Timer
from ..config import ChannelConfig

logger = logging.getLogger(__name__)


class LinkKeepalive:
    """Runs from the HELLO exchange until the link closes (a part of PeerLink)."""

    config: ChannelConfig
    conn: Connection
    closed: bool
    _keepalive: Keepalive | None
    _keepalive_timer: Timer | None

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def send(self, frames: list[Frame]) -> None: ...
        def lose(self, error: FerryError) -> None: ...

    def _start_keepalive(self, peer: Hello) -> None:
        """Both HELLOs are through: keep alive only if both sides said they can."""
        timeout = self.config.keepalive_timeout
        if timeout is None or FEATURE not in peer.features or self._keepalive is not None:
            return  # off here, or an older peer: no PING it could not read, no timeout
        clock = self.config.clock
        self._keepalive = Keepalive(
            clock.monotonic(), interval=self.config.keepalive_interval, timeout=timeout
        )
        self._keepalive_tick()

    def _heard_from_peer(self) -> None:
        if self._keepalive is not None:
            self._keepalive.heard(self.config.clock.monotonic())

    def _keepalive_tick(self) -> None:
        self._keepalive_timer = None
        keepalive = self._keepalive
        if keepalive is None or self.closed:
            return
        now = self.config.clock.monotonic()
        due = keepalive.poll(now)
        if due.dead:
            logger.info("no frame from the peer for %.1f s: it is gone", keepalive.timeout)
            self.lose(PeerGone(f"the peer went silent (nothing for {keepalive.timeout:g}s)"))
            return
        if due.ping:
            self.send([Ping()])
        self._keepalive_timer = self.config.clock.call_later(
            max(0.0, due.wake_at - now), self._keepalive_tick
        )

    def _stop_keepalive(self) -> None:
        if self._keepalive_timer is not None:
            self._keepalive_timer.cancel()
            self._keepalive_timer = None
