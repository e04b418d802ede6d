"""The Vault object: round trips around every threshold, the writer's contract, and a clear
Ferry error for every kind of bad input."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.actors.storage.errors import StorageError
from ferry.actors.storage.vault import StoredFile, Vault
from ferry.errors import ConfigError
from ferry.protocol.errors import IntegrityError

from .vault_helpers import INLINE_LIMIT, SEGMENT, SMALL, store_bytes

BOUNDARIES = [
    0,
    1,
    SEGMENT - 1,
    SEGMENT,
    SEGMENT + 1,
    INLINE_LIMIT - 1,
    INLINE_LIMIT,
    INLINE_LIMIT + 1,
    5 * SEGMENT,
    5 * SEGMENT + 1,
]


@pytest.fixture(scope="module")
def shared_vault(tmp_path_factory):
    """One vault for the property tests (a vault per example would mostly test fsync)."""
    with Vault.open(tmp_path_factory.mktemp("shared") / "v", key=os.urandom(32), **SMALL) as v:
        yield v


@settings(max_examples=60)
@given(size=st.one_of(st.sampled_from(BOUNDARIES), st.integers(0, 12 * SEGMENT)), data=st.data())
def test_round_trip_around_segment_and_inline_boundaries(shared_vault, size, data):
    content = data.draw(st.binary(min_size=size, max_size=size))
    pieces = data.draw(st.integers(1, 5))
    stored = store_bytes(shared_vault, content, pieces=pieces)
    assert stored.kind == ("inline" if size < INLINE_LIMIT else "blob")
    assert shared_vault.stat(stored.id) == stored
    with shared_vault.open(stored.id) as reader:
        assert reader.read() == content
    assert shared_vault.verify(stored.id).ok


@pytest.mark.parametrize("size", [0, 100 * 1024 - 1, 100 * 1024, 3 * 64 * 1024 + 17])
def test_round_trip_with_real_sizes(tmp_path, key, size):
    content = os.urandom(size)
    with Vault.open(tmp_path / "v", key=key) as vault:
        stored = store_bytes(vault, content, pieces=7)
        assert stored.kind == ("inline" if size < 100 * 1024 else "blob")
    with Vault.open(tmp_path / "v", key=key) as vault:
        with vault.open(stored.id) as reader:
            assert reader.read() == content
        assert vault.list() == [stored]


def test_stored_file_record(vault):
    stored = store_bytes(vault, b"hello", name="photos/2024/cat.txt")
    assert (stored.name, stored.path, stored.size) == ("cat.txt", "photos/2024/cat.txt", 5)
    assert stored.sha256 == hashlib.sha256(b"hello").digest()
    assert "key" not in {f.name for f in fields(StoredFile)}  # the per-file key never leaves


def test_writer_fed_from_another_thread(vault):
    content = os.urandom(40 * SEGMENT + 3)
    writer = vault.begin(name="big.bin", size=len(content))
    offsets = []

    def feed():
        for start in range(0, len(content), 100):
            writer.write(content[start : start + 100])
            if start % 1000 == 0:
                offsets.append(writer.sync())

    thread = threading.Thread(target=feed)
    thread.start()
    thread.join()
    assert offsets == sorted(offsets) and all(o % SEGMENT == 0 for o in offsets)
    stored = vault.commit(writer, writer.sha256())
    with vault.open(stored.id) as reader:
        assert reader.read() == content


def test_commit_refuses_wrong_sha_or_size_and_stores_nothing(vault, vault_dir):
    writer = vault.begin(name="a.bin", size=500)
    writer.write(b"a" * 500)
    with pytest.raises(IntegrityError, match="SHA-256"):
        vault.commit(writer, hashlib.sha256(b"b" * 500).digest())
    short = vault.begin(name="b.bin", size=500)
    short.write(b"a" * 499)
    with pytest.raises(IntegrityError, match="499 of 500"):
        vault.commit(short, hashlib.sha256(b"a" * 499).digest())
    assert vault.list() == []
    assert list((vault_dir / "staging").iterdir()) == []
    assert list((vault_dir / "blobs").iterdir()) == []
    with pytest.raises(StorageError, match="already aborted"):
        writer.write(b"x")


def test_writing_past_the_declared_size_is_refused(vault):
    writer = vault.begin(name="a.bin", size=10)
    writer.write(b"123456789")
    with pytest.raises(IntegrityError, match="declared 10 bytes"):
        writer.write(b"ab")
    writer.write(b"0")
    assert vault.commit(writer, hashlib.sha256(b"1234567890").digest()).size == 10


def test_abort_removes_the_staging_file(vault, vault_dir):
    writer = vault.begin(name="a.bin", size=1000)
    writer.write(b"x" * 300)
    assert (vault_dir / "staging" / writer.id).exists()
    vault.abort(writer)
    vault.abort(writer)  # twice is fine
    assert not (vault_dir / "staging" / writer.id).exists()
    assert vault.list() == []


def test_delete_removes_row_blob_and_preview(vault, vault_dir):
    big = store_bytes(vault, os.urandom(1000))
    small = store_bytes(vault, b"small")
    vault.store_preview(big.id, b"\x89PNG...", "image/png", 10, 10)
    vault.delete(big.id)
    assert vault.list() == [small]
    assert not (vault_dir / "blobs" / big.id).exists()
    with pytest.raises(ConfigError, match="no file with id"):
        vault.open_preview(big.id)


def test_export_is_atomic_and_refuses_to_overwrite(vault, tmp_path):
    content = os.urandom(1000)
    stored = store_bytes(vault, content, name="docs/report.pdf")
    out = tmp_path / "out"
    out.mkdir()
    assert vault.export(stored.id, out) == out / "report.pdf"
    assert (out / "report.pdf").read_bytes() == content
    with pytest.raises(ConfigError, match="already exists"):
        vault.export(stored.id, out / "report.pdf")
    (out / "other").write_bytes(b"old")
    vault.export(stored.id, out / "other", overwrite=True)
    assert (out / "other").read_bytes() == content
    with pytest.raises(ConfigError, match="does not exist"):
        vault.export(stored.id, tmp_path / "missing" / "x")
    assert sorted(p.name for p in out.iterdir()) == ["other", "report.pdf"]  # no temp files


def test_previews(vault, tmp_path):
    stored = store_bytes(vault, b"not really a picture", name="cat.jpg")
    with pytest.raises(ConfigError, match="has no preview"):
        vault.open_preview(stored.id)
    vault.set_preview_error(stored.id, "not an image")
    with pytest.raises(ConfigError, match="not an image"):
        vault.open_preview(stored.id)
    first = vault.store_preview(stored.id, b"jpeg-1", "image/jpeg", 32, 24)
    second = vault.store_preview(stored.id, b"jpeg-2", "image/jpeg", 64, 48)
    assert first != second
    preview = vault.open_preview(stored.id)
    assert (preview.id, preview.data, preview.mime) == (second, b"jpeg-2", "image/jpeg")
    assert (preview.width, preview.height) == (64, 48)
    assert vault.stat(stored.id).preview_id == second
    path = vault.export_preview(stored.id, tmp_path)
    assert path.name.startswith("cat.preview") and path.read_bytes() == b"jpeg-2"
    with pytest.raises(ConfigError, match=r"1\.\.65535"):
        vault.store_preview(stored.id, b"x", "image/png", 0, 10)


def test_store_path(vault, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_bytes(os.urandom(5000))
    stored = vault.store_path(source, peer="alice")
    assert (stored.name, stored.mime_type, stored.peer, stored.kind) == (
        "notes.txt",
        "text/plain",
        "alice",
        "blob",
    )
    with vault.open(stored.id) as reader:
        assert reader.read() == source.read_bytes()
    with pytest.raises(ConfigError, match="does not exist"):
        vault.store_path(tmp_path / "missing.txt")


def test_verify_reports_orphan_and_stray_files(vault, vault_dir, key):
    stored = store_bytes(vault, os.urandom(1000))
    orphan = "f" * 32
    (vault_dir / "blobs" / orphan).write_bytes((vault_dir / "blobs" / stored.id).read_bytes())
    (vault_dir / "blobs" / "notes.txt").write_bytes(b"?")
    report = vault.verify()
    assert report.checked == 1
    assert sorted((p.kind, p.file_id) for p in report.problems) == [
        ("orphan-blob", orphan),
        ("stray-file", "notes.txt"),
    ]
    vault.close()
    with Vault.open(vault_dir, key=key) as reopened:  # reopening removes the orphan
        assert [p.kind for p in reopened.verify().problems] == ["stray-file"]


@pytest.mark.parametrize(
    ("name", "size", "match"),
    [
        ("../escape", 1, "'..' component"),
        ("/etc/passwd", 1, "absolute path"),
        ("a\x00b", 1, "control character"),
        ("CON", 1, "reserved device name"),
        ("ok.bin", -1, "file size"),
        ("ok.bin", 2**60, "file size"),
        ("ok.bin", True, "file size"),
    ],
)
def test_begin_refuses_bad_names_and_sizes(vault, name, size, match):
    with pytest.raises(ConfigError, match=match):
        vault.begin(name=name, size=size)


@pytest.mark.parametrize("file_id", ["nope", "../../etc/passwd", "A" * 32, "0" * 32, None])
def test_unknown_or_malformed_ids_are_refused(vault, file_id, tmp_path):
    for call in (
        vault.stat,
        vault.open,
        vault.delete,
        vault.verify if file_id is not None else vault.stat,  # verify(None) checks everything
        vault.open_preview,
        lambda i: vault.export(i, tmp_path / "x"),
    ):
        with pytest.raises(ConfigError) as caught:
            call(file_id)
        assert caught.value.code == "unknown-id"


def test_open_refuses_a_folder_that_is_not_a_vault(tmp_path, key):
    with pytest.raises(ConfigError, match="not a Ferry vault"):
        Vault.open(tmp_path / "nothing-here", key=key, create=False)
    assert not (tmp_path / "nothing-here").exists()
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "thesis.tex").write_text("precious")
    with pytest.raises(ConfigError, match="not empty and is not a Ferry vault"):
        Vault.open(busy, key=key)
    assert [p.name for p in busy.iterdir()] == ["thesis.tex"]  # nothing written into it
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        Vault.open(tmp_path / "file", key=key)


def test_one_opener_at_a_time(vault, vault_dir, key):
    with pytest.raises(StorageError, match="already open"):
        Vault.open(vault_dir, key=key)


def test_vault_is_bound_to_its_thread_and_refuses_use_after_close(vault):
    errors = []
    thread = threading.Thread(target=lambda: errors.append(_catch(vault.list)))
    thread.start()
    thread.join()
    assert isinstance(errors[0], StorageError) and "another thread" in str(errors[0])
    vault.close()
    with pytest.raises(StorageError, match="closed"):
        vault.list()


def test_a_writer_is_committed_only_by_its_own_vault(vault, tmp_path):
    with Vault.open(tmp_path / "other", key=os.urandom(32), **SMALL) as other:
        writer = other.begin(name="a", size=0)
        with pytest.raises(ConfigError, match="another vault"):
            vault.commit(writer, hashlib.sha256(b"").digest())


def _catch(call):
    try:
        call()
    except Exception as exc:
        return exc
    return None
