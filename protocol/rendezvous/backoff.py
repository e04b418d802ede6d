"""How long to wait before reconnecting to a mailbox server: random, growing, capped.

The server protocol asks clients to reconnect "after waiting a random (and exponentially-
growing) delay"; magic-wormhole waits about 1 s after the first loss, growing by half each
time, capped at a minute. Random so that every client of a restarted server does not come
back in the same instant. Pure arithmetic: the caller owns the clock and the random source.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ferry.errors import ConfigError


@dataclass(frozen=True)
class Backoff:
    """Delay ``n`` (from 0) lies in ``[base / 2, base]``, ``base = min(cap, first * growth**n)``."""

    first: float = 1.0
    growth: float = 1.5
    cap: float = 60.0

    def __post_init__(self) -> None:
        if not (0 <= self.first <= self.cap and self.growth >= 1.0):
            raise ConfigError("backoff: need 0 <= first <= cap and growth >= 1")

    def base(self, attempt: int) -> float:
        """The upper bound of the delay before reconnect attempt ``attempt`` (0-based)."""
        if attempt < 0:
            raise ValueError("attempt must be >= 0")
        base = self.first
        if self.growth == 1.0:
            return base
        for _ in range(attempt):  # stops at the cap, so a long outage cannot overflow
            base *= self.growth
            if base >= self.cap:
                return self.cap
        return base

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = self.base(attempt)
        return rng.uniform(base / 2, base)
