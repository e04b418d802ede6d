"""Keepalive on the data channel: notice a dead peer in seconds, without the signaling.

The signaling path cannot tell: a mailbox server keeps a mailbox for minutes whether or not
the other side is alive, and ICE's consent checks take about 30 s to give up. So each side
sends a PING frame every ``interval`` seconds, and declares the peer gone once it has heard
nothing at all from it (any frame: a CHUNK proves life as well as a PING) for ``timeout``
seconds. PINGs are never answered: each side sends its own, so one frame per interval per
direction is the whole cost.

Old peers: a peer whose HELLO does not list :data:`FEATURE` is sent no PING (its decoder
would fail the connection on an unknown frame type) and is never timed out (it sends none),
so mixed versions keep working, without the quick detection.

Sans-IO: the host feeds the time it read from its clock (:meth:`Keepalive.heard` for each
frame, :meth:`Keepalive.poll` when the time :meth:`Keepalive.poll` asked for has come) and
does what the returned :class:`Due` says.

A host whose own loop stalled (a long GC pause, a swapped-out process, a machine too busy)
would wake to a long silence while the peer's frames sit unread in its socket. So a poll
that comes much later than it asked for restarts the count instead of blaming the peer:
only silence this side was awake for counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LocalProtocolError

#: The HELLO feature that says "I send PINGs and understand them".
FEATURE = "keepalive"
#: Seconds between two PINGs this side sends.
DEFAULT_INTERVAL = 1.0
#: Seconds of silence (this side awake) after which the peer is gone.
DEFAULT_TIMEOUT = 6.0


@dataclass(frozen=True, slots=True)
class Due:
    """What the host must do now, and when to poll again."""

    ping: bool  # send one PING frame
    dead: bool  # the peer is gone: fail the connection
    wake_at: float  # poll again at this time (meaningless once dead)


class Keepalive:
    """The PING schedule and the silence count for one connection."""

    def __init__(
        self, now: float, *, interval: float = DEFAULT_INTERVAL, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        if not interval > 0 or not timeout >= 2 * interval:
            raise LocalProtocolError(
                f"keepalive needs interval > 0 and timeout >= 2 x interval,"
                f" got {interval} and {timeout}"
            )
        self.interval = interval
        self.timeout = timeout
        self.last_heard = now
        self._next_ping = now  # the first PING goes out at once
        self._asked_for = now
        self.dead = False

    def heard(self, now: float) -> None:
        """A frame (any frame) arrived from the peer."""
        if now > self.last_heard:
            self.last_heard = now

    def silence(self, now: float) -> float:
        return max(0.0, now - self.last_heard)

    def poll(self, now: float) -> Due:
        """Call at (or after) the ``wake_at`` the previous poll returned."""
        if self.dead:
            return Due(ping=False, dead=True, wake_at=now)
        if now - self._asked_for > self.interval:
            # this side slept through at least a whole interval: whatever the peer sent
            # meanwhile is still unread, so its silence so far proves nothing
            self.last_heard = max(self.last_heard, now)
        if now >= self.last_heard + self.timeout:  # the same sum as wake_at: no rounding gap
            self.dead = True
            return Due(ping=False, dead=True, wake_at=now)
        ping = now >= self._next_ping
        if ping:
            self._next_ping = now + self.interval
        wake_at = min(self._next_ping, self.last_heard + self.timeout)
        self._asked_for = wake_at
        return Due(ping=ping, dead=False, wake_at=wake_at)
