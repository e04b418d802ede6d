"""Ferry's SCTP congestion control (actors/transport/congestion.py) and receive bookkeeping
(sctp_receive.py) on real aiortc ``RTCSctpTransport`` objects, fed synthetic SACKs.

The DTLS transport under them is a stand-in that records what SCTP sends: the loss
patterns these tests need (exactly this chunk lost, then its resend lost) and a clock that
moves only when the test says cannot be had from a real network path. The controller on a
real link is measured in ``ferry bench --wan`` and tests/lab.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiortc
import pytest
from aiortc.rtcsctptransport import DataChunk, RTCSctpTransport, SackChunk
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.actors.transport.bbr import State
from ferry.actors.transport.congestion import SctpCongestion, control_congestion
from ferry.actors.transport.sctp_receive import GapTracker, track_gaps

MESSAGE = 50 * 1160  # 50 chunks


class RecordingDtls:
    """Stands in for RTCDtlsTransport: SCTP's packets are kept, not sent."""

    state = "connected"

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def _register_data_receiver(self, receiver: Any) -> None: ...

    def _unregister_data_receiver(self, receiver: Any) -> None: ...

    async def _send_data(self, data: bytes) -> None:
        self.sent.append(data)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _transport() -> RTCSctpTransport:
    transport = RTCSctpTransport(RecordingDtls())  # type: ignore[arg-type]
    transport._association_state = RTCSctpTransport.State.ESTABLISHED
    transport._remote_port = 5000
    return transport


def _sack(cumulative: int, gaps: list[tuple[int, int]] = ()) -> SackChunk:
    sack = SackChunk()
    sack.cumulative_tsn = cumulative % (1 << 32)
    sack.gaps = list(gaps)
    sack.advertised_rwnd = 1 << 20
    return sack


async def _sender(clock: Clock) -> tuple[RTCSctpTransport, SctpCongestion]:
    transport = _transport()
    controller = control_congestion(transport, clock)
    assert controller is not None
    controller.model.on_rtt(0.05, clock.now)  # a path with a 50 ms round trip...
    controller.model._bw_samples.extend([6e6] * 10)  # ...and 6 MB/s for ten rounds:
    controller.model.btl_bw = 6e6  # a window of ~600 kB
    controller.model.state = State.PROBE_BW
    await transport._send(1, 53, bytes(MESSAGE))
    for _ in range(10):
        clock.now += 0.01  # let pacing release the message
        await transport._transmit()
    assert len(transport._sent_queue) == 50, "the whole message is in flight"
    return transport, controller


def test_this_aiortc_has_every_internal_the_controller_uses() -> None:
    """Fails loudly when aiortc moves what congestion.py and sctp_receive.py wrap."""
    assert aiortc.__version__.startswith("1.16."), "re-check congestion.py against this aiortc"

    async def main() -> None:  # aiortc's transport wants a running loop
        transport = _transport()
        controller = control_congestion(transport)
        assert isinstance(controller, SctpCongestion)
        assert isinstance(transport._ferry_gaps, GapTracker)
        assert transport._transmit == controller.transmit
        assert transport._receive_sack_chunk == controller.receive_sack
        assert control_congestion(transport) is controller  # idempotent

    asyncio.run(main())


def test_a_loss_is_resent_once_without_cutting_the_window() -> None:
    async def main() -> None:
        clock = Clock()
        transport, controller = await _sender(clock)
        first = transport._sent_queue[0].tsn
        cwnd = controller.model.cwnd
        # chunk `first` lost: SACKs keep acknowledging the chunks after it
        for n in range(1, 6):
            clock.now += 0.001
            await transport._receive_sack_chunk(_sack(first - 1, [(2, 1 + 2 * n)]))
        lost = transport._sent_queue[0]
        assert lost.tsn == first and lost._sent_count == 2, "fast retransmit after 3 strikes"
        assert controller.counts["fast_resends"] == 1
        assert controller.model.cwnd >= cwnd  # Reno would have halved it
        # more SACKs while the resend is on its way: aiortc would strike it again
        for n in range(6, 30):
            clock.now += 0.001
            await transport._receive_sack_chunk(_sack(first - 1, [(2, 1 + 2 * n)]))
        assert lost._sent_count == 2, "a resend in flight is not resent again"

    asyncio.run(main())


def test_a_lost_resend_is_resent_once_later_chunks_arrive() -> None:
    async def main() -> None:
        clock = Clock()
        transport, controller = await _sender(clock)
        first = transport._sent_queue[0].tsn
        for n in range(1, 4):
            clock.now += 0.001
            await transport._receive_sack_chunk(_sack(first - 1, [(2, 1 + 2 * n)]))
        lost = transport._sent_queue[0]
        assert lost._sent_count == 2
        # new data sent after the resend; its SACK comes, the resend's never does
        await transport._send(1, 53, bytes(MESSAGE))
        for _ in range(10):
            clock.now += 0.01
            await transport._transmit()
        newest = transport._sent_queue[-1].tsn
        clock.now += 0.06  # more than a round trip since the resend
        await transport._receive_sack_chunk(
            _sack(first - 1, [(2, (newest - first + 1) % (1 << 32))])
        )
        await transport._transmit()
        assert lost._sent_count == 3
        assert controller.counts["resent_again"] == 1
        assert controller.model.stats.timeouts == 0, "no T3 needed"

    asyncio.run(main())


