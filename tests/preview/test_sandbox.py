"""The limited subprocess runner, with plain Python children (ffmpeg is in test_video)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

from ferry.actors.media.sandbox import EXEC_FAILED, run_limited

MiB = 1024 * 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def gone(pid: int, within: float = 5.0) -> bool:
    """True once ``pid`` is dead (SIGKILL is delivered asynchronously, so allow a moment)."""
    deadline = time.monotonic() + within
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:  # reparented, not ours
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_output_and_exit_status() -> None:
    outcome = run_limited(
        python("import sys; sys.stdout.write('frame'); sys.stderr.write('note'); sys.exit(3)"),
        time_limit=30,
        memory_limit=512 * MiB,
        max_stdout=100,
    )
    assert (outcome.returncode, outcome.stdout, outcome.stderr) == (3, b"frame", "note")
    assert not outcome.timed_out


def test_the_time_limit_kills_the_whole_process_group() -> None:
    # The child starts a grandchild, reports both pids, then both hang.
    code = (
        "import os, subprocess, sys, time\n"
        "grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print(os.getpid(), grandchild.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    outcome = run_limited(python(code), time_limit=2, memory_limit=512 * MiB, max_stdout=100)
    assert outcome.timed_out
    child, grandchild = map(int, outcome.stdout.split())
    assert gone(child)
    assert gone(grandchild)


def test_the_memory_limit_holds() -> None:
    code = "block = bytearray(200 * 1024 * 1024)"
    outcome = run_limited(python(code), time_limit=30, memory_limit=64 * MiB, max_stdout=100)
    assert outcome.returncode != 0
    assert "MemoryError" in outcome.stderr
    within = run_limited(python(code), time_limit=30, memory_limit=512 * MiB, max_stdout=100)
    assert within.returncode == 0


def test_no_file_can_be_written_and_the_environment_is_empty(tmp_path: Path) -> None:
    target = tmp_path / "plaintext"
    code = (
        "import os\n"
        "print(len(os.environ), flush=True)\n"
        f"os.write(os.open({str(target)!r}, os.O_WRONLY | os.O_CREAT), b'plaintext')\n"
    )
    outcome = run_limited(python(code), time_limit=30, memory_limit=512 * MiB, max_stdout=100)
    assert outcome.returncode != 0
    assert "File too large" in outcome.stderr
    assert not target.exists() or target.stat().st_size == 0
    assert outcome.stdout.split()[0] in (b"0", b"1")  # at most LC_CTYPE, set by Python itself


def test_too_much_output_is_cut_off() -> None:
    code = "import os, sys\nprint(os.getpid())\nwhile True: sys.stdout.write('x' * 65536)"
    outcome = run_limited(python(code), time_limit=30, memory_limit=512 * MiB, max_stdout=1000)
    assert outcome.stdout_overflow
    assert gone(int(outcome.stdout.split()[0]))


def test_a_missing_program() -> None:
    outcome = run_limited(
        ["/nonexistent/ffmpeg"], time_limit=30, memory_limit=512 * MiB, max_stdout=100
    )
    assert outcome.returncode == EXEC_FAILED
    assert "cannot run /nonexistent/ffmpeg" in outcome.stderr
