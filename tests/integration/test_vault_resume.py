"""Resume into the vault: a dropped connection, and a killed `ferry receive --vault`.

The vault keeps an unfinished store's durable prefix, already encrypted, with a pending row
in its database; the next offer of the same file continues it at that offset, whether it
comes over a reconnected link in the same process or to a receiver started again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from actors.vault import Vault
from engine import Engine, EngineConfig, Peer, PeerGone, TcpSignaling
from engine.digest import sha256_file

from .helpers import LOOPBACK, free_port, run, write_random

MIB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]
KEY = b"v" * 32
PASSPHRASE = "resume test passphrase"


def _staged(vault_dir: Path) -> int:
    return sum(p.stat().st_size for p in (vault_dir / "staging").glob("*"))


def _check_stored(vault_dir: Path, source: Path, **secret: object) -> None:
    """The file is in the vault whole, and nothing unfinished is left."""
    with Vault.open(vault_dir, create=False, **secret) as vault:  # type: ignore[arg-type]
        (stored,) = vault.list()
        assert stored.sha256 == sha256_file(source)
        assert vault.verify().ok
        assert vault.pending() == []
    assert list((vault_dir / "staging").iterdir()) == []


async def _serve_forever(
    engine: Engine, port: int, peers: list[Peer], bound: asyncio.Event
) -> None:
    while True:
        signaling = TcpSignaling("127.0.0.1", port, listen=True)
        await signaling.bind()
        bound.set()
        peer = await engine.listen(signaling)
        peers.append(peer)
        await peer.wait_closed()


@pytest.mark.parametrize("side", ["receiver", "sender"])
def test_a_dropped_connection_resumes_into_the_vault(tmp_path: Path, side: str) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 24 * MIB, seed=11)
    vault_dir, port = tmp_path / "vault", free_port()

    async def scenario():  # type: ignore[no-untyped-def]
        receiver_config = EngineConfig(
            vault_dir=vault_dir,
            vault_key=KEY,
            previews=None,
            accept_all=True,
            ice_addresses=LOOPBACK,
            write_delay=0.02,
        )
        async with (
            Engine(receiver_config) as receiving,
            Engine(EngineConfig(ice_addresses=LOOPBACK, reconnect_delay=0.2)) as sending,
        ):
            peers: list[Peer] = []
            bound = asyncio.Event()
            server = asyncio.create_task(_serve_forever(receiving, port, peers, bound))
            await bound.wait()
            sender = await sending.connect(lambda: TcpSignaling("127.0.0.1", port, listen=False))
            transfer = sender.send(source)
            while transfer.progress.done < 6 * MIB:
                await asyncio.sleep(0.02)
            (peers[0] if side == "receiver" else sender).inject_fault("channel")
            result = await asyncio.wait_for(transfer, 90)
            pending = await receiving.pending()
            server.cancel()
            return result, len(peers), pending

    result, connections, pending = run(scenario())
    assert connections == 2
    assert result.resumed_from > 0 and result.resumed_from % (64 << 10) == 0  # a segment
    assert pending == []
    _check_stored(vault_dir, source, key=KEY)


def _receiver(vault_dir: Path, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "receive", "--listen", f"127.0.0.1:{port}",
         "--vault", str(vault_dir), "--no-previews", "--once", "--ice-address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_PASSPHRASE": PASSPHRASE},
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith("listening on")
    return process


async def _send_until_killed(
    source: Path, port: int, receiver: subprocess.Popen[str], vault_dir: Path
) -> None:
    async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
        peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False))
        transfer = peer.send(source)
        while _staged(vault_dir) < 10 * MIB:  # past two checkpoints (every 4 MiB)
            await asyncio.sleep(0.02)
        receiver.send_signal(signal.SIGKILL)
        with pytest.raises(PeerGone):
            await asyncio.wait_for(transfer, 15)


async def _send(source: Path, port: int):  # type: ignore[no-untyped-def]
    async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as engine:
        peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False))
        result = await peer.send(source)
        await peer.close()
        return result


@pytest.mark.parametrize("changed", [False, True], ids=["same-file", "changed-file"])
def test_a_killed_vault_receiver_resumes_from_its_database(tmp_path: Path, changed: bool) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 32 * MIB, seed=12)
    vault_dir, port = tmp_path / "vault", free_port()
    first = _receiver(vault_dir, port)
    try:
        run(_send_until_killed(source, port, first, vault_dir))
    finally:
        first.kill()
        first.communicate()
    with Vault.open(vault_dir, passphrase=PASSPHRASE, create=False) as vault:
        (pending,) = vault.pending()
        assert vault.list() == []
    assert pending.durable >= 4 * MIB and pending.path == "big.bin"
    if changed:  # a new version at the sender: same size, another modification time
        data = bytearray(source.read_bytes())
        data[-1] ^= 0xFF
        source.write_bytes(bytes(data))
        os.utime(source, ns=(0, pending.mtime_ms * 1_000_000 + 5_000_000))

    second = _receiver(vault_dir, port)
    try:
        result = run(_send(source, port))
        _, errors = second.communicate(timeout=60)
    finally:
        second.kill()
    assert second.returncode == 0, errors
    assert result.resumed_from == (0 if changed else pending.durable)
    assert result.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    _check_stored(vault_dir, source, passphrase=PASSPHRASE)
    if changed:
        assert "changed at the sender" in errors


def test_vault_pending_lists_and_discards_from_the_command_line(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    data = os.urandom(300_000)
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as vault:
        for resume_key in ("first-key", "second-key"):
            writer = vault.begin(name=f"{resume_key}.bin", size=len(data), resume_key=resume_key)
            writer.write(data[:200_000])
            vault.suspend(writer)

    def ferry_vault(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "engine.cli", "vault", "pending", "--vault", str(vault_dir),
             *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "FERRY_PASSPHRASE": PASSPHRASE},
        )  # fmt: skip

    listed = ferry_vault()
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["first-key", "first-key.bin"],
        ["second-key", "second-key.bin"],
    ]
    assert "196,608 of 300,000 bytes" in lines[0]  # three whole 64 KiB segments
    assert ferry_vault("--discard", "first-key").returncode == 0
    missing = ferry_vault("--discard", "first-key")
    assert missing.returncode == 1 and "no unfinished transfer" in missing.stderr
    assert ferry_vault("--discard-all").returncode == 0
    assert ferry_vault().stdout.strip() == "no unfinished transfers"
    assert list((vault_dir / "staging").iterdir()) == []
