"""Unfinished stores outlive the process: kept on open, continued at a durable segment
boundary, never stitched from two versions of a file, never re-encrypting other bytes under
a nonce an earlier attempt used.

"Killed" below is a real SIGKILL of a child process that was storing (the state a crash
leaves can only be made by crashing); the property test closes the writer's file instead,
which is what the kernel does for a killed process, so it can try hundreds of points.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.actors.storage.vault import Vault
from ferry.actors.storage.vault.format import HEADER, TAG_BYTES
from ferry.actors.storage.vault.keyfile import Secret, read_keyfile
from ferry.errors import ConfigError
from ferry.protocol.errors import IntegrityError

from .vault_helpers import SEGMENT, SMALL

REPO = Path(__file__).resolve().parents[2]
KEY_ID = "sender/photos/big.bin"
MTIME = 1_700_000_000_123
NAME = "photos/big.bin"
ENCRYPTED_SEGMENT = SEGMENT + TAG_BYTES


def _data(size: int, seed: int = 0) -> bytes:
    return hashlib.shake_256(seed.to_bytes(4, "big")).digest(size)


def _begin(vault: Vault, data: bytes, *, mtime: int = MTIME, key: str = KEY_ID):  # type: ignore[no-untyped-def]
    return vault.begin(name=NAME, size=len(data), resume_key=key, mtime_ms=mtime)


def _staging(vault_dir: Path) -> list[Path]:
    return sorted((vault_dir / "staging").iterdir())


def _finish(vault: Vault, writer, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Write the rest of ``data`` from where the writer stands, commit, and read it back."""
    writer.write(data[writer.bytes_written :])
    record = vault.commit(writer, hashlib.sha256(data).digest())
    with vault.open(record.id) as stored:
        assert stored.read() == data
    assert vault.pending() == []


