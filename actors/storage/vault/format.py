"""The segmented AES-256-GCM STREAM format of vault blobs (spec: docs/vault-format.md).

Why segments: a file is never held in memory whole, any segment can be read and verified on
its own (seekable reads), and the nonce of each segment carries its index and a last-segment
flag, so truncation, reordering, appending and bit flips all fail authentication (the STREAM
construction of Tink's streaming AEAD and age).

Layout: a 24-byte header, then the content segments (each ``segment_size`` plaintext bytes
plus a 16-byte tag; the final one may be shorter), then one trailer segment holding the
plaintext size and SHA-256. Segment ``i`` uses nonce ``prefix(7) || i (4, big-endian) ||
last (1)``; only the trailer has ``last = 1``. Every segment's associated data is the header
followed by the file id, so a header edit or a blob moved to another id fails too.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ferry.actors.storage.errors import StorageError, TamperedError
from ferry.errors import ConfigError
from ferry.protocol.errors import IntegrityError

from . import _faults
from ._fs import storage_error, write_all

MAGIC = b"FERRYBLB"
VERSION = 1
ALGORITHM_AES256GCM_STREAM = 1
HEADER = struct.Struct(">8sBBI7s3x")  # magic, version, algorithm, segment size, nonce prefix
TRAILER = struct.Struct(">Q32s")  # plaintext size, SHA-256 of the plaintext
NONCE_PREFIX_BYTES = 7
TAG_BYTES = 16
KEY_BYTES = 32
TRAILER_SEGMENT_BYTES = TRAILER.size + TAG_BYTES
#: 1 MiB, not 64 KiB: every segment is an encrypt and a write, and each of those releases
#: the GIL and must take it back from the receiving process's busy aiortc loop. 16 times
#: fewer round trips made Ferry into a vault 5-11% faster (paired runs, benchmarks/README.md),
#: for at most 1 MiB more to re-send after a crash and 2 MiB of buffers per open writer.
DEFAULT_SEGMENT_SIZE = 1 << 20
MIN_SEGMENT_SIZE = 16
MAX_SEGMENT_SIZE = 16 * 1024 * 1024
MAX_COUNTER = 2**32 - 1  # the counter is 4 bytes; content segments stop one below the trailer


def check_segment_size(segment_size: int) -> int:
    """Reject a segment size outside what the format allows."""
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise ConfigError(
            f"segment size {segment_size} is outside {MIN_SEGMENT_SIZE}..{MAX_SEGMENT_SIZE} bytes"
        )
    return segment_size


def max_plaintext_size(segment_size: int) -> int:
    """Largest file one blob can hold with this segment size."""
    return segment_size * MAX_COUNTER


def content_segments(size: int, segment_size: int) -> int:
    """How many content segments a plaintext of ``size`` bytes takes (0 for an empty file)."""
    return -(-size // segment_size)


def blob_length(size: int, segment_size: int) -> int:
    """Exact on-disk length of a blob holding ``size`` plaintext bytes."""
    segments = content_segments(size, segment_size)
    return HEADER.size + size + segments * TAG_BYTES + TRAILER_SEGMENT_BYTES


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _associated_data(header: bytes, file_id: str) -> bytes:
    return header + file_id.encode("ascii")


class SegmentWriter:
    """Encrypts one plaintext stream into a new blob file, a segment at a time.

    Used by one thread at a time. Hashes the plaintext as it goes (the trailer records it).
    Only whole segments are written before :meth:`finish`, so everything below
    :attr:`durable_offset` can be decrypted again after a crash.
    """

    def __init__(
        self, path: Path, key: bytes, file_id: str, *, segment_size: int = DEFAULT_SEGMENT_SIZE
    ) -> None:
        self.path = path
        self.segment_size = check_segment_size(segment_size)
        self._aead = AESGCM(key)
        self._prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
        header = HEADER.pack(MAGIC, VERSION, ALGORITHM_AES256GCM_STREAM, segment_size, self._prefix)
        self._aad = _associated_data(header, file_id)
        self._sha = hashlib.sha256()
        self._pending = bytearray(segment_size)  # plaintext of the segment being filled
        self._filled = 0
        self._out = bytearray(max(segment_size, TRAILER.size) + TAG_BYTES)
        self._segments = 0
        self._synced_segments = 0
        self.bytes_written = 0
        self._offset = HEADER.size  # where the next segment goes
        self._old_end = 0  # a reopened file: bytes an earlier attempt left (see _emit)
        try:
            self._fd: int | None = os.open(
                path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
            write_all(self._fd, header)
        except OSError as exc:
            self.close()
            raise storage_error("create", path, exc) from exc

    @classmethod
    def reopen(cls, path: Path, key: bytes, file_id: str, durable: int) -> SegmentWriter:
        """Continue an unfinished blob after its first ``durable`` plaintext bytes.

        Those bytes (whole segments, as :attr:`durable_offset` reports them) are decrypted
        and authenticated once to rebuild the SHA-256: hashlib cannot save its state, and
        a staged prefix on disk is not to be trusted unread. Raises TamperedError when the
        file is shorter than recorded or a segment fails, so the caller starts over.
        """
        self = cls.__new__(cls)
        self.path = path
        self._fd = None
        try:
            self._fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
            header = os.pread(self._fd, HEADER.size, 0)
            self._old_end = os.fstat(self._fd).st_size
        except OSError as exc:
            self.close()
            raise storage_error("reopen", path, exc) from exc
        try:
            self._resume_from(header, key, file_id, durable)
        except OSError as exc:
            self.close()
            raise storage_error("reopen", path, exc) from exc
        except BaseException:
            self.close()
            raise
        return self

    def _resume_from(self, header: bytes, key: bytes, file_id: str, durable: int) -> None:
        def broken(what: str) -> TamperedError:
            return TamperedError(f"unfinished blob {self.path}: {what}")

        if len(header) < HEADER.size:
            raise broken("the header is cut short")
        magic, version, algorithm, segment_size, prefix = HEADER.unpack(header)
        if (magic, version, algorithm) != (MAGIC, VERSION, ALGORITHM_AES256GCM_STREAM):
            raise broken("unknown header")
        if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
            raise broken(f"segment size {segment_size} is out of range")
        self.segment_size = segment_size
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._aad = _associated_data(header, file_id)
        self._sha = hashlib.sha256()
        self._pending = bytearray(segment_size)
        self._filled = 0
        self._out = bytearray(max(segment_size, TRAILER.size) + TAG_BYTES)
        segments = max(0, durable) // segment_size
        encrypted = segment_size + TAG_BYTES
        self._offset = HEADER.size + segments * encrypted
        if self._old_end < self._offset:
            raise broken(f"it holds {self._old_end} bytes, fewer than the {durable} recorded")
        per_read = max(1, (1 << 20) // encrypted)
        fd = self._require_open()
        for first in range(0, segments, per_read):
            count = min(per_read, segments - first)
            data = os.pread(fd, count * encrypted, HEADER.size + first * encrypted)
            for index in range(first, first + count):
                piece = data[(index - first) * encrypted : (index - first + 1) * encrypted]
                try:
                    plain = self._aead.decrypt(_nonce(prefix, index, False), piece, self._aad)
                except InvalidTag:
                    raise broken(f"segment {index} failed authentication") from None
                self._sha.update(plain)
        os.lseek(fd, self._offset, os.SEEK_SET)
        self._segments = self._synced_segments = segments
        self.bytes_written = segments * segment_size

    @property
    def durable_offset(self) -> int:
        """Plaintext bytes in complete segments written and fsynced."""
        return min(self._synced_segments * self.segment_size, self.bytes_written)

    def sha256(self) -> bytes:
        """SHA-256 of the plaintext received so far."""
        return self._sha.copy().digest()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append plaintext; every completed segment is encrypted and written at once."""
        view = memoryview(data).cast("B")
        self._sha.update(view)
        self.bytes_written += len(view)
        size = self.segment_size
        if self._filled:
            take = min(size - self._filled, len(view))
            self._pending[self._filled : self._filled + take] = view[:take]
            self._filled += take
            view = view[take:]
            if self._filled < size:
                return
            self._emit(self._pending, last=False)
            self._filled = 0
        while len(view) >= size:
            self._emit(view[:size], last=False)
            view = view[size:]
        if view:
            self._pending[: len(view)] = view
            self._filled = len(view)

    def sync(self) -> int:
        """fsync what was written; return the durable plaintext offset."""
        fd = self._require_open()
        try:
            os.fsync(fd)
        except OSError as exc:
            raise storage_error("sync", self.path, exc) from exc
        self._synced_segments = self._segments
        return self.durable_offset

    def finish(self) -> tuple[int, bytes]:
        """Write the final short segment and the trailer, fsync, close; return (size, sha256)."""
        if self._filled:
            self._emit(memoryview(self._pending)[: self._filled], last=False)
            self._filled = 0
        digest = self._sha.digest()
        self._emit(TRAILER.pack(self.bytes_written, digest), last=True)
        if self._old_end > self._offset:  # an earlier attempt left more behind (cannot
            os.ftruncate(self._require_open(), self._offset)  # happen at the same size)
        self.sync()
        self.close()
        return self.bytes_written, digest

    def close(self) -> None:
        """Close the file without finishing it (abort, or after finish)."""
        if getattr(self, "_fd", None) is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _require_open(self) -> int:
        if self._fd is None:
            raise StorageError(f"blob {self.path} is already closed")
        return self._fd

    def _emit(self, plaintext: bytes | bytearray | memoryview, *, last: bool) -> None:
        if self._segments > MAX_COUNTER - (0 if last else 1):
            raise ConfigError(f"file is too large for segment size {self.segment_size}")
        fd = self._require_open()
        out = memoryview(self._out)[: len(plaintext) + TAG_BYTES]
        self._aead.encrypt_into(
            _nonce(self._prefix, self._segments, last), plaintext, self._aad, out
        )
        try:
            if self._offset < self._old_end:
                self._check_same_as_before(fd, out)
            write_all(fd, out)
            if not last:
                _faults.point("segment")
        except OSError as exc:
            raise storage_error("write", self.path, exc) from exc
        self._segments += 1
        self._offset += len(out)

    def _check_same_as_before(self, fd: int, out: memoryview) -> None:
        """Refuse to write a segment over different bytes an earlier attempt left there.

        A reopened blob continues at its durable offset, but the attempt before may have
        written further (not yet fsynced) segments under the same nonces. GCM must never
        encrypt two plaintexts under one nonce, and identical plaintext gives identical
        ciphertext, so equal bytes prove the rewrite is harmless; different bytes mean the
        sender's file changed without its size or modification time changing.
        """
        old = os.pread(fd, min(len(out), self._old_end - self._offset), self._offset)
        if old != out[: len(old)]:
            raise IntegrityError(
                f"segment {self._segments} of {self.path} differs from what an earlier "
                "attempt received: the sender's file changed without a change of size or "
                "modification time; the unfinished store is dropped, send the file again"
            )


