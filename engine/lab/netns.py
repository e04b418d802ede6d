"""Network namespace primitives: make, run in, and always remove.

Adapted from the WAN lab's primitives (benchmarks/lab/netns.py on the wan branch): names
carry this process's id and a random tag, so parallel runs never collide, and a namespace
left by a process killed with SIGKILL is recognised (its pid is gone) and removed by the
next run. Deleting a namespace deletes its veth ends and iptables rules with it; the
processes started in it are killed first. Every :class:`Namespaces` set is also closed by
``atexit``, and SIGTERM becomes ``SystemExit`` while one is open so context managers unwind.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ferry.errors import FerryError

logger = logging.getLogger(__name__)

PREFIX = "ferrynat"


class LabError(FerryError):
    """The lab could not be built (no root, a missing tool): the message says which."""


def netns_missing() -> str | None:
    """Why namespaces cannot be built here, in one line; None when they can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (network namespaces, iptables)"
    for tool, package in (("ip", "iproute2"), ("iptables", "iptables")):
        if shutil.which(tool) is None:
            return f"needs {tool!r} (Debian package {package})"
    return None


def run(argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise LabError(f"{' '.join(argv)}: {done.stderr.strip() or done.returncode}")
    return done


def _namespaces() -> list[str]:
    listed = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_namespace(name: str) -> None:
    """Kill whatever runs in ``name`` (only what a lab started runs there), delete it."""
    for pid in run(["ip", "netns", "pids", name], check=False).stdout.split():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    run(["ip", "netns", "delete", name], check=False)


def remove_stale(prefix: str = PREFIX) -> list[str]:
    """Delete namespaces ``prefix-PID-...`` of labs whose process is gone (killed before it
    cleaned up); each kind of lab (NAT here, the WAN lab in benchmarks) has its prefix."""
    removed = []
    for name in _namespaces():
        parts = name.split("-")
        ours = len(parts) == 4 and parts[0] == prefix and parts[1].isdigit()
        if ours and not _pid_alive(int(parts[1])):
            kill_namespace(name)
            removed.append(name)
    return removed


class Namespaces:
    """A set of namespaces made for one lab; :meth:`close` removes them all."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.base = f"{PREFIX}-{os.getpid()}-{self.tag}"
        self.names: list[str] = []
        self.processes: list[subprocess.Popen[Any]] = []
        self.closed = False
        _open.add(self)

    def add(self, role: str) -> str:
        name = f"{self.base}-{role}"
        run(["ip", "netns", "add", name])
        self.names.append(name)
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    @staticmethod
    def argv_in(namespace: str, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", namespace, *argv]

    def popen(self, namespace: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start a process in ``namespace``; :meth:`close` kills it if it still runs."""
        process = subprocess.Popen(self.argv_in(namespace, argv), **kwargs)
        self.processes.append(process)
        return process

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        _open.discard(self)
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for name in reversed(self.names):
            kill_namespace(name)


_open: set[Namespaces] = set()


def _close_all() -> None:
    for spaces in list(_open):
        try:
            spaces.close()
        except Exception:  # at exit: close every other set regardless
            logger.exception("could not remove lab namespaces %s", spaces.base)


atexit.register(_close_all)


def _sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def namespaces() -> Iterator[Namespaces]:
    """A fresh :class:`Namespaces`, removed on the way out whatever happens."""
    missing = netns_missing()
    if missing:
        raise LabError(missing)
    remove_stale()
    spaces = Namespaces()
    previous = None
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        yield spaces
    finally:
        try:
            spaces.close()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
