"""Run an untrusted-input decoder (ffmpeg) with a wall-clock and a memory limit.

How the limits are applied, and why this way:

- Memory: the child's rlimits must be set before ffmpeg starts, so in the child between
  fork and exec. ``subprocess``'s ``preexec_fn`` does that in Python code, which Python
  documents as unsafe when the parent has threads (Ferry runs pykka threads: a lock held by
  another thread at fork time stays locked in the child forever). ``prlimit(1)`` is a
  util-linux tool that is not everywhere (macOS, minimal containers). So the child is a
  tiny trampoline, ``python -I -S -c ...``, run with the interpreter already running Ferry:
  a fresh single-threaded process that sets the limits and ``exec``s ffmpeg in place (same
  pid). It costs one interpreter start-up (~15 ms) per run.
- The memory limit is ``RLIMIT_DATA`` (heap, anonymous mappings and thread stacks on Linux
  4.7+), not ``RLIMIT_AS``: the address space also counts every mapped library, and the
  bundled static ffmpeg maps ~550 MiB of them before decoding a pixel, so an AS limit tight
  enough to matter fails on start-up. Measured with that ffmpeg: a 160x120 H.264 frame
  needs ~128 MiB of data, a 4K one ~256 MiB.
- The trampoline also forbids core dumps (a crash must not write decrypted plaintext to
  disk), writing regular files (``RLIMIT_FSIZE`` 0: pipes are unaffected), and caps CPU
  seconds at what the wall-clock limit allows on every core, so an orphaned child still
  ends if Ferry itself dies.
- Priority: the trampoline lowers the child's CPU priority (``nice`` 10), so a preview
  made while the next file is still arriving takes only the CPU the transfer leaves.
- Time: the child starts a new session (``start_new_session`` runs in C, so it is safe with
  threads) and on expiry its whole process group gets SIGKILL. Not SIGTERM: ffmpeg wedged
  in a failed allocation was seen to ignore it and spin.

POSIX only; on other platforms :func:`run_limited` refuses to run rather than run ffmpeg on
untrusted input without limits.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Exit status of the trampoline when it cannot exec the program at all.
EXEC_FAILED = 127
SUPPORTED = os.name == "posix"

#: Previews must never slow a transfer: ffmpeg yields the CPU to everything else. 10, not
#: 19: at 19 it gets so little CPU on a busy machine that it would run into its time limit.
NICENESS = 10

_TRAMPOLINE = """\
import os, resource, signal, sys
NICENESS = @NICENESS@
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores it; exec would inherit that
def limit(which, soft, hard):
    old_hard = resource.getrlimit(which)[1]
    if old_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, old_hard), min(hard, old_hard)
    resource.setrlimit(which, (soft, hard))
limit(resource.RLIMIT_DATA, int(sys.argv[1]), int(sys.argv[1]))
limit(resource.RLIMIT_CPU, int(sys.argv[2]), int(sys.argv[2]) + 1)  # SIGXCPU, then SIGKILL
limit(resource.RLIMIT_CORE, 0, 0)
limit(resource.RLIMIT_FSIZE, 0, 0)
os.nice(NICENESS)
try:
    os.execv(sys.argv[3], sys.argv[3:])
except OSError as exc:
    sys.stderr.write("cannot run %s: %s\\n" % (sys.argv[3], exc))
    os._exit(127)
""".replace("@NICENESS@", str(NICENESS))
_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    """How a limited run ended. ``returncode`` is negative for a signal, as in subprocess."""

    returncode: int | None
    stdout: bytes
    stderr: str
    timed_out: bool = False
    stdout_overflow: bool = False


def run_limited(
    argv: Sequence[str],
    *,
    time_limit: float,
    memory_limit: int,
    max_stdout: int,
    stderr_keep: int = 16 * 1024,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run ``argv`` with no stdin, collecting stdout (at most ``max_stdout`` bytes) and
    stderr (its first and last ``stderr_keep`` bytes), within ``time_limit`` seconds of
    wall-clock time and ``memory_limit`` bytes of data memory, with an empty environment
    unless ``env`` is given (so no ``http_proxy`` or the like reaches ffmpeg).

    However this returns, the child has exited or been killed along with its process
    group (everything it started), and has been reaped.
    """
    if not SUPPORTED:
        raise OSError("limited subprocesses need a POSIX system (rlimits, process groups)")
    cpu_seconds = math.ceil(time_limit) * (os.cpu_count() or 1) + 1
    command = [
        sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(memory_limit), str(cpu_seconds),
        *argv,
    ]  # fmt: skip
    deadline = time.monotonic() + time_limit
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
        env=env if env is not None else {},
    )
    try:
        return _collect(process, deadline, max_stdout, stderr_keep)
    finally:
        _kill_group(process)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def _collect(
    process: subprocess.Popen[bytes], deadline: float, max_stdout: int, stderr_keep: int
) -> Outcome:
    stdout = bytearray()
    stderr = _HeadAndTail(stderr_keep)
    overflow = timed_out = False
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, stdout.extend)  # type: ignore[arg-type]
        selector.register(process.stderr, selectors.EVENT_READ, stderr.add)  # type: ignore[arg-type]
        while selector.get_map() and not overflow:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, _READ_SIZE)
                if chunk:
                    key.data(chunk)
                else:
                    selector.unregister(key.fileobj)
            overflow = len(stdout) > max_stdout
    if not timed_out and not overflow:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    return Outcome(process.poll(), bytes(stdout), stderr.text(), timed_out, overflow)


class _HeadAndTail:
    """Keep the start of a stream (ffmpeg prints the input's description there) and its
    end (where the error is), whatever lies between."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._head = bytearray()
        self._tail = bytearray()
        self._dropped = False

    def add(self, chunk: bytes) -> None:
        room = self._keep - len(self._head)
        if room > 0:
            self._head.extend(chunk[:room])
            chunk = chunk[room:]
        self._tail.extend(chunk)
        if len(self._tail) > 2 * self._keep:
            del self._tail[: -self._keep]
            self._dropped = True

    def text(self) -> str:
        if self._dropped or len(self._tail) > self._keep:
            body = bytes(self._head) + b"\n[...]\n" + bytes(self._tail[-self._keep :])
        else:
            body = bytes(self._head + self._tail)
        return body.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's process group (the child leads it) and reap the child.

    Only while the child is unreaped: after that its pid, the group id, could be reused.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.debug("killed process group %d", process.pid)
