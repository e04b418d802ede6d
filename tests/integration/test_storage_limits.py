"""A receiver refuses, before ACCEPT and with a clear reason, files it has no room for.

Real engines over aiortc on loopback. The free-space case mounts a real 8 MiB tmpfs (root
only, as CI runs), so the figure the receiver reads is the kernel's.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.engine import TransferRejected

from .helpers import (
    connected_pair,
    files_under,
    free_port,
    run,
    start_receiver,
    visible_files,
    write_random,
)

MIB = 1 << 20


@contextlib.contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` at ``where``, unmounted whatever happens."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_file_larger_than_the_free_space_is_refused_and_a_small_one_still_arrives(
    tmp_path: Path,
) -> None:
    big, small = tmp_path / "big.bin", tmp_path / "small.bin"
    write_random(big, 12 * MIB)
    small_sha = write_random(small, 1 * MIB, seed=1)

    async def scenario(out: Path) -> tuple[str, bytes]:
        limits = {"min_free_space": 1 * MIB}
        async with connected_pair(out, receiver=limits) as (sender, _):
            with pytest.raises(TransferRejected) as refused:
                await sender.send(big)
            result = await sender.send(small)
            return refused.value.message, bytes.fromhex(result.sha256)

    with small_filesystem(tmp_path / "disk", "8m") as out:
        message, sha = run(scenario(out))
        assert "not enough free space" in message and "12.0 MiB" in message
        assert sha == small_sha
        assert visible_files(out) == ["small.bin"]
        assert not [name for name in files_under(out) if "big" in name]


def test_the_staging_quota_refuses_what_would_pass_it_until_room_is_freed(tmp_path: Path) -> None:
    sources = []
    for n in range(3):
        sources.append(tmp_path / f"f{n}.bin")
        write_random(sources[-1], 3 * MIB, seed=n)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> list[str]:
        outcomes = []
        quota = {"staging_quota": 5 * MIB}
        async with connected_pair(out, receiver=quota) as (sender, _):
            first, second = sender.send(sources[0]), sender.send(sources[1])
            for transfer in (first, second):
                try:
                    await transfer
                    outcomes.append("stored")
                except TransferRejected as error:
                    outcomes.append(error.message)
            await sender.send(sources[2])  # room again once the others ended
            outcomes.append("stored")
        return outcomes

    first, second, third = run(scenario())
    assert first == "stored" and third == "stored"
    assert "staging quota of 5.0 MiB is full" in second
    assert visible_files(out) == ["f0.bin", "f2.bin"]


def test_an_offer_nobody_answers_fails_after_the_offer_timeout(tmp_path: Path) -> None:
    source = tmp_path / "ignored.bin"
    write_random(source, 1000)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> tuple[str, str]:
        ignoring = {"accept_all": False}  # and the test never reads the offers
        async with connected_pair(out, sender={"offer_timeout": 0.5}, receiver=ignoring) as (
            sender,
            _,
        ):
            with pytest.raises(TransferRejected) as unanswered:
                await sender.send(source)
            return unanswered.value.code, unanswered.value.message

    code, message = run(scenario())
    assert code == "no-answer"
    assert message == "the receiver did not answer the offer within 0.5 s"
    assert files_under(out) == []


def test_offers_beyond_the_per_connection_limits_are_refused(tmp_path: Path) -> None:
    sources = []
    for n in range(3):
        sources.append(tmp_path / f"f{n}.bin")
        write_random(sources[-1], 1000, seed=n)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> str:
        limits = {"max_offers_per_connection": 2}
        async with connected_pair(out, receiver=limits) as (sender, _):
            for source in sources[:2]:
                await sender.send(source)
            with pytest.raises(TransferRejected) as refused:
                await sender.send(sources[2])
            return refused.value.message

    message = run(scenario())
    assert "at most 2 files per connection" in message
    assert visible_files(out) == ["f0.bin", "f1.bin"]


def test_the_command_line_limits_reach_the_receiver(tmp_path: Path) -> None:
    """`ferry receive --min-free 1t`: a sender's file is refused with the reason, in one
    line on each side; a size that is not one is a clear usage error."""
    source = tmp_path / "a.bin"
    write_random(source, 1000)
    port = free_port()
    receiver = start_receiver(port, "--out", str(tmp_path / "out"), "--min-free", "1t")
    (tmp_path / "out").mkdir(exist_ok=True)
    try:
        sent = subprocess.run(
            [sys.executable, "-m", "ferry.engine.cli", "send", str(source),
             "--connect", f"127.0.0.1:{port}", "--ice-address", "127.0.0.1",
             "--code", receiver.code],  # type: ignore[attr-defined]
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        receiver.kill()
        _, receiver_err = receiver.communicate()
    assert sent.returncode != 0
    assert "not enough free space on this receiver" in sent.stderr
    assert "not enough free space" in receiver_err
    assert files_under(tmp_path / "out") == []
    bad = subprocess.run(
        [sys.executable, "-m", "ferry.engine.cli", "receive", "--listen", "127.0.0.1:0",
         "--out", str(tmp_path), "--staging-quota", "lots"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (
        bad.returncode != 0
        and bad.stderr == "ferry: error: not a size: 'lots' (examples: 16k, 64KiB, 1m, 65536)\n"
    )
