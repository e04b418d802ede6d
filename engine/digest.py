"""SHA-256 of a file on disk, a megabyte at a time (never the whole file in memory)."""

from __future__ import annotations

import hashlib
import os

BLOCK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(BLOCK):
            digest.update(block)
    return digest.digest()
