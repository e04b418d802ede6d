"""VaultWriter: one file on its way into the vault, fed from any single thread.

The Reassembler writes from its own actor thread while the vault's database stays on the
vault's thread, so a writer does only crypto and file I/O, never database work. Small files
(declared size under the inline limit) are buffered in memory and become a BLOB row at
commit; larger ones are encrypted segment by segment into ``staging/<id>``, so no plaintext
ever reaches the disk. A lock makes ``abort`` safe from any thread, even during a write.
"""

from __future__ import annotations

import hashlib
import threading

from ferry.actors.storage.errors import StorageError
from ferry.protocol.errors import IntegrityError

from .format import SegmentWriter
from .records import StoredFile


class VaultWriter:
    """Receives one file's bytes; :meth:`Vault.commit` makes it a stored file."""

    def __init__(
        self,
        record: StoredFile,
        *,
        owner: object,
        file_key: bytes | None = None,
        segments: SegmentWriter | None = None,
        resume_key: str = "",
    ) -> None:
        self._record = record  # sha256 is filled in at commit
        self._owner = owner
        self._file_key = file_key
        self._segments = segments
        self._buffer = bytearray() if segments is None else None
        self._lock = threading.Lock()
        self._state = "open"
        self._bytes = 0 if segments is None else segments.bytes_written  # >0: resumed
        self.resume_key = resume_key

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def path(self) -> str:
        """The sender's relative path (``name`` as given to :meth:`Vault.begin`)."""
        return self._record.path

    @property
    def size(self) -> int:
        """The declared size: exactly this many bytes must be written before commit."""
        return self._record.size

    @property
    def kind(self) -> str:
        return self._record.kind

    @property
    def bytes_written(self) -> int:
        return self._bytes

    @property
    def durable_offset(self) -> int:
        """Plaintext bytes that would survive a crash now (0 for a buffered small file)."""
        return 0 if self._segments is None else self._segments.durable_offset

    @property
    def state(self) -> str:
        """'open', 'committed', 'aborted', 'suspended' (kept to resume), or 'failed'."""
        return self._state

    def __repr__(self) -> str:
        return (
            f"VaultWriter(id={self.id!r}, path={self.path!r}, size={self.size}, "
            f"written={self._bytes}, state={self._state!r})"
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append the next bytes of the file (in order; no seeking)."""
        with self._lock:
            self._require_open()
            count = memoryview(data).nbytes
            if self._bytes + count > self.size:
                raise IntegrityError(
                    f"{self.path!r}: got more than the declared {self.size} bytes; "
                    "cancel the transfer (nothing past the declared size is stored)"
                )
            try:
                if self._segments is not None:
                    self._segments.write(data)
                else:
                    assert self._buffer is not None
                    self._buffer += memoryview(data).cast("B")
            except BaseException:
                self._state = "failed"  # the stream is now incomplete: it can only be aborted
                raise
            self._bytes += count

    def sync(self) -> int:
        """fsync what was written so far; return the durable plaintext offset."""
        with self._lock:
            self._require_open()
            return 0 if self._segments is None else self._segments.sync()

    def sha256(self) -> bytes:
        """SHA-256 of the bytes written so far (saves the caller a second hashing pass)."""
        with self._lock:
            if self._segments is not None:
                return self._segments.sha256()
            return hashlib.sha256(self._buffer or b"").digest()

    def abort(self) -> None:
        """Drop the file: close and delete the staging file. Safe to call twice."""
        with self._lock:
            if self._state in ("committed", "aborted"):
                return
            self._state = "aborted"
            self._buffer = None
            if self._segments is not None:
                self._segments.close()
                self._segments.path.unlink(missing_ok=True)

    # -- used by the Vault on its own thread ----------------------------------------------

    def _close_for_resume(self) -> None:
        """Close the staging file but keep it: a later offer of the file continues it."""
        with self._lock:
            self._require_open()
            self._state = "suspended"
            assert self._segments is not None
            self._segments.close()

    def _finish(self) -> tuple[int, bytes, bytes | None]:
        """Seal the file: (size, sha256, inline data or None for a blob)."""
        with self._lock:
            self._require_open()
            if self._segments is not None:
                size, digest = self._segments.finish()
                return size, digest, None
            assert self._buffer is not None
            data = bytes(self._buffer)
            return len(data), hashlib.sha256(data).digest(), data

    def _mark_committed(self) -> None:
        with self._lock:
            self._state = "committed"
            self._buffer = None

    def _require_open(self) -> None:
        if self._state == "failed":
            raise StorageError(f"an earlier write of {self.path!r} failed; abort this store")
        if self._state != "open":
            raise StorageError(f"the writer for {self.path!r} was already {self._state}")
