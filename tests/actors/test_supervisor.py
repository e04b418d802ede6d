"""The Supervisor's restart window, on a clock the test moves: no waiting out 10 seconds.

Real pykka actors: a child that crashes when told to (InjectFault, the hook every
supervised actor has), a Supervisor, and an owner that records what it hears.
"""

from __future__ import annotations

import queue
from typing import Any

import pykka

from ferry.actors.clock import ManualClock
from ferry.actors.supervisor import (
    ChildGaveUp,
    ChildRestarted,
    InjectFault,
    RestartPolicy,
    Supervised,
    Supervisor,
    start_supervised,
)


class Idle(Supervised):
    def handle(self, message: Any) -> None:
        pass


class Owner:
    def __init__(self) -> None:
        self.heard: queue.Queue[Any] = queue.Queue()

    def tell(self, message: Any) -> None:
        self.heard.put(message)


def test_the_restart_budget_is_counted_within_the_window_on_the_injected_clock() -> None:
    clock = ManualClock(start=100.0)
    supervisor = Supervisor.start(RestartPolicy(max_restarts=2, within_seconds=10.0), clock)
    owner = Owner()
    ref: pykka.ActorRef[Any] | None = None
    try:
        ref = start_supervised(
            supervisor,
            child_id="child",
            kind="idle",
            start=lambda child_id: Idle.start(child_id, supervisor),
            owner=owner,
        )

        def crash() -> Any:
            assert ref is not None
            ref.tell(InjectFault())
            return owner.heard.get(timeout=10)

        # Two crashes at t=100: both restarted.
        for _ in range(2):
            heard = crash()
            assert isinstance(heard, ChildRestarted)
            ref = heard.ref
        # Eleven seconds on, both have left the window: a third crash is restarted too.
        clock.advance(11.0)
        heard = crash()
        assert isinstance(heard, ChildRestarted)
        ref = heard.ref
        # One more within the window is fine (two in it), the one after is one too many.
        clock.advance(9.0)
        heard = crash()
        assert isinstance(heard, ChildRestarted)
        ref = heard.ref
        heard = crash()
        assert isinstance(heard, ChildGaveUp)
        assert "3 times within 10s" in heard.error.message
    finally:
        supervisor.stop()
        if ref is not None and ref.is_alive():
            ref.stop()
