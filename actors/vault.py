"""VaultActor: the vault in its own pykka thread, so every actor can reach it by proxy.

The SQLCipher connection is bound to the thread that opens it, so the vault is opened in
``on_start`` (the actor's thread), not in ``__init__``. A failure to open (wrong key,
tampered database) would otherwise only be logged by pykka, so it is kept and raised to
whoever asks next; :meth:`VaultActor.start_ready` starts the actor and raises it at once.

The Reassembler asks ``begin``, writes to the returned :class:`VaultWriter` from its own
thread, then asks ``commit`` (or ``abort``). Nothing here asks another actor, so an ask to
the vault cannot deadlock.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import pykka

from ferry.errors import FerryError

from .storage.vault.records import PendingStore, Preview, StoredFile, VerifyReport
from .storage.vault.store import Vault
from .storage.vault.writer import VaultWriter


class VaultActor(pykka.ThreadingActor):
    """Owns one open :class:`Vault`; its methods are the vault's, run on the actor's thread."""

    def __init__(self, directory: str | os.PathLike[str], **options: Any) -> None:
        super().__init__()
        self._directory = directory
        self._options: dict[str, Any] | None = options  # passphrase/key: dropped once open
        self._vault: Vault | None = None
        self._open_error: FerryError | None = None

    @classmethod
    def start_ready(
        cls, directory: str | os.PathLike[str], **options: Any
    ) -> pykka.ActorRef[VaultActor]:
        """Start the actor and wait until its vault is open; raise the error if it is not."""
        ref = cls.start(directory, **options)
        try:
            ref.proxy().ready().get()
        except BaseException:
            ref.stop()
            raise
        return ref

    def on_start(self) -> None:
        options, self._options = self._options or {}, None
        try:
            self._vault = Vault.open(self._directory, **options)
        except FerryError as exc:
            self._open_error = exc

    def on_stop(self) -> None:
        if self._vault is not None:
            self._vault.close()

    def on_failure(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.on_stop()

    def _open(self) -> Vault:
        if self._vault is None:
            assert self._open_error is not None
            raise self._open_error
        return self._vault

    def ready(self) -> None:
        """Return once the vault is open; raise why it could not be opened."""
        self._open()

    def begin(self, **options: Any) -> VaultWriter:
        return self._open().begin(**options)

    def suspend(self, writer: VaultWriter) -> int:
        return self._open().suspend(writer)

    def record_durable(self, writer: VaultWriter, durable: int) -> None:
        self._open().record_durable(writer, durable)

    def pending(self) -> list[PendingStore]:
        return self._open().pending()

    def discard_pending(self, resume_key: str) -> bool:
        return self._open().discard_pending(resume_key)

    def clean_pending(self, max_age: float) -> int:
        return self._open().clean_pending(max_age)

    def commit(self, writer: VaultWriter, sha256: bytes) -> StoredFile:
        return self._open().commit(writer, sha256)

    def abort(self, writer: VaultWriter) -> None:
        self._open().abort(writer)

    def list(self) -> list[StoredFile]:
        return self._open().list()

    def stat(self, file_id: str) -> StoredFile:
        return self._open().stat(file_id)

    def open(self, file_id: str) -> BinaryIO:
        """A reader usable from the caller's thread (it does file I/O and crypto only)."""
        return self._open().open(file_id)

    def export(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        return self._open().export(file_id, dest, overwrite=overwrite)

    def delete(self, file_id: str) -> None:
        self._open().delete(file_id)

    def verify(self, file_id: str | None = None) -> VerifyReport:
        return self._open().verify(file_id)

    def rekey(self, *, passphrase: str | None = None, key: bytes | None = None) -> None:
        self._open().rekey(passphrase=passphrase, key=key)

    def store_path(self, path: str | os.PathLike[str], **options: Any) -> StoredFile:
        return self._open().store_path(path, **options)

    def store_preview(self, file_id: str, data: bytes, mime: str, width: int, height: int) -> str:
        return self._open().store_preview(file_id, data, mime, width, height)

    def set_preview_error(self, file_id: str, reason: str) -> None:
        self._open().set_preview_error(file_id, reason)

    def open_preview(self, file_id: str) -> Preview:
        return self._open().open_preview(file_id)

    def export_preview(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> Path:
        return self._open().export_preview(file_id, dest, overwrite=overwrite)
