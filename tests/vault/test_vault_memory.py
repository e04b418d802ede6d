"""Memory stays flat: storing (and re-reading) 1 GiB grows peak RSS by a few segments only.

Runs in a child process so the peak RSS (``ru_maxrss``) is this store's alone. Takes about
5 to 10 s on the 2-core development machine (store 1 GiB with fsync, then verify it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIMIT_MIB = 32

CHILD = """
import json, os, resource, sys, time
from ferry.actors.storage.vault import Vault

def peak_kib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak

def blocks(count, size=1 << 20):
    seed = os.urandom(size)
    for i in range(count):  # a fresh 1 MiB block each time, as from a network
        yield i.to_bytes(8, "big") + seed[8:]

with Vault.open(sys.argv[1], key=os.urandom(32)) as vault:
    vault.store_path(sys.executable)  # warm up every code path once
    next(blocks(1))
    base = peak_kib()
    started = time.perf_counter()
    writer = vault.begin(name="big.bin", size=1 << 30)
    for block in blocks(1024):
        writer.write(block)
    stored = vault.commit(writer, writer.sha256())
    after_store = peak_kib()
    report = vault.verify(stored.id)
    print(json.dumps({"base": base, "store": after_store - base, "read": peak_kib() - base,
                      "ok": report.ok, "seconds": time.perf_counter() - started}))
"""


@pytest.mark.slow
def test_storing_one_gib_keeps_memory_flat(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "vault")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["ok"]
    assert figures["store"] < LIMIT_MIB * 1024, figures
    assert figures["read"] < LIMIT_MIB * 1024, figures
