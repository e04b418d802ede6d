"""Pairing through the Engine: staging bound to the peer that started it, and a reconnect
after a code pairing that needs no second code. Real aiortc peers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ferry.engine.peer as peer_module
from ferry.engine import Engine, EngineConfig, Identity, PeerGone, TcpSignaling, in_process_pair
from ferry.engine.digest import sha256_file
from ferry.engine.peer import Reconnected
from ferry.engine.resume_keys import SENDER_LABEL, local_secret, sender_key

from .helpers import (
    LOOPBACK,
    SECRET,
    free_port,
    read_code,
    run,
    until_journaled,
    until_progress,
    write_random,
)

MIB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]


def _durable(out: Path) -> int:
    entries = list((out / ".ferry-staging").glob("*.json"))
    try:
        return json.loads(entries[0].read_text())["durable"] if entries else 0
    except (OSError, ValueError):
        return 0  # being replaced right now


async def _send_cut(receiving: Engine, identity: Identity, source: Path, out: Path) -> None:
    """``identity`` sends ``source`` to ``receiving`` until the receiver has made some of it
    durable, then its link drops (its Channel dies) and, with one signaling, it does not
    come back."""
    async with Engine(EngineConfig(ice_addresses=LOOPBACK, identity=identity)) as sending:
        one, two = in_process_pair()
        listening = asyncio.create_task(receiving.listen(two, secret=SECRET))
        sender = await sending.connect(one, secret=SECRET)
        receiver = await listening
        transfer = sender.send(source)
        while _durable(out) < 2 * MIB:
            await asyncio.sleep(0.02)
        sender.inject_fault("channel")
        with pytest.raises(PeerGone):
            await asyncio.wait_for(transfer, 30)
        await asyncio.wait_for(receiver.wait_closed(), 30)
        await receiver.close()  # its Channel stopped: the staging is suspended for good


async def _send_whole(receiving: Engine, identity: Identity, source: Path) -> Any:
    async with Engine(EngineConfig(ice_addresses=LOOPBACK, identity=identity)) as sending:
        one, two = in_process_pair()
        listening = asyncio.create_task(receiving.listen(two, secret=SECRET))
        sender = await sending.connect(one, secret=SECRET)
        await listening
        result = await asyncio.wait_for(sender.send(source), 60)
        await sender.close()
        return result


def test_a_staged_transfer_is_resumed_only_by_the_peer_that_started_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 16 * MIB, seed=7)
    out = tmp_path / "out"
    out.mkdir()
    me, alice, mallory = Identity.generate(), Identity.generate(), Identity.generate()
    # Alice's resume key, as Mallory might have learnt it (it travels in Alice's offer).
    alices_key = sender_key(local_secret(alice, SENDER_LABEL), me.peer_id, str(source.resolve()))
    real_describe = peer_module.describe_file

    def describe_with_alices_key(*args: Any) -> Any:
        # The one fake here: Mallory runs a modified Ferry that offers someone else's key.
        return dataclasses.replace(real_describe(*args), resume_key=alices_key)

    async def scenario() -> tuple[int, Any, Any, int]:
        config = EngineConfig(
            output_dir=out, accept_all=True, ice_addresses=LOOPBACK, identity=me, write_delay=0.01
        )
        async with Engine(config) as receiving:
            await _send_cut(receiving, alice, source, out)
            await until_journaled(out)
            (staged,) = await receiving.pending()
            assert staged.durable > 0
            with monkeypatch.context() as patch:
                patch.setattr(peer_module, "describe_file", describe_with_alices_key)
                mallorys = await _send_whole(receiving, mallory, source)
            (still,) = await receiving.pending()  # Alice's staging is untouched
            alices = await _send_whole(receiving, alice, source)
            return staged.durable, mallorys, alices, still.durable

    durable, mallorys, alices, still = run(scenario())
    assert mallorys.resumed_from == 0  # same key, other peer: started afresh
    assert still == durable
    assert alices.resumed_from == durable  # the peer that started it resumes it
    assert alices.peer_id == mallorys.peer_id == me.peer_id  # results name the peer
    for result in (mallorys, alices):
        assert sha256_file(out / result.stored_id) == sha256_file(source)


def test_a_link_cut_after_a_code_pairing_reconnects_without_a_new_code(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 24 * MIB, seed=8)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", "receive", "--listen", f"127.0.0.1:{port}",
         "--out", str(out), "--ice-address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_CONFIG_DIR": str(tmp_path / "receiver-config")},
    )  # fmt: skip
    assert receiver.stdout is not None
    assert receiver.stdout.readline().startswith("listening on")
    code = read_code(receiver)

    async def scenario() -> tuple[Any, list[Reconnected]]:
        config = EngineConfig(
            ice_addresses=LOOPBACK, reconnect_delay=0.1, config_dir=tmp_path / "sender-config"
        )
        async with Engine(config) as engine:
            sender = await engine.connect(
                lambda: TcpSignaling("127.0.0.1", port, listen=False), code=code
            )
            first_id = sender.peer_id
            events: list[Reconnected] = []
            sender.add_listener(lambda e: isinstance(e, Reconnected) and events.append(e))
            transfer = sender.send(source)
            await until_progress(transfer, 4 * MIB)
            sender.inject_fault("channel")  # the WebRTC connection is gone: a real cut
            result = await asyncio.wait_for(transfer, 90)
            assert sender.peer_id == first_id  # the same receiver, proven again
            await sender.close()
            return result, events

    try:
        result, events = run(scenario())
    finally:
        receiver.kill()
        printed, _ = receiver.communicate()
    assert len(events) == 1 and result.resumed_from > 0
    assert events[0].peer_id is not None and events[0].peer_id == result.peer_id
    assert events[0].route is not None and events[0].route.kind == "host"  # the new path
    assert sha256_file(out / "big.bin") == sha256_file(source)
    # Only the receiver's session trust let it back in: nobody was kept as trusted.
    assert not (tmp_path / "receiver-config" / "trusted-peers.json").exists()
    codes = [line for line in printed.splitlines() if line.startswith("code: ")]
    assert len(codes) == 1  # one new code after the first was used; the reconnect took none
    paired = [line for line in printed.splitlines() if line.startswith("paired: ")]
    assert [line.split()[-1] for line in paired] == ["code", "trusted"]
    assert paired[0].split()[1] == paired[1].split()[1]  # the same sender, proven twice


def test_an_idle_peer_is_closed_after_the_idle_timeout(tmp_path: Path) -> None:
    from .helpers import connected_pair

    async def scenario() -> Exception | None:
        async with connected_pair(tmp_path, receiver={"idle_timeout": 0.3}) as (sender, receiver):
            error = await asyncio.wait_for(receiver.wait_closed(), 30)
            await asyncio.wait_for(sender.wait_closed(), 30)  # and the sender hears of it
            return error

    error = run(scenario())
    assert isinstance(error, PeerGone) and "without a transfer" in error.message


def test_a_resume_near_the_staging_quota_needs_room_only_for_what_is_missing(
    tmp_path: Path,
) -> None:
    """The kept partial file and its resume are one file to the quota, not two: the budget
    sees the offer's resume key bound to the peer, as the staging does."""
    source = tmp_path / "big.bin"
    write_random(source, 16 * MIB, seed=8)
    out = tmp_path / "out"
    out.mkdir()
    me, alice = Identity.generate(), Identity.generate()

    async def scenario() -> tuple[int, Any]:
        config = EngineConfig(
            output_dir=out,
            accept_all=True,
            ice_addresses=LOOPBACK,
            identity=me,
            write_delay=0.01,
            # The kept part (2 MiB or more) plus the whole 16 MiB would not fit in 17 MiB;
            # the kept part plus what is missing does.
            staging_quota=17 * MIB,
        )
        async with Engine(config) as receiving:
            await _send_cut(receiving, alice, source, out)
            await until_journaled(out)
            (staged,) = await receiving.pending()
            await receiving.refresh_budget()
            return staged.durable, await _send_whole(receiving, alice, source)

    durable, result = run(scenario())
    assert result.resumed_from == durable > 0
    assert sha256_file(out / result.stored_id) == sha256_file(source)
