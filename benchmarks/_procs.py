"""Run functions in child processes and get back their results, peak RSS and CPU time.

Benchmarks put each peer in its own process: two peers in one process share one core and one
GIL and measure nothing useful. Every such benchmark needs the same chores, so they live here:

- start a child (``spawn``: a fresh interpreter, so no event loop, thread or memory is
  inherited from the runner, and the child's peak RSS is its own);
- collect what the function returned, or its exception and traceback, plus the child's peak
  RSS and CPU time;
- never leave a process behind: each child leads its own process group, so killing the group
  takes its own children with it; the runner kills every group it started when the ``with``
  block ends (normally, on error or on Ctrl-C); and a child whose runner dies kills its own
  group, so even ``kill -9`` of the runner leaves nothing running.

Targets must be module-level functions (spawn pickles them by name); their arguments and
results must pickle. Pipe ends from :func:`pipe` may be passed as arguments.

Sizes are in MB = 10**6 bytes, like the throughput figures they sit next to.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_CTX = multiprocessing.get_context("spawn")
_JOIN_SECONDS = 10.0


@dataclass(frozen=True)
class ChildResult(Generic[T]):
    """What one child returned, and what it cost."""

    name: str
    value: T
    peak_rss_mb: float
    """The child's own resident-set high-water mark (MB = 10**6 bytes)."""
    cpu_seconds: float
    """User plus system CPU time of the child over its whole life (startup included)."""


class ChildError(RuntimeError):
    """A child failed: raised an exception, died without a result, or ran out of time.

    ``exception`` is the child's own exception when it could be pickled back (so callers can
    test its type), else None; ``remote_traceback`` is its formatted traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        exception: BaseException | None = None,
        remote_traceback: str = "",
    ) -> None:
        super().__init__(message)
        self.exception = exception
        self.remote_traceback = remote_traceback


def pipe() -> tuple[multiprocessing.connection.Connection, multiprocessing.connection.Connection]:
    """A duplex pipe (a local socket pair, no network) whose ends can be passed to children.

    Close the runner's copies once the children have started: then a child that dies shows
    as end-of-file on the other end, instead of a silent wait.
    """
    return _CTX.Pipe(duplex=True)


def peak_rss_mb() -> float:
    """This process's peak RSS in MB.

    On Linux this is ``VmHWM``, the high-water mark of the current address space. Not
    ``ru_maxrss``: that survives ``exec`` and so can report the size of the process that
    forked us rather than our own.
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def rss_mb() -> float:
    """This process's current RSS in MB (NaN where neither /proc nor psutil can tell)."""
    with contextlib.suppress(OSError), open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    try:
        import psutil
    except ImportError:
        return float("nan")
    return psutil.Process().memory_info().rss / 1e6


def _kill_own_group() -> None:
    if hasattr(os, "getpgrp") and os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(70)


def _watch_parent() -> None:
    """Die with our runner: a child must not outlive the process that would reap it."""
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        _kill_own_group()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _child_entry(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    result_conn: multiprocessing.connection.Connection,
) -> None:
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # our own group: the runner can kill us and our children as one
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    _watch_parent()
    try:
        value = target(*args)
    except BaseException as exc:
        remote_tb = traceback.format_exc()
        try:
            result_conn.send(("error", exc, remote_tb))
        except Exception:  # the exception would not pickle: send its text only
            result_conn.send(("error", None, remote_tb))
        sys.exit(1)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result_conn.send(("ok", value, peak_rss_mb(), usage.ru_utime + usage.ru_stime))


class Child:
    """One running child process; start it through :func:`child_processes`."""

    def __init__(self, name: str, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.name = name
        self._reader, writer = _CTX.Pipe(duplex=False)
        self._process = _CTX.Process(
            target=_child_entry, args=(target, args, writer), name=name, daemon=False
        )
        self._process.start()
        writer.close()  # only the child holds it now: its death reads as end-of-file

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _collect(self) -> ChildResult[Any]:
        try:
            message = self._reader.recv()
        except EOFError:
            self._process.join(_JOIN_SECONDS)
            raise ChildError(
                f"{self.name} exited (code {self._process.exitcode}) without a result"
            ) from None
        if message[0] == "error":
            _, exc, remote_tb = message
            last_line = remote_tb.strip().splitlines()[-1] if remote_tb.strip() else "?"
            raise ChildError(
                f"{self.name} failed: {last_line}", exception=exc, remote_traceback=remote_tb
            )
        _, value, peak, cpu = message
        self._process.join(_JOIN_SECONDS)
        return ChildResult(name=self.name, value=value, peak_rss_mb=peak, cpu_seconds=cpu)

    def kill(self) -> None:
        """Kill the child and everything in its process group; reap it."""
        pid = self._process.pid
        if pid is not None:
            try:
                # the whole group, even if the child has ended: its own children may not have
                os.killpg(pid, signal.SIGKILL)
            except (AttributeError, ProcessLookupError, PermissionError):
                # not yet its own group leader (or no process groups here): the child alone
                if self._process.exitcode is None:
                    self._process.kill()
            self._process.join(_JOIN_SECONDS)
        self._reader.close()


@contextlib.contextmanager
def child_processes() -> Iterator[Callable[..., Child]]:
    """Yield ``start(name, target, *args) -> Child``; every child is killed on leaving.

    Leaving includes an exception or KeyboardInterrupt in the block, so a failed or
    interrupted benchmark leaves no process behind.
    """
    started: list[Child] = []

    def start(name: str, target: Callable[..., Any], *args: Any) -> Child:
        child = Child(name, target, args)
        started.append(child)
        return child

    try:
        yield start
    finally:
        for child in started:
            child.kill()


def wait_all(children: Sequence[Child], timeout: float) -> list[ChildResult[Any]]:
    """Results of all children, in order; fails fast on the first child that fails.

    Raises :class:`ChildError` for a failed child, or when ``timeout`` seconds pass first
    (the others are killed when the :func:`child_processes` block ends).
    """
    deadline = time.monotonic() + timeout
    pending = {child._reader: index for index, child in enumerate(children)}
    results: dict[int, ChildResult[Any]] = {}
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            names = ", ".join(children[index].name for index in pending.values())
            raise ChildError(f"still running after {timeout:.0f} s: {names}")
        for reader in multiprocessing.connection.wait(list(pending), remaining):
            index = pending.pop(reader)  # type: ignore[call-overload]
            results[index] = children[index]._collect()
    return [results[index] for index in range(len(children))]
