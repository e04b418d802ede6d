"""Crash consistency: a store killed at any point leaves either the whole file with its row,
or neither; an I/O failure at any point leaves the vault consistent and usable.

The kill happens through the fault-injection hook in actors/vault/_faults.py: a crash at an
exact instruction (between two segments, right after the rename, just before the database
commit) cannot be caused from outside the process, so the store calls ``_faults.point(name)``
there and the child process below installs a hook that SIGKILLs itself at the chosen point.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.actors.storage.errors import StorageError
from ferry.actors.storage.vault import Vault, _faults

from .vault_helpers import INLINE_LIMIT, SEGMENT, SMALL, store_bytes

REPO = Path(__file__).resolve().parents[2]
CONTENT = bytes(range(256)) * 20  # 5120 bytes: 80 segments of SEGMENT (64) bytes

CHILD = """
import hashlib, os, signal, sys
from ferry.actors.storage.vault import Vault, _faults

root, key, action, target, nth = sys.argv[1], bytes.fromhex(sys.argv[2]), *sys.argv[3:6]
segment_size, inline_limit = int(sys.argv[6]), int(sys.argv[7])
seen = 0

def crash(point):
    global seen
    if point == target:
        seen += 1
        if seen == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)

content = bytes(range(256)) * 20
with Vault.open(root, key=key, segment_size=segment_size, inline_limit=inline_limit) as vault:
    if action == "store":
        _faults.hook = crash
        writer = vault.begin(name="crash/test.bin", size=len(content))
        for start in range(0, len(content), 1000):
            writer.write(content[start:start + 1000])
        vault.commit(writer, hashlib.sha256(content).digest())
    else:
        (stored,) = vault.list()
        _faults.hook = crash
        vault.delete(stored.id)
print("not killed")
"""


def run_child(root: Path, key: bytes, action: str, point: str, nth: int = 1) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(root),
            key.hex(),
            action,
            point,
            str(nth),
            str(SEGMENT),
            str(INLINE_LIMIT),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


def assert_consistent(root: Path, key: bytes) -> list:
    """Reopen (which recovers), then: rows <-> blobs one to one, nothing staged, all intact."""
    with Vault.open(root, key=key, **SMALL) as vault:
        files = vault.list()
        blobs = {p.name for p in (root / "blobs").iterdir()}
        assert blobs == {f.id for f in files if f.kind == "blob"}
        assert list((root / "staging").iterdir()) == []
        assert vault.verify().ok
        for stored in files:
            with vault.open(stored.id) as reader:
                assert reader.read() == CONTENT
        return files


@pytest.mark.parametrize(
    ("point", "nth", "survives"),
    [
        ("segment", 3, False),  # between two segments of the staging file
        ("segment", 80, False),  # after the last whole segment
        ("staging-synced", 1, False),  # sealed and fsynced, before the rename
        ("after-rename", 1, False),  # blob in place, no row yet: an orphan
        ("before-db-commit", 1, False),  # row inserted, transaction not committed
        ("after-db-commit", 1, True),  # committed: the file must be there, whole
    ],
)
def test_store_killed_at_any_point(tmp_path, point, nth, survives):
    root, key = tmp_path / "v", os.urandom(32)
    Vault.open(root, key=key).close()
    run_child(root, key, "store", point, nth)
    leftovers = list((root / "staging").iterdir()) + list((root / "blobs").iterdir())
    if point != "after-db-commit":
        assert leftovers  # the crash really left something half-done behind
    files = assert_consistent(root, key)
    assert [f.path for f in files] == (["crash/test.bin"] if survives else [])


def test_delete_killed_between_row_and_blob(tmp_path):
    root, key = tmp_path / "v", os.urandom(32)
    with Vault.open(root, key=key, **SMALL) as vault:
        store_bytes(vault, CONTENT)
    run_child(root, key, "delete", "delete-after-db")
    assert len(list((root / "blobs").iterdir())) == 1  # the orphan the crash left
    assert assert_consistent(root, key) == []


@pytest.mark.parametrize("point", ["segment", "staging-synced", "after-rename", "before-db-commit"])
def test_io_failure_at_any_point_stores_nothing_and_vault_carries_on(
    vault, vault_dir, monkeypatch, point
):
    """SQLite-style fault simulation: fail the step, check consistency, then store again."""

    def fail(at: str) -> None:
        if at == point:
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(_faults, "hook", fail)
    writer = vault.begin(name="a.bin", size=len(CONTENT))
    with pytest.raises(StorageError, match="Input/output error"):
        writer.write(CONTENT)
        vault.commit(writer, hashlib.sha256(CONTENT).digest())
    if writer.state == "failed":  # a failed write poisons the writer: it can only be aborted
        with pytest.raises(StorageError, match="earlier write"):
            vault.commit(writer, hashlib.sha256(CONTENT).digest())
    assert vault.list() == []
    assert list((vault_dir / "staging").iterdir()) == []
    assert list((vault_dir / "blobs").iterdir()) == []
    monkeypatch.setattr(_faults, "hook", None)
    stored = store_bytes(vault, CONTENT)
    assert vault.list() == [stored] and vault.verify().ok
