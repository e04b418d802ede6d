"""Supervision for pykka actors, which have none of their own (pykka issue 42).

A :class:`Supervised` actor reports its own death: pykka calls ``on_failure`` when a
``tell`` handler raises, and the actor tells the :class:`Supervisor`. The supervisor
restarts it from its :class:`ChildSpec` while the restart budget lasts (at most
``max_restarts`` in ``within_seconds``), and tells the child's owner either
:class:`ChildRestarted` (with the new ref; the owner hands the new actor the state it needs,
which lives outside the dead one) or :class:`ChildGaveUp` (fail the work cleanly).

Children do no I/O in ``on_start`` (pykka gives a failing ``on_start`` no ``on_failure``):
their first message opens their resource, so every failure takes the same path. Messages
between actors are ``tell``: a blocking ``ask`` between actors can deadlock.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

import pykka

from ferry.errors import FerryError

from .clock import SYSTEM_CLOCK, Clock

logger = logging.getLogger(__name__)


class SupervisionError(FerryError):
    """An actor kept failing past its restart budget."""

    code = "actor-failed"


class Owner(Protocol):
    """Whoever should hear about a child's restart: an ActorRef or any object with tell."""

    def tell(self, message: Any) -> None: ...


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 3
    within_seconds: float = 10.0


@dataclass
class ChildSpec:
    """How to (re)start one child: ``start`` gets the child id and returns its ref."""

    child_id: str
    kind: str
    start: Callable[[str], pykka.ActorRef[Any]]
    owner: Owner
    restarts: deque[float] = field(default_factory=deque)


@dataclass(frozen=True)
class ChildFailed:
    child_id: str
    error: BaseException


@dataclass(frozen=True)
class ChildRestarted:
    child_id: str
    kind: str
    ref: pykka.ActorRef[Any]


@dataclass(frozen=True)
class ChildGaveUp:
    child_id: str
    kind: str
    error: SupervisionError


@dataclass(frozen=True)
class Watch:
    spec: ChildSpec


@dataclass(frozen=True)
class Unwatch:
    child_id: str


class InjectedFault(RuntimeError):
    """Raised on purpose by :class:`InjectFault`: a crash test can't cause one otherwise."""


@dataclass(frozen=True)
class InjectFault:
    """Test hook: the receiving actor raises :class:`InjectedFault` as if its code crashed."""

    reason: str = "fault injected by a test"


class Supervised(pykka.ThreadingActor):
    """Base of every supervised child: reports its failure, obeys :class:`InjectFault`."""

    use_daemon_thread = True  # a stuck child must never keep the process alive

    def __init__(self, child_id: str, supervisor: pykka.ActorRef[Any] | None) -> None:
        super().__init__()
        self.child_id = child_id
        self.supervisor = supervisor

    def on_receive(self, message: Any) -> Any:
        if isinstance(message, InjectFault):
            raise InjectedFault(message.reason)
        return self.handle(message)

    def handle(self, message: Any) -> Any:
        raise NotImplementedError

    def on_failure(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.cleanup_after_failure()
        if self.supervisor is not None and exception_value is not None:
            self.supervisor.tell(ChildFailed(self.child_id, exception_value))

    def cleanup_after_failure(self) -> None:
        """Release resources (file descriptors) before the supervisor restarts us."""


class Supervisor(pykka.ThreadingActor):
    """Restarts watched children by policy and tells their owners what happened."""

    use_daemon_thread = True

    def __init__(self, policy: RestartPolicy | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.policy = policy or RestartPolicy()
        self.clock = clock  # the restart window is measured on it
        self.children: dict[str, ChildSpec] = {}

    def on_receive(self, message: Any) -> None:
        if isinstance(message, Watch):
            self.children[message.spec.child_id] = message.spec
        elif isinstance(message, Unwatch):
            self.children.pop(message.child_id, None)
        elif isinstance(message, ChildFailed):
            self._on_child_failed(message)

    def _on_child_failed(self, message: ChildFailed) -> None:
        spec = self.children.get(message.child_id)
        if spec is None:
            return  # already unwatched: its work was over
        now = self.clock.monotonic()
        while spec.restarts and now - spec.restarts[0] > self.policy.within_seconds:
            spec.restarts.popleft()
        if len(spec.restarts) >= self.policy.max_restarts:
            del self.children[spec.child_id]
            error = SupervisionError(
                f"the {spec.kind} failed {len(spec.restarts) + 1} times within "
                f"{self.policy.within_seconds:g}s (last error: {message.error!r}); giving up"
            )
            logger.error("%s %s: %s", spec.kind, spec.child_id, error.message)
            spec.owner.tell(ChildGaveUp(spec.child_id, spec.kind, error))
            return
        spec.restarts.append(now)
        logger.warning(
            "%s %s failed (%r); restart %d of %d",
            spec.kind,
            spec.child_id,
            message.error,
            len(spec.restarts),
            self.policy.max_restarts,
        )
        try:
            ref = spec.start(spec.child_id)
        except Exception as exc:  # starting itself failed: that is the last word
            del self.children[spec.child_id]
            error = SupervisionError(f"could not restart the {spec.kind}: {exc!r}")
            spec.owner.tell(ChildGaveUp(spec.child_id, spec.kind, error))
            return
        spec.owner.tell(ChildRestarted(spec.child_id, spec.kind, ref))


def start_supervised(
    supervisor: pykka.ActorRef[Any] | None,
    *,
    child_id: str,
    kind: str,
    start: Callable[[str], pykka.ActorRef[Any]],
    owner: Owner,
) -> pykka.ActorRef[Any]:
    """Start a child and ask the supervisor to watch it."""
    ref = start(child_id)
    if supervisor is not None:
        supervisor.tell(Watch(ChildSpec(child_id, kind, start, owner)))
    return ref
