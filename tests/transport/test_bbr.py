"""The BBR-style model (actors/transport/bbr.py) driven by a fake clock and a simulated path."""

from __future__ import annotations

import random
from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from ferry.actors.transport.bbr import MIN_RTT_WINDOW, BbrModel, State

MSS = 1160
RATE = 6.0e6  # bytes per second at the bottleneck
RTT = 0.05


def _simulate(
    seconds: float, loss: float = 0.0, seed: int = 1, model: BbrModel | None = None
) -> tuple[BbrModel, int]:
    """A fluid path with a bottleneck of RATE and a propagation delay of RTT: each
    millisecond the sender sends what its window and pacing allow, the bottleneck serves
    its queue at RATE, and acknowledgements come back RTT later. A lost packet's bytes
    are simply never acknowledged (the model never hears of loss). Returns the model and
    the bytes delivered."""
    model = model or BbrModel(MSS)
    rng = random.Random(seed)
    step = 0.001
    now = 0.0
    queue = 0.0  # bytes waiting at the bottleneck
    in_flight = 0
    arrivals: deque[tuple[float, int, float]] = deque()  # (when acked, bytes, sent at)
    budget = 0.0
    delivered = 0
    while now < seconds:
        now += step
        budget = min(budget + model.pacing_rate * step, 10 * MSS)
        while budget >= MSS and in_flight + MSS <= model.cwnd:
            budget -= MSS
            in_flight += MSS
            model.on_sent(MSS)
            if rng.random() < loss:
                arrivals.append((now + 2 * RTT, 0, now))  # never acknowledged as data
            else:
                queue += MSS
                wait = queue / RATE
                arrivals.append((now + RTT + wait, MSS, now))
        queue = max(0.0, queue - RATE * step)
        while arrivals and arrivals[0][0] <= now:
            _, size, sent = arrivals.popleft()
            in_flight -= MSS  # acknowledged or, for a loss, recovered (here: written off)
            if size:
                delivered += size
                model.on_rtt(now - sent, now)
                model.on_ack(size, now, in_flight)
    return model, delivered


def test_startup_finds_the_bottleneck_and_keeps_two_bdps() -> None:
    model, delivered = _simulate(3.0)
    assert model.state is State.PROBE_BW
    assert 0.85 * RATE <= model.btl_bw <= 1.3 * RATE
    assert abs(model.min_rtt - RTT) < 0.005
    assert 1.8 * RATE * RTT <= model.cwnd <= 2.6 * RATE * RTT
    assert delivered > 0.7 * RATE * 3.0  # start-up included


def test_random_loss_leaves_the_window_where_the_path_puts_it() -> None:
    """1% and 2% random loss: Reno would halve its window every few round trips; the
    model's window stays within a few percent of the clean run's."""
    clean, _ = _simulate(4.0)
    for loss in (0.01, 0.02):
        lossy, _ = _simulate(4.0, loss=loss)
        assert lossy.state is State.PROBE_BW
        assert lossy.cwnd >= 0.8 * clean.cwnd


def test_bunched_acknowledgements_do_not_raise_the_estimate_above_what_was_sent() -> None:
    model = BbrModel(MSS)
    model.on_rtt(RTT, 0.0)
    now = 0.0
    for _ in range(40):  # 1 MB/s sent and acknowledged, one round at a time
        model.on_sent(50_000)
        now += RTT
        model.on_ack(50_000, now, 50_000)
    assert model.btl_bw <= 1.05e6
    model.on_sent(50_000)
    now += RTT
    model.on_ack(400_000, now, 0)  # a stalled receiver releases 8 rounds at once
    assert model.btl_bw <= 1.05e6


def test_probe_rtt_after_ten_seconds_without_a_lower_round_trip() -> None:
    model, _ = _simulate(2.0)
    assert model.state is State.PROBE_BW
    start = 2.0
    model.on_rtt(RTT * 2, start + MIN_RTT_WINDOW + 0.1)  # the old minimum expired
    assert model.state is State.PROBE_RTT
    assert model.cwnd == model.min_cwnd
    model.on_ack(MSS, start + MIN_RTT_WINDOW + 0.5, 0)
    assert model.state is State.PROBE_BW


def test_a_timeout_restarts_small_and_grows_back_by_what_is_acknowledged() -> None:
    model, _ = _simulate(2.0)
    before = model.cwnd
    model.on_timeout()
    assert model.cwnd == model.min_cwnd
    model.on_ack(10 * MSS, 2.001, 0)
    assert model.cwnd == model.min_cwnd + 10 * MSS
    for i in range(2000):
        model.on_ack(MSS, 2.002 + i * 1e-4, 0)
    assert model.cwnd >= 0.9 * before


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ack", "rtt", "sent", "timeout"]),
            st.integers(0, 200_000),
            st.floats(0.0001, 0.5),
        ),
        max_size=200,
    )
)
def test_any_event_sequence_keeps_the_window_and_rate_sane(events: list) -> None:
    model = BbrModel(MSS)
    now = 0.0
    for kind, size, dt in events:
        now += dt
        if kind == "ack":
            model.on_ack(size, now, size)
        elif kind == "rtt":
            model.on_rtt(dt, now)
        elif kind == "sent":
            model.on_sent(size)
        else:
            model.on_timeout()
        assert model.cwnd >= model.min_cwnd
        assert model.pacing_rate >= 0
        assert model.btl_bw >= 0


def test_a_round_losing_a_fifth_caps_the_window_and_clean_rounds_lift_the_cap() -> None:
    model, _ = _simulate(2.0)
    before = model.cwnd
    now = 2.0
    model.on_ack(0, now + model.round_time, 0)  # close the simulation's last round
    model.on_loss(40 * MSS)
    model.on_ack(100 * MSS, now + 2.5 * model.round_time, 0)  # 40 of 140 lost: overflow
    assert model.stats.loss_rounds == 1
    assert model.cwnd <= 0.9 * before
    for i in range(4, 40):  # clean rounds at the path's rate
        model.on_sent(int(RATE * model.round_time))
        model.on_ack(int(RATE * model.round_time), now + i * model.round_time, 0)
    assert model.inflight_hi is None and model.cwnd >= 0.9 * before


def test_two_percent_random_loss_is_not_taken_for_a_full_queue() -> None:
    model, _ = _simulate(4.0, loss=0.02)
    assert model.stats.loss_rounds == 0  # (the simulation reports no loss: see below)
    now = 4.0
    for i in range(1, 30):
        model.on_loss(int(0.02 * RATE * model.round_time))
        model.on_sent(int(RATE * model.round_time))
        model.on_ack(int(0.98 * RATE * model.round_time), now + i * model.round_time, 0)
    assert model.stats.loss_rounds == 0
