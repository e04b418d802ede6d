"""Whole transfers between two real engines over aiortc on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ferry.actors.chunker import FileChanged
from ferry.engine import (
    ConfigError,
    TransferCancelled,
    TransferGroup,
    TransferProgress,
    TransferResult,
)
from ferry.engine.digest import sha256_file
from ferry.errors import FerryError

from .helpers import (
    connected_pair,
    files_under,
    incoming_transfers,
    run,
    until_empty,
    until_progress,
    write_random,
)

KIB = 1024


@pytest.mark.parametrize(
    "size", [0, 1, 16 * KIB, 16 * KIB + 1, 3 * 1024 * KIB + 7], ids=lambda n: f"{n}B"
)
def test_file_arrives_byte_identical(tmp_path: Path, size: int) -> None:
    source = tmp_path / "source.bin"
    digest = write_random(source, size, seed=size)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out) as (sender, receiver):
            received = incoming_transfers(receiver)
            result = await sender.send(source)
            incoming = await (await received.get())
            assert result.size == incoming.size == size
            assert bytes.fromhex(result.sha256) == digest == bytes.fromhex(incoming.sha256)
            assert incoming.path == out / "source.bin"

    run(scenario())
    assert sha256_file(out / "source.bin") == digest
    assert files_under(out) == ["source.bin"]  # staging gone


def test_a_window_larger_than_the_read_ahead_still_moves_the_whole_file(tmp_path: Path) -> None:
    """With a 64 MiB window the sender's read-ahead (8 MiB), not the credit, paces its
    reads: the Chunker is told to read on as the data channel takes bytes."""
    source = tmp_path / "source.bin"
    digest = write_random(source, 24 * 1024 * KIB + 5)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out, receiver={"window": 64 << 20}) as (sender, _):
            result = await sender.send(source)
            assert bytes.fromhex(result.sha256) == digest

    run(scenario())
    assert sha256_file(out / "source.bin") == digest


def test_a_handler_set_after_the_offer_arrived_still_sees_it(tmp_path: Path) -> None:
    # `ferry receive` and hosts set on_offer after listen() returns; the sender's first
    # offer can come before that. Here it surely does: the file is stored by then.
    source = tmp_path / "early.bin"
    write_random(source, 300 * KIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out) as (sender, receiver):
            await sender.send(source)
            seen: list[str] = []
            receiver.on_offer = lambda offer: seen.append(offer.offer.name)
            assert seen == ["early.bin"]
            receiver.on_offer = lambda offer: seen.append("again")
            assert seen == ["early.bin"]  # handed over once, not to every later handler

    run(scenario())


@pytest.mark.parametrize(("asked", "used"), [(64 * KIB, 64 * KIB), (1024 * KIB, 256 * KIB - 96)])
def test_larger_chunks_are_negotiated_up_to_what_both_accept(
    tmp_path: Path, asked: int, used: int
) -> None:
    source = tmp_path / "big.bin"
    digest = write_random(source, 1024 * KIB)
    out = tmp_path / "out"
    out.mkdir()
    offered: list[int] = []

    async def scenario() -> None:
        async with connected_pair(out, sender={"chunk_size": asked}) as (sender, receiver):
            receiver.on_offer = lambda offer: offered.append(offer.offer.chunk_size)
            await sender.send(source)

    run(scenario())
    assert offered == [used]  # aiortc's 256 KiB message limit, less the CHUNK header
    assert sha256_file(out / "big.bin") == digest


@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_cancel_mid_transfer_is_reported_on_both_sides(tmp_path: Path, side: str) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 8 * 1024 * KIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        # A slow disk keeps the transfer going long enough to cancel it in the middle.
        async with connected_pair(out, receiver={"write_delay": 0.05}) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            await until_progress(incoming, 1)
            (outgoing if side == "sender" else incoming).cancel("changed my mind")
            with pytest.raises(TransferCancelled, match="changed my mind"):
                await outgoing
            with pytest.raises(TransferCancelled, match="changed my mind"):
                await incoming
            await until_empty(out)  # the Reassembler removes its staging as it stops

    run(scenario())
    assert files_under(out) == []


def test_small_file_overtakes_a_big_one(tmp_path: Path) -> None:
    big, small = tmp_path / "big.bin", tmp_path / "small.bin"
    write_random(big, 6 * 1024 * KIB, seed=1)
    write_random(small, 64 * KIB, seed=2)
    out = tmp_path / "out"
    out.mkdir()
    finished: list[str] = []

    async def scenario() -> None:
        async with connected_pair(out) as (sender, _):
            first = sender.send(big)
            await until_progress(first, 1024 * KIB)  # the big one is well under way
            second = sender.send(small)
            for transfer in (first, second):
                transfer.add_listener(
                    lambda item, t=transfer: (
                        finished.append(t.name) if not hasattr(item, "done") else None
                    )
                )
            await asyncio.gather(first, second)

    run(scenario())
    assert finished == ["small.bin", "big.bin"]


def test_four_transfers_are_in_flight_at_once(tmp_path: Path) -> None:
    sources = [tmp_path / f"f{i}.bin" for i in range(4)]
    digests = [write_random(path, 3 * 1024 * KIB, seed=i) for i, path in enumerate(sources)]
    out = tmp_path / "out"
    out.mkdir()
    started: set[str] = set()
    overlap: list[int] = []

    async def scenario() -> None:
        async with connected_pair(out) as (sender, _):
            transfers = [sender.send(path) for path in sources]

            def on_item(name: str, item: object) -> None:
                if hasattr(item, "done") and item.done > 0:  # type: ignore[attr-defined]
                    started.add(name)
                elif hasattr(item, "sha256"):
                    overlap.append(len(started))  # how many had started when one finished

            for transfer in transfers:
                transfer.add_listener(lambda item, n=transfer.name: on_item(n, item))
            await asyncio.gather(*transfers)

    run(scenario())
    assert overlap[0] == 4  # all four were moving before the first one finished
    for path, digest in zip(sources, digests, strict=True):
        assert sha256_file(out / path.name) == digest


def test_folder_tree_is_recreated_under_the_output_folder(tmp_path: Path) -> None:
    tree = tmp_path / "album"
    (tree / "2024" / "summer").mkdir(parents=True)
    (tree / "empty").mkdir()
    files = {
        "album/cover.jpg": 2000,
        "album/2024/a.txt": 0,
        "album/2024/summer/b.bin": 100 * KIB,
    }
    digests = {name: write_random(tmp_path / name, size) for name, size in files.items()}
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out) as (sender, _):
            group = sender.send(tree)
            assert isinstance(group, TransferGroup)
            results = await group
            assert sorted(r.name for r in results) == sorted(files)

    run(scenario())
    assert files_under(out) == sorted(files)
    for name, digest in digests.items():
        assert sha256_file(out / name) == digest


def test_existing_files_are_never_replaced(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_bytes(b"new")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.txt").write_bytes(b"old")

    async def scenario() -> None:
        async with connected_pair(out) as (sender, _):
            await sender.send(source)

    run(scenario())
    assert (out / "report.txt").read_bytes() == b"old"
    assert (out / "report (1).txt").read_bytes() == b"new"


def test_sending_a_missing_or_unreadable_path_fails_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    unsafe = tmp_path / "CON"
    unsafe.write_bytes(b"x")

    async def scenario() -> None:
        async with connected_pair(out) as (sender, _):
            with pytest.raises(ConfigError, match="no such file"):
                sender.send(tmp_path / "missing.bin")
            with pytest.raises(ConfigError, match="reserved device name"):
                sender.send(unsafe)

    run(scenario())
    assert files_under(out) == []


def test_receiver_can_reject_an_offer(tmp_path: Path) -> None:
    source = tmp_path / "unwanted.bin"
    write_random(source, 1000)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> None:
        async with connected_pair(out, receiver={"accept_all": False}) as (sender, receiver):
            transfer = sender.send(source)
            async for offer in receiver.offers():
                assert (offer.name, offer.size) == ("unwanted.bin", 1000)
                offer.reject("not today")
                break
            with pytest.raises(Exception, match="not today"):
                await transfer

    run(scenario())
    assert files_under(out) == []


def test_a_file_changed_after_its_offer_fails_on_both_sides_with_the_senders_reason(
    tmp_path: Path,
) -> None:
    # The sender's Chunker finds the file changed when it opens it: a stage failure, which
    # reaches the sender's host as the Chunker's own error and the receiver's as the peer's.
    source = tmp_path / "moving.bin"
    write_random(source, 64 * KIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> tuple[BaseException, BaseException]:
        async with connected_pair(out, receiver={"accept_all": False}) as (sender, receiver):
            transfer = sender.send(source)
            async for offer in receiver.offers():
                write_random(source, 32 * KIB, seed=9)  # after the offer, before the read
                incoming = offer.accept()
                break
            errors = await asyncio.gather(transfer, incoming, return_exceptions=True)
            await until_empty(out)
            return errors[0], errors[1]

    sent, received = run(scenario())
    assert isinstance(sent, FileChanged)  # the local error, not one "the peer reported"
    assert "changed since it was offered" in sent.message
    assert isinstance(received, FerryError) and received.code == "file-changed"
    assert "changed since it was offered" in received.message
    assert files_under(out) == []


def test_progress_reports_bytes_rate_and_eta_then_the_result(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 6 * 1024 * KIB)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> list[object]:
        async with connected_pair(out, receiver={"write_delay": 0.02}) as (sender, _):
            transfer = sender.send(source)
            return [item async for item in transfer.events()]

    items = run(scenario())
    progress, result = items[:-1], items[-1]
    assert isinstance(result, TransferResult) and result.size == 6 * 1024 * KIB
    assert len(progress) >= 3
    done = [p.done for p in progress if isinstance(p, TransferProgress)]
    assert done == sorted(done) and done[-1] == result.size
    middle = progress[len(progress) // 2]
    assert isinstance(middle, TransferProgress)
    assert middle.rate > 0 and middle.eta is not None and 0 < middle.fraction < 1
