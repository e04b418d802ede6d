"""Private files written whole: 0600, atomic (temp, fsync, rename, fsync the folder), and
a lock for read-modify-write, as Syncthing writes its own state."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ferry.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover -- Windows: no advisory locks, last writer wins
    fcntl = None  # type: ignore[assignment]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(folder: Path) -> None:
    try:
        folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Write ``data`` to ``path`` whole, mode 0600. With ``exclusive``, never replace an
    existing file: return False (and write nothing) when one is already there."""
    ensure_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            try:
                os.link(temp, path)  # fails if another process made it first
            except FileExistsError:
                return False
        else:
            os.replace(temp, path)
        _fsync_dir(path.parent)
        return True
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def check_private(path: Path) -> None:
    """Refuse a secret file that other users can read (as ssh does)."""
    if os.name != "posix":  # pragma: no cover
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} can be read by other users (mode {mode:o}); run: chmod 600 {path}"
        )


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock beside ``path`` (``path.lock``) for a read-modify-write."""
    ensure_private_dir(path.parent)
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
