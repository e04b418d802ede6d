"""What a peer sends: files checked and described before they are offered, and the queue
that keeps at most ``max_concurrent`` of them in flight.

Every request is kept until the peer closes, so a file cut off by a lost link can be
offered again once the peer has reconnected: the receiver resumes it from what it made
durable, and only the rest is sent.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import secrets
from pathlib import Path

from ferry.actors import commands as cmd
from ferry.errors import ConfigError
from ferry.protocol.names import name_problem

from .resume_keys import sender_key

logger = logging.getLogger(__name__)


def describe_file(path: Path, name: str, secret: bytes, receiver_id: str) -> cmd.SendFile:
    """Check that ``path`` can be sent as ``name`` and describe it; a clear error if not.

    Its resume key is keyed with this side's ``secret`` and bound to the receiver
    (:mod:`~ferry.engine.resume_keys`): it carries no hash of the path.
    """
    problem = name_problem(name)
    if problem is not None:
        raise ConfigError(f"cannot send {path}: {problem}")
    try:
        stat = path.stat()
        with open(path, "rb"):  # readable now, or a clear error now
            pass
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if not path.is_file():
        raise ConfigError(f"{path} is not a regular file")
    resolved = str(path.resolve())
    return cmd.SendFile(
        transfer_id=secrets.token_bytes(16),
        path=resolved,
        name=name,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        resume_key=sender_key(secret, receiver_id, resolved),
    )


def files_under(folder: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``folder``, with names relative to its parent.

    Symbolic links inside the folder are skipped, not followed: a tree from elsewhere (an
    unpacked archive, a shared folder) could otherwise send ``~/.ssh/id_ed25519``.
    """
    files: list[tuple[Path, str]] = []
    errors: list[OSError] = []
    skipped: list[str] = []
    for directory, subdirs, names in os.walk(folder, onerror=errors.append):
        subdirs.sort()
        skipped += [str(Path(directory) / d) for d in subdirs if Path(directory, d).is_symlink()]
        subdirs[:] = [d for d in subdirs if not Path(directory, d).is_symlink()]
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink():
                skipped.append(str(path))
            elif path.is_file():
                files.append((path, path.relative_to(folder.parent).as_posix()))
    if skipped:
        logger.warning(
            "not following %d symbolic links in %s: %s",
            len(skipped), folder, ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""),
        )  # fmt: skip
    if errors:
        error = errors[0]
        raise ConfigError(f"cannot read folder {error.filename}: {error.strerror}")
    return files


class SendQueue:
    """Requests waiting for one of ``max_concurrent`` slots, and every request ever made."""

    def __init__(self, max_concurrent: int) -> None:
        self.slots = asyncio.Semaphore(max_concurrent)
        self.requests: dict[bytes, cmd.SendFile] = {}  # every file sent, to offer again
        self.waiting: dict[bytes, cmd.SendFile] = {}  # not yet given a slot
        self.to_resume: set[bytes] = set()  # cut off by a lost link: offered again later

    def add(self, request: cmd.SendFile) -> None:
        self.requests[request.transfer_id] = request
        self.waiting[request.transfer_id] = request

    def take(self, transfer_id: bytes) -> cmd.SendFile | None:
        """The request leaves the waiting line (None if it was cancelled meanwhile)."""
        return self.waiting.pop(transfer_id, None)

    def cut_off(self, transfer_id: bytes) -> None:
        """The link dropped under this transfer: offer it again after reconnecting."""
        self.to_resume.add(transfer_id)

    def resumable(self) -> list[cmd.SendFile]:
        """The cut-off requests, in a stable order; the set is emptied."""
        requests = [self.requests[transfer_id] for transfer_id in sorted(self.to_resume)]
        self.to_resume.clear()
        return requests

    def clear(self) -> None:
        self.waiting.clear()
        self.to_resume.clear()
