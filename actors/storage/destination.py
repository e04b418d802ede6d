"""Where the Reassembler puts a received file: a staging area, then an atomic commit.

A destination hands out one :class:`Staging` per incoming transfer. Staging is written in
order, hashes what it is given, and either commits (the file appears whole, atomically,
under a name that is safe and does not replace anything) or aborts (nothing remains).
:class:`FolderDestination` writes plain files under an output folder; the vault is the
other destination.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ferry.actors.storage.errors import StorageError
from ferry.errors import ConfigError
from ferry.protocol.frames import Offer
from ferry.protocol.names import check_name, name_parts

from .journal import Journal, PendingTransfer, new_entry, staging_stem

logger = logging.getLogger(__name__)

STAGING_DIR = ".ferry-staging"
#: Staged bytes are the receiver's alone until they are whole and verified.
STAGING_MODE = 0o600
#: A received file: readable by others as the umask allows, writable only by its owner.
FILE_MODE = 0o644


class Staging(Protocol):
    #: Bytes staged so far: where the file continues.
    written: int

    def write(self, pieces: Sequence[bytes]) -> int:
        """Append ``pieces``; return the number of bytes now written."""

    def checkpoint(self) -> None:
        """Make what was written durable and record it, so a later offer can resume."""

    def sha256(self) -> bytes: ...

    def commit(self) -> str:
        """Make the file appear whole; return its stored id (a path or a vault id)."""

    def abort(self) -> None: ...

    def suspend(self) -> None:
        """The peer went away: keep what can be resumed (checkpoint), else drop it."""

    def close(self) -> None:
        """Release resources but keep the staged bytes (the actor is about to restart)."""


class Destination(Protocol):
    def open(self, offer: Offer, resume: int | None) -> Staging:
        """Staging for ``offer``.

        ``resume`` None: a new offer; continue from what an earlier attempt made durable for
        the same file, if anything. An int: a restarted Reassembler continues at that offset.
        """

    def discard(self, offer: Offer) -> None:
        """Remove whatever is staged for a transfer that will not finish."""

    def pending(self) -> list[PendingTransfer]:
        """Unfinished transfers that a new offer of the same file would resume."""

    def discard_pending(self, resume_key: str) -> bool:
        """Forget an unfinished transfer and its staged bytes; False if there was none."""


def _fsync_directory(path: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderDestination:
    """Received files become plain files under ``root``, keeping their relative paths.

    Unfinished files wait in ``root/.ferry-staging`` with a journal entry each (see
    :mod:`actors.journal`); an offer of the same file (same resume key, size and
    modification time) continues from the journal's durable offset.
    """

    def __init__(self, root: str | os.PathLike[str], *, max_age: float | None = None) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ConfigError(f"output folder {self.root} does not exist or is not a folder")
        self.staging_dir = self.root / STAGING_DIR
        self.journal = Journal(self.staging_dir)
        if max_age is not None and self.staging_dir.is_dir():
            self.clean(max_age)

    def pending(self) -> list[PendingTransfer]:
        """Unfinished transfers that a new offer of the same file would resume."""
        return sorted(self.journal.entries().values(), key=lambda entry: entry.updated)

    def discard_pending(self, resume_key: str) -> bool:
        """Forget an unfinished transfer and its staged bytes; False if there was none."""
        stem = staging_stem(resume_key, b"")
        found = self.journal.load(stem) is not None
        self._staging_path(stem).unlink(missing_ok=True)
        self.journal.remove(stem)
        return found

    def clean(self, max_age: float) -> int:
        """Remove staging not touched for ``max_age`` seconds (abandoned); return how many."""
        cutoff = time.time() - max_age
        removed = 0
        for path in self.staging_dir.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone meanwhile, or not ours to remove
        if removed:
            logger.info("removed %d abandoned staging files from %s", removed, self.staging_dir)
        return removed

    def _staging_path(self, stem: str) -> Path:
        return self.staging_dir / f"{stem}.part"

    def open(self, offer: Offer, resume: int | None) -> FolderStaging:
        self._check_name(offer.name)
        self.staging_dir.mkdir(mode=0o700, exist_ok=True)
        stem = staging_stem(offer.resume_key, offer.transfer_id)
        if resume is None:
            resume = self._journaled_offset(stem, offer)
        return FolderStaging(self, offer, stem, resume)

    def _journaled_offset(self, stem: str, offer: Offer) -> int:
        entry = self.journal.load(stem)
        if entry is None:
            return 0
        if not 0 <= entry.durable <= offer.size:
            logger.warning("ignoring a journal entry for %s that claims %d of %d bytes",
                           offer.name, entry.durable, offer.size)  # fmt: skip
            return 0
        if not entry.matches(offer.size, offer.mtime_ms):
            logger.warning(
                "%s changed at the sender since %d bytes of it were staged (size or "
                "modification time differ): receiving it again from the start",
                offer.name,
                entry.durable,
            )
            return 0
        logger.info("resuming %s at %d of %d bytes", offer.name, entry.durable, offer.size)
        return entry.durable

    def discard(self, offer: Offer) -> None:
        stem = staging_stem(offer.resume_key, offer.transfer_id)
        self._staging_path(stem).unlink(missing_ok=True)
        self.journal.remove(stem)

    def _check_name(self, name: str) -> list[str]:
        """The components of a name a sender may use here; the staging area is not one."""
        parts = name_parts(check_name(name))
        if parts[0].casefold() == STAGING_DIR.casefold():
            raise StorageError(f"{name!r} is inside {STAGING_DIR}, which is the receiver's own")
        return parts

    def final_path(self, name: str) -> Path:
        """The path for ``name`` under the root, refusing anything that escapes it.

        Each folder on the way is made, or, if it exists, must be a real folder: a symlink
        is never followed, so nothing is ever created or written outside the root.
        """
        parts = self._check_name(name)
        folder = self.root
        for part in parts[:-1]:
            folder = folder / part
            try:
                os.mkdir(folder)
            except FileExistsError:
                mode = os.lstat(folder).st_mode
                if not stat.S_ISDIR(mode):
                    kind = "a symlink" if stat.S_ISLNK(mode) else "not a folder"
                    raise StorageError(
                        f"{name!r}: {folder} is {kind}; nothing is written through it"
                    ) from None
        return folder / parts[-1]


class FolderStaging:
    def __init__(self, destination: FolderDestination, offer: Offer, stem: str, resume: int):
        self.destination = destination
        self.offer = offer
        self.stem = stem
        self.path = destination._staging_path(stem)
        self._sha = hashlib.sha256()
        if not 0 <= resume <= offer.size:
            raise StorageError(f"cannot resume {offer.name!r} at {resume} of {offer.size} bytes")
        try:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
            self.fd = os.open(self.path, flags | getattr(os, "O_NOFOLLOW", 0), STAGING_MODE)
            staged = os.fstat(self.fd).st_size
            if staged < resume:
                logger.warning("staging of %s is shorter than recorded: from zero", offer.name)
                resume = 0
            os.ftruncate(self.fd, resume)
            # Python's hashlib cannot save its state, so the staged prefix is read once
            # to rebuild it: at disk speed, a small price against the network's.
            self._rehash(resume)
            os.lseek(self.fd, resume, os.SEEK_SET)
        except OSError as exc:
            raise StorageError(f"cannot stage {offer.name!r}: {exc.strerror}") from None
        self.written = resume

    def _rehash(self, length: int) -> None:
        position = 0
        while position < length:
            block = os.pread(self.fd, min(1 << 20, length - position), position)
            if not block:
                raise StorageError(f"staging {self.path} ended early while re-reading it")
            self._sha.update(block)
            position += len(block)

    def write(self, pieces: Sequence[bytes]) -> int:
        # One buffer, one write, one hash update: hashlib releases the GIL for each update,
        # and re-taking it from the busy Channel loop per 16 KiB piece cost more (measured:
        # Ferry/ceiling 0.77..1.09 per piece, 0.99..1.01 joined) than this one copy.
        data = b"".join(pieces)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError as exc:
            raise StorageError(f"writing {self.offer.name!r} failed: {exc.strerror}") from None
        self._sha.update(data)
        self.written += len(data)
        return self.written

    def checkpoint(self) -> None:
        if not self.offer.resume_key:
            return  # nothing could ever resume it: spare the fsync
        try:
            os.fsync(self.fd)
            entry = new_entry(
                self.offer.resume_key,
                self.offer.name,
                self.offer.size,
                self.offer.mtime_ms,
                self.written,
            )
            self.destination.journal.save(self.stem, entry)
        except OSError as exc:
            raise StorageError(f"saving progress of {self.offer.name!r} failed: {exc}") from None

    def sha256(self) -> bytes:
        return self._sha.digest()

    def commit(self) -> str:
        try:
            os.fchmod(self.fd, FILE_MODE & ~_umask())
            os.fsync(self.fd)
            self.close()
            target = self.destination.final_path(self.offer.name)
            final = _move_without_replacing(self.path, target)
            _fsync_directory(final.parent)
            self.destination.journal.remove(self.stem)
            with contextlib.suppress(OSError):  # tidy up when no other transfer uses it
                self.path.parent.rmdir()
        except OSError as exc:
            raise StorageError(f"storing {self.offer.name!r} failed: {exc.strerror}") from None
        logger.info("stored %s (%d bytes)", final, self.written)
        return final.relative_to(self.destination.root).as_posix()

    def abort(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
        self.destination.journal.remove(self.stem)

    def suspend(self) -> None:
        if self.offer.resume_key:
            self.checkpoint()
            self.close()
        else:
            self.abort()  # nothing could ever resume it

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else the usual 022."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _move_without_replacing(source: Path, target: Path) -> Path:
    """Move ``source`` to ``target`` (or ``target (n)`` if taken), atomically.

    ``os.link`` fails when the name is taken, so nothing is ever replaced. On a file system
    without hard links the name is first claimed with an exclusive create (which also fails
    when it is taken), and the rename then replaces only that empty placeholder of ours.
    """
    for attempt in range(10_000):
        candidate = target if attempt == 0 else target.with_stem(f"{target.stem} ({attempt})")
        try:
            os.link(source, candidate, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:  # no hard links here
            try:
                placeholder = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(placeholder)
            os.replace(source, candidate)
            return candidate
        source.unlink()
        return candidate
    raise StorageError(f"no free name for {target.name} in {target.parent}")
