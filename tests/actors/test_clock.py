"""ManualClock: time moves when the test says, timers fire in order, on the loop that armed them."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ferry.actors.clock import SYSTEM_CLOCK, ManualClock


def test_timers_fire_in_time_order_each_seeing_its_own_time() -> None:
    clock = ManualClock(start=10.0)
    fired: list[tuple[str, float]] = []
    clock.call_later(3.0, lambda: fired.append(("c", clock.monotonic())))
    clock.call_later(1.0, lambda: fired.append(("a", clock.monotonic())))
    clock.call_later(2.0, lambda: fired.append(("b", clock.monotonic())))
    clock.advance(2.5)
    assert fired == [("a", 11.0), ("b", 12.0)]
    assert clock.monotonic() == 12.5 and clock.pending == 1
    clock.advance(0.5)
    assert [name for name, _ in fired] == ["a", "b", "c"]


def test_a_cancelled_timer_never_fires_and_a_rearmed_one_fires_within_the_same_advance() -> None:
    clock = ManualClock()
    fired: list[float] = []
    timer = clock.call_later(1.0, lambda: fired.append(-1.0))
    timer.cancel()

    def rearm() -> None:
        fired.append(clock.monotonic())
        if len(fired) < 3:
            clock.call_later(1.0, rearm)

    clock.call_later(1.0, rearm)
    clock.advance(10.0)
    assert fired == [1.0, 2.0, 3.0]
    assert clock.pending == 0
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1.0)


def test_sleepers_wake_when_their_time_has_passed() -> None:
    async def scenario() -> list[str]:
        clock = ManualClock()
        woke: list[str] = []

        async def sleeper(name: str, seconds: float) -> None:
            await clock.sleep(seconds)
            woke.append(name)

        tasks = [
            asyncio.create_task(sleeper("short", 1.0)),
            asyncio.create_task(sleeper("long", 5)),
        ]
        await clock.wait_sleeping(2)
        clock.advance(1.0)
        await tasks[0]
        assert woke == ["short"] and clock.sleeping == 1
        clock.advance(4.0)
        await tasks[1]
        assert clock.requested == [1.0, 5]
        return woke

    assert asyncio.run(scenario()) == ["short", "long"]


def test_a_timer_armed_on_another_loop_fires_on_that_loops_thread() -> None:
    clock = ManualClock()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fired_on: list[threading.Thread] = []
    done = threading.Event()

    def arm() -> None:
        clock.call_later(1.0, lambda: (fired_on.append(threading.current_thread()), done.set()))

    try:
        loop.call_soon_threadsafe(arm)
        asyncio.run(clock.wait_pending(1))
        clock.advance(1.0)  # from this (the test's) thread
        assert done.wait(5)
        assert fired_on == [thread]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_the_system_clock_is_monotonic_and_its_timers_run_on_the_loop() -> None:
    async def scenario() -> bool:
        fired = asyncio.Event()
        SYSTEM_CLOCK.call_later(0.0, fired.set)
        await asyncio.wait_for(fired.wait(), 5)
        return True

    before = SYSTEM_CLOCK.monotonic()
    assert asyncio.run(scenario())
    assert SYSTEM_CLOCK.monotonic() >= before
