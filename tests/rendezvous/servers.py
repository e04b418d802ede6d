"""The real mailbox server as a test starts it, its database and a TCP proxy.

- :class:`MailboxServer`: ``twist wormhole-mailbox`` (magic-wormhole-mailbox-server from
  PyPI) as a subprocess on 127.0.0.1, its channel and usage databases in a folder of the
  test, so a restart keeps the mailboxes. Readiness is the server's own log line, not a
  poll; ``kill`` ends its whole process group.
- :func:`stored_messages`, :func:`nameplates`, :func:`usage_results`: what the server keeps
  in its database, read-only. Later tests use them to show it holds only ciphertext.
  (The clock the transport waits on is Ferry's own :class:`~ferry.actors.clock.ManualClock`.)
- :class:`Proxy`: a TCP forwarder in front of the server for one client, which the test can
  cut (that client's WebSocket drops, the other's does not) or freeze in one direction.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ferry.engine.lab.server_process import start_server, stop_server

TWIST = Path(sys.executable).with_name("twist")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailboxServer:
    """One reference mailbox server; ``start``, ``kill`` and ``start`` again on its port."""

    def __init__(self, folder: Path, *options: str) -> None:
        if not TWIST.exists() and shutil.which("twist") is None:
            pytest.skip("magic-wormhole-mailbox-server is not installed (the test extra)")
        self.folder = folder
        self.options = options
        self.port = free_port()
        self.channel_db = folder / "channel.sqlite"
        self.usage_db = folder / "usage.sqlite"
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 60.0) -> None:
        assert self.process is None
        twist = str(TWIST) if TWIST.exists() else "twist"
        self.process = start_server(
            [
                twist,
                "--log-format=text",
                "wormhole-mailbox",
                f"--port=tcp:{self.port}:interface=127.0.0.1",
                f"--channel-db={self.channel_db}",
                f"--usage-db={self.usage_db}",
                *self.options,
            ],
            ready_marker=f"starting on {self.port}",
            log=self.log,
            what="the mailbox server",
            timeout=timeout,
            cwd=self.folder,
        )

    def kill(self) -> None:
        process, self.process = self.process, None
        stop_server(process)


# -- what the server keeps ------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    mailbox: str
    side: str
    phase: str
    body: bytes


def _read(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def stored_messages(server: MailboxServer, app_id: str) -> list[Stored]:
    """Every message the server holds for ``app_id``, in the order it received them."""
    rows = _read(
        server.channel_db,
        "SELECT mailbox_id, side, phase, body FROM messages WHERE app_id=? ORDER BY server_rx",
        app_id,
    )
    return [Stored(r["mailbox_id"], r["side"], r["phase"], bytes.fromhex(r["body"])) for r in rows]


def nameplates(server: MailboxServer, app_id: str) -> dict[str, list[tuple[str, bool]]]:
    """Nameplate -> the sides holding a row for it, with their ``claimed`` flag."""
    rows = _read(
        server.channel_db,
        "SELECT n.name, s.side, s.claimed FROM nameplates n"
        " LEFT JOIN nameplate_sides s ON s.nameplates_id = n.id WHERE n.app_id=?",
        app_id,
    )
    found: dict[str, list[tuple[str, bool]]] = {}
    for row in rows:
        sides = found.setdefault(row["name"], [])
        if row["side"] is not None:
            sides.append((row["side"], bool(row["claimed"])))
    return found


def mailboxes(server: MailboxServer, app_id: str) -> list[str]:
    return [
        r["id"] for r in _read(server.channel_db, "SELECT id FROM mailboxes WHERE app_id=?", app_id)
    ]


def usage_results(server: MailboxServer, app_id: str) -> list[str]:
    """The summary the server keeps of each finished mailbox: happy, lonely, scary, ..."""
    rows = _read(server.usage_db, "SELECT result FROM mailboxes WHERE app_id=?", app_id)
    return [r["result"] for r in rows]


# -- time, driven by the test ------------------------------------------------------------------


# -- a TCP proxy the test can cut --------------------------------------------------------------


class Proxy:
    """Forwards 127.0.0.1:``port`` to the server; ``cut`` drops every current connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.downstream = asyncio.Event()  # server -> client flows while set
        self.downstream.set()
        self._server: asyncio.Server | None = None
        self._pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._pairs.append((writer, up_writer))
        for task in (
            asyncio.ensure_future(self._pump(reader, up_writer, None)),
            asyncio.ensure_future(self._pump(up_reader, writer, self.downstream)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, gate: asyncio.Event | None
    ) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                if gate is not None:
                    await gate.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    def cut(self) -> None:
        """Every connection through the proxy breaks (what was held back is lost)."""
        for client_side, server_side in self._pairs:
            for writer in (client_side, server_side):
                writer.transport.abort()
        self._pairs.clear()
        for task in list(self._tasks):
            task.cancel()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await asyncio.gather(*self._tasks, return_exceptions=True)
