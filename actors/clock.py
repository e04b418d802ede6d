"""The one clock Ferry's timers read: the system's in real use, a :class:`ManualClock` in tests.

Everything that waits or measures time outside the sans-IO ``protocol`` package (the
Supervisor's restart window, the Reassembler's checkpoints, the Channel's inbound batching,
delayed SACKs, the preview scheduler, pairing deadlines, rendezvous back-off) takes a clock
as a parameter, as aioquic does, so a test moves time forward by hand instead of sleeping
and hoping a loaded machine kept up.

A clock does three things: tell the time (``monotonic``), run a callback later
(``call_later``, on the event loop it was called from) and ``sleep`` in a coroutine.
Actors on plain threads only ever read the time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    """What ``call_later`` returns: ``asyncio.TimerHandle`` has this shape."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a scale that never goes back."""

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` once ``delay`` seconds have passed, on the calling event loop."""

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""


class SystemClock:
    """Real time: ``time.monotonic`` (what asyncio's loop time reads) and the running loop."""

    # A staticmethod, not a wrapper: delayed SACKs read the time once per held-back packet.
    monotonic = staticmethod(time.monotonic)

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return asyncio.get_running_loop().call_later(max(delay, 0.0), callback)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


#: The clock every parameter defaults to.
SYSTEM_CLOCK = SystemClock()


class ManualTimer:
    """A timer of a :class:`ManualClock`: fires when the test advances the clock past it."""

    __slots__ = ("callback", "cancelled", "clock", "loop", "when")

    def __init__(
        self,
        clock: ManualClock,
        when: float,
        callback: Callable[[], object],
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        self.clock = clock
        self.when = when
        self.callback = callback
        self.loop = loop
        self.cancelled = False

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.clock._changed()


class ManualClock:
    """Time moves only when a test calls :meth:`advance`; due timers fire then, in order.

    A timer armed on an event loop fires on that loop: inline when ``advance`` runs on it,
    through ``call_soon_threadsafe`` when ``advance`` runs on another thread (a test driving
    a Channel, whose loop has a thread of its own). A timer armed outside any loop (an actor
    thread) fires inline. Thread-safe: actors read the time from their own threads.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.requested: list[float] = []  # every sleep's duration, in call order
        self._timers: list[tuple[float, int, ManualTimer]] = []
        self._sleeping = 0
        self._order = itertools.count()
        self._lock = threading.RLock()
        self._waiters: list[
            tuple[Callable[[], bool], asyncio.AbstractEventLoop, asyncio.Future[None]]
        ] = []

    def monotonic(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], object]) -> ManualTimer:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            timer = ManualTimer(self, self.now + max(delay, 0.0), callback, loop)
            heapq.heappush(self._timers, (timer.when, next(self._order), timer))
        self._changed()
        return timer

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        with self._lock:
            self.requested.append(seconds)
            self._sleeping += 1
        timer = self.call_later(seconds, wake)
        try:
            await future
        finally:
            timer.cancel()
            with self._lock:
                self._sleeping -= 1
            self._changed()

    # -- what a test does ------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing each timer due by then at its own time."""
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        end = self.now + seconds
        while True:
            with self._lock:
                while self._timers and self._timers[0][2].cancelled:
                    heapq.heappop(self._timers)
                if not self._timers or self._timers[0][0] > end:
                    self.now = end
                    break
                when, _, timer = heapq.heappop(self._timers)
                self.now = max(self.now, when)
                timer.cancelled = True  # fired: a late cancel is a no-op
            self._fire(timer)
        self._changed()

    @property
    def pending(self) -> int:
        """Timers armed and not yet fired or cancelled (sleeps included)."""
        with self._lock:
            return sum(1 for _, _, timer in self._timers if not timer.cancelled)

    @property
    def sleeping(self) -> int:
        """Coroutines in :meth:`sleep` now."""
        return self._sleeping

    async def wait_pending(self, count: int = 1) -> None:
        """Until at least ``count`` timers are armed."""
        await self._wait(lambda: self.pending >= count)

    async def wait_sleeping(self, count: int = 1) -> None:
        """Until at least ``count`` coroutines sleep on this clock."""
        await self._wait(lambda: self._sleeping >= count)

    async def wait_requested(self, count: int) -> None:
        """Until :meth:`sleep` has been called ``count`` times in all."""
        await self._wait(lambda: len(self.requested) >= count)

    # -- inside ------------------------------------------------------------------------------

    def _fire(self, timer: ManualTimer) -> None:
        loop = timer.loop
        if loop is None or _running_loop() is loop:
            timer.callback()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(timer.callback)

    async def _wait(self, condition: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if condition():
                return
            self._waiters.append((condition, loop, future))
        await future

    def _changed(self) -> None:
        with self._lock:
            ready = [w for w in self._waiters if w[0]()]
            self._waiters = [w for w in self._waiters if w not in ready]
        for _, loop, future in ready:
            if _running_loop() is loop:
                _resolve(future)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, future)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
