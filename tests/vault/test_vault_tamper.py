"""Anything changed outside Ferry gives TamperedError naming the file, never wrong bytes:
blob bits, lengths and segment order, blobs moved between ids, index rows edited with the
right key, and the database file's own bytes."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.actors.storage.errors import TamperedError
from ferry.actors.storage.vault import Vault
from ferry.actors.storage.vault.format import HEADER, TAG_BYTES

from .vault_helpers import INLINE_LIMIT, SEGMENT, SMALL, edit_database, store_bytes

KEY = os.urandom(32)


@pytest.fixture(scope="module")
def shared_vault(tmp_path_factory):
    root = tmp_path_factory.mktemp("tamper") / "v"
    with Vault.open(root, key=KEY, **SMALL) as vault:
        yield vault


def assert_detected(vault: Vault, file_id: str) -> None:
    """Reading fails with TamperedError naming the file, and verify reports it."""
    with pytest.raises(TamperedError, match=file_id), vault.open(file_id) as reader:
        reader.read()  # opening checks header and trailer; reading checks every segment
    problems = vault.verify(file_id).problems
    assert [p.file_id for p in problems] == [file_id]


corruptions = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=2 * SEGMENT)),
    st.tuples(st.just("swap"), st.integers(0, 100), st.integers(1, 100)),
)


@settings(max_examples=80)
@given(size=st.integers(INLINE_LIMIT, 10 * SEGMENT), corruption=corruptions)
def test_any_single_corruption_of_a_blob_is_detected(shared_vault, size, corruption):
    stored = store_bytes(shared_vault, os.urandom(size))
    path = shared_vault.root / "blobs" / stored.id
    raw = bytearray(path.read_bytes())
    if corruption[0] == "flip":
        raw[corruption[1] % len(raw)] ^= 1 << corruption[2]
    elif corruption[0] == "truncate":
        del raw[corruption[1] % len(raw) :]
    elif corruption[0] == "append":
        raw += corruption[1]
    else:  # swap two whole content segments
        step = SEGMENT + TAG_BYTES
        count = size // SEGMENT  # whole segments only
        first = corruption[1] % count
        second = (first + corruption[2] % (count - 1) + 1) % count
        a, b = sorted((first, second))
        seg = lambda i: raw[HEADER.size + i * step : HEADER.size + (i + 1) * step]  # noqa: E731
        raw[HEADER.size + a * step : HEADER.size + (b + 1) * step] = (
            seg(b) + raw[HEADER.size + (a + 1) * step : HEADER.size + b * step] + seg(a)
        )
    path.write_bytes(raw)
    assert_detected(shared_vault, stored.id)
    shared_vault.delete(stored.id)


def test_blob_moved_to_another_id_is_detected(vault, vault_dir):
    first = store_bytes(vault, os.urandom(500))
    second = store_bytes(vault, os.urandom(500))
    os.replace(vault_dir / "blobs" / first.id, vault_dir / "blobs" / second.id)
    assert_detected(vault, second.id)  # someone else's blob under this id
    assert_detected(vault, first.id)  # its own blob is gone
    kinds = {p.file_id: p.kind for p in vault.verify().problems}
    assert kinds == {first.id: "missing-blob", second.id: "tampered"}


@pytest.mark.parametrize(
    ("kind_size", "column", "value"),
    [
        (500, "size", lambda r: r.size + 1),
        (500, "size", lambda r: r.size - SEGMENT),
        (500, "sha256", lambda r: bytes(32)),
        (50, "size", lambda r: r.size - 1),
        (50, "sha256", lambda r: bytes(32)),
        (50, "data", lambda r: b"A" * r.size),
    ],
)
def test_index_row_edited_with_the_right_key_is_detected(vault_dir, key, kind_size, column, value):
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        stored = store_bytes(vault, os.urandom(kind_size))
    edit_database(
        vault_dir, key, f"UPDATE files SET {column} = ? WHERE id = ?", (value(stored), stored.id)
    )
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        assert_detected(vault, stored.id)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A closed vault with an inline file, a blob and a preview, to copy and damage."""
    root = tmp_path_factory.mktemp("template") / "v"
    with Vault.open(root, key=KEY, **SMALL) as vault:
        store_bytes(vault, b"small file")
        big = store_bytes(vault, os.urandom(3000))
        vault.store_preview(big.id, b"preview", "image/png", 1, 1)
    assert sorted(p.name for p in root.iterdir()) == [
        "blobs",
        "staging",
        "vault.db",
        "vault.key",
        "vault.lock",
    ]  # no WAL left behind
    return root


@settings(max_examples=200)
@given(position=st.integers(0, 10**9), bit=st.integers(0, 7))
def test_any_bit_flip_in_the_database_file_is_detected(template, tmp_path_factory, position, bit):
    copy = tmp_path_factory.mktemp("damaged") / "v"
    shutil.copytree(template, copy)
    raw = bytearray((copy / "vault.db").read_bytes())
    raw[position % len(raw)] ^= 1 << bit
    (copy / "vault.db").write_bytes(raw)
    with pytest.raises(TamperedError, match=r"vault\.db"), Vault.open(copy, key=KEY) as vault:
        vault.verify()  # opening reads some pages; verify authenticates every page


def test_database_replaced_by_another_vaults_is_detected(template, tmp_path):
    other = tmp_path / "other"
    Vault.open(other, key=KEY).close()
    copy = tmp_path / "copy"
    shutil.copytree(template, copy)
    shutil.copy(other / "vault.db", copy / "vault.db")
    with pytest.raises(TamperedError, match=r"vault\.db"):
        Vault.open(copy, key=KEY)


def test_missing_key_file_or_database_is_reported(template, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(template, copy)
    (copy / "vault.db").unlink()
    with pytest.raises(TamperedError, match=r"vault\.db is missing"):
        Vault.open(copy, key=KEY)
    shutil.copy(template / "vault.db", copy / "vault.db")
    (copy / "vault.key").unlink()
    for create in (True, False):
        with pytest.raises(TamperedError, match=r"no vault\.key"):
            Vault.open(copy, key=KEY, create=create)
    (copy / "vault.key").write_bytes(b"FERRYKEY" + bytes(10))
    with pytest.raises(TamperedError, match=r"key file .* is damaged"):
        Vault.open(copy, key=KEY)


def test_export_of_a_tampered_blob_leaves_no_partial_file(vault, vault_dir, tmp_path):
    stored = store_bytes(vault, os.urandom(20 * SEGMENT))
    raw = bytearray((vault_dir / "blobs" / stored.id).read_bytes())
    raw[HEADER.size + 10 * (SEGMENT + TAG_BYTES)] ^= 1  # segment 10 of 20
    (vault_dir / "blobs" / stored.id).write_bytes(raw)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TamperedError, match="segment 10 failed authentication"):
        vault.export(stored.id, out)
    assert list(out.iterdir()) == []
