"""Vault: the plain object a host uses to store, list, read, export and verify files.

Single-threaded: the SQLCipher connection belongs to the thread that opened the vault (use
:class:`actors.vault.actor.VaultActor` to share it). Only a :class:`VaultWriter` may be fed
from another thread.

Folder layout::

    vault.key        the database key, wrapped under the passphrase or raw key (keyfile.py)
    vault.db         the SQLCipher index (index.py)
    vault.lock       held while the vault is open, so one process at a time uses it
    blobs/<id>       committed large files, segmented AES-256-GCM (format.py)
    staging/<id>     large files being received, same format, never listed

Commit protocol for a large file: seal the staging file (last segment, trailer, fsync),
rename it to ``blobs/<id>``, fsync both folders, then insert its row in one database
transaction. A crash before the database commit leaves a blob without a row, which the
next open deletes; a crash after it leaves the whole file with its row. Deleting goes the
other way round (row first, then blob), so a row never points at a missing blob.

An unfinished store with a resume key survives a lost peer or a crash: :meth:`Vault.begin`
with the same key, size and modification time continues it at its durable offset (see
"Resume" in docs/vault-format.md).
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import os
import secrets
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ferry.actors.storage.errors import StorageError, TamperedError
from ferry.errors import ConfigError, FerryError
from ferry.protocol.errors import IntegrityError
from ferry.protocol.limits import (
    MAX_FILE_SIZE,
    MAX_MIME_LENGTH,
    MAX_RESUME_KEY_LENGTH,
    MAX_TEXT_LENGTH,
)
from ferry.protocol.names import name_problem

from . import _faults
from ._fs import DirectoryLock, atomic_file, fsync_dir, storage_error
from .format import (
    DEFAULT_SEGMENT_SIZE,
    SegmentReader,
    SegmentWriter,
    check_segment_size,
    max_plaintext_size,
)
from .index import ID_PATTERN, Index
from .keyfile import Secret, read_keyfile, write_keyfile
from .records import PendingStore, Preview, Problem, StoredFile, VerifyReport
from .writer import VaultWriter

log = logging.getLogger(__name__)

DEFAULT_INLINE_LIMIT = 100 * 1024
MAX_INLINE_LIMIT = 16 * 1024 * 1024  # small files are held in memory until commit
MAX_PREVIEW_BYTES = 1024 * 1024
COPY_BLOCK = 1024 * 1024

KEY_FILE = "vault.key"
DB_FILE = "vault.db"
LOCK_FILE = "vault.lock"
BLOBS = "blobs"
STAGING = "staging"


class _OpenMethod:
    """``Vault.open(directory, ...)`` opens a vault; ``vault.open(file_id)`` opens a stored file.

    The API names both ``open``; this descriptor keeps both spellings, so a host that calls
    ``vault.open(file_id)`` never opens (or creates) a vault named after the id by mistake.
    """

    def __get__(self, instance: Vault | None, owner: type[Vault]) -> Any:
        return owner._open_directory if instance is None else instance._open_file


class Vault:
    """An encrypted store of received files; see the module docstring for the layout."""

    open = _OpenMethod()

    def __init__(
        self,
        root: Path,
        index: Index,
        lock: DirectoryLock,
        data_key: bytes,
        *,
        inline_limit: int,
        segment_size: int,
    ) -> None:
        self.root = root
        self._index = index
        self._lock = lock
        self._data_key = data_key
        self._blobs = root / BLOBS
        self._staging = root / STAGING
        self.inline_limit = inline_limit
        self.segment_size = segment_size
        self._thread = threading.get_ident()
        self._closed = False
        self._live: set[str] = set()  # unfinished stores with a writer open in this process

    # -- opening and closing ----------------------------------------------------------

    @classmethod
    def _open_directory(
        cls,
        directory: str | os.PathLike[str],
        *,
        passphrase: str | None = None,
        key: bytes | None = None,
        create: bool = True,
        inline_limit: int = DEFAULT_INLINE_LIMIT,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        max_pending_age: float | None = None,
    ) -> Vault:
        """Open the vault in ``directory`` (creating it if allowed) and clean up after a crash.

        Unfinished stores a new offer could resume are kept, unless they made no progress
        for ``max_pending_age`` seconds (None: kept until resumed or discarded).

        Raises WrongKeyError for a wrong passphrase or key, TamperedError when the vault's
        files were changed outside Ferry, ConfigError when the folder is not a vault.
        """
        secret = Secret.from_args(passphrase, key)
        if not isinstance(inline_limit, int) or not 0 <= inline_limit <= MAX_INLINE_LIMIT:
            raise ConfigError(f"inline limit must be 0..{MAX_INLINE_LIMIT} bytes")
        check_segment_size(segment_size)
        root = Path(directory)
        keyfile = root / KEY_FILE
        if not keyfile.exists():
            if not create:
                _check_key_not_lost(root)
                raise ConfigError(
                    f"{root} is not a Ferry vault (it has no {KEY_FILE}); check the vault path",
                    code="not-a-vault",
                )
            _check_creatable(root)  # before anything is written into a folder that is not ours
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            _owner_only(root, 0o700)  # a folder that existed before keeps no wider mode
        except OSError as exc:
            raise storage_error("create the vault folder", root, exc) from exc
        lock = DirectoryLock(root / LOCK_FILE)
        try:
            if keyfile.exists():
                data_key = read_keyfile(keyfile, secret)
                if not (root / DB_FILE).exists():
                    raise TamperedError(
                        f"the vault database {root / DB_FILE} is missing; restore it from a backup"
                    )
                index = Index.open(root / DB_FILE, data_key, create=False)
            else:
                data_key, index = _create(root, secret)
            vault = cls(
                root, index, lock, data_key, inline_limit=inline_limit, segment_size=segment_size
            )
        except BaseException:
            lock.release()
            raise
        try:
            vault._recover(max_pending_age)
        except BaseException:
            vault.close()
            raise
        return vault

    def close(self) -> None:
        """Close the database and release the folder. Open writers are left as a crash would
        leave them: resumable ones are kept for the next open, the rest removed then."""
        if self._closed:
            return
        self._closed = True
        try:
            self._index.close()
        finally:
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Vault({str(self.root)!r})"

    def _recover(self, max_pending_age: float | None) -> None:
        """Finish what a crash interrupted: drop what cannot resume, and blobs without a row.

        An unfinished store is kept when a new offer could resume it: it has a resume key,
        durable bytes, its staging file, and made progress within ``max_pending_age``.
        """
        cutoff = None if max_pending_age is None else time.time() - max_pending_age
        keep: set[str] = set()
        drop: list[str] = []
        for store in self._index.pending_stores():
            resumable = (
                store.resume_key
                and store.durable > 0
                and (self._staging / store.id).is_file()
                and (cutoff is None or store.updated >= cutoff)
            )
            if resumable:
                keep.add(store.id)
            else:
                drop.append(store.id)
        doomed = [entry for entry in _entries(self._staging) if entry.name not in keep]
        rows = self._index.blob_ids()
        for entry in _entries(self._blobs):
            if ID_PATTERN.fullmatch(entry.name) and entry.name not in rows:
                log.warning("removing blob %s: its store never committed", entry.name)
                doomed.append(entry)
        if drop:
            with self._index.transaction():
                for file_id in drop:
                    self._index.delete_pending(file_id)
        removed = 0
        for entry in doomed:
            try:
                entry.unlink(missing_ok=True)
                removed += 1
            except OSError as exc:  # e.g. a folder someone put there: verify reports it
                log.warning("could not remove %s: %s", entry, exc)
        if removed:
            fsync_dir(self._staging)
            fsync_dir(self._blobs)
            log.info("vault %s: removed %d unfinished file(s) after a crash", self.root, removed)
        if keep:
            log.info("vault %s: %d unfinished file(s) can resume", self.root, len(keep))

    def _check(self) -> None:
        if self._closed:
            raise StorageError(f"vault {self.root} is closed; open it again")
        if threading.get_ident() != self._thread:
            raise StorageError(
                f"vault {self.root} was opened on another thread; use it from that thread "
                "or through VaultActor"
            )

    # -- storing ----------------------------------------------------------------------

    def begin(
        self,
        *,
        name: str,
        size: int,
        mime_type: str = "",
        peer: str = "",
        resume_key: str = "",
        mtime_ms: int = 0,
    ) -> VaultWriter:
        """Start storing a file of ``size`` bytes; ``name`` is its relative path.

        The returned writer may be fed from another thread; hand it back to :meth:`commit`
        (or :meth:`abort`, or :meth:`suspend`) on this thread. With a ``resume_key`` (the
        sender's name for the file) an unfinished store of the same key, size and
        modification time continues: the writer's ``bytes_written`` says from where.
        """
        self._check()
        problem = name_problem(name)
        if problem is not None:
            raise ConfigError(f"cannot store this file: {problem}", code="unsafe-name")
        limit = min(MAX_FILE_SIZE, max_plaintext_size(self.segment_size))
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= limit:
            raise ConfigError(f"file size must be an integer in 0..{limit}, got {size!r}")
        _check_text("mime type", mime_type, MAX_MIME_LENGTH)
        _check_text("peer", peer, MAX_TEXT_LENGTH)
        _check_text("resume key", resume_key, MAX_RESUME_KEY_LENGTH)
        if not isinstance(mtime_ms, int) or isinstance(mtime_ms, bool) or mtime_ms < 0:
            raise ConfigError(f"mtime_ms must be a non-negative integer, got {mtime_ms!r}")
        record = StoredFile(
            id=secrets.token_hex(16),
            name=name.rsplit("/", 1)[-1],
            path=name,
            size=size,
            mime_type=mime_type,
            sha256=b"",
            created=time.time(),
            peer=peer,
            kind="inline" if size < self.inline_limit else "blob",
        )
        if record.kind == "inline":  # held in memory, so nothing of it can resume
            return VaultWriter(record, owner=self)
        if resume_key and (resumed := self._resume(record, resume_key, mtime_ms)) is not None:
            return resumed
        file_key = AESGCM.generate_key(256)
        with self._index.transaction():
            self._index.insert_pending(record, file_key, resume_key=resume_key, mtime_ms=mtime_ms)
        try:
            segments = SegmentWriter(
                self._staging / record.id, file_key, record.id, segment_size=self.segment_size
            )
        except BaseException:
            with self._index.transaction():
                self._index.delete_pending(record.id)
            raise
        self._live.add(record.id)
        return VaultWriter(
            record, owner=self, file_key=file_key, segments=segments, resume_key=resume_key
        )

    def _resume(self, record: StoredFile, resume_key: str, mtime_ms: int) -> VaultWriter | None:
        """Continue the latest unfinished store of this file, if it is the same file."""
        candidates = [
            store
            for store in self._index.pending_stores()
            if store.resume_key == resume_key and store.id not in self._live
        ]
        if not candidates:
            return None
        store = candidates[-1]
        if (store.size, store.mtime_ms) != (record.size, mtime_ms):
            log.warning(
                "%s changed at the sender since %d bytes of it were stored (size or "
                "modification time differ): storing it again from the start",
                record.path,
                store.durable,
            )
            self._drop_pending([store.id])
            return None
        file_key = self._index.pending_key(store.id)
        try:
            segments = SegmentWriter.reopen(
                self._staging / store.id, file_key, store.id, store.durable
            )
        except TamperedError as exc:
            log.warning("cannot resume %s (%s): storing it again from the start", record.path, exc)
            self._drop_pending([store.id])
            return None
        log.info("resuming %s at %d of %d bytes", record.path, segments.bytes_written, record.size)
        self._live.add(store.id)
        return VaultWriter(
            replace(record, id=store.id, created=store.created),
            owner=self,
            file_key=file_key,
            segments=segments,
            resume_key=resume_key,
        )

    def suspend(self, writer: VaultWriter) -> int:
        """Stop an unfinished store but keep it for a new offer of the same file.

        Makes what was written durable and records it; returns that offset. A store that
        nothing could resume (no resume key, a small file, no whole segment yet) is
        aborted instead, and 0 returned.
        """
        self._check()
        self._require_own(writer)
        if writer.kind != "blob" or not writer.resume_key or writer.state != "open":
            self.abort(writer)
            return 0
        try:
            durable = writer.sync()
        except BaseException:
            self._discard(writer)
            raise
        if durable == 0:
            self.abort(writer)
            return 0
        writer._close_for_resume()
        self._live.discard(writer.id)
        with self._index.transaction():
            self._index.set_durable(writer.id, durable, time.time())
        return durable

    def record_durable(self, writer: VaultWriter, durable: int) -> None:
        """Record that ``durable`` bytes of an unfinished store are fsynced (a checkpoint).

        The writer's owner calls :meth:`VaultWriter.sync` first, on its own thread, so the
        fsync does not hold up the vault's.
        """
        self._check()
        self._require_own(writer)
        if not isinstance(durable, int) or not 0 <= durable <= writer.durable_offset:
            raise ConfigError(f"{writer!r} has not made {durable!r} bytes durable")
        if writer.kind == "blob":
            with self._index.transaction():
                self._index.set_durable(writer.id, durable, time.time())

    def pending(self) -> list[PendingStore]:
        """Unfinished stores, least recently updated first (those in progress included)."""
        self._check()
        return self._index.pending_stores()

    def discard_pending(self, resume_key: str) -> bool:
        """Forget the unfinished stores of one file; False if there were none to forget.

        A store in progress right now is refused (cancel its transfer instead).
        """
        self._check()
        stores = [s.id for s in self._index.pending_stores() if s.resume_key == resume_key]
        if busy := [file_id for file_id in stores if file_id in self._live]:
            raise ConfigError(
                f"the file with resume key {resume_key!r} is being received right now "
                f"({len(busy)} store(s)); cancel that transfer instead",
                code="in-progress",
            )
        self._drop_pending(stores)
        return bool(stores)

    def clean_pending(self, max_age: float) -> int:
        """Drop unfinished stores that made no progress for ``max_age`` seconds."""
        self._check()
        cutoff = time.time() - max_age
        stale = [
            store.id
            for store in self._index.pending_stores()
            if store.updated < cutoff and store.id not in self._live
        ]
        self._drop_pending(stale)
        if stale:
            log.info("vault %s: removed %d abandoned unfinished file(s)", self.root, len(stale))
        return len(stale)

    def _drop_pending(self, file_ids: list[str]) -> None:
        """Row first, then staging: a crash between leaves a file the next open removes."""
        if not file_ids:
            return
        with self._index.transaction():
            for file_id in file_ids:
                self._index.delete_pending(file_id)
        for file_id in file_ids:
            (self._staging / file_id).unlink(missing_ok=True)
        fsync_dir(self._staging)

    def _require_own(self, writer: VaultWriter) -> None:
        if writer._owner is not self:
            raise ConfigError(f"{writer!r} belongs to another vault")

    def commit(self, writer: VaultWriter, sha256: bytes) -> StoredFile:
        """Store the file for good, atomically: afterwards it is listed whole, or not at all.

        ``sha256`` is the sender's digest; a size or digest mismatch raises IntegrityError
        and stores nothing.
        """
        self._check()
        self._require_own(writer)
        if not isinstance(sha256, bytes) or len(sha256) != 32:
            raise ConfigError("sha256 must be the 32-byte SHA-256 digest of the file")
        try:
            size, digest, data = writer._finish()
        except BaseException:
            self._discard(writer)
            raise
        if size != writer.size or digest != sha256:
            self._discard(writer)
            what = f"{size} of {writer.size} bytes" if size != writer.size else "a SHA-256"
            raise IntegrityError(
                f"{writer.path!r}: received {what} that does not match what the sender "
                "declared; nothing was stored"
            )
        record = replace(writer._record, sha256=digest)
        if data is not None:
            try:
                with self._index.transaction():
                    self._index.insert_file(record, file_key=None, data=data)
                    _faults.point("before-db-commit")
            except BaseException:
                self._discard(writer)
                raise
        else:
            self._commit_blob(writer, record)
        writer._mark_committed()
        _faults.point("after-db-commit")
        log.debug("stored %s (%d bytes, %s)", record.label, record.size, record.kind)
        return record

    def _commit_blob(self, writer: VaultWriter, record: StoredFile) -> None:
        staging = self._staging / record.id
        blob = self._blobs / record.id
        try:
            _faults.point("staging-synced")
            os.rename(staging, blob)
            _faults.point("after-rename")
            fsync_dir(self._blobs)
            fsync_dir(self._staging)
            with self._index.transaction():
                self._index.insert_file(record, file_key=writer._file_key, data=None)
                self._index.delete_pending(record.id)
                _faults.point("before-db-commit")
            self._live.discard(record.id)
        except BaseException as exc:
            blob.unlink(missing_ok=True)
            self._discard(writer)
            if isinstance(exc, OSError):
                raise storage_error("store", blob, exc) from exc
            raise

    def abort(self, writer: VaultWriter) -> None:
        """Drop an unfinished store: its staging file and pending row. Safe to call twice."""
        self._check()
        writer.abort()
        self._live.discard(writer.id)
        if writer.kind == "blob":
            with self._index.transaction():
                self._index.delete_pending(writer.id)

    def _discard(self, writer: VaultWriter) -> None:
        """Abort after a failed commit without hiding why it failed (the next open finishes)."""
        try:
            self.abort(writer)
        except (FerryError, OSError) as exc:
            log.warning("could not clean up %r: %s", writer, exc)

    def store_path(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        mime_type: str | None = None,
        peer: str = "",
    ) -> StoredFile:
        """Store a local file (read in 1 MiB blocks); a convenience for hosts and tests."""
        self._check()
        source = Path(path)
        name = source.name if name is None else name
        if mime_type is None:
            mime_type = mimetypes.guess_type(name)[0] or ""
        try:
            handle = source.open("rb")
        except FileNotFoundError:
            raise ConfigError(f"{source} does not exist", code="no-such-file") from None
        except OSError as exc:
            raise storage_error("read", source, exc) from exc
        with handle:
            writer = self.begin(
                name=name, size=os.fstat(handle.fileno()).st_size, mime_type=mime_type, peer=peer
            )
            try:
                block = bytearray(COPY_BLOCK)
                view = memoryview(block)
                while count := handle.readinto(block):
                    writer.write(view[:count])
            except OSError as exc:
                self.abort(writer)
                raise storage_error("read", source, exc) from exc
            except BaseException:
                self.abort(writer)
                raise
            return self.commit(writer, writer.sha256())

    # -- reading ----------------------------------------------------------------------

    def list(self) -> list[StoredFile]:
        """Every committed file, oldest first."""
        self._check()
        return self._index.list_files()

    def stat(self, file_id: str) -> StoredFile:
        """The record of one file; ConfigError if there is none."""
        self._check()
        if not isinstance(file_id, str) or not ID_PATTERN.fullmatch(file_id):
            raise ConfigError(
                f"{file_id!r} is not a vault file id (32 hex digits); list the vault to see ids",
                code="unknown-id",
            )
        record = self._index.get_file(file_id)
        if record is None:
            raise ConfigError(
                f"no file with id {file_id} in vault {self.root}; list the vault to see ids",
                code="unknown-id",
            )
        return record

    def _open_file(self, file_id: str) -> BinaryIO:
        """A seekable reader of the file's plaintext; every byte is authenticated first.

        TamperedError (naming the file) if the blob or its row was changed outside Ferry.
        """
        record = self.stat(file_id)
        file_key, data = self._index.file_secret(file_id)
        if record.kind == "inline":
            if (
                not isinstance(data, bytes)
                or len(data) != record.size
                or hashlib.sha256(data).digest() != record.sha256
            ):
                raise TamperedError(
                    f"{record.label}: its content does not match its recorded size and SHA-256; "
                    "the vault database was edited outside Ferry. Restore it from a backup"
                )
            return io.BytesIO(data)
        if not isinstance(file_key, bytes) or len(file_key) != 32:
            raise self._index.tampered(f"the key of {record.label} is malformed")
        reader = SegmentReader(self._blobs / file_id, file_key, file_id, label=record.label)
        if reader.info.size != record.size or reader.info.sha256 != record.sha256:
            reader.close()
            raise TamperedError(
                f"{record.label}: the index says {record.size} bytes with SHA-256 "
                f"{record.sha256.hex()[:16]}..., but the blob's authenticated trailer says "
                f"{reader.info.size} bytes with {reader.info.sha256.hex()[:16]}...; the vault "
                "database was edited outside Ferry. Restore it from a backup"
            )
        return io.BufferedReader(reader, buffer_size=reader.info.segment_size)  # type: ignore[return-value]

    def _read_through(self, record: StoredFile, sink: BinaryIO | None) -> None:
        """Read the whole file (into ``sink`` if given), checking its SHA-256 at the end."""
        sha = hashlib.sha256()
        block = bytearray(COPY_BLOCK)
        view = memoryview(block)
        with self._open_file(record.id) as source:
            while count := source.readinto(block):
                sha.update(view[:count])
                if sink is not None:
                    sink.write(view[:count])
        if sha.digest() != record.sha256:
            raise TamperedError(
                f"{record.label}: its content does not match its recorded SHA-256; "
                "restore it from a backup"
            )

    def export(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        """Write the plaintext to ``dest`` (a file, or a folder to put it in) atomically.

        Refuses to overwrite unless asked; a failed export leaves no partial file.
        """
        record = self.stat(file_id)
        target = Path(dest)
        if target.is_dir():
            target = target / record.name
        with atomic_file(target, overwrite=overwrite) as sink:
            self._read_through(record, sink)
        return target

    def verify(self, file_id: str | None = None) -> VerifyReport:
        """Re-read and authenticate one file, or the whole vault, and report what failed.

        For the whole vault, the database pages are checked first (TamperedError if they
        fail), then every file, then blobs that have no row.
        """
        self._check()
        if file_id is not None:
            records = [self.stat(file_id)]
        else:
            self._index.check_integrity()
            records = self._index.list_files()
        problems: list[Problem] = []
        for record in records:
            try:
                self._read_through(record, None)
            except TamperedError as exc:
                missing = record.kind == "blob" and not (self._blobs / record.id).exists()
                problems.append(
                    Problem(record.id, "missing-blob" if missing else "tampered", str(exc))
                )
        if file_id is None:
            rows = self._index.blob_ids()
            for entry in _entries(self._blobs):
                if entry.name in rows:
                    continue
                kind = "orphan-blob" if ID_PATTERN.fullmatch(entry.name) else "stray-file"
                problems.append(
                    Problem(
                        entry.name,
                        kind,
                        f"{entry} has no row in the index; reopening "
                        "the vault removes an orphan blob, a stray file can be deleted",
                    )
                )
        return VerifyReport(checked=len(records), problems=tuple(problems))

    # -- changing ---------------------------------------------------------------------

    def delete(self, file_id: str) -> None:
        """Remove a file: its row first (with its preview), then its blob."""
        record = self.stat(file_id)
        with self._index.transaction():
            self._index.delete_file(file_id)
        _faults.point("delete-after-db")
        if record.kind == "blob":
            blob = self._blobs / file_id
            try:
                blob.unlink(missing_ok=True)
                fsync_dir(self._blobs)
            except OSError as exc:  # the row is gone: the next open removes the orphan
                log.warning("could not remove %s: %s", blob, exc)

    def rekey(self, *, passphrase: str | None = None, key: bytes | None = None) -> None:
        """Lock the vault with a new passphrase or raw key; the old one stops working.

        Only the small key file is rewritten (atomically): the database and the blobs keep
        their keys, so this is instant whatever the vault's size.
        """
        self._check()
        write_keyfile(self.root / KEY_FILE, self._data_key, Secret.from_args(passphrase, key))

    def store_preview(self, file_id: str, data: bytes, mime: str, width: int, height: int) -> str:
        """Attach a preview image to a file (replacing any earlier one); return its id."""
        self.stat(file_id)
        if not isinstance(data, bytes) or not 0 < len(data) <= MAX_PREVIEW_BYTES:
            raise ConfigError(f"a preview must be 1..{MAX_PREVIEW_BYTES} bytes")
        _check_text("preview mime type", mime, MAX_MIME_LENGTH)
        for label, value in (("width", width), ("height", height)):
            if not isinstance(value, int) or not 0 < value <= 65535:
                raise ConfigError(f"preview {label} must be 1..65535, got {value!r}")
        preview_id = secrets.token_hex(16)
        with self._index.transaction():
            self._index.replace_preview(preview_id, file_id, data, mime, width, height)
        return preview_id

    def set_preview_error(self, file_id: str, reason: str) -> None:
        """Record why no preview could be made (shown instead of a preview)."""
        self.stat(file_id)
        _check_text("reason", reason, MAX_TEXT_LENGTH)
        with self._index.transaction():
            self._index.set_preview_error(file_id, reason)

    def open_preview(self, file_id: str) -> Preview:
        """The file's preview image; ConfigError (with the recorded reason) if it has none."""
        record = self.stat(file_id)
        found = self._index.get_preview(file_id)
        if found is None or record.preview_id is None:
            why = f": {record.preview_error}" if record.preview_error else ""
            raise ConfigError(f"{record.label} has no preview{why}", code="no-preview")
        mime, width, height, data = found
        return Preview(record.preview_id, file_id, mime, width, height, data)

    def export_preview(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        """Write the file's preview to ``dest`` (a file, or a folder) atomically."""
        preview = self.open_preview(file_id)
        target = Path(dest)
        if target.is_dir():
            target = target / _preview_name(self.stat(file_id), preview.mime)
        with atomic_file(target, overwrite=overwrite) as sink:
            sink.write(preview.data)
        return target


def _check_key_not_lost(root: Path) -> None:
    """A database without its key file is a vault whose key file was lost, not a new folder."""
    if (root / DB_FILE).exists():
        raise TamperedError(
            f"{root} has a vault database but no {KEY_FILE}: restore {KEY_FILE} from a "
            "backup, or, if creating this vault was interrupted, delete the folder and retry"
        )


def _check_creatable(root: Path) -> None:
    """A new vault goes only into a new or empty folder (or one a crashed creation left)."""
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root} is a file, not a vault folder", code="not-a-vault")
    if not root.exists():
        return
    _check_key_not_lost(root)
    ours = {LOCK_FILE, BLOBS, STAGING}
    foreign = [p.name for p in _entries(root) if p.name not in ours]
    if foreign or any(_entries(root / name) for name in (BLOBS, STAGING)):
        raise ConfigError(
            f"{root} is not empty and is not a Ferry vault; choose an empty or new folder",
            code="not-a-vault",
        )


def _preview_name(record: StoredFile, mime: str) -> str:
    stem = record.name.rsplit(".", 1)[0] if "." in record.name[1:] else record.name
    return f"{stem}.preview{mimetypes.guess_extension(mime) or ''}"


def _create(root: Path, secret: Secret) -> tuple[bytes, Index]:
    """Make a new vault in ``root``; the key file, written last, is what makes it one."""
    _check_creatable(root)
    try:
        for name in (BLOBS, STAGING):
            (root / name).mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise storage_error("create the vault folders in", root, exc) from exc
    data_key = secrets.token_bytes(32)
    index = Index.open(root / DB_FILE, data_key, create=True)
    try:
        write_keyfile(root / KEY_FILE, data_key, secret)
    except BaseException:
        index.close()
        (root / DB_FILE).unlink(missing_ok=True)
        raise
    log.info("created vault %s", root)
    return data_key, index


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise storage_error("list", folder, exc) from exc


def _check_text(what: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise ConfigError(f"{what} must be a string of at most {limit} characters")


def _owner_only(path: Path, mode: int) -> None:
    """Narrow ``path`` to ``mode`` when it allows more (and is ours to change)."""
    current = stat.S_IMODE(os.stat(path).st_mode)
    if current & ~mode:
        os.chmod(path, current & mode)
