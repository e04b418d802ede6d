"""Resume after a killed receiver, a killed sender, and a file that changed in between.

The receiver is the real ``ferry receive`` in its own process, killed with SIGKILL; the
journal it left on disk is what the next attempt resumes from.
"""

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

from ferry.actors.storage.destination import FolderDestination
from ferry.engine import Engine, EngineConfig, Peer, PeerGone, TcpSignaling
from ferry.engine.digest import sha256_file
from ferry.protocol.frames import Offer

from .helpers import (
    LOOPBACK,
    SECRET,
    check_stored_in_vault,
    files_under,
    free_port,
    last_code,
    read_code,
    read_until,
    run,
    send_once,
    send_until_killed,
    serve_forever,
    start_receiver,
    until_progress,
    visible_files,
    write_random,
)

MIB = 1 << 20
VAULT_KEY = b"v" * 32
ROOT = Path(__file__).resolve().parents[2]


def _journaled(out: Path) -> int:
    return _journal(out).get("durable", 0)


def _journal(out: Path) -> dict[str, int]:
    entries = list((out / ".ferry-staging").glob("*.json"))
    return json.loads(entries[0].read_text()) if entries else {}


@pytest.mark.parametrize("changed", [False, True], ids=["same-file", "changed-file"])
def test_a_killed_receiver_resumes_from_its_journal(tmp_path: Path, changed: bool) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 40 * MIB, seed=1)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    first = start_receiver(port, "--out", str(out))
    try:
        run(send_until_killed(source, port, first, lambda: _journaled(out) >= 8 * MIB))
    finally:
        first.kill()
        first.communicate()
    durable = _journal(out)["durable"]
    assert durable >= 8 * MIB and visible_files(out) == []
    if changed:  # the sender's file is not what was staged any more
        write_random(source, 40 * MIB + 5, seed=2)

    second = start_receiver(port, "--out", str(out))
    try:
        result = run(send_once(source, port, second.code))
        _, errors = second.communicate(timeout=60)
    finally:
        second.kill()
    assert second.returncode == 0, errors
    assert result.resumed_from == (0 if changed else durable)
    assert sha256_file(out / "big.bin") == sha256_file(source)
    assert files_under(out) == ["big.bin"]  # staging and journal gone
    if changed:
        assert "changed at the sender" in errors


def test_a_killed_sender_run_again_resumes(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 40 * MIB, seed=3)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ferry.engine.cli",
            "receive",
            "--listen",
            f"127.0.0.1:{port}",
            "--out",
            str(out),
            "--ice-address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip  (no --once: it serves one sender after another)
    try:
        assert receiver.stdout is not None
        assert receiver.stdout.readline().startswith("listening on")
        code = read_code(receiver)

        def ferry_send(code: str) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "ferry.engine.cli", "send", str(source),
                 "--connect", f"127.0.0.1:{port}", "--ice-address", "127.0.0.1", "--code", code],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip

        first = ferry_send(code)
        try:
            for _ in range(600):
                if _journal(out).get("durable", 0) >= 8 * MIB:
                    break
                run(asyncio.sleep(0.05))
            first.send_signal(signal.SIGKILL)
        finally:
            first.communicate()
        # Once it says the sender left, the receiver has suspended the transfer: its final
        # checkpoint is in the journal. The first code was used: a new one was printed.
        code = last_code(read_until(receiver, "left: "))
        durable = _journal(out)["durable"]
        second = ferry_send(code)
        sent, errors = second.communicate(timeout=120)
        assert second.returncode == 0, errors
    finally:
        receiver.kill()
        receiver.communicate()
    assert durable >= 8 * MIB
    assert f"resumed at byte {durable:,}" in sent
    assert sha256_file(out / "big.bin") == sha256_file(source)
    assert files_under(out) == ["big.bin"]


