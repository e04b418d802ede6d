"""Ferry's congestion control for aiortc's SCTP sender, installed per association.

aiortc 1.16 (``rtcsctptransport.py``) runs Reno: cwnd halved on each fast retransmit, one
packet after a T3 expiry, +1 packet per round trip after, so under random loss its rate
follows the Mathis formula (0.9 MB/s at 0.1% loss on a 50 ms path, a seventh of TCP BBR).
It also strikes a chunk it has already resent again every three SACKs, and walks its whole
sent queue twice per SACK that has gap blocks. :func:`control_congestion` replaces that for
one ``RTCSctpTransport`` only (aiortc's class and every other association in the process
keep aiortc's code) by setting methods on the instance, the way :mod:`.sctp_acks` wraps
``_send_sack``:

- ``_receive_sack_chunk``: SACK handling in time proportional to what changed (the
  ranges new since the last SACK, the holes below the highest newly acknowledged TSN),
  feeding the bytes newly acknowledged to the :class:`~.bbr.BbrModel` and never cutting
  the window for a loss. A chunk already resent is not struck again; it is resent once
  more when a SACK acknowledges a chunk first sent after the resend and a round trip has
  passed (RACK's rule: recovery of a lost resend without waiting for T3's second);
- ``_transmit``: sets aiortc's ``_cwnd`` to the model's window before aiortc sends, and
  paces: a bucket of 5 ms at 1.25 times the model's rate, the rest on loop timers, so a
  window never lands on the bottleneck at once. Paths under :data:`PACE_MIN_RTT` are not
  paced (no loop timer is that fine, and a loopback peer is CPU-bound, not path-bound);
- ``_update_rto``: each round-trip sample also goes to the model;
- ``_t3_expired``: the model restarts from a small window (aiortc's own handling,
  resending everything outstanding, still runs);
- ``_send_chunk``: counts what is sent (the model caps delivery-rate samples with it) and
  notes resends.

A tail-loss probe covers what SACKs cannot: when data is outstanding and nothing new was
acknowledged for ``max(2 x smoothed RTT, RTT + 10 ms)``, every hole below the highest
chunk SACKed and the newest chunk are resent; the receiver SACKs a duplicate at once, so
the state of the tail is known a round trip later, not after T3.

The receiving side's bookkeeping (:mod:`.sctp_receive`) is installed with it: the same
association receives as well as sends. Everything relies on aiortc internals (checked
against 1.16): when one is missing the association keeps aiortc's code and the log says
so; tests/transport fail loudly when they move.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from .bbr import BbrModel, SendState
from .sctp_receive import track_gaps

try:
    from aiortc.rtcsctptransport import DataChunk
except ImportError:  # moved: control_congestion leaves aiortc's own control in place
    DataChunk = None

logger = logging.getLogger(__name__)

#: Pace only paths with at least this round trip (see the module docstring).
PACE_MIN_RTT = 0.004
#: The least wait for the bucket to refill (the event loop's timers are not finer).
PACE_TICK = 0.001
#: The pacing bucket: bytes that may leave back to back, in time at the pacing rate...
PACE_BURST_TIME = 0.005
#: ...and at least this many packets.
PACE_BURST_PACKETS = 4
#: The tail-loss probe's margin over one smoothed round trip (delayed SACKs, scheduling).
RESEND_SLACK = 0.010
#: The tail-loss probe fires after max(TLP_RTTS x srtt, srtt + RESEND_SLACK).
TLP_RTTS = 2.0
_NEVER = -(1 << 30)
_TSN_MODULO = 1 << 32  # aiortc's strike count for a chunk Ferry recovers itself

_METHODS = (
    "_receive_sack_chunk",
    "_transmit",
    "_update_rto",
    "_t3_expired",
    "_send_chunk",
    "_t3_cancel",
    "_t3_restart",
    "_maybe_abandon",
    "_update_advanced_peer_ack_point",
)
_ATTRIBUTES = (
    "_cwnd",
    "_flight_size",
    "_sent_queue",
    "_outbound_queue",
    "_fast_recovery_exit",
    "_flight_size_decrease",
    "_srtt",
    "_association_state",
    "State",
    "_loop",
    "_rto",
    "_last_sacked_tsn",
    "_data_channel_queue",
    "_data_channel_flush",
)
_CHUNK_FIELDS = ("_acked", "_retransmit", "_misses", "_sent_count", "_book_size", "tsn")


def _tsn_gt(a: int, b: int) -> bool:
    """Serial number arithmetic (RFC 1982), as SCTP compares TSNs."""
    return a != b and (a - b) % _TSN_MODULO < _TSN_MODULO // 2


def _tsn_gte(a: int, b: int) -> bool:
    return a == b or _tsn_gt(a, b)


class SctpCongestion:
    """The controller of one association (installed by :func:`control_congestion`)."""

    def __init__(
        self, transport: Any, mss: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.model = BbrModel(mss)
        self.mss = mss
        self._transmit_now = transport._transmit
        self._update_rto = transport._update_rto
        self._t3 = transport._t3_expired
        self._send_chunk = transport._send_chunk
        # tsn -> (chunk, when resent, the newest TSN sent by then)
        self._resent: dict[int, tuple[Any, float, int]] = {}
        self._tokens = 0.0
        self._tokens_at = 0.0
        self._pace_timer: asyncio.TimerHandle | None = None
        self._probe_timer: asyncio.TimerHandle | None = None
        self._last_sack = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._blocks: list[tuple[int, int]] = []  # the last SACK's gap blocks, as TSNs
        self._newest: SendState | None = None  # during a SACK: its latest-sent chunk's state
        self.counts = {
            "sacks": 0,
            "fast_resends": 0,
            "resent_again": 0,
            "probes": 0,
            "paced_waits": 0,
        }

    # -- wrapped methods ----------------------------------------------------------------------

    async def receive_sack(self, sack: Any) -> None:
        """aiortc's SACK handling (RFC 9260 section 6.2.1) in time proportional to what
        changed, not to the window, and without Reno's window cuts.

        aiortc walks the whole sent queue for each SACK with gap blocks, twice; under
        random loss that is every SACK, and with windows of a bandwidth-delay product (500
        chunks at 50 Mbit/s and 50 ms) it is where the sender's time goes. TSNs in the
        sent queue are consecutive, so a TSN's index is its distance from the first; the
        blocks reported last time are remembered, so only ranges new in this SACK are
        walked, and only the holes below the highest newly acknowledged TSN are struck.
        """
        transport = self.transport
        cumulative = sack.cumulative_tsn
        if _tsn_gt(transport._last_sacked_tsn, cumulative):
            return  # older than one already handled
        now = self.clock()
        received_time = time.time()
        self.counts["sacks"] += 1
        transport._last_sacked_tsn = cumulative
        queue = transport._sent_queue
        decrease = transport._flight_size_decrease
        acked = done = 0
        self._newest = None
        while queue and _tsn_gte(cumulative, queue[0].tsn):
            schunk = queue.popleft()
            done += 1
            if not schunk._acked:
                acked += schunk._book_size
                self._note_delivered(schunk)
            decrease(schunk)
            if done == 1 and schunk._sent_count == 1:
                transport._update_rto(received_time - schunk._sent_time)
        blocks = [
            ((cumulative + start) % _TSN_MODULO, (cumulative + end) % _TSN_MODULO)
            for start, end in sack.gaps
        ]
        if blocks and queue:
            acked += self._gap_blocks(queue, blocks)
        self._blocks = blocks
        if self._resent:
            self._recover_resent(sack, now)
        if acked:  # progress: duplicates' SACKs do not hold the tail-loss probe off
            self._last_sack = now
        idle = not transport._outbound_queue and not transport._data_channel_queue
        app_limited = idle and transport._flight_size < self.model.cwnd
        self.model.on_ack(acked, now, transport._flight_size, self._newest, app_limited)
        self._newest = None
        if not queue:
            transport._t3_cancel()
        elif done:
            transport._t3_restart()
        transport._update_advanced_peer_ack_point()
        await transport._data_channel_flush()
        await transport._transmit()

    def _gap_blocks(self, queue: Any, blocks: list[tuple[int, int]]) -> int:
        """Mark what the blocks newly acknowledge, strike the holes below the highest of
        those; the bytes newly acknowledged."""
        transport = self.transport
        first = queue[0].tsn
        length = len(queue)

        def index(tsn: int) -> int:
            offset = (tsn - first) % _TSN_MODULO
            return offset - _TSN_MODULO if offset >= _TSN_MODULO // 2 else offset

        old = [(index(s), index(e)) for s, e in self._blocks]
        acked = 0
        highest = -1
        spans = [(max(0, index(s)), min(length - 1, index(e))) for s, e in blocks]
        j = 0
        for lo, hi in spans:
            start = lo
            while start <= hi:
                while j < len(old) and old[j][1] < start:
                    j += 1
                if j < len(old) and old[j][0] <= start:  # known already: skip it
                    start = old[j][1] + 1
                    continue
                stop = hi if j >= len(old) else min(hi, old[j][0] - 1)
                for i in range(start, stop + 1):
                    schunk = queue[i]
                    if not schunk._acked:
                        schunk._acked = True
                        acked += schunk._book_size
                        self._note_delivered(schunk)
                        highest = i
                    transport._flight_size_decrease(schunk)
                start = stop + 1
        if highest < 0:
            return acked
        # strike the holes below the highest newly acknowledged chunk (RFC 9260 7.2.4)
        hole = 0
        for lo, hi in spans:
            for i in range(hole, min(lo, highest)):
                self._strike(queue[i])
            hole = hi + 1
            if hole >= highest:
                break
        return acked

    def _note_delivered(self, schunk: Any) -> None:
        """Keep the send state of the latest-sent chunk this SACK acknowledges: the
        model's delivery-rate sample (a chunk resent counts from its last send)."""
        state = getattr(schunk, "_ferry_sent", None)
        if state is not None and (self._newest is None or state.sent_time > self._newest.sent_time):
            self._newest = state

    def _strike(self, schunk: Any) -> None:
        if schunk._acked or schunk._retransmit:
            return
        schunk._misses += 1
        if schunk._misses >= 3:
            schunk._misses = 0
            transport = self.transport
            if not transport._maybe_abandon(schunk):
                schunk._retransmit = True
            transport._flight_size_decrease(schunk)
            self.counts["fast_resends"] += 1
            self.model.on_loss(schunk._book_size)

    def _recover_resent(self, sack: Any, now: float) -> None:
        """Keep aiortc from striking resent chunks; resend one again once this SACK
        acknowledges a chunk first sent after it was resent (as RACK does for TCP: the
        resend had its chance to arrive), and a round trip has passed since."""
        transport = self.transport
        cumulative = sack.cumulative_tsn
        highest = (cumulative + max((end for _, end in sack.gaps), default=0)) % _TSN_MODULO
        for tsn, (schunk, when, newest) in list(self._resent.items()):
            if schunk._acked or _tsn_gte(cumulative, tsn):
                del self._resent[tsn]  # delivered
                continue
            if schunk._retransmit:
                continue  # already queued for resending
            if _tsn_gt(highest, newest) and now - when >= self.model.round_time:
                self.counts["resent_again"] += 1
                self.model.on_loss(schunk._book_size)
                schunk._retransmit = True
                transport._flight_size_decrease(schunk)
                del self._resent[tsn]
            else:
                schunk._misses = _NEVER

    async def send_chunk(self, chunk: Any) -> None:
        """Notes each resent DATA chunk, so aiortc's strikes leave it to this controller."""
        if type(chunk) is not DataChunk:
            await self._send_chunk(chunk)
            return
        size = chunk._book_size
        flight = self.transport._flight_size - size  # aiortc counts it in before sending
        chunk._ferry_sent = self.model.on_send(size, self.clock(), flight)
        if chunk._sent_count > 1:
            chunk._misses = _NEVER
            newest = self.transport._sent_queue[-1].tsn  # sent before this resend
            self._resent[chunk.tsn] = (chunk, self.clock(), newest)
        await self._send_chunk(chunk)

    async def transmit(self) -> None:
        transport = self.transport
        model = self.model
        transport._fast_recovery_exit = None  # the model, not aiortc's Reno, sets the window
        cwnd = model.cwnd
        if model.min_rtt is None or model.min_rtt < PACE_MIN_RTT:
            transport._cwnd = cwnd
            await self._transmit_now()
            self._arm_probe()
            return
        now = self.clock()
        rate = model.pacing_rate
        bucket = max(PACE_BURST_PACKETS * self.mss, rate * PACE_BURST_TIME)
        self._tokens = min(bucket, self._tokens + (now - self._tokens_at) * rate)
        self._tokens_at = now
        # aiortc sends at most four packets beyond the flight per call: call again while
        # the bucket and the window allow and something went out
        while self._tokens >= self.mss:
            flight = transport._flight_size
            if flight >= cwnd:
                break
            transport._cwnd = min(cwnd, flight + int(self._tokens))
            await self._transmit_now()
            sent = transport._flight_size - flight
            if sent <= 0:
                break
            self._tokens -= sent
        transport._cwnd = cwnd
        if self._pace_timer is None and transport._flight_size < cwnd and self._has_data():
            self.counts["paced_waits"] += 1
            delay = max(PACE_TICK, (self.mss - self._tokens) / rate) if rate > 0 else PACE_TICK
            self._pace_timer = transport._loop.call_later(delay, self._paced)
        self._arm_probe()

    def _has_data(self) -> bool:
        transport = self.transport
        if transport._outbound_queue or transport._data_channel_queue:
            return True
        return any(chunk._retransmit for chunk in transport._sent_queue)

    def _paced(self) -> None:
        self._pace_timer = None
        if not self._closed():
            self._spawn(self._paced_send())

    async def _paced_send(self) -> None:
        transport = self.transport
        if not transport._outbound_queue:
            await transport._data_channel_flush()  # pulls the next message, and sends
        await transport._transmit()

    def update_rto(self, rtt: float) -> None:
        self.model.on_rtt(rtt, self.clock())
        self._update_rto(rtt)

    def t3_expired(self) -> None:
        self.model.on_timeout()
        self._resent.clear()  # aiortc marks every outstanding chunk for resending
        self._t3()

    # -- the tail-loss probe ------------------------------------------------------------------

    def _probe_after(self) -> float:
        srtt = self.transport._srtt
        if srtt is None:  # no round trip measured yet: aiortc's initial RTO (3 s)
            return float(self.transport._rto)
        return max(TLP_RTTS * srtt, srtt + RESEND_SLACK)

    def _arm_probe(self) -> None:
        if self._probe_timer is None and self.transport._sent_queue:
            self._probe_timer = self.transport._loop.call_later(self._probe_after(), self._probe)

    def _probe(self) -> None:
        self._probe_timer = None
        transport = self.transport
        if self._closed() or not transport._sent_queue:
            return
        due = self._last_sack + self._probe_after()
        now = self.clock()
        if now < due:  # a SACK came since the timer was set: wait from that one
            self._probe_timer = transport._loop.call_later(due - now, self._probe)
            return
        self.counts["probes"] += 1
        # Nothing new acknowledged for two round trips: every hole below the highest chunk
        # SACKed is lost (SACKs came for what was sent after it), and so, if nothing was
        # SACKed above the first missing chunk, is that one; the newest chunk goes too, so
        # the receiver answers at once even if all else was lost.
        queue = transport._sent_queue
        length = len(queue)
        first = queue[0].tsn
        marked = [length - 1]
        hole = 0
        for start, end in self._blocks:
            lo = (start - first) % _TSN_MODULO
            hi = (end - first) % _TSN_MODULO
            if lo >= _TSN_MODULO // 2:  # a block behind the queue: nothing below it
                hole = max(hole, 0 if hi >= _TSN_MODULO // 2 else hi + 1)
                continue
            marked.extend(range(hole, min(lo, length)))
            hole = hi + 1
        if len(marked) == 1:
            marked.append(0)
        for index in marked:
            schunk = queue[index]
            if not schunk._acked and not schunk._retransmit and not schunk._abandoned:
                self.model.on_loss(schunk._book_size)
                schunk._retransmit = True
                transport._flight_size_decrease(schunk)
        self._last_sack = now  # one probe per probe interval
        self._spawn(transport._transmit())
        self._arm_probe()

    # -- helpers -------------------------------------------------------------------------------

    def _closed(self) -> bool:
        transport = self.transport
        return bool(transport._association_state == transport.State.CLOSED)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.debug("paced transmit failed: %r", task.exception())

    def stats(self) -> dict[str, Any]:
        model = self.model
        return {
            "state": model.state.value,
            "btl_bw_mb_per_s": model.btl_bw / 1e6,
            "samples": [round(x / 1e6, 2) for x in model._bw_samples],
            "min_rtt_ms": (model.min_rtt or 0.0) * 1000,
            "cwnd": model.cwnd,
            "rounds": model.stats.rounds,
            "timeouts": model.stats.timeouts,
            "loss_rounds": model.stats.loss_rounds,
            "inflight_hi": model.inflight_hi,
            "probe_rtts": model.stats.probe_rtts,
            **self.counts,
        }


def control_congestion(
    transport: Any, clock: Callable[[], float] = time.monotonic
) -> SctpCongestion | None:
    """Give one aiortc ``RTCSctpTransport`` Ferry's congestion control; None if it cannot.

    Idempotent: a transport that already has it returns the controller it has.
    """
    existing = getattr(transport, "_ferry_congestion", None)
    if isinstance(existing, SctpCongestion):
        return existing
    missing = [name for name in _METHODS + _ATTRIBUTES if not hasattr(transport, name)]
    if missing:
        logger.info("this aiortc's SCTP lacks %s: it keeps its own congestion control", missing)
        return None
    from aiortc import rtcsctptransport

    mss = getattr(rtcsctptransport, "USERDATA_MAX_LENGTH", None)
    if not isinstance(mss, int) or DataChunk is None:
        logger.info("this aiortc has no USERDATA_MAX_LENGTH: it keeps its congestion control")
        return None
    if track_gaps(transport) is None:
        return None
    controller = SctpCongestion(transport, mss, clock)
    transport._receive_sack_chunk = controller.receive_sack
    transport._transmit = controller.transmit
    transport._update_rto = controller.update_rto
    transport._t3_expired = controller.t3_expired
    transport._send_chunk = controller.send_chunk
    transport._ferry_congestion = controller
    return controller
