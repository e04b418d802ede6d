"""File-system durability helpers: fsync a directory, write a file atomically, lock a vault.

The atomic write is Syncthing's recipe: temp file in the destination folder, fsync, rename,
fsync the folder. A crash leaves the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ferry.actors.storage.errors import StorageError
from ferry.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable (no-op where directories can't be opened)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: memoryview | bytes) -> None:
    """os.write may write less than asked; loop until every byte is out."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def storage_error(action: str, path: Path | str, exc: OSError) -> StorageError:
    """Turn an OSError into a message that says what failed and what to check."""
    hint = "check disk space" if exc.errno in {errno.ENOSPC, errno.EDQUOT} else "check the disk"
    reason = exc.strerror or str(exc)
    return StorageError(f"could not {action} {path}: {reason}; {hint} and permissions")


@contextlib.contextmanager
def atomic_file(dest: Path, *, overwrite: bool = False) -> Iterator[BinaryIO]:
    """Yield a temp file beside ``dest``; on success fsync it and rename it over ``dest``.

    Refuses (ConfigError) when ``dest`` exists and ``overwrite`` is false, both before
    writing and again just before the rename. On any error the temp file is removed.
    """
    if dest.exists() and not overwrite:
        raise ConfigError(
            f"{dest} already exists; choose another path or allow overwriting", code="exists"
        )
    if not dest.parent.is_dir():
        raise ConfigError(f"folder {dest.parent} does not exist", code="no-such-folder")
    tmp = dest.parent / f".{dest.name[:64]}.{secrets.token_hex(4)}.ferry-part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise storage_error("create", tmp, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if dest.exists() and not overwrite:
            raise ConfigError(
                f"{dest} appeared while writing it; nothing was overwritten", code="exists"
            )
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error("write", dest, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class DirectoryLock:
    """An exclusive lock on a vault folder, so two processes never recover or commit at once.

    The kernel drops the lock when the process dies, so a crash never leaves it stale.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise storage_error("open the lock file", path, exc) from exc
        if fcntl is None:  # pragma: no cover - Windows: no advisory lock, single user assumed
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._fd)
            self._fd = None
            raise StorageError(
                f"vault {path.parent} is already open (in this or another process); "
                "close it and retry",
                code="vault-busy",
            ) from exc

    def release(self) -> None:
        """Drop the lock (closing the descriptor releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
