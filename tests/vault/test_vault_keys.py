"""Keys: a wrong passphrase or key is WrongKeyError (never a raw SQL error), and rekeying
rewrites only the key file, atomically, so the old secret stops working at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ferry.actors.storage.errors import StorageError, TamperedError, WrongKeyError
from ferry.actors.storage.vault import Vault, _faults
from ferry.errors import ConfigError

from .vault_helpers import SMALL, store_bytes


def test_passphrase_wrong_then_rekeyed(tmp_path):
    """One test for the passphrase path: each open costs a real scrypt (about 0.7 s)."""
    root = tmp_path / "v"
    with Vault.open(root, passphrase="correct horse", **SMALL) as vault:
        big = store_bytes(vault, os.urandom(1000))
        small = store_bytes(vault, b"tiny")
        blob_before = (root / "blobs" / big.id).read_bytes()
        vault.rekey(passphrase="battery staple")
    with pytest.raises(WrongKeyError, match="wrong passphrase"):
        Vault.open(root, passphrase="correct horse")
    with Vault.open(root, passphrase="battery staple") as vault:
        assert vault.list() == [big, small]
        with vault.open(big.id) as reader:
            assert len(reader.read()) == 1000
    assert (root / "blobs" / big.id).read_bytes() == blob_before  # blobs not re-encrypted


def test_wrong_raw_key_and_wrong_kind_of_secret(vault_dir, key):
    Vault.open(vault_dir, key=key).close()
    with pytest.raises(WrongKeyError, match="wrong key"):
        Vault.open(vault_dir, key=os.urandom(32))
    with pytest.raises(WrongKeyError, match="raw key, not a passphrase"):
        Vault.open(vault_dir, passphrase="anything")
    Vault.open(vault_dir, key=key).close()  # and the right one still works


@pytest.mark.parametrize(
    "secret",
    [{}, {"key": b"short"}, {"passphrase": ""}, {"passphrase": "p", "key": bytes(32)}],
)
def test_unusable_secrets_are_refused_before_touching_the_disk(tmp_path, secret):
    with pytest.raises(ConfigError):
        Vault.open(tmp_path / "v", **secret)
    assert not (tmp_path / "v").exists()


def test_rekey_to_a_new_raw_key(vault_dir, key):
    new_key = os.urandom(32)
    with Vault.open(vault_dir, key=key, **SMALL) as vault:
        stored = store_bytes(vault, os.urandom(300))
        vault.rekey(key=new_key)
        assert vault.stat(stored.id) == stored  # the open vault carries on
    with pytest.raises(WrongKeyError):
        Vault.open(vault_dir, key=key)
    with Vault.open(vault_dir, key=new_key) as vault:
        assert vault.list() == [stored]


def test_failed_rekey_keeps_the_old_key(vault_dir, key, monkeypatch):
    """The key file is replaced by a rename: a failure before it leaves the old one whole."""

    def fail(point: str) -> None:
        if point == "keyfile-before-rename":
            raise OSError(28, "No space left on device")

    with Vault.open(vault_dir, key=key) as vault:
        monkeypatch.setattr(_faults, "hook", fail)
        with pytest.raises(StorageError, match="No space left"):
            vault.rekey(key=os.urandom(32))
        monkeypatch.setattr(_faults, "hook", None)
    assert sorted(p.name for p in vault_dir.iterdir()) == [
        "blobs",
        "staging",
        "vault.db",
        "vault.key",
        "vault.lock",
    ]  # no temp file left
    Vault.open(vault_dir, key=key).close()


def test_an_edited_key_file_cannot_ask_for_gigabytes_of_scrypt_memory(tmp_path: Path) -> None:
    from ferry.actors.storage.vault.keyfile import PARAMS

    with Vault.open(tmp_path / "v", passphrase="pw"):
        pass
    keyfile = tmp_path / "v" / "vault.key"
    blob = bytearray(keyfile.read_bytes())
    magic, version, kdf, _log2_n, _r, p, salt = PARAMS.unpack_from(blob)
    PARAMS.pack_into(blob, 0, magic, version, kdf, 24, 32, p, salt)  # N=2**24, r=32: 64 GiB
    keyfile.write_bytes(bytes(blob))
    with pytest.raises(TamperedError, match="beyond what Ferry ever writes"):
        Vault.open(tmp_path / "v", passphrase="pw")


def test_the_vault_is_its_owner_s_alone(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir(mode=0o755)  # made by someone else, or by hand, before the vault
    os.chmod(root, 0o755)
    old = os.umask(0o022)
    try:
        with Vault.open(root, key=b"k" * 32, **SMALL) as vault:
            store_bytes(vault, b"x" * 10)  # an inline row
            store_bytes(vault, b"y" * 1000)  # a blob
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    for path in root.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
