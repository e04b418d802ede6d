"""Plaintext never reaches the disk: store files carrying a random marker, then search the
vault folder (database, key file, blobs, staging) and the temp folder for it."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from pathlib import Path

from ferry.actors.storage.vault import Vault
from ferry.actors.storage.vault.format import DEFAULT_SEGMENT_SIZE

CHUNK = 1 << 20


def files_containing(marker: bytes, roots: list[Path], since: float) -> list[Path]:
    """Every regular file under ``roots`` (which may overlap) changed since ``since`` that
    contains ``marker``."""
    found = set()
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                try:
                    if not path.is_file() or path.is_symlink() or path.stat().st_mtime < since:
                        continue
                    if _contains(path, marker):
                        found.add(path.resolve())
                except OSError:  # vanished or unreadable: not ours
                    continue
    return sorted(found)


def _contains(path: Path, marker: bytes) -> bool:
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            if marker in tail + block:
                return True
            tail = block[-(len(marker) - 1) :]
    return False


def test_marker_never_reaches_disk(tmp_path, key):
    marker = b"FERRY-MARKER-" + secrets.token_hex(16).encode()
    since = time.time() - 2
    roots = [tmp_path, Path(tempfile.gettempdir())]
    small = (marker + b" small ") * 100  # about 5 KiB: an inline row in the database
    large = (marker + os.urandom(1000)) * 3000  # about 3 MiB: two whole 1 MiB segments and a part
    with Vault.open(tmp_path / "vault", key=key) as vault:
        writer = vault.begin(name="secret/large.bin", size=len(large))
        writer.write(large[: len(large) // 2])
        writer.sync()
        staged = (tmp_path / "vault" / "staging" / writer.id).stat().st_size
        assert staged >= len(large) // 2 - DEFAULT_SEGMENT_SIZE  # every whole segment
        assert files_containing(marker, roots, since) == []  # nothing mid-store either
        writer.write(large[len(large) // 2 :])
        vault.commit(writer, hashlib.sha256(large).digest())
        inline = vault.begin(name="secret/small.txt", size=len(small))
        inline.write(small)
        vault.commit(inline, hashlib.sha256(small).digest())
        assert [f.kind for f in vault.list()] == ["blob", "inline"]
        assert files_containing(marker, roots, since) == []  # vault open (WAL in use)
    assert files_containing(marker, roots, since) == []  # vault closed (checkpointed)

    control = tmp_path / "control"  # the search itself works
    control.write_bytes(os.urandom(CHUNK - 5) + marker)
    assert files_containing(marker, roots, since) == [control.resolve()]
