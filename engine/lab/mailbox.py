"""magic-wormhole's mailbox server (``twist wormhole-mailbox``, the test extra) as the lab
runs it: on one address and port, its databases in a folder of the caller (so a restart
keeps the mailboxes), readiness from its own log line, its process group killed on stop.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ferry.errors import FerryError

from .server_process import start_server, stop_server


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
        self.process = start_server(
            [*self.prefix, twist, "--log-format=text", "wormhole-mailbox",
             f"--port=tcp:{self.port}:interface={self.ip}",
             f"--channel-db={self.folder / 'channel.sqlite'}",
             f"--usage-db={self.folder / 'usage.sqlite'}"],
            ready_marker=f"starting on {self.port}", log=self.log,
            what="the mailbox server", timeout=timeout, cwd=self.folder,
        )  # fmt: skip

    def stop(self) -> None:
        process, self.process = self.process, None
        stop_server(process)

    def restart(self) -> None:
        self.stop()
        self.start()
