"""The victim: a real `ferry receive` process, watched from outside.

Its stdout and stderr are read by threads into lists as they come (so a test can wait for a
line without blocking), and its memory is read from /proc, as an operator would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Victim:
    """``ferry receive --listen 127.0.0.1:PORT --out OUT``, serving until stopped."""

    def __init__(self, out: Path, port: int, *extra: str) -> None:
        self.out = out
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ferry.engine.cli", *_verbose(), "receive",
             "--listen", f"127.0.0.1:{port}", "--out", str(out),
             "--ice-address", "127.0.0.1", *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._changed = threading.Condition()
        for stream, lines in (
            (self.process.stdout, self.stdout),
            (self.process.stderr, self.stderr),
        ):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()
        self.wait_for_line(lambda line: line.startswith("listening on"))
        self._used_codes: set[str] = set()

    def take_code(self) -> str:
        """The code the victim offers now (it makes a new one after each use): attackers
        here are peers that paired, as the pairing keeps everyone else out."""
        line = self.wait_for_line(
            lambda line: line.startswith("code: ") and line not in self._used_codes
        )
        self._used_codes.add(line)
        return line.removeprefix("code: ")

    def _read(self, stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for_line(self, wanted, within: float = 20.0, stream: str = "stdout") -> str:  # type: ignore[no-untyped-def]
        """The first line (from now on or already seen) that ``wanted`` accepts."""
        lines = self.stdout if stream == "stdout" else self.stderr
        deadline = time.monotonic() + within
        with self._changed:
            while True:
                for line in lines:
                    if wanted(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    raise AssertionError(
                        f"no such line in {stream}; stdout={self.stdout!r} stderr={self.stderr!r}"
                    )
                self._changed.wait(remaining)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def memory_kib(self) -> tuple[int, int]:
        """(resident now, peak resident) in KiB, from /proc/PID/status."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _verbose() -> list[str]:
    """FERRY_VICTIM_DEBUG=1 makes the victim log at debug level (to read a failure)."""
    return ["-vv"] if os.environ.get("FERRY_VICTIM_DEBUG") else []


def files_outside(root: Path, allowed: Path) -> list[str]:
    """Files under ``root`` that are not under ``allowed`` (what a victim must not write)."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if allowed not in path.parents:
                found.append(str(path.relative_to(root)))
    return sorted(found)
