"""The BBR-style model (actors/transport/bbr.py) driven by a fake clock and a simulated path."""

from __future__ import annotations

import random
from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from ferry.actors.transport.bbr import MIN_RTT_WINDOW, BbrModel, SendState, State

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
    # (when acked, bytes, sent at, the packet's send state)
    arrivals: deque[tuple[float, int, float, SendState]] = deque()
    budget = 0.0
    delivered = 0
    while now < seconds:
        now += step
        budget = min(budget + model.pacing_rate * step, 10 * MSS)
        while budget >= MSS and in_flight + MSS <= model.cwnd:
            budget -= MSS
            state = model.on_send(MSS, now, in_flight)
            in_flight += MSS
            if rng.random() < loss:
                arrivals.append((now + 2 * RTT, 0, now, state))  # never acknowledged as data
            else:
                queue += MSS
                wait = queue / RATE
                arrivals.append((now + RTT + wait, MSS, now, state))
        queue = max(0.0, queue - RATE * step)
        while arrivals and arrivals[0][0] <= now:
            _, size, sent, state = arrivals.popleft()
            in_flight -= MSS  # acknowledged or, for a loss, recovered (here: written off)
            if size:
                delivered += size
                model.on_rtt(now - sent, now)
                model.on_ack(size, now, in_flight, state)
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
    """1 MB/s sent, one packet a millisecond; then the receiver stalls for 8 round trips
    and acknowledges everything at once: the samples span the send interval, not the
    burst of acknowledgements, and the estimate stays at what was sent."""
    model = BbrModel(MSS)
    model.on_rtt(RTT, 0.0)
    now = 0.0
    sent: deque[SendState] = deque()
    size = 1000  # bytes a millisecond: 1 MB/s
    for _ in range(2000):  # two seconds paced, acknowledged one round trip later
        now += 0.001
        sent.append(model.on_send(size, now, len(sent) * size))
        if now > RTT:
            model.on_ack(size, now, (len(sent) - 1) * size, sent.popleft())
    assert 0.9e6 <= model.btl_bw <= 1.05e6
    for _ in range(400):  # 8 round trips sent, nothing acknowledged
        now += 0.001
        sent.append(model.on_send(size, now, len(sent) * size))
    model.on_ack(size * len(sent), now + 0.001, 0, sent[-1])  # all at once
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
    states: list[SendState] = []
    for kind, size, dt in events:
        now += dt
        if kind == "ack":
            model.on_ack(size, now, size, states[-1] if states else None)
        elif kind == "rtt":
            model.on_rtt(dt, now)
        elif kind == "sent":
            states.append(model.on_send(size, now, size))
        else:
            model.on_timeout()
        assert model.cwnd >= model.min_cwnd
        assert model.pacing_rate >= 0
        assert model.btl_bw >= 0


def _round(model: BbrModel, now: float, sent: int, acked: int, lost: int = 0) -> float:
    """One round trip: ``sent`` bytes leave at ``now``, ``lost`` of them are taken as lost
    and ``acked`` come back a round trip later; returns that time."""
    state = model.on_send(sent, now, 0)
    if lost:
        model.on_loss(lost)
    model.on_ack(acked, now + RTT, 0, state)
    return now + RTT


def test_a_round_losing_a_fifth_caps_the_window_and_clean_rounds_lift_the_cap() -> None:
    model, _ = _simulate(2.0)
    before = model.cwnd
    per_round = int(RATE * RTT)
    now = _round(model, 2.0, per_round, per_round)  # close the simulation's last round
    now = _round(model, now, 140 * MSS, 100 * MSS, lost=40 * MSS)  # 40 of 140: overflow
    assert model.stats.loss_rounds == 1
    assert model.cwnd <= 0.9 * before
    for _ in range(36):  # clean rounds at the path's rate
        now = _round(model, now, per_round, per_round)
    assert model.inflight_hi is None and model.cwnd >= 0.9 * before


def test_two_percent_random_loss_is_not_taken_for_a_full_queue() -> None:
    model, _ = _simulate(4.0, loss=0.02)
    assert model.stats.loss_rounds == 0  # (the simulation reports no loss: see below)
    per_round = int(RATE * RTT)
    now = 4.0
    for _ in range(30):
        now = _round(model, now, per_round, int(0.98 * per_round), lost=int(0.02 * per_round))
    assert model.stats.loss_rounds == 0
