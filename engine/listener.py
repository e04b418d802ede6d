"""Serve many peers at once on one listening socket: what ``ferry receive`` runs.

Each connection pairs on its own (with its own deadline, ``EngineConfig.handshake_timeout``),
so a client that sends nothing, or sends garbage, holds only its own connection for at
most that long; at most ``EngineConfig.max_peers`` are served at once and more are closed
as they arrive. All of them share one :class:`~ferry.engine.pairing.codebook.CodeSlot`:
one joiner at a time may try the code, and a tried code is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ferry.errors import FerryError
from ferry.protocol.pairing import Reason
from ferry.protocol.pairing.messages import abort_notice

from .engine import Engine
from .pairing.codebook import CodeSlot
from .peer import Peer
from .signaling import TcpListener, TcpSignaling

logger = logging.getLogger(__name__)


class Listener:
    """Accept, pair and serve peers until stopped (or, with ``once``, after one peer)."""

    def __init__(
        self,
        engine: Engine,
        sockets: TcpListener,
        codes: CodeSlot,
        *,
        serve: Callable[[Peer], Awaitable[None]],
        failed: Callable[[str, FerryError], None] = lambda where, error: None,
        once: bool = False,
    ) -> None:
        """``serve(peer)`` runs for each paired peer until it is done with it; ``failed``
        hears each connection that did not pair (where it came from, and why)."""
        self.engine = engine
        self.sockets = sockets
        self.codes = codes
        self._serve = serve
        self._failed = failed
        self.once = once
        self.served = 0
        self.refused = 0  # connections closed because max_peers were being served
        self._active: set[asyncio.Task[Any]] = set()
        self._stopped = asyncio.Event()

    @property
    def active(self) -> int:
        return len(self._active)

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        accepting = asyncio.create_task(self._accept())
        try:
            await self._stopped.wait()
        finally:
            accepting.cancel()
            tasks = [accepting, *self._active]
            for task in self._active:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept(self) -> None:
        limit = self.engine.config.max_peers
        while True:
            signaling = await self.sockets.accept()
            if len(self._active) >= limit or (self.once and self.served):
                self.refused += 1
                logger.warning(
                    "refused a connection from %s:%s: already serving %d peers",
                    signaling.host, signaling.port, len(self._active),
                )  # fmt: skip
                with contextlib.suppress(Exception):  # say why, best effort, then close
                    await asyncio.wait_for(signaling.send(abort_notice(Reason.BUSY)), 1)
                await signaling.close()
                continue
            task = asyncio.create_task(self._one(signaling))
            self._active.add(task)
            task.add_done_callback(self._active.discard)

    async def _one(self, signaling: TcpSignaling) -> None:
        where = f"{signaling.host}:{signaling.port}"
        try:
            peer = await self.engine.listen(signaling, codes=self.codes, trusted=True)
        except FerryError as exc:
            with contextlib.suppress(Exception):
                await signaling.close()
            self._failed(where, exc)
            return
        if self.once and self.served:
            await peer.close()  # another sender got in first
            return
        self.served += 1
        try:
            await self._serve(peer)
        finally:
            await peer.close()
            if self.once:
                self.stop()
