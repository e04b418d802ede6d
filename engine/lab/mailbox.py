"""magic-wormhole's mailbox server (``twist wormhole-mailbox``, the test extra) as the lab
runs it: on one address and port, its databases in a folder of the caller (so a restart
keeps the mailboxes), readiness from its own log line, its process group killed on stop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from ferry.errors import FerryError


def _twist() -> str | None:
    beside = Path(sys.executable).with_name("twist")
    return str(beside) if beside.exists() else shutil.which("twist")


def mailbox_missing() -> str | None:
    if _twist() is None:
        return "needs magic-wormhole-mailbox-server (pip, the test extra)"
    return None


class MailboxProcess:
    """One mailbox server on ``ip``:``port`` (``prefix``: run it in a namespace)."""

    def __init__(self, folder: Path, ip: str, port: int, prefix: Sequence[str] = ()) -> None:
        self.folder = folder
        self.ip = ip
        self.port = port
        self.prefix = tuple(prefix)
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    @property
    def url(self) -> str:
        return f"ws://{self.ip}:{self.port}/v1"

    def start(self, timeout: float = 60.0) -> None:
        twist = _twist()
        if twist is None:
            raise FerryError(mailbox_missing() or "no twist")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = process = subprocess.Popen(
            [*self.prefix, twist, "--log-format=text", "wormhole-mailbox",
             f"--port=tcp:{self.port}:interface={self.ip}",
             f"--channel-db={self.folder / 'channel.sqlite'}",
             f"--usage-db={self.folder / 'usage.sqlite'}"],
            cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )  # fmt: skip
        ready = threading.Event()
        marker = f"starting on {self.port}"

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.log.append(line.rstrip())
                if marker in line:
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True, name="mailbox-log").start()
        if not ready.wait(timeout) or process.poll() is not None:
            self.stop()
            raise FerryError("the mailbox server did not start:\n" + "\n".join(self.log[-20:]))

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()