CHILD = """
import os, signal, sys
from ferry.actors.storage.vault import Vault

root, key, data_path, mtime, *stores = sys.argv[1:]
data = open(data_path, "rb").read()
with Vault.open(root, key=bytes.fromhex(key), segment_size=64, inline_limit=200) as vault:
    for resume_key, durable, written in zip(stores[::3], stores[1::3], stores[2::3]):
        writer = vault.begin(name="photos/big.bin", size=len(data), resume_key=resume_key,
                             mtime_ms=int(mtime))
        writer.write(data[: int(durable)])
        vault.record_durable(writer, writer.sync())
        writer.write(data[int(durable) : int(written)])  # written, not fsynced nor recorded
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _killed_while_storing(
    vault_dir: Path, key: bytes, data: bytes, *stores: tuple[str, int, int]
) -> None:
    """A child process stores ``data`` for each (resume key, durable, written), then is
    SIGKILLed before any of them finishes."""
    source = vault_dir.parent / "source.bin"
    source.write_bytes(data)
    args = [vault_dir, key.hex(), source, MTIME, *(str(x) for store in stores for x in store)]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)], cwd=REPO, capture_output=True, text=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


def test_a_suspended_store_continues_after_the_vault_is_reopened(
    vault_dir: Path, key: bytes
) -> None:
    data = _data(40 * SEGMENT + 17)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[: 10 * SEGMENT + 30])
        assert vault.suspend(writer) == 10 * SEGMENT  # whole segments only
        assert writer.state == "suspended"
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        (pending,) = vault.pending()
        assert (pending.resume_key, pending.path, pending.durable) == (KEY_ID, NAME, 640)
        writer = _begin(vault, data)
        assert writer.bytes_written == 10 * SEGMENT
        _finish(vault, writer, data)
        assert vault.verify().ok
    assert _staging(vault_dir) == []


def test_a_killed_store_continues_from_its_last_record_over_the_bytes_it_left(
    vault_dir: Path, key: bytes
) -> None:
    data = _data(30 * SEGMENT + 5, seed=1)
    _killed_while_storing(vault_dir, key, data, (KEY_ID, 12 * SEGMENT, 20 * SEGMENT + 9))
    (staged,) = _staging(vault_dir)
    assert staged.stat().st_size == HEADER.size + 20 * ENCRYPTED_SEGMENT  # the tail is there
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        assert writer.bytes_written == 12 * SEGMENT  # the record, not what happened to be on disk
        _finish(vault, writer, data)  # segments 12..19 written again: the same bytes
        assert vault.verify().ok


def test_other_bytes_over_an_earlier_attempt_are_refused_not_encrypted(
    vault_dir: Path, key: bytes
) -> None:
    data = _data(30 * SEGMENT, seed=2)
    _killed_while_storing(vault_dir, key, data, (KEY_ID, 12 * SEGMENT, 20 * SEGMENT))
    (staged,) = _staging(vault_dir)
    before = staged.read_bytes()
    # Same size and modification time, other bytes from segment 15 on: the sender edited
    # the file in place and restored its mtime.
    edited = data[: 15 * SEGMENT] + _data(15 * SEGMENT, seed=3)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, edited)
        writer.write(edited[12 * SEGMENT : 15 * SEGMENT])  # the same bytes: accepted
        with pytest.raises(IntegrityError, match="changed"):
            writer.write(edited[15 * SEGMENT : 16 * SEGMENT])
        # Segment 15 was never encrypted a second time under its nonce.
        assert staged.read_bytes() == before
        vault.abort(writer)
        assert vault.pending() == [] and _staging(vault_dir) == []
        writer = _begin(vault, edited)
        assert writer.bytes_written == 0
        _finish(vault, writer, edited)


@pytest.mark.parametrize("change", ["mtime", "size"])
def test_a_file_changed_at_the_sender_is_stored_again_from_zero(
    vault_dir: Path, key: bytes, change: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = _data(20 * SEGMENT, seed=4)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[: 8 * SEGMENT])
        vault.suspend(writer)
        (old,) = _staging(vault_dir)
        new_data = data + b"more" if change == "size" else data
        with caplog.at_level(logging.WARNING, logger="ferry.actors.storage.vault.store"):
            writer = _begin(vault, new_data, mtime=MTIME + (change == "mtime"))
        assert writer.bytes_written == 0
        assert "changed at the sender" in caplog.text
        assert not old.exists()
        _finish(vault, writer, new_data)


@pytest.mark.parametrize("damage", ["bit-flip", "truncated"])
def test_damaged_staging_is_not_resumed(
    vault_dir: Path, key: bytes, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = _data(20 * SEGMENT, seed=5)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[: 10 * SEGMENT])
        vault.suspend(writer)
    (staged,) = _staging(vault_dir)
    raw = bytearray(staged.read_bytes())
    if damage == "bit-flip":
        raw[HEADER.size + 3 * ENCRYPTED_SEGMENT + 5] ^= 1
    else:
        del raw[HEADER.size + 7 * ENCRYPTED_SEGMENT :]
    staged.write_bytes(raw)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        with caplog.at_level(logging.WARNING, logger="ferry.actors.storage.vault.store"):
            writer = _begin(vault, data)
        assert writer.bytes_written == 0
        assert "cannot resume" in caplog.text
        _finish(vault, writer, data)


def test_open_keeps_only_stores_that_can_resume(vault_dir: Path, key: bytes) -> None:
    data = _data(20 * SEGMENT, seed=6)
    _killed_while_storing(
        vault_dir,
        key,
        data,
        ("", 8 * SEGMENT, 9 * SEGMENT),  # no resume key: nothing could ever resume it
        ("nothing-durable", 0, 5 * SEGMENT),
        ("keep-me", 8 * SEGMENT, 9 * SEGMENT),
    )
    assert len(_staging(vault_dir)) == 3
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        assert [p.resume_key for p in vault.pending()] == ["keep-me"]
    assert len(_staging(vault_dir)) == 1
    # Abandoned for longer than the configured age: removed on open.
    with Vault.open(vault_dir, key=key, max_pending_age=0.0, **SMALL) as vault:
        assert vault.pending() == []
    assert _staging(vault_dir) == []


def test_pending_stores_are_listed_discarded_and_cleaned(vault_dir: Path, key: bytes) -> None:
    data = _data(20 * SEGMENT, seed=7)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        for resume_key in ("a", "b", "c"):
            writer = _begin(vault, data, key=resume_key)
            writer.write(data[: 4 * SEGMENT])
            vault.suspend(writer)
        live = _begin(vault, data, key="live")
        live.write(data[: 4 * SEGMENT])
        vault.record_durable(live, live.sync())
        assert [p.resume_key for p in vault.pending()] == ["a", "b", "c", "live"]
        assert [p.durable for p in vault.pending()] == [4 * SEGMENT] * 4

        assert vault.discard_pending("b") is True
        assert vault.discard_pending("b") is False
        with pytest.raises(ConfigError, match="being received"):
            vault.discard_pending("live")
        assert vault.clean_pending(max_age=3600) == 0
        assert vault.clean_pending(max_age=0) == 2  # a and c, not the one in progress
        assert [p.resume_key for p in vault.pending()] == ["live"]
        assert len(_staging(vault_dir)) == 1
        _finish(vault, live, data)
    assert _staging(vault_dir) == []


def test_a_writer_cannot_record_more_than_it_made_durable(vault_dir: Path, key: bytes) -> None:
    data = _data(20 * SEGMENT, seed=8)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[: 4 * SEGMENT])
        with pytest.raises(ConfigError, match="durable"):
            vault.record_durable(writer, 4 * SEGMENT)  # written, but not fsynced
        vault.record_durable(writer, writer.sync())
        vault.abort(writer)


def test_stores_without_a_resume_key_or_small_files_are_not_kept(
    vault_dir: Path, key: bytes
) -> None:
    data = _data(20 * SEGMENT, seed=9)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        anonymous = vault.begin(name=NAME, size=len(data))
        anonymous.write(data[: 8 * SEGMENT])
        assert vault.suspend(anonymous) == 0 and anonymous.state == "aborted"
        small = _begin(vault, data[:100])  # under the inline limit: held in memory
        small.write(data[:50])
        assert vault.suspend(small) == 0
        assert vault.pending() == []
    assert _staging(vault_dir) == []


def test_a_schema_1_vault_is_upgraded_on_open(vault_dir: Path, key: bytes) -> None:
    with Vault.open(vault_dir, key=key, **SMALL):
        pass
    data_key = read_keyfile(vault_dir / "vault.key", Secret(key=key))
    db = sqlcipher3.connect(str(vault_dir / "vault.db"), isolation_level=None)
    try:  # make it what version 1 wrote
        db.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        db.execute("DROP INDEX pending_by_resume_key")
        for column in ("resume_key", "mtime_ms", "durable", "updated"):
            db.execute(f"ALTER TABLE pending DROP COLUMN {column}")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        db.close()
    data = _data(10 * SEGMENT, seed=10)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[: 5 * SEGMENT])
        vault.suspend(writer)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        assert writer.bytes_written == 5 * SEGMENT
        _finish(vault, writer, data)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(201, 40 * SEGMENT),
    durable_fraction=st.floats(0, 1),
    tail_fraction=st.floats(0, 1),
    suspended=st.booleans(),
)
def test_interrupted_anywhere_the_stored_file_is_the_file(
    tmp_path_factory: pytest.TempPathFactory,
    key: bytes,
    size: int,
    durable_fraction: float,
    tail_fraction: float,
    suspended: bool,
) -> None:
    """Whatever the recorded offset and whatever was written after it, the resumed store
    starts at the recorded whole segment and stores exactly the file."""
    vault_dir = tmp_path_factory.mktemp("vault") / "v"
    data = _data(size, seed=size)
    durable = int(size * durable_fraction)
    written = durable + int((size - durable) * tail_fraction)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        writer.write(data[:durable])
        recorded = writer.sync()
        vault.record_durable(writer, recorded)
        writer.write(data[durable:written])
        if suspended:
            recorded = vault.suspend(writer)
        else:
            writer._segments.close()  # the process died: the kernel closes its files
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        writer = _begin(vault, data)
        assert writer.bytes_written == (recorded // SEGMENT) * SEGMENT
        _finish(vault, writer, data)
        assert vault.verify().ok
    assert _staging(vault_dir) == []
