"""What the vault hands back to hosts: plain frozen records, never a key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StorageKind = Literal["inline", "blob"]


@dataclass(frozen=True)
class StoredFile:
    """One stored file, as its index row describes it (the per-file key is never exposed)."""

    id: str
    name: str  # last component of ``path``, for display and export
    path: str  # the sender's relative path, already checked safe
    size: int
    mime_type: str
    sha256: bytes
    created: float  # seconds since the epoch
    peer: str
    kind: StorageKind
    preview_id: str | None = None
    preview_error: str | None = None

    @property
    def label(self) -> str:
        """How error messages name this file."""
        return f"stored file {self.id} ({self.path!r})"


@dataclass(frozen=True)
class PendingStore:
    """An unfinished store that a new offer of the same file continues (see Vault.begin)."""

    id: str
    resume_key: str  # the sender's key for the file; empty: nothing can resume it
    path: str
    size: int
    mime_type: str
    peer: str
    created: float
    mtime_ms: int  # the sender's modification time, to tell a changed file
    durable: int  # plaintext bytes fsynced in whole segments: where a resume continues
    updated: float  # when ``durable`` last moved (seconds since the epoch)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Preview:
    """A file's stored preview image (made by the Previewer, bounded to 1 MiB)."""

    id: str
    file_id: str
    mime: str
    width: int
    height: int
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Problem:
    """One thing :meth:`Vault.verify` found wrong."""

    file_id: str
    kind: Literal["tampered", "missing-blob", "orphan-blob", "stray-file"]
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """Result of :meth:`Vault.verify`: how many files were re-read, and what failed."""

    checked: int
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems
