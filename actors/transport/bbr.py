"""A BBR-style congestion model: bottleneck bandwidth and minimum round trip, not loss.

aiortc's SCTP sender is textbook Reno: it halves its window on every fast retransmit, so
under random loss (Wi-Fi, a busy path) its rate follows the Mathis formula, about 0.9 MB/s
at 0.1% loss and 0.3 MB/s at 1% on a 50 ms path, a seventh of kernel TCP with BBR. This
model does what BBR (Cardwell et al., 2016) does instead: it estimates the path's
bottleneck bandwidth (the highest delivery rate seen over the last ten rounds) and its
propagation delay (the lowest round trip seen over ten seconds), keeps about two
bandwidth-delay products in flight, and paces sends at the bandwidth. A random loss
changes neither estimate, so it costs one retransmission, not half the window.

Why BBR v1's structure and not a loss-based controller with a milder response (CUBIC's
0.7 back-off still follows ~1/sqrt(loss)): only a model that does not read loss as
congestion reaches the link rate at 1-2% random loss. The known weakness of v1, taking
more than its share from loss-based flows in deep buffers, is bounded here by capping
the window near two BDPs (2.1: the gain that kept both kernel BBR and CUBIC above a third
in tests/lab's fairness runs; 2.0 lost to BBR, 2.25 starved CUBIC).

States, as in BBR: STARTUP (window and pacing at 2.89 times the estimate, which doubles
the delivery rate each round, until it stops growing by 25% for three rounds), DRAIN
(pace below the rate until the queue startup built is gone), PROBE_BW (cycle the pacing
gain 1.25, 0.75, 1 x 6 to probe for more bandwidth and drain what probing queued),
PROBE_RTT (every ten seconds without a new minimum, four packets in flight for 200 ms, so
a standing queue cannot inflate the RTT estimate forever). After a retransmission timeout
the window restarts small and grows by what is acknowledged until it is back at the
model's (packet conservation).

Sans-IO: every method takes ``now`` (seconds); :mod:`.congestion` feeds it from aiortc.
Rounds are measured in time (one minimum round trip), not in packet round trips, because
aiortc keeps no per-packet delivery state; a delivery-rate sample is the bytes
acknowledged (cumulatively or by a gap block) over one round.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

STARTUP_GAIN = 2.885  # 2/ln 2: doubles the delivery rate each round
CWND_GAIN = 2.1
PROBE_GAINS = (1.25, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
BW_WINDOW_ROUNDS = 10
MIN_RTT_WINDOW = 10.0
PROBE_RTT_TIME = 0.2
FULL_BW_GROWTH = 1.25
FULL_BW_ROUNDS = 3
#: Shortest round (and least RTT used to size the window): below a few milliseconds the
#: receiver's processing and delayed SACKs, not the path, set the round trip.
MIN_ROUND = 0.005
#: Pacing here runs on event-loop timers (a millisecond at best, later on a busy machine),
#: not the kernel's fq: paced at exactly the estimate, the sender falls a little short of
#: it, the next estimate is lower, and the rate spirals down. Pacing this much above the
#: model smooths bursts without setting the rate; the window (~two BDPs) sets it.
PACING_HEADROOM = 1.25
#: A round losing more than this share of what it sent is taken as a queue overflowing
#: (BBR v2's signal, far above its 2%): the window is capped at BETA of itself, and the
#: cap is raised again by PROBE_UP per clean round. Measured in tests/lab's fairness runs,
#: a lower bar (4-10%) cost more against kernel BBR (21% of the link) than it gave CUBIC,
#: so it is kept for gross overflow only, such as a start-up overshooting a shallow buffer.
LOSS_THRESHOLD = 0.2
BETA = 0.85
PROBE_UP = 1.1


class State(enum.Enum):
    STARTUP = "startup"
    DRAIN = "drain"
    PROBE_BW = "probe_bw"
    PROBE_RTT = "probe_rtt"


@dataclass
class ModelStats:
    rounds: int = 0
    loss_rounds: int = 0
    timeouts: int = 0
    probe_rtts: int = 0


class BbrModel:
    """The window and pacing rate for one sender; see the module docstring."""

    def __init__(self, mss: int, initial_packets: int = 10, min_packets: int = 4) -> None:
        self.mss = mss
        self.min_cwnd = min_packets * mss
        self.state = State.STARTUP
        self.stats = ModelStats()
        self.min_rtt: float | None = None
        self.last_rtt: float | None = None
        self._min_rtt_at = 0.0
        self._bw_samples: deque[float] = deque(maxlen=BW_WINDOW_ROUNDS)
        self.btl_bw = 0.0
        self._full_bw = 0.0
        self._full_bw_rounds = 0
        self._cwnd = initial_packets * mss
        self._cap: float | None = None  # after a timeout: grows by what is acknowledged
        self._round_start: float | None = None
        self._round_delivered = 0
        self._round_app_limited = False
        self.delivered = 0
        self.sent = 0
        self._round_sent = 0
        self._last_send_rate = float("inf")
        self._cycle = 0
        self._probe_rtt_until = 0.0
        self._round_lost = 0
        self.inflight_hi: float | None = None

    # -- estimates ---------------------------------------------------------------------------

    def on_rtt(self, rtt: float, now: float) -> None:
        """One round-trip sample (from a chunk sent once and acknowledged)."""
        if rtt <= 0:
            return
        self.last_rtt = rtt
        if self.min_rtt is None:  # rounds so far were timed on a guess: start them over
            self._round_start = None
        if self.min_rtt is None or rtt <= self.min_rtt or now - self._min_rtt_at > MIN_RTT_WINDOW:
            expired = self.min_rtt is not None and now - self._min_rtt_at > MIN_RTT_WINDOW
            self.min_rtt = rtt
            self._min_rtt_at = now
            if expired and self.state is State.PROBE_BW:
                self._enter_probe_rtt(now)

    def bdp(self) -> float:
        rtt = max(self.min_rtt or MIN_ROUND, MIN_ROUND)
        return self.btl_bw * rtt

    @property
    def round_time(self) -> float:
        return max(self.min_rtt or MIN_ROUND, MIN_ROUND)

    # -- events ------------------------------------------------------------------------------

    def on_ack(self, acked: int, now: float, flight: int, app_limited: bool = False) -> None:
        """``acked`` bytes newly acknowledged at ``now``; ``flight`` is what remains out."""
        self.delivered += acked
        if self._round_start is None:
            self._round_start, self._round_delivered = now, self.delivered - acked
            self._round_sent = self.sent
        if app_limited:
            self._round_app_limited = True
        if self._cap is not None:
            self._cap += acked
            if self._cap >= self._target():
                self._cap = None
        elapsed = now - self._round_start
        if elapsed >= self.round_time:
            self._end_round(elapsed, now)
        if self.state is State.DRAIN and flight <= self.bdp():
            self.state = State.PROBE_BW
            self._cycle = 2  # start at gain 1, as BBR does after draining
        if self.state is State.PROBE_RTT and now >= self._probe_rtt_until:
            self.state = State.PROBE_BW
            self._cycle = 0

    def on_loss(self, size: int) -> None:
        """``size`` bytes were taken as lost (to be resent)."""
        self._round_lost += size

    def on_sent(self, size: int) -> None:
        """``size`` bytes of DATA went out (new or resent)."""
        self.sent += size

    def _end_round(self, elapsed: float, now: float) -> None:
        # Acknowledgements can arrive bunched (a stalled receiver, a hole filled): no
        # delivery rate is above what was sent, this round or the one before.
        send_rate = (self.sent - self._round_sent) / elapsed
        ack_rate = (self.delivered - self._round_delivered) / elapsed
        sample = min(ack_rate, max(send_rate, self._last_send_rate))
        self._last_send_rate = send_rate
        self.stats.rounds += 1
        # an app-limited round says little about the path, unless it saw more
        if not self._round_app_limited or sample > self.btl_bw:
            self._bw_samples.append(sample)
        elif self._bw_samples:  # age the window anyway, keeping the best
            self._bw_samples.append(self._bw_samples[-1])
        self.btl_bw = max(self._bw_samples, default=0.0)
        self._check_loss()
        # a plateau counts only once rounds are round trips and the sender had data
        if self.state is State.STARTUP and not self._round_app_limited and self.min_rtt:
            if self.btl_bw >= self._full_bw * FULL_BW_GROWTH:
                self._full_bw, self._full_bw_rounds = self.btl_bw, 0
            else:
                self._full_bw_rounds += 1
                if self._full_bw_rounds >= FULL_BW_ROUNDS:
                    self.state = State.DRAIN
        elif self.state is State.PROBE_BW:
            self._cycle = (self._cycle + 1) % len(PROBE_GAINS)
        self._round_start, self._round_delivered = now, self.delivered
        self._round_sent = self.sent
        self._round_app_limited = False
        self._round_lost = 0

    def _check_loss(self) -> None:
        round_delivered = self.delivered - self._round_delivered
        lost = self._round_lost
        if lost and lost > LOSS_THRESHOLD * (lost + round_delivered):
            self.stats.loss_rounds += 1
            self.inflight_hi = max(float(self.min_cwnd), BETA * self._uncapped_cwnd())
            if self.state is State.STARTUP:
                self.state = State.DRAIN  # the queue is full: the bandwidth is found
        elif self.inflight_hi is not None and self.state is State.PROBE_BW:
            self.inflight_hi = self.inflight_hi * PROBE_UP + self.mss
            if self.inflight_hi >= self._target():
                self.inflight_hi = None

    def _enter_probe_rtt(self, now: float) -> None:
        self.state = State.PROBE_RTT
        self.stats.probe_rtts += 1
        self._probe_rtt_until = now + max(PROBE_RTT_TIME, self.round_time)

    def on_timeout(self) -> None:
        """A retransmission timeout: the path may have changed; rebuild from a few packets."""
        self.stats.timeouts += 1
        self._cap = float(self.min_cwnd)

    # -- outputs -----------------------------------------------------------------------------

    def _target(self) -> float:
        if self.state is State.PROBE_RTT:
            return float(self.min_cwnd)
        if self.state in (State.STARTUP, State.DRAIN):
            # the initial window until a round has measured something
            return max(STARTUP_GAIN * self.bdp() + 2 * self.mss, float(self._cwnd))
        return max(CWND_GAIN * self.bdp() + 2 * self.mss, float(self.min_cwnd))

    def _uncapped_cwnd(self) -> float:
        target = self._target()
        if self.inflight_hi is not None:
            target = min(target, self.inflight_hi)
        return target

    @property
    def cwnd(self) -> int:
        """Bytes allowed in flight."""
        target = self._uncapped_cwnd()
        if self._cap is not None:
            target = min(target, self._cap)
        return int(max(target, self.min_cwnd))

    @property
    def pacing_gain(self) -> float:
        if self.state is State.STARTUP:
            return STARTUP_GAIN
        if self.state is State.DRAIN:
            return 1 / STARTUP_GAIN
        if self.state is State.PROBE_RTT:
            return 1.0
        return PROBE_GAINS[self._cycle]

    @property
    def pacing_rate(self) -> float:
        """Bytes per second; before any estimate, the initial window per round."""
        bw = self.btl_bw
        if self.state is State.STARTUP:
            bw = max(bw, self._cwnd / self.round_time)
        return PACING_HEADROOM * self.pacing_gain * bw
