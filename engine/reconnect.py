"""When a peer's link drops: try again, how often, how long to wait, and when to give up.

A small sans-IO machine in the style of the protocol's sessions: ``TRANSITIONS`` maps each
state to the inputs allowed in it; anything else raises and leaves the state unchanged.
The :class:`~ferry.engine.peer.Peer` feeds it what happened and does what it answers
(wait, connect again, give up); it keeps no flags of its own about reconnecting.

Only a lost link is worth another try, and only this side decides that a link was lost:
an error the peer reported, or a peer that broke the protocol, ends the peer for good.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from ferry.errors import FerryError
from ferry.protocol.errors import LocalProtocolError, PeerGone

#: Pauses between attempts double from ``first_delay`` up to this.
MAX_RECONNECT_DELAY = 8.0


class LinkState(enum.Enum):
    CONNECTING = "connecting"  # the first connection is being made
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # waiting before, or making, another attempt
    CLOSED = "closed"


@dataclass(frozen=True)
class Retry:
    """Wait ``delay`` seconds, then make attempt number ``attempt``."""

    attempt: int
    delay: float


@dataclass(frozen=True)
class GiveUp:
    """The peer is over; ``error`` says why."""

    error: FerryError


Decision = Retry | GiveUp | None


class ReconnectMachine:
    """Decides what follows a connection, a lost link, a failed attempt or a close."""

    TRANSITIONS: ClassVar[dict[LinkState, frozenset[str]]] = {
        LinkState.CONNECTING: frozenset({"connected", "lost", "close"}),
        LinkState.CONNECTED: frozenset({"lost", "close"}),
        LinkState.RECONNECTING: frozenset({"connected", "attempt_failed", "give_up", "close"}),
        LinkState.CLOSED: frozenset({"close"}),
    }

    def __init__(self, *, can_reconnect: bool, attempts: int, first_delay: float) -> None:
        if attempts < 0 or first_delay < 0:
            raise LocalProtocolError("reconnect attempts and delay must not be negative")
        self.state = LinkState.CONNECTING
        self.can_reconnect = can_reconnect and attempts > 0
        self.attempts = attempts
        self.first_delay = first_delay
        self.attempt = 0  # attempts made since the link was lost
        self.error: FerryError | None = None  # why the link was lost, or why it closed

    def _require(self, name: str) -> None:
        if name not in self.TRANSITIONS[self.state]:
            raise LocalProtocolError(f"{name} is not allowed while {self.state.value}")

    def connected(self) -> None:
        """A connection (the first, or a new one) is up."""
        self._require("connected")
        self.state = LinkState.CONNECTED
        self.attempt = 0

    def lost(self, error: FerryError) -> Decision:
        """The connection ended with ``error``: another try, or the end."""
        self._require("lost")
        self.error = error
        if self.state is LinkState.CONNECTING or not self._worth_retrying(error):
            return self._close(error)
        self.state = LinkState.RECONNECTING
        return self._next()

    def attempt_failed(self, error: FerryError) -> Decision:
        """The attempt just made did not connect."""
        self._require("attempt_failed")
        self.error = error
        if not isinstance(error, PeerGone):  # the peer answered, and refused: final
            return self._close(error)
        return self._next()

    def give_up(self, error: FerryError) -> GiveUp:
        """No further attempt can succeed (the peer closed the path that carries them)."""
        self._require("give_up")
        return self._close(error)

    def close(self) -> None:
        """The host closes the peer: nothing more is tried."""
        self._require("close")
        self.state = LinkState.CLOSED

    @property
    def reconnecting(self) -> bool:
        return self.state is LinkState.RECONNECTING

    def _worth_retrying(self, error: FerryError) -> bool:
        return self.can_reconnect and isinstance(error, PeerGone)

    def _next(self) -> Decision:
        if self.attempt >= self.attempts:
            return self._close(
                PeerGone(f"gave up after {self.attempts} reconnection attempts: {self.error}")
            )
        self.attempt += 1
        delay = min(self.first_delay * 2 ** (self.attempt - 1), MAX_RECONNECT_DELAY)
        return Retry(self.attempt, delay)

    def _close(self, error: FerryError) -> GiveUp:
        self.state = LinkState.CLOSED
        self.error = error
        return GiveUp(error)
