"""Delayed SACKs for aiortc's SCTP: acknowledge every second packet, not every one.

aiortc's SCTP association answers every packet that carries DATA with a SACK. A 16 KiB
message is 14 packets of at most 1,200 bytes, so the receiver builds, DTLS-encrypts and
sends 14 SACKs per message, and the sender decrypts and processes each of them: on this
machine SACK handling was about two thirds of the sending loop's time, and both loops are
CPU-bound. RFC 4960 section 6.2 asks for less: a SACK for at least every second packet
received, within 200 ms of any DATA not yet acknowledged, and at once when a gap or a
duplicate shows up (the sender's fast retransmit depends on those).

:func:`delay_acks` gives one association that policy by wrapping its ``_send_sack`` on the
instance, so aiortc's class and any other peer connection in the host's process keep
aiortc's own behaviour. It relies on aiortc internals (checked against 1.16): when they are
not there, it leaves the association alone and says so in the log. Measured on this
machine (benchmarks/README.md): aiortc alone moves 1.24-1.42x the bytes per second with it
(paired medians of a full run at 256, 64 and 16 KiB messages), on 18-32% less CPU per byte.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from ..clock import SYSTEM_CLOCK, Clock, Timer

logger = logging.getLogger(__name__)

#: Acknowledge at least every this many packets with DATA (RFC 4960: at most 2).
ACK_EVERY = 2
#: ...and no later than this after the first one left unacknowledged (RFC 4960: 200 ms).
#: Short, because a sender that has filled its congestion window waits for it.
ACK_DELAY = 0.005

_REQUIRED = (
    "_send_sack",
    "_sack_needed",
    "_sack_misordered",
    "_sack_duplicates",
    "_association_state",
    "State",
)


@dataclass
class AckCounts:
    """What the policy did; tests and benchmarks read it."""

    sent: int = 0
    deferred: int = 0
    by_timer: int = 0
    with_gaps: int = 0  # sent at once because a gap or a duplicate showed up


class DelayedAcks:
    """The SACK policy of one association (installed by :func:`delay_acks`)."""

    def __init__(
        self, transport: Any, every: int, delay: float, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.transport = transport
        self.every = every
        self.delay = delay
        self.clock = clock  # its call_later runs on aiortc's loop (send_sack is called there)
        self.counts = AckCounts()
        self._send_now = transport._send_sack  # aiortc's own, bound to the transport
        self._unacked = 0
        self._reported_gaps = False
        self._now = clock.monotonic  # bound once: read for every held-back packet
        self._deferred_at = 0.0  # clock time of the packet whose SACK is being held back
        self._timer: Timer | None = None
        self._flushing: asyncio.Task[None] | None = None  # held so the task is not collected

    async def send_sack(self) -> None:
        """Called by aiortc after each packet that left a SACK due."""
        transport = self.transport
        self._unacked += 1
        urgent = (
            self._unacked >= self.every
            or transport._sack_misordered  # a gap: the sender needs to hear it now
            or transport._sack_duplicates
            or self._reported_gaps  # the gap just closed: say so now as well
        )
        if not urgent:
            self.counts.deferred += 1
            self._deferred_at = self._now()
            # One timer for the whole flow, not one per held-back packet: arming and
            # cancelling a timer for every second packet cost more loop time than the
            # SACKs it saved. A timer that fires too early re-arms for the rest.
            if self._timer is None:
                self._timer = self.clock.call_later(self.delay, self._on_timer)
            return
        await self._send()

    async def _send(self) -> None:
        transport = self.transport
        self._unacked = 0
        self._reported_gaps = bool(transport._sack_misordered)
        self.counts.sent += 1
        if transport._sack_misordered or transport._sack_duplicates:
            self.counts.with_gaps += 1
        await self._send_now()

    def _closed(self) -> bool:
        transport = self.transport
        return bool(transport._association_state == transport.State.CLOSED)

    def _on_timer(self) -> None:
        self._timer = None
        if not self.transport._sack_needed or self._closed():
            return  # a SACK went out since, and nothing arrived after it
        due = self._deferred_at + self.delay
        now = self._now()
        if now < due:  # armed for an earlier packet, already acknowledged
            self._timer = self.clock.call_later(due - now, self._on_timer)
            return
        self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        if not self.transport._sack_needed:
            return  # a packet since the timer was set already sent it
        if self._closed():
            # Closing: aiortc stops the association before DTLS, and DTLS shuts its SSL
            # down before it says it is closed, so a SACK sent now fails with an SSL error.
            return
        self.counts.by_timer += 1
        try:
            await self._send()
        except ConnectionError:  # the association closed meanwhile: nothing to acknowledge
            logger.debug("delayed SACK not sent: the transport is closed")


def delay_acks(
    transport: Any,
    *,
    every: int = ACK_EVERY,
    delay: float = ACK_DELAY,
    clock: Clock = SYSTEM_CLOCK,
) -> DelayedAcks | None:
    """Give one aiortc ``RTCSctpTransport`` the delayed-SACK policy; None if it cannot.

    Idempotent: a transport that already has it returns the policy it has. ``clock`` times
    the held-back SACKs (a test passes a ManualClock to fire the timer when it chooses).
    """
    if not 1 <= every <= 2 or not 0 < delay <= 0.2:
        raise ValueError("RFC 4960 allows a SACK every 1-2 packets and a delay of up to 200 ms")
    existing = getattr(transport, "_ferry_acks", None)
    if isinstance(existing, DelayedAcks):
        return existing
    if not all(hasattr(transport, name) for name in _REQUIRED):
        logger.info("this aiortc's SCTP has no _send_sack hook: SACKs stay one per packet")
        return None
    policy = DelayedAcks(transport, every, delay, clock)
    transport._send_sack = policy.send_sack
    transport._ferry_acks = policy
    return policy
