"""Shared by the vault tests.

Most tests use tiny segments (64 bytes) and a tiny inline limit (200 bytes) so that every
boundary (empty, one byte, segment +/- 1, inline limit +/- 1, several segments) costs a few
bytes; a few tests use the real sizes. Raw keys keep them fast: a passphrase costs one
scrypt (about 0.7 s) per open, so only the tests about passphrases use one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlcipher3

from ferry.actors.storage.vault import StoredFile, Vault
from ferry.actors.storage.vault.keyfile import Secret, read_keyfile

SEGMENT = 64
INLINE_LIMIT = 200
SMALL = {"segment_size": SEGMENT, "inline_limit": INLINE_LIMIT}


def store_bytes(
    vault: Vault, data: bytes, name: str = "dir/file.bin", pieces: int = 3
) -> StoredFile:
    """Store ``data`` through a writer, in ``pieces`` writes, as the Reassembler would."""
    writer = vault.begin(name=name, size=len(data), mime_type="application/octet-stream")
    step = max(1, -(-len(data) // pieces))
    for start in range(0, len(data), step):
        writer.write(data[start : start + step])
    return vault.commit(writer, hashlib.sha256(data).digest())


def edit_database(vault_dir: Path, key: bytes, sql: str, params: tuple = ()) -> None:
    """Change the index the way someone holding the key could, with SQLCipher, outside Ferry."""
    data_key = read_keyfile(vault_dir / "vault.key", Secret(key=key))
    db = sqlcipher3.connect(str(vault_dir / "vault.db"), isolation_level=None)
    try:
        db.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        assert db.execute(sql, params).rowcount == 1
    finally:
        db.close()
