"""Vault throughput: store and read MB/s beside SHA-256 and raw disk speed of the same bytes.

    .venv/bin/python -m benchmarks.vault [--sizes 1M,64M,1G] [--runs 3] [--dir PATH]

For each size, every run measures on the same bytes (1 MiB blocks from a generator, so no
file is ever held in memory): SHA-256 alone, a raw write + fsync to a plain file, a raw read
of it, a vault store (encrypt, hash, write, fsync, rename, database commit) and a vault read
(authenticate and decrypt every segment). The median of the runs is printed, with the
ratios store/disk-write and read/disk-read: the vault should cost little beyond the disk.
Reads come from the page cache in both cases (the files were just written). MB = 10**6 bytes.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from ferry.actors.storage.vault import Vault
from ferry.engine.sizes import parse_size

T = TypeVar("T")
BLOCK = 1 << 20
POOL = [os.urandom(BLOCK) for _ in range(16)]  # distinct blocks, generated once


def blocks(size: int) -> Iterator[bytes]:
    """``size`` bytes as 1 MiB blocks, without copying, so the source costs nothing."""
    for index, start in enumerate(range(0, size, BLOCK)):
        block = POOL[index % len(POOL)]
        yield block if size - start >= BLOCK else block[: size - start]


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def sha256_only(size: int) -> None:
    digest = hashlib.sha256()
    for block in blocks(size):
        digest.update(block)


def disk_write(path: Path, size: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for block in blocks(size):
            os.write(fd, block)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_all(handle: BinaryIO) -> None:
    buffer = bytearray(BLOCK)
    while handle.readinto(buffer):
        pass


def disk_read(path: Path) -> None:
    with path.open("rb", buffering=0) as handle:
        read_all(handle)


def vault_store(vault: Vault, size: int) -> str:
    writer = vault.begin(name="bench.bin", size=size)
    for block in blocks(size):
        writer.write(block)
    return vault.commit(writer, writer.sha256()).id


def vault_read(vault: Vault, file_id: str) -> None:
    with vault.open(file_id) as reader:
        read_all(reader)


STEPS = ("sha", "write", "read", "store", "load")
"""SHA-256 alone, raw write + fsync, raw read, vault store (encrypt), vault read (decrypt)."""


@dataclass(frozen=True)
class VaultTimings:
    """Seconds of each step for one size, one entry per run (see STEPS)."""

    size: int
    runs: dict[str, tuple[float, ...]]

    def median(self) -> dict[str, float]:
        return {name: statistics.median(values) for name, values in self.runs.items()}


def measure(vault: Vault, size: int, runs: int, folder: Path) -> VaultTimings:
    """Seconds of each step over ``runs`` runs, all on the same bytes."""
    times: dict[str, list[float]] = {k: [] for k in STEPS}
    raw = folder / "raw.bin"
    for _ in range(runs):
        steps = {
            "sha": lambda: sha256_only(size),
            "write": lambda: disk_write(raw, size),
            "read": lambda: disk_read(raw),
            "store": lambda: vault_store(vault, size),
        }
        results = {}
        for name, step in steps.items():
            times[name].append((elapsed := timed(step))[0])
            results[name] = elapsed[1]
        raw.unlink()
        times["load"].append(timed(functools.partial(vault_read, vault, results["store"]))[0])
        vault.delete(results["store"])
    return VaultTimings(size, {name: tuple(values) for name, values in times.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1M,64M,1G", help="comma-separated, e.g. 1M,64M,1G")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median reported)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    folder = Path(tempfile.mkdtemp(prefix="ferry-bench-vault-", dir=args.dir))
    header = (
        f"{'size':>8} {'sha256':>8} {'disk wr':>8} {'store':>8} {'st/disk':>7} {'st/sha':>6}"
        f" {'disk rd':>8} {'read':>8} {'rd/disk':>7}"
    )
    print(f"vault throughput, MB/s, median of {args.runs} run(s), in {folder}")
    print(header)
    try:
        vault = Vault.open(folder / "vault", key=os.urandom(32))
        for size in sizes:
            t = measure(vault, size, args.runs, folder).median()
            rate = {name: size / seconds / 1e6 for name, seconds in t.items()}
            print(
                f"{size / (1 << 20):>7.0f}M {rate['sha']:>8.0f} {rate['write']:>8.0f}"
                f" {rate['store']:>8.0f} {rate['store'] / rate['write']:>7.2f}"
                f" {rate['store'] / rate['sha']:>6.2f} {rate['read']:>8.0f}"
                f" {rate['load']:>8.0f} {rate['load'] / rate['read']:>7.2f}",
                flush=True,
            )
        vault.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
