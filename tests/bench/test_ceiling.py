"""The ceiling with the work a transfer into an encrypted store cannot skip, on real peers.

Two processes over aiortc on 127.0.0.1, a real file read and hashed, a real vault blob
file written and fsynced. Nothing here is about speed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.actors.storage.vault.format import DEFAULT_SEGMENT_SIZE, blob_length
from ferry.benchmarks.ceiling import DEFAULT_LOOP, run_ceiling

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20


def random_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def test_the_work_ceiling_stores_every_byte_encrypted_and_leaves_nothing(tmp_path: Path) -> None:
    source = random_file(tmp_path / "source.bin", 2 * MIB)
    store = tmp_path / "store"
    store.mkdir()

    result = run_ceiling(2, 16384, DEFAULT_LOOP, delayed_acks=True, source=source, work_dir=store)

    # run_ceiling itself raises when the receiver's SHA-256 differs from the sender's.
    assert result.work and result.size_bytes == 2 * MIB
    assert result.stored_bytes == blob_length(2 * MIB, DEFAULT_SEGMENT_SIZE)  # the vault format
    assert list(store.iterdir()) == []


def test_without_a_source_the_ceiling_does_no_work() -> None:
    result = run_ceiling(1, 16384, DEFAULT_LOOP)
    assert not result.work and result.stored_bytes == 0


def test_a_source_of_another_size_is_refused_before_any_process_starts(tmp_path: Path) -> None:
    source = random_file(tmp_path / "source.bin", MIB + 1)
    with pytest.raises(ValueError, match=r"1048577 bytes, not 1 MiB"):
        run_ceiling(1, 16384, DEFAULT_LOOP, source=source)


def test_bench_transfer_measures_ferry_against_the_working_ceiling() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ferry.benchmarks.transfer", "--size-mib", "2", "--repeat", "1",
         "--chunk-sizes", "16384", "--dests", "vault", "--ceiling-work"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "its peers read, hash, encrypt and write the bytes" in done.stdout
    assert "run 1/1 " in done.stdout and " vault " in done.stdout
