"""Real engines on loopback for integration tests: no mocks of aiortc, real files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ferry.engine import (
    Engine,
    EngineConfig,
    Identity,
    Peer,
    PeerGone,
    TcpSignaling,
    Transfer,
    TransferResult,
    in_process_pair,
)

LOOPBACK = ("127.0.0.1",)
#: The pre-shared pairing secret in-process tests pair with (both engines are ours).
SECRET = bytes(range(32))
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
    """Run one test scenario on a fresh event loop, with a hard upper bound."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def write_random(path: Path, size: int, seed: int = 0) -> bytes:
    """A file of ``size`` pseudo-random bytes; returns its SHA-256."""
    digest = hashlib.sha256()
    generator = random.Random(seed)
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            block = generator.randbytes(min(remaining, 1 << 20))
            out.write(block)
            digest.update(block)
            remaining -= len(block)
    return digest.digest()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def files_under(folder: Path) -> list[str]:
    """Every file under ``folder`` (staging included), as relative paths."""
    return sorted(
        str(Path(root, name).relative_to(folder))
        for root, _, names in os.walk(folder)
        for name in names
    )


@contextlib.asynccontextmanager
async def connected_pair(
    out: Path | None,
    *,
    sender: dict[str, Any] | None = None,
    receiver: dict[str, Any] | None = None,
) -> AsyncIterator[tuple[Peer, Peer]]:
    """Two engines in this process, joined over aiortc on 127.0.0.1.

    The receiver stores into ``out``, or into a vault given in ``receiver``'s options.
    """
    sender_options = {"identity": Identity.generate(), **(sender or {})}
    sender_config = EngineConfig(ice_addresses=LOOPBACK, **sender_options)
    receiver_options = {"accept_all": True, "identity": Identity.generate(), **(receiver or {})}
    receiver_config = EngineConfig(output_dir=out, ice_addresses=LOOPBACK, **receiver_options)
    one, two = in_process_pair()
    async with Engine(sender_config) as sending, Engine(receiver_config) as receiving:
        listening = asyncio.create_task(receiving.listen(two, secret=SECRET))
        sender_peer = await sending.connect(one, secret=SECRET)
        receiver_peer = await listening
        yield sender_peer, receiver_peer


def paired_by_secret() -> tuple[Any, Any]:
    """An in-process pair whose first end is already wrapped to pair as a joiner with
    :data:`SECRET` (a hand-made peer built from aiortc sends its SDP through it); give the
    other end to ``engine.listen(..., secret=SECRET)``."""
    from ferry.engine.pairing import SecureSignaling

    ours, theirs = in_process_pair()
    joiner = SecureSignaling(ours, role="joiner", identity=Identity.generate(), secret=SECRET)
    return joiner, theirs


def incoming_transfers(peer: Peer) -> asyncio.Queue[Transfer]:
    """A queue that gets each transfer the peer receives, as its offer arrives."""
    queue: asyncio.Queue[Transfer] = asyncio.Queue()
    peer.on_offer = lambda offer: queue.put_nowait(offer.transfer)
    return queue


async def until_progress(transfer: Transfer, at_least: int) -> None:
    """Until ``transfer`` has moved ``at_least`` bytes (or ended): woken by its progress
    reports, not by polling."""
    reached = asyncio.Event()

    def check(item: object) -> None:
        if transfer.done or transfer.progress.done >= at_least:
            reached.set()

    check(None)
    transfer.add_listener(check)
    await reached.wait()


class LogWatch(logging.Handler):
    """Counts the log records of ``logger`` whose message holds ``text``; a test awaits a
    count (a supervisor's restart, say) instead of sleeping until it has surely happened.
    Records come from actor threads: the count is handed to the test's loop."""

    def __init__(self, logger: str, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.logger = logging.getLogger(logger)
        self.text = text
        self.count = 0
        self.loop = asyncio.get_running_loop()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._level: int | None = None

    def __enter__(self) -> LogWatch:
        self.logger.addHandler(self)
        if self.logger.getEffectiveLevel() > logging.DEBUG:
            self._level = self.logger.level
            self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.logger.removeHandler(self)
        if self._level is not None:
            self.logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            with contextlib.suppress(RuntimeError):  # the test's loop has closed
                self.loop.call_soon_threadsafe(self._bump)

    def _bump(self) -> None:
        self.count += 1
        for count, future in self._waiters:
            if self.count >= count and not future.done():
                future.set_result(None)

    async def reached(self, count: int) -> None:
        if self.count < count:
            future = self.loop.create_future()
            self._waiters.append((count, future))
            await future


async def until_empty(folder: Path, within: float = 5.0) -> None:
    """Wait (briefly) for the stage actors to finish removing what they staged."""
    deadline = asyncio.get_running_loop().time() + within
    while files_under(folder) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)