@dataclass(frozen=True)
class BlobInfo:
    """What the authenticated header and trailer of a blob say."""

    segment_size: int
    size: int
    sha256: bytes


class SegmentReader(io.RawIOBase):
    """Seekable, verified reads of one blob: each segment's tag is checked before use.

    Opening reads the header and the trailer, so a truncated, extended, renamed or edited
    blob fails at once; any later failure is raised from the read that meets it. Every
    failure is a :class:`TamperedError` that starts with ``label`` (which file it was).
    """

    def __init__(self, path: Path, key: bytes, file_id: str, *, label: str) -> None:
        super().__init__()
        self.label = label
        self._file: io.FileIO | None = None
        try:
            self._file = io.FileIO(path, "rb")
            length = os.fstat(self._file.fileno()).st_size
            header = self._file.read(HEADER.size)
        except FileNotFoundError as exc:
            self.close()
            raise TamperedError(
                f"{label}: its blob {path} is missing (deleted or moved outside Ferry); "
                "restore it from a backup or delete the file from the vault"
            ) from exc
        except OSError as exc:
            self.close()
            raise storage_error("read", path, exc) from exc
        self._aead = AESGCM(key)
        self._layout(header, length, file_id)
        self._pos = 0
        self._cached_index = -1
        self._cached = memoryview(b"")

    def _tampered(self, what: str) -> TamperedError:
        return TamperedError(
            f"{self.label}: {what}; the blob was changed outside Ferry "
            "(bit flip, truncation, reordering or a blob from another id). "
            "Restore it from a backup or delete the file from the vault"
        )

    def _layout(self, header: bytes, length: int, file_id: str) -> None:
        if len(header) < HEADER.size:
            raise self._tampered("the header is cut short")
        magic, version, algorithm, segment_size, prefix = HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or algorithm != ALGORITHM_AES256GCM_STREAM:
            raise self._tampered(
                f"unknown header (magic {magic!r}, version {version}, algorithm {algorithm})"
            )
        if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
            raise self._tampered(f"segment size {segment_size} in the header is out of range")
        self._segment_size = segment_size
        self._prefix = prefix
        self._aad = _associated_data(header, file_id)
        stored = length - HEADER.size - TRAILER_SEGMENT_BYTES
        encrypted_segment = segment_size + TAG_BYTES
        segments = -(-stored // encrypted_segment) if stored > 0 else 0
        last_length = stored - (segments - 1) * encrypted_segment
        if stored < 0 or (segments and last_length <= TAG_BYTES) or segments > MAX_COUNTER:
            raise self._tampered(f"its length {length} is not a valid blob length")
        self._segments = segments
        trailer = self._decrypt(segments, HEADER.size + stored, TRAILER_SEGMENT_BYTES, last=True)
        size, sha = TRAILER.unpack(trailer)
        if size != stored - segments * TAG_BYTES:
            raise self._tampered(f"the trailer says {size} bytes but the blob holds another size")
        self.info = BlobInfo(segment_size=segment_size, size=size, sha256=sha)

    def _decrypt(
        self, index: int, offset: int, length: int, *, last: bool, into: memoryview | None = None
    ) -> bytes:
        """Read and authenticate one segment; decrypt into ``into`` when given (no copy)."""
        if self._file is None:
            raise ValueError("I/O operation on closed blob")
        try:
            self._file.seek(offset)
            data = self._file.read(length)
        except OSError as exc:
            raise storage_error("read", self.label, exc) from exc
        if len(data) != length:
            raise self._tampered(f"segment {index} is cut short")
        nonce = _nonce(self._prefix, index, last)
        try:
            if into is not None:
                self._aead.decrypt_into(nonce, data, self._aad, into)
                return b""
            return self._aead.decrypt(nonce, data, self._aad)
        except InvalidTag:
            if into is not None:  # decrypt_into leaves unauthenticated plaintext behind
                into[:] = bytes(len(into))
            raise self._tampered(f"segment {index} failed authentication") from None

    def _segment_span(self, index: int) -> tuple[int, int]:
        """(file offset, plaintext length) of content segment ``index``."""
        size = self._segment_size
        return HEADER.size + index * (size + TAG_BYTES), min(size, self.info.size - index * size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the current position with verified plaintext.

        Whole segments go straight into ``buffer``; a partly read segment is kept decrypted
        so small sequential reads do not decrypt it again.
        """
        if self._file is None:
            raise ValueError("I/O operation on closed blob")
        out = memoryview(buffer).cast("B")
        done = 0
        while done < len(out) and self._pos < self.info.size:
            index, skip = divmod(self._pos, self._segment_size)
            offset, length = self._segment_span(index)
            if skip == 0 and length <= len(out) - done and index != self._cached_index:
                self._decrypt(
                    index, offset, length + TAG_BYTES, last=False, into=out[done : done + length]
                )
                count = length
            else:
                if index != self._cached_index:
                    plain = self._decrypt(index, offset, length + TAG_BYTES, last=False)
                    self._cached, self._cached_index = memoryview(plain), index
                count = min(length - skip, len(out) - done)
                out[done : done + count] = self._cached[skip : skip + count]
            done += count
            self._pos += count
        return done

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.info.size}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence {whence}")
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            file.close()
        super().close()
