"""The vault as the Reassembler's destination: received bytes go straight into encryption.

The Reassembler writes into a :class:`~actors.vault.VaultWriter` (crypto and file I/O only,
safe from its own thread); ``begin``, ``commit`` and ``abort`` touch the SQLCipher index, so
they run on the :class:`~actors.vault.actor.VaultActor`'s thread by ``ask``. That ask is
safe: the vault never asks anyone, so no cycle can deadlock. No plaintext ever reaches the
disk: the vault's staging is already encrypted.

Writers are kept here by transfer id, outside the Reassembler, so a Reassembler that crashes
and is restarted continues with the same writer where the dead one stopped. A transfer cut
off with its peer is suspended: the vault keeps its durable prefix (encrypted, in its
staging folder, with a pending row), and a new offer of the same file, from this process or
a later one, continues it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pykka

from ferry.actors.storage.errors import StorageError
from ferry.errors import FerryError
from ferry.protocol.frames import Offer

from .journal import PendingTransfer
from .vault import PendingStore, VaultWriter

logger = logging.getLogger(__name__)

ASK_TIMEOUT = 120.0  # a commit fsyncs; a stuck vault must not hang a transfer forever


class VaultDestination:
    def __init__(self, vault: pykka.ActorRef[Any], peer: str = "") -> None:
        self.vault = vault.proxy()
        self.peer = peer
        self._writers: dict[bytes, VaultWriter] = {}
        self._lock = threading.Lock()

    def open(self, offer: Offer, resume: int | None) -> VaultStaging:
        with self._lock:
            writer = self._writers.get(offer.transfer_id)
        if writer is None:
            if resume:
                raise StorageError("nothing staged in the vault to resume from")
            writer = self._ask(
                self.vault.begin(
                    name=offer.name,
                    size=offer.size,
                    mime_type=offer.mime_type,
                    peer=self.peer,
                    resume_key=offer.resume_key,
                    mtime_ms=offer.mtime_ms,
                )
            )
            with self._lock:
                self._writers[offer.transfer_id] = writer
        elif resume is not None and writer.bytes_written < resume:
            raise StorageError(f"the vault holds {writer.bytes_written} bytes, fewer than {resume}")
        return VaultStaging(self, offer.transfer_id, writer)

    def discard(self, offer: Offer) -> None:
        self._discard(offer.transfer_id)

    def pending(self) -> list[PendingTransfer]:
        """Unfinished stores a new offer of the same file would resume."""
        return pending_transfers(self._ask(self.vault.pending()))

    def discard_pending(self, resume_key: str) -> bool:
        """Forget an unfinished store and its staged bytes; False if there was none."""
        return bool(self._ask(self.vault.discard_pending(resume_key)))

    def _discard(self, transfer_id: bytes) -> None:
        with self._lock:
            writer = self._writers.pop(transfer_id, None)
        if writer is not None:
            try:
                self._ask(self.vault.abort(writer))
            except FerryError as exc:
                logger.warning("could not discard %r: %s", writer, exc.message)

    def _forget(self, transfer_id: bytes) -> None:
        with self._lock:
            self._writers.pop(transfer_id, None)

    @staticmethod
    def _ask(future: pykka.Future[Any]) -> Any:
        try:
            return future.get(timeout=ASK_TIMEOUT)
        except pykka.ActorDeadError:
            raise StorageError("the vault is closed") from None
        except pykka.Timeout:
            raise StorageError(f"the vault did not answer within {ASK_TIMEOUT:g}s") from None


def pending_transfers(stores: Sequence[PendingStore]) -> list[PendingTransfer]:
    """The vault's resumable unfinished stores, seen as a folder's pending transfers are."""
    return [
        PendingTransfer(s.resume_key, s.path, s.size, s.mtime_ms, s.durable, s.updated)
        for s in stores
        if s.resume_key
    ]


class VaultStaging:
    def __init__(self, destination: VaultDestination, transfer_id: bytes, writer: VaultWriter):
        self.destination = destination
        self.transfer_id = transfer_id
        self.writer = writer

    @property
    def written(self) -> int:
        return self.writer.bytes_written

    def write(self, pieces: Sequence[bytes]) -> int:
        # One call per batch, as in FolderStaging.write: fewer GIL hand-offs.
        self.writer.write(b"".join(pieces))
        return self.writer.bytes_written

    def sha256(self) -> bytes:
        return self.writer.sha256()

    def commit(self) -> str:
        try:
            record = self.destination._ask(
                self.destination.vault.commit(self.writer, self.writer.sha256())
            )
        finally:
            self.destination._forget(self.transfer_id)
        return str(record.id)

    def abort(self) -> None:
        self.destination._discard(self.transfer_id)

    def checkpoint(self) -> None:
        if not self.writer.resume_key or self.writer.kind != "blob":
            return  # nothing could ever resume it: spare the fsync
        durable = self.writer.sync()  # here, so the vault's thread does not wait on the disk
        self.destination._ask(self.destination.vault.record_durable(self.writer, durable))

    def suspend(self) -> None:
        try:
            self.destination._ask(self.destination.vault.suspend(self.writer))
        finally:
            self.destination._forget(self.transfer_id)

    def close(self) -> None:
        """Nothing to release: the writer stays with the destination for a restart."""