def visible_files(folder: Path) -> list[str]:
    """Files at the destination proper, leaving out the hidden staging area."""
    return [name for name in files_under(folder) if not name.startswith(".ferry-staging")]


async def until_journaled(folder: Path, within: float = 5.0) -> list[str]:
    """Wait until the staging area holds a journal entry; return what it holds.

    A journal entry is replaced through a ``.json.tmp`` file, and a suspend or a late
    checkpoint may be writing one while we look: wait for a listing between two saves.
    """
    staging = folder / ".ferry-staging"
    deadline = asyncio.get_running_loop().time() + within
    while True:
        suffixes = sorted(path.suffix for path in staging.iterdir()) if staging.exists() else []
        settled = ".json" in suffixes and ".tmp" not in suffixes
        if settled or asyncio.get_running_loop().time() >= deadline:
            return suffixes
        await asyncio.sleep(0.05)


async def serve_forever(engine: Engine, port: int, peers: list[Peer], bound: asyncio.Event) -> None:
    """Listen again each time a peer leaves, as `ferry receive` without --once does."""
    while True:
        signaling = TcpSignaling("127.0.0.1", port, listen=True)
        await signaling.bind()
        bound.set()
        peer = await engine.listen(signaling, secret=SECRET)
        peers.append(peer)
        await peer.wait_closed()


async def send_once(source: Path, port: int, code: str = "") -> TransferResult:
    """Send one file to a receiver listening on ``port`` from a fresh engine, and leave:
    pairing with ``code`` (a `ferry receive` process), else with :data:`SECRET`."""
    if not code:
        async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
            signaling = TcpSignaling("127.0.0.1", port, listen=False)
            peer = await engine.connect(signaling, secret=SECRET)
            result = await peer.send(source)
            await peer.close()
            return result
    async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
        peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
        result = await peer.send(source)
        await peer.close()
        return result


def check_stored_in_vault(vault_dir: Path, source: Path, **secret: Any) -> None:
    """``source`` is in the vault whole and verified, and nothing unfinished is left."""
    from ferry.actors.storage.vault import Vault

    with Vault.open(vault_dir, create=False, **secret) as vault:
        (stored,) = vault.list()
        assert stored.sha256 == hashlib.sha256(source.read_bytes()).digest()
        assert vault.verify().ok
        assert vault.pending() == []
    assert list((vault_dir / "staging").iterdir()) == []


async def send_until_killed(
    source: Path, port: int, receiver: subprocess.Popen[str], ready: Callable[[], bool]
) -> None:
    """Send ``source`` until ``ready()`` (the receiver made enough progress), then SIGKILL
    the receiver process; the sender must see the peer go."""
    code = receiver.code  # type: ignore[attr-defined]
    async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
        peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
        transfer = peer.send(source)
        while not ready():
            await asyncio.sleep(0.02)
        receiver.send_signal(signal.SIGKILL)
        with pytest.raises(PeerGone):
            await asyncio.wait_for(transfer, 15)


def read_until(process: subprocess.Popen[str], prefix: str) -> list[str]:
    """Lines a process prints up to and including the first that starts with ``prefix``."""
    assert process.stdout is not None
    lines = []
    while not lines or not lines[-1].startswith(prefix):
        line = process.stdout.readline()
        assert line, f"the process ended before printing {prefix!r}: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


def last_code(lines: list[str]) -> str:
    """The last code among lines a `ferry receive` printed."""
    return [line for line in lines if line.startswith("code: ")][-1].removeprefix("code: ")


def read_code(process: subprocess.Popen[str]) -> str:
    """The code a `ferry receive` process prints next (``code: N-word-word``)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("code: "), line
    return line.removeprefix("code: ").strip()


def start_receiver(port: int, *where: str, passphrase: str = "") -> subprocess.Popen[str]:
    """A real `ferry receive --once` process on 127.0.0.1, storing where ``where`` says
    (``--out DIR`` or ``--vault DIR ...``); returns once it listens, with the code it
    printed as its ``code`` attribute."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", "receive", "--listen", f"127.0.0.1:{port}",
         *where, "--once", "--ice-address", "127.0.0.1"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_PASSPHRASE": passphrase} if passphrase else None,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith("listening on")
    process.code = read_code(process)  # type: ignore[attr-defined]
    return process
