"""Start and stop a lab server (coturn, the mailbox server) as a process of its own.

Each runs in its own process group, so a stop kills whatever it spawned; its output is kept
line by line (a failed start shows its last lines), and a start returns once a line of its
output says it is ready.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from ferry.errors import FerryError


def start_server(
    argv: Sequence[str],
    *,
    ready_marker: str,
    log: list[str],
    what: str,
    timeout: float,
    cwd: Path | None = None,
) -> subprocess.Popen[str]:
    """Run ``argv``; return once its output contains ``ready_marker``, or raise (and kill
    it) if it exits or ``timeout`` passes first. Every output line is appended to ``log``."""
    process = subprocess.Popen(
        list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, start_new_session=True,
    )  # fmt: skip
    ready = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            if ready_marker in line:
                ready.set()
        ready.set()  # it exited

    threading.Thread(target=drain, daemon=True, name=f"{what}-log").start()
    if not ready.wait(timeout) or process.poll() is not None:
        stop_server(process)
        raise FerryError(f"{what} did not start:\n" + "\n".join(log[-20:]))
    return process


def stop_server(process: subprocess.Popen[str] | None) -> None:
    """Kill the server's whole process group and reap it."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
