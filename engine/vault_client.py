"""The engine's vault seen from the host's event loop.

The vault lives in its own actor (its SQLCipher connection is bound to that thread), so a
host reaches it through the actor: each call here runs there and is awaited without
blocking the host loop. When no engine is running, use :class:`actors.vault.Vault`
directly.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pykka

from ferry.actors.storage.vault import Preview, StoredFile, VerifyReport


class VaultClient:
    def __init__(self, ref: pykka.ActorRef[Any]) -> None:
        self._vault = ref.proxy()

    async def _call(self, future: pykka.Future[Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, future.get)

    async def list(self) -> list[StoredFile]:
        return await self._call(self._vault.list())

    async def stat(self, file_id: str) -> StoredFile:
        return await self._call(self._vault.stat(file_id))

    async def export(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> os.PathLike[str]:
        return await self._call(self._vault.export(file_id, dest, overwrite=overwrite))

    async def delete(self, file_id: str) -> None:
        await self._call(self._vault.delete(file_id))

    async def verify(self, file_id: str | None = None) -> VerifyReport:
        return await self._call(self._vault.verify(file_id))

    async def open_preview(self, file_id: str) -> Preview:
        return await self._call(self._vault.open_preview(file_id))

    async def export_preview(
        self, file_id: str, dest: str | os.PathLike[str], *, overwrite: bool = False
    ) -> os.PathLike[str]:
        return await self._call(self._vault.export_preview(file_id, dest, overwrite=overwrite))