def test_the_tail_loss_probe_resends_the_holes_when_sacks_stop() -> None:
    async def main() -> None:
        clock = Clock()
        transport, controller = await _sender(clock)
        transport._srtt, transport._rttvar = 0.05, 0.01
        first = transport._sent_queue[0].tsn
        # chunks 0-9 acknowledged, 10 lost, 11-19 acknowledged, the rest (tail) lost
        await transport._receive_sack_chunk(_sack(first + 9, [(2, 10)]))
        assert transport._sent_queue[0].tsn == first + 10
        clock.now += 0.2  # no SACK for four round trips
        controller._probe()
        await asyncio.sleep(0)  # the probe's transmit task
        await asyncio.sleep(0)
        assert controller.counts["probes"] == 1
        assert transport._sent_queue[0]._sent_count == 2, "the hole"
        assert transport._sent_queue[-1]._sent_count == 2, "the newest, to draw a SACK"

    asyncio.run(main())


def test_sack_accounting_counts_each_byte_once() -> None:
    async def main() -> None:
        clock = Clock()
        transport, controller = await _sender(clock)
        first = transport._sent_queue[0].tsn
        sizes = {c.tsn: c._book_size for c in transport._sent_queue}
        before = controller.model.delivered
        await transport._receive_sack_chunk(_sack(first - 1, [(3, 5)]))  # 2..4 by gap
        await transport._receive_sack_chunk(_sack(first - 1, [(3, 8)]))  # 2..7
        await transport._receive_sack_chunk(_sack(first + 9, [(3, 5)]))  # 0..9, 12..14
        expected = sum(sizes[first + i] for i in [*range(10), 12, 13, 14])
        assert controller.model.delivered - before == expected

    asyncio.run(main())


def _receiver(fast: bool) -> RTCSctpTransport:
    transport = _transport()
    transport._last_received_tsn = 1000
    if fast:
        assert track_gaps(transport) is not None
    return transport


def _data(tsn: int) -> DataChunk:
    chunk = DataChunk(flags=3)
    chunk.tsn = tsn % (1 << 32)
    chunk.stream_id = 1
    chunk.stream_seq = 0
    chunk.protocol = 53
    chunk.user_data = b"x"
    return chunk


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 120), max_size=150), st.just(1000))
def test_the_gap_tracker_reports_what_aiortc_reports(arrivals: list[int], base: int) -> None:
    """Any arrival order, duplicates included: the same cumulative TSN, gap blocks and
    duplicates as aiortc's own code, packet by packet (away from the 2**32 wrap, where
    aiortc's code is wrong: see the next test)."""

    async def main() -> None:
        transports = [_receiver(fast) for fast in (False, True)]
        for transport in transports:
            transport._last_received_tsn = base
        for offset in arrivals:
            sacks = []
            for transport in transports:
                transport._mark_received((base + offset) % (1 << 32))
                await transport._send_sack()
                sacks.append(transport._RTCSctpTransport__transport.sent[-1])
            assert sacks[0] == sacks[1]
            assert transports[0]._sack_misordered == transports[1]._sack_misordered

    asyncio.run(main())


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(1, 80))))
def test_the_cumulative_tsn_crosses_the_wrap_in_any_arrival_order(arrivals: list[int]) -> None:
    """aiortc 1.16 sorts TSNs as plain integers: if TSN 0 arrives before 2**32 - 1, its
    cumulative TSN never moves again and the association stalls for good (written up in
    benchmarks/README.md). The tracker compares TSNs as serial numbers."""
    base = (1 << 32) - 40

    async def main() -> None:
        transport = _receiver(fast=True)
        transport._last_received_tsn = base
        for offset in arrivals:
            transport._mark_received((base + offset) % (1 << 32))
            await transport._send_sack()
        assert transport._last_received_tsn == (base + 79) % (1 << 32)
        assert not transport._sack_misordered

    asyncio.run(main())


def test_the_gap_tracker_recovers_when_something_else_edits_the_set() -> None:
    async def main() -> None:
        transport = _receiver(fast=True)
        for tsn in (1002, 1003, 1007):
            transport._mark_received(tsn)
        rebuilds = transport._ferry_gaps.rebuilds
        transport._sack_misordered.discard(1007)  # as a FORWARD TSN would
        await transport._send_sack()
        assert transport._ferry_gaps.rebuilds == rebuilds + 1
        sent = transport._RTCSctpTransport__transport.sent[-1]
        reference = _receiver(fast=False)
        for tsn in (1002, 1003):
            reference._mark_received(tsn)
        await reference._send_sack()
        assert sent == reference._RTCSctpTransport__transport.sent[-1]

    asyncio.run(main())


@pytest.mark.parametrize("seed", range(3))
def test_random_arrival_orders_match_aiortc(seed: int) -> None:
    rng = random.Random(seed)
    arrivals = list(range(1, 400))
    rng.shuffle(arrivals)
    test_the_gap_tracker_reports_what_aiortc_reports.hypothesis.inner_test(arrivals, 1000)
