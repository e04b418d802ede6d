"""The receiver's resume journal for a folder destination: one small JSON file per transfer.

An entry says which file a staging file belongs to (the sender's resume key, its declared
size and modification time) and how many of its bytes are durable (fsynced before the entry
was written). Entries are replaced atomically (temp file, fsync, rename), so after a crash an
entry is the old one or the new one, and never claims bytes that are not on disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingTransfer:
    """An unfinished incoming file that a new offer of the same file would resume.

    Folder destinations keep one per journal file; the vault keeps the same facts in its
    database (``actors.vault.PendingStore``), and hosts see both as this.
    """

    resume_key: str
    name: str
    size: int
    mtime_ms: int
    durable: int
    updated: float

    def matches(self, size: int, mtime_ms: int) -> bool:
        """The sender's file is the one staged: same size and modification time."""
        return (self.size, self.mtime_ms) == (size, mtime_ms)


def staging_stem(resume_key: str, transfer_id: bytes) -> str:
    """File-name stem for a transfer's staging: by resume key when there is one."""
    if resume_key:
        return "r-" + hashlib.sha256(resume_key.encode()).hexdigest()[:32]
    return "t-" + transfer_id.hex()


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, stem: str) -> Path:
        return self.folder / f"{stem}.json"

    def load(self, stem: str) -> PendingTransfer | None:
        try:
            data = json.loads(self._path(stem).read_text())
            return PendingTransfer(**data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, OSError) as exc:
            logger.warning("ignoring an unreadable journal entry %s: %s", stem, exc)
            return None

    def save(self, stem: str, entry: PendingTransfer) -> None:
        path = self._path(stem)
        temporary = path.with_suffix(".json.tmp")
        with open(temporary, "w") as out:
            json.dump(asdict(entry), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)

    def remove(self, stem: str) -> None:
        self._path(stem).unlink(missing_ok=True)

    def entries(self) -> dict[str, PendingTransfer]:
        """Every readable entry, by staging stem."""
        found = {}
        for path in sorted(self.folder.glob("*.json")):
            entry = self.load(path.stem)
            if entry is not None:
                found[path.stem] = entry
        return found


def new_entry(
    resume_key: str, name: str, size: int, mtime_ms: int, durable: int
) -> PendingTransfer:
    return PendingTransfer(resume_key, name, size, mtime_ms, durable, time.time())
