"""Transfers between separate processes: killed peers, a slow disk, and flat memory."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ferry.engine import Engine, EngineConfig, PeerGone, TcpSignaling, new_code

from .helpers import (
    LOOPBACK,
    SECRET,
    free_port,
    read_code,
    run,
    until_journaled,
    until_progress,
    visible_files,
    write_random,
)

MIB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]
#: How long a peer's death may take to be noticed (README: about a second over TCP
#: signaling); the bound is generous because these machines are shared.
DETECTION_BOUND = 15.0


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _ferry(*args: str) -> subprocess.Popen[str]:
    return _spawn("-m", "ferry.engine.cli", *args)


def _wait_for_line(process: subprocess.Popen[str], prefix: str) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith(prefix), (line, process.stderr.read() if process.stderr else "")
    return line


def test_killed_receiver_is_reported_by_the_sender(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 64 * MIB)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = _ferry(
        "receive",
        "--listen",
        f"127.0.0.1:{port}",
        "--out",
        str(out),
        "--once",
        "--ice-address",
        "127.0.0.1",
    )
    _wait_for_line(receiver, "listening on")
    code = read_code(receiver)

    async def scenario() -> float:
        async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
            transfer = peer.send(source)
            await until_progress(transfer, 2 * MIB)
            receiver.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            with pytest.raises(PeerGone):
                await asyncio.wait_for(transfer, DETECTION_BOUND)
            return time.monotonic() - killed

    try:
        run(scenario())
    finally:
        receiver.kill()
        receiver.communicate()
    # Nothing half-written at the destination: only the (hidden) staging of the dead process.
    assert visible_files(out) == []


def test_killed_sender_is_reported_and_only_resumable_staging_remains(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 64 * MIB)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()

    async def scenario() -> None:
        config = EngineConfig(output_dir=out, accept_all=True, ice_addresses=LOOPBACK)
        async with Engine(config) as engine:
            signaling = TcpSignaling("127.0.0.1", port, listen=True)
            await signaling.bind()
            code = new_code()
            sender = _ferry(
                "send", str(source), "--connect", f"127.0.0.1:{port}", "--ice-address", "127.0.0.1",
                "--code", str(code),
            )  # fmt: skip
            try:
                peer = await engine.listen(signaling, code=code)
                incoming: asyncio.Queue = asyncio.Queue()
                peer.on_offer = lambda offer: incoming.put_nowait(offer.transfer)
                transfer = await incoming.get()
                await until_progress(transfer, 2 * MIB)
                sender.send_signal(signal.SIGKILL)
                with pytest.raises(PeerGone):
                    await asyncio.wait_for(transfer, DETECTION_BOUND)
            finally:
                sender.kill()
                sender.communicate()
            # The sender may come back: the staged bytes are kept, with their journal.
            assert await until_journaled(out) == [".json", ".part"]

    run(scenario())
    assert visible_files(out) == []  # nothing half-written at the destination


def test_slow_disk_makes_the_sender_wait_instead_of_the_receiver_buffering(
    tmp_path: Path,
) -> None:
    # The receiver's disk takes 0.25 s per write: far slower than the network. Without
    # credit, most of the file would pile up in the receiver's memory.
    size = 24 * MIB
    source = tmp_path / "big.bin"
    digest = write_random(source, size)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = _spawn(
        "-m",
        "tests.integration.peer_process",
        str(port),
        str(out),
        "--write-delay",
        "0.25",
        "--window",
        str(MIB),
    )
    _wait_for_line(receiver, "listening")

    async def scenario() -> None:
        async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
            signaling = TcpSignaling("127.0.0.1", port, listen=False)
            peer = await engine.connect(signaling, secret=SECRET)
            result = await peer.send(source)
            assert bytes.fromhex(result.sha256) == digest
            await peer.close()

    try:
        run(scenario())
        output, _ = receiver.communicate(timeout=60)
    finally:
        receiver.kill()
    report = json.loads(output.strip().splitlines()[-1])
    assert report["results"] == [{"name": "big.bin", "sha256": digest.hex()}]
    growth = report["peak_rss"] - report["baseline_rss"]
    assert growth < 12 * MIB, f"receiver memory grew by {growth / MIB:.1f} MiB"
    assert os.path.getsize(out / "big.bin") == size
