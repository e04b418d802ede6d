"""The SQLCipher index: one row per stored file, previews, and unfinished stores.

The connection belongs to the thread that opened it. Every SQLCipher error leaves this
module as a Ferry error: an unreadable page (failed HMAC, corrupted or edited file) is a
:class:`TamperedError` naming the database, anything else a :class:`StorageError`. The key
given here has already been checked by the key file, so "not a database" means tampering,
never a wrong key.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlcipher3

from ferry.actors.storage.errors import StorageError, TamperedError
from ferry.errors import FerryError
from ferry.protocol.names import name_problem

from .records import PendingStore, StoredFile

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
ID_PATTERN = re.compile(r"[0-9a-f]{32}")
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    mime_type TEXT NOT NULL,
    sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
    created REAL NOT NULL,
    peer TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('inline', 'blob')),
    file_key BLOB,
    data BLOB,
    preview_id TEXT,
    preview_error TEXT,
    CHECK ((kind = 'inline' AND data IS NOT NULL AND file_key IS NULL)
        OR (kind = 'blob' AND data IS NULL AND length(file_key) = 32))
) STRICT;
CREATE TABLE previews (
    id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL
) STRICT;
CREATE INDEX previews_by_file ON previews (file_id);
CREATE TABLE pending (
    id TEXT PRIMARY KEY,
    file_key BLOB NOT NULL CHECK (length(file_key) = 32),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime_type TEXT NOT NULL,
    peer TEXT NOT NULL,
    created REAL NOT NULL,
    resume_key TEXT NOT NULL DEFAULT '',
    mtime_ms INTEGER NOT NULL DEFAULT 0,
    durable INTEGER NOT NULL DEFAULT 0 CHECK (durable >= 0),
    updated REAL NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pending_by_resume_key ON pending (resume_key);
"""
#: Version 1 had no resume: its pending rows only ever said "drop me on the next open".
_MIGRATE_FROM_1 = """
ALTER TABLE pending ADD COLUMN resume_key TEXT NOT NULL DEFAULT '';
ALTER TABLE pending ADD COLUMN mtime_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending ADD COLUMN durable INTEGER NOT NULL DEFAULT 0 CHECK (durable >= 0);
ALTER TABLE pending ADD COLUMN updated REAL NOT NULL DEFAULT 0;
CREATE INDEX pending_by_resume_key ON pending (resume_key);
UPDATE meta SET value = '2' WHERE key = 'schema_version';
"""
_TABLES = {"meta", "files", "previews", "pending"}
_FILE_COLUMNS = (
    "id, name, path, size, mime_type, sha256, created, peer, kind, preview_id, preview_error"
)

