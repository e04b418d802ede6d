"""Crash each actor kind in the middle of a transfer.

The crash is an injected fault (the actor raises as if its own code failed): there is no
other way to make a healthy actor fail at an exact moment. Everything after it is real:
pykka's failure handling, the supervisor's restart, and the transfer carrying on from the
state that lives outside the dead actor.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from ferry.engine import FerryError, PeerGone, SupervisionError
from ferry.engine.digest import sha256_file

from .helpers import (
    LogWatch,
    connected_pair,
    files_under,
    incoming_transfers,
    run,
    until_empty,
    until_journaled,
    until_progress,
    visible_files,
    write_random,
)

MIB = 1 << 20


@pytest.mark.parametrize("kind", ["chunker", "reassembler"])
def test_a_crashed_stage_is_restarted_and_the_file_arrives_intact(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ferry.actors.supervisor")
    source = tmp_path / "data.bin"
    digest = write_random(source, 12 * MIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out, receiver={"write_delay": 0.01}) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            await until_progress(incoming, 2 * MIB)
            if kind == "chunker":
                sender.inject_fault("chunker", outgoing)
            else:
                receiver.inject_fault("reassembler", incoming)
            result = await outgoing
            assert bytes.fromhex(result.sha256) == digest
            assert bytes.fromhex((await incoming).sha256) == digest

    run(scenario())
    assert sha256_file(out / "data.bin") == digest
    assert files_under(out) == ["data.bin"]
    restarts = [r.getMessage() for r in caplog.records if "restart 1 of" in r.getMessage()]
    assert len(restarts) == 1 and restarts[0].startswith(kind)


def test_a_stage_that_keeps_crashing_fails_the_transfer_cleanly(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    write_random(source, 12 * MIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        options = {"write_delay": 0.02, "max_restarts": 2, "restart_window": 60.0}
        async with connected_pair(out, receiver=options) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            with LogWatch("ferry.actors.supervisor", "restart") as restarts:
                for crash in range(1, 4):  # two restarts allowed: the third crash is one too many
                    await until_progress(incoming, incoming.progress.done + 1)
                    if incoming.done:
                        break
                    receiver.inject_fault("reassembler", incoming)
                    if crash < 3:
                        await restarts.reached(crash)  # the next crash hits the new one
            with pytest.raises(SupervisionError, match="giving up"):
                await incoming
            with pytest.raises(FerryError, match="giving up"):
                await outgoing
            await until_empty(out)  # the Reassembler removes its staging as it stops

    run(scenario())
    assert files_under(out) == []


@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_a_crashed_channel_fails_the_transfer_on_both_sides(tmp_path: Path, side: str) -> None:
    source = tmp_path / "data.bin"
    write_random(source, 12 * MIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out, receiver={"write_delay": 0.01}) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            await until_progress(incoming, MIB)
            (sender if side == "sender" else receiver).inject_fault("channel")
            with pytest.raises(PeerGone):
                await asyncio.wait_for(outgoing, 40)
            with pytest.raises(PeerGone):
                await asyncio.wait_for(incoming, 40)
            # A lost connection may be resumed: staging is kept, with its journal.
            assert await until_journaled(out) == [".json", ".part"]

    run(scenario())
    assert visible_files(out) == []