@pytest.mark.parametrize("dest", ["folder", "vault"])
@pytest.mark.parametrize("side", ["receiver", "sender"])
def test_a_dropped_connection_reconnects_and_resumes(tmp_path: Path, side: str, dest: str) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 24 * MIB, seed=4)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    if dest == "vault":
        where = {"vault_dir": out / "vault", "vault_key": VAULT_KEY, "previews": None}
    else:
        where = {"output_dir": out}

    async def scenario():  # type: ignore[no-untyped-def]
        receiver_config = EngineConfig(
            **where, accept_all=True, ice_addresses=LOOPBACK, write_delay=0.02
        )
        async with (
            Engine(receiver_config) as receiving,
            Engine(EngineConfig(ice_addresses=LOOPBACK, reconnect_delay=0.2)) as sending,
        ):
            peers: list[Peer] = []
            bound = asyncio.Event()
            server = asyncio.create_task(serve_forever(receiving, port, peers, bound))
            await bound.wait()
            sender = await sending.connect(
                lambda: TcpSignaling("127.0.0.1", port, listen=False), secret=SECRET
            )
            transfer = sender.send(source)
            await until_progress(transfer, 6 * MIB)
            # Drop the link: the peer connection dies with its Channel on that side.
            (peers[0] if side == "receiver" else sender).inject_fault("channel")
            result = await asyncio.wait_for(transfer, 90)
            server.cancel()
            return result, len(peers), await receiving.pending()

    result, connections, pending = run(scenario())
    assert connections == 2  # it came back by itself
    assert result.resumed_from > 0
    assert pending == []
    if dest == "vault":
        assert result.resumed_from % (64 << 10) == 0  # at a whole encrypted segment
        check_stored_in_vault(out / "vault", source, key=VAULT_KEY)
    else:
        assert sha256_file(out / "big.bin") == sha256_file(source)
        assert files_under(out) == ["big.bin"]


def test_reconnection_gives_up_after_its_attempts(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 24 * MIB, seed=5)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = start_receiver(port, "--out", str(out))

    async def scenario() -> None:
        config = EngineConfig(ice_addresses=LOOPBACK, reconnect_attempts=2, reconnect_delay=0.1)
        async with Engine(config) as engine:
            peer = await engine.connect(
                lambda: TcpSignaling("127.0.0.1", port, listen=False), code=receiver.code
            )
            transfer = peer.send(source)
            await until_progress(transfer, 2 * MIB)
            receiver.send_signal(signal.SIGKILL)  # and nobody listens any more
            with pytest.raises(PeerGone, match="gave up after 2 reconnection attempts"):
                await asyncio.wait_for(transfer, 60)

    try:
        run(scenario())
    finally:
        receiver.kill()
        receiver.communicate()


def _suspended(out: Path, key: str, size: int, written: int) -> None:
    """Stage ``written`` bytes of a file as an interrupted transfer would leave them."""
    offer = Offer(os.urandom(16), f"{key}.bin", size, "", 16384, key, 1234)
    staging = FolderDestination(out).open(offer, None)
    staging.write([b"x" * written])
    staging.checkpoint()
    staging.close()


def test_pending_transfers_are_listed_discarded_and_cleaned_when_old(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _suspended(out, "key-a", 1000, 400)
    _suspended(out, "key-b", 2000, 100)

    listed = subprocess.run(
        [sys.executable, "-m", "ferry.engine.cli", "pending", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "key-a  key-a.bin  400 of 1,000 bytes (40%)" in listed
    assert "key-b  key-b.bin  100 of 2,000 bytes (5%)" in listed

    discarded = subprocess.run(
        [sys.executable, "-m", "ferry.engine.cli", "pending", "--out", str(out),
         "--discard", "key-a"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert discarded.strip() == "discarded key-a"
    assert [e.resume_key for e in FolderDestination(out).pending()] == ["key-b"]

    old = time.time() - 3600
    for path in (out / ".ferry-staging").iterdir():
        os.utime(path, (old, old))
    assert FolderDestination(out, max_age=60).pending() == []  # abandoned: removed on start
    assert files_under(out) == []
