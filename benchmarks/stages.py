"""Stage micro-benchmarks for the runner: what each stage of a transfer could move alone.

CHUNK framing (encode, decode) per chunk size; SHA-256, raw disk write and read, and the
vault's store (AES-256-GCM, hashing, fsync, commit) and read (authenticate, decrypt) per
file size. The measurements are :mod:`benchmarks.codec`'s and :mod:`benchmarks.vault`'s;
this module runs them in a child process (``_procs``: a fresh interpreter, its own peak RSS,
killed on Ctrl-C) and returns plain data the runner turns into figures.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _procs

#: Display names, in pipeline order.
STAGE_NAMES = {
    "encode": "CHUNK encode",
    "decode": "CHUNK decode",
    "sha256": "SHA-256",
    "disk_write": "disk write + fsync",
    "disk_read": "disk read (cached)",
    "vault_store": "vault store (encrypt)",
    "vault_read": "vault read (decrypt)",
}
_VAULT_STEPS = {
    "sha": "sha256",
    "write": "disk_write",
    "read": "disk_read",
    "store": "vault_store",
    "load": "vault_read",
}


@dataclass(frozen=True)
class StageRuns:
    """Seconds per run of one stage on ``size``-byte operations."""

    stage: str
    size: int
    seconds: tuple[float, ...]

    def mb_per_s(self) -> list[float]:
        return [self.size / seconds / 1e6 for seconds in self.seconds if seconds > 0]


def _codec(chunk_sizes: Sequence[int], budget: float) -> list[StageRuns]:
    from .codec import measure

    out = []
    for size in chunk_sizes:
        timings = measure(size, budget)
        out.append(StageRuns("encode", size, timings.encode))
        out.append(StageRuns("decode", size, timings.decode))
    return out


def _storage(size: int, runs: int, folder: str) -> list[StageRuns]:
    from ferry.actors.storage.vault import Vault

    from .vault import measure

    vault = Vault.open(Path(folder) / "vault", key=os.urandom(32))
    try:
        timings = measure(vault, size, runs, Path(folder))
    finally:
        vault.close()
    return [StageRuns(_VAULT_STEPS[step], size, values) for step, values in timings.runs.items()]


def run_codec_stages(chunk_sizes: Sequence[int], budget: float) -> list[StageRuns]:
    """Framing cost per chunk size (five timed rounds each), in a fresh process."""
    with _procs.child_processes() as start:
        child = start("stages-codec", _codec, list(chunk_sizes), budget)
        (result,) = _procs.wait_all([child], 120 + 40 * budget * len(chunk_sizes))
    return result.value


def run_storage_stages(size: int, runs: int, work_dir: str | None = None) -> list[StageRuns]:
    """SHA-256, disk and vault on ``size`` bytes, ``runs`` times, in a fresh process.

    The folder is this process's to remove: a child killed on Ctrl-C cleans up nothing.
    """
    with (
        tempfile.TemporaryDirectory(prefix="ferry-bench-stages-", dir=work_dir) as folder,
        _procs.child_processes() as start,
    ):
        child = start("stages-storage", _storage, size, runs, folder)
        (result,) = _procs.wait_all([child], 120 + runs * size / 20e6)
    return result.value