P = ParamSpec("P")
R = TypeVar("R")


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """Run an Index method with SQLCipher errors turned into Ferry errors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        index = args[0]
        assert isinstance(index, Index)
        with index.errors():
            return method(*args, **kwargs)

    return wrapper


class Index:
    """Data access for the vault's SQLCipher database; no policy lives here."""

    def __init__(self, connection: sqlcipher3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Translate SQLCipher errors met inside the block."""
        try:
            yield
        except sqlcipher3.DatabaseError as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: sqlcipher3.DatabaseError) -> FerryError:
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return self.tampered(f"it cannot be read ({exc})")
        return StorageError(f"vault database {self.path} failed: {exc}; check the disk")

    def tampered(self, what: str) -> TamperedError:
        return TamperedError(
            f"vault database {self.path}: {what}. It was changed or damaged outside Ferry; "
            "restore the vault folder from a backup"
        )

    @classmethod
    def open(cls, path: Path, data_key: bytes, *, create: bool) -> Index:
        """Open (or create) the database with the unwrapped data key and check its schema."""
        try:
            # SQLite creates the file with the umask's mode (0644) and its -wal and -shm
            # files with the same mode as the database: make it the owner's alone first.
            if create:
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            if path.exists() and stat.S_IMODE(os.stat(path).st_mode) & 0o077:
                os.chmod(path, 0o600)
            connection = sqlcipher3.connect(str(path), isolation_level=None)
        except OSError as exc:
            raise StorageError(f"cannot open vault database {path}: {exc.strerror}") from exc
        except sqlcipher3.Error as exc:
            raise StorageError(f"cannot open vault database {path}: {exc}") from exc
        index = cls(connection, path)
        try:
            index._prepare(data_key, create=create)
        except BaseException:
            connection.close()
            raise
        return index

    @_translated
    def _prepare(self, data_key: bytes, *, create: bool) -> None:
        db = self._db
        db.execute("PRAGMA cipher_log_level = NONE")  # errors are raised, not printed
        db.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        # WAL: one fsync per commit (a quarter of the time of a rollback journal here);
        # synchronous=FULL keeps every commit durable once it returns.
        pragmas = (
            "journal_mode = WAL",
            "synchronous = FULL",
            "temp_store = MEMORY",
            "foreign_keys = ON",
            "secure_delete = ON",
        )
        for pragma in pragmas:
            db.execute(f"PRAGMA {pragma}")
        if not tables and create:
            db.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} "
                f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
            )
            return
        if missing := _TABLES - tables:
            raise self.tampered(f"tables {sorted(missing)} are missing")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0] == "1":
            db.executescript(f"BEGIN IMMEDIATE; {_MIGRATE_FROM_1} COMMIT;")
            log.info("vault database %s upgraded to schema version 2", self.path)
            return
        if row is None or row[0] != str(SCHEMA_VERSION):
            raise StorageError(
                f"vault database {self.path} has schema version {row and row[0]!r}; this "
                f"Ferry reads version {SCHEMA_VERSION}. Use the Ferry that wrote it"
            )

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self.errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- files -------------------------------------------------------------------------

    def _record(self, row: tuple[Any, ...]) -> StoredFile:
        """Build a StoredFile, refusing a row no Ferry could have written."""
        record = StoredFile(*row)
        valid = (
            isinstance(record.id, str)
            and ID_PATTERN.fullmatch(record.id) is not None
            and isinstance(record.sha256, bytes)
            and len(record.sha256) == 32
            and isinstance(record.size, int)
            and record.size >= 0
            and record.kind in ("inline", "blob")
            and name_problem(record.path) is None
            and record.name == record.path.rsplit("/", 1)[-1]
        )
        if not valid:
            raise self.tampered(f"the row of file {record.id!r} is malformed")
        return record

    @_translated
    def insert_file(
        self, record: StoredFile, *, file_key: bytes | None, data: bytes | None
    ) -> None:
        self._db.execute(
            f"INSERT INTO files ({_FILE_COLUMNS}, file_key, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.name,
                record.path,
                record.size,
                record.mime_type,
                record.sha256,
                record.created,
                record.peer,
                record.kind,
                record.preview_id,
                record.preview_error,
                file_key,
                data,
            ),
        )

    @_translated
    def get_file(self, file_id: str) -> StoredFile | None:
        row = self._db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE id = ?", (file_id,))
        found = row.fetchone()
        return None if found is None else self._record(found)

    @_translated
    def file_secret(self, file_id: str) -> tuple[bytes | None, bytes | None]:
        """(per-file key, inline data) of a file; only one of them is set."""
        row = self._db.execute("SELECT file_key, data FROM files WHERE id = ?", (file_id,))
        found = row.fetchone()
        return (None, None) if found is None else (found[0], found[1])

    @_translated
    def list_files(self) -> list[StoredFile]:
        rows = self._db.execute(f"SELECT {_FILE_COLUMNS} FROM files ORDER BY created, id")
        return [self._record(row) for row in rows]

    @_translated
    def blob_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT id FROM files WHERE kind = 'blob'")}

    @_translated
    def delete_file(self, file_id: str) -> None:
        self._db.execute("DELETE FROM files WHERE id = ?", (file_id,))

    # -- previews ----------------------------------------------------------------------

    @_translated
    def replace_preview(
        self, preview_id: str, file_id: str, data: bytes, mime: str, width: int, height: int
    ) -> None:
        self._db.execute("DELETE FROM previews WHERE file_id = ?", (file_id,))
        self._db.execute(
            "INSERT INTO previews (id, file_id, mime, width, height, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (preview_id, file_id, mime, width, height, data),
        )
        self._db.execute(
            "UPDATE files SET preview_id = ?, preview_error = NULL WHERE id = ?",
            (preview_id, file_id),
        )

    @_translated
    def set_preview_error(self, file_id: str, reason: str) -> None:
        self._db.execute("DELETE FROM previews WHERE file_id = ?", (file_id,))
        self._db.execute(
            "UPDATE files SET preview_id = NULL, preview_error = ? WHERE id = ?", (reason, file_id)
        )

    @_translated
    def get_preview(self, file_id: str) -> tuple[str, int, int, bytes] | None:
        """(mime, width, height, data) of the file's preview."""
        row = self._db.execute(
            "SELECT p.mime, p.width, p.height, p.data FROM files f "
            "JOIN previews p ON p.id = f.preview_id WHERE f.id = ?",
            (file_id,),
        ).fetchone()
        return None if row is None else tuple(row)

    # -- unfinished stores -------------------------------------------------------------

    @_translated
    def insert_pending(
        self, record: StoredFile, file_key: bytes, *, resume_key: str = "", mtime_ms: int = 0
    ) -> None:
        self._db.execute(
            "INSERT INTO pending (id, file_key, name, path, size, mime_type, peer, created, "
            "resume_key, mtime_ms, durable, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (
                record.id,
                file_key,
                record.name,
                record.path,
                record.size,
                record.mime_type,
                record.peer,
                record.created,
                resume_key,
                mtime_ms,
                record.created,
            ),
        )

    @_translated
    def set_durable(self, file_id: str, durable: int, updated: float) -> None:
        self._db.execute(
            "UPDATE pending SET durable = ?, updated = ? WHERE id = ?", (durable, updated, file_id)
        )

    @_translated
    def pending_stores(self) -> list[PendingStore]:
        """Every unfinished store, least recently updated first."""
        rows = self._db.execute(
            "SELECT id, resume_key, path, size, mime_type, peer, created, mtime_ms, durable, "
            "updated FROM pending ORDER BY updated, id"
        )
        return [self._pending_record(tuple(row)) for row in rows]

    @_translated
    def pending_key(self, file_id: str) -> bytes:
        row = self._db.execute("SELECT file_key FROM pending WHERE id = ?", (file_id,)).fetchone()
        if row is None or not isinstance(row[0], bytes) or len(row[0]) != 32:
            raise self.tampered(f"the unfinished store {file_id} has no valid key")
        return row[0]

    def _pending_record(self, row: tuple[Any, ...]) -> PendingStore:
        record = PendingStore(*row)
        valid = (
            ID_PATTERN.fullmatch(str(record.id)) is not None
            and isinstance(record.size, int)
            and isinstance(record.durable, int)
            and 0 <= record.durable <= record.size
            and isinstance(record.path, str)
            and name_problem(record.path) is None
        )
        if not valid:
            raise self.tampered(f"the unfinished store {record.id!r} has an impossible row")
        return record

    @_translated
    def delete_pending(self, file_id: str) -> None:
        self._db.execute("DELETE FROM pending WHERE id = ?", (file_id,))

    # -- checks ------------------------------------------------------------------------

    @_translated
    def check_integrity(self) -> None:
        """Authenticate every page (HMAC) and check the b-tree; TamperedError if anything fails."""
        failures = [row[0] for row in self._db.execute("PRAGMA cipher_integrity_check")]
        if failures:
            raise self.tampered("; ".join(failures[:5]))
        result = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise self.tampered("; ".join(result[:5]))
