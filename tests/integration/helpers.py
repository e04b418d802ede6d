"""Real engines on loopback for integration tests: no mocks of aiortc, real files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import socket
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from engine import Engine, EngineConfig, Peer, Transfer, in_process_pair

LOOPBACK = ("127.0.0.1",)
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
    sender_config = EngineConfig(ice_addresses=LOOPBACK, **(sender or {}))
    receiver_options = {"accept_all": True, **(receiver or {})}
    receiver_config = EngineConfig(output_dir=out, ice_addresses=LOOPBACK, **receiver_options)
    one, two = in_process_pair()
    async with Engine(sender_config) as sending, Engine(receiver_config) as receiving:
        listening = asyncio.create_task(receiving.listen(two))
        sender_peer = await sending.connect(one)
        receiver_peer = await listening
        yield sender_peer, receiver_peer


def incoming_transfers(peer: Peer) -> asyncio.Queue[Transfer]:
    """A queue that gets each transfer the peer receives, as its offer arrives."""
    queue: asyncio.Queue[Transfer] = asyncio.Queue()
    peer.on_offer = lambda offer: queue.put_nowait(offer.transfer)
    return queue


async def until_empty(folder: Path, within: float = 5.0) -> None:
    """Wait (briefly) for the stage actors to finish removing what they staged."""
    deadline = asyncio.get_running_loop().time() + within
    while files_under(folder) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)


def visible_files(folder: Path) -> list[str]:
    """Files at the destination proper, leaving out the hidden staging area."""
    return [name for name in files_under(folder) if not name.startswith(".ferry-staging")]


async def until_journaled(folder: Path, within: float = 5.0) -> list[str]:
    """Wait until the staging area holds a journal entry; return what it holds."""
    staging = folder / ".ferry-staging"
    deadline = asyncio.get_running_loop().time() + within
    while not list(staging.glob("*.json")) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return sorted(path.suffix for path in staging.iterdir()) if staging.exists() else []
