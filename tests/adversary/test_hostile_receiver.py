"""A hostile receiver cannot make a sender hold the file in memory.

The receiver (tests/adversary/hostile_receiver.py, its own process) grants a WINDOW of
2^53-1 and then stops reading altogether. The sender, a real `ferry send` of a 1 GiB file,
must read ahead only a bounded amount whatever the credit: its reads stop (watched in
/proc/PID/io) and its peak memory stays under the bound.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ..integration.helpers import free_port
from .victim import ROOT

#: A sender's peak resident memory with a frozen receiver that granted unlimited credit.
SENDER_MEMORY_BOUND_MIB = 200


def _read_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/PID/io")


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/PID/status")


def _until_reads_stop(pid: int, within: float = 60.0, quiet: float = 1.5) -> int:
    """Wait until the process has read nothing for ``quiet`` seconds; return what it read."""
    deadline = time.monotonic() + within
    last, since = _read_bytes(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = _read_bytes(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    return last


def test_a_receiver_that_grants_everything_and_stops_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        out.truncate(1 << 30)  # sparse: reading it costs no disk
    port = free_port()
    hostile = subprocess.Popen(
        [sys.executable, "-m", "tests.adversary.hostile_receiver", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    sender = None
    try:
        assert hostile.stdout is not None and hostile.stdout.readline().strip() == "listening"
        code = hostile.stdout.readline().strip().removeprefix("code: ")
        sender = subprocess.Popen(
            [sys.executable, "-m", "ferry.engine.cli", "send", str(big),
             "--connect", f"127.0.0.1:{port}", "--ice-address", "127.0.0.1",
             "--code", code],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert hostile.stdout.readline().strip() == "frozen"
        read = _until_reads_stop(sender.pid)
        peak = _peak_rss_kib(sender.pid) // 1024
        assert sender.poll() is None, "the sender died"
        print(f"sender read {read >> 20} MiB of the file ahead; peak RSS {peak} MiB")
        assert read < 32 << 20, f"the sender read {read >> 20} MiB ahead"
        assert peak < SENDER_MEMORY_BOUND_MIB, f"the sender's peak RSS was {peak} MiB"
    finally:
        for process in (sender, hostile):
            if process is not None:
                process.kill()
                process.wait()
