"""Serve many peers at once on one listening socket: what ``ferry receive`` runs.

Each connection pairs on its own (with its own deadline, ``EngineConfig.handshake_timeout``),
so a client that sends nothing, or sends garbage, holds only its own connection for at
most that long; at most ``EngineConfig.max_peers`` are served at once and more are closed
as they arrive. All of them share one :class:`~ferry.engine.pairing.codebook.CodeSlot`:
one joiner at a time may try the code, and a tried code is replaced.

With ``once`` the listener stops after one sender, but a sender whose link was lost (not
one that said goodbye) is that sender still: it reconnects by itself and resumes, so the
listener waits up to ``return_seconds`` for that identity alone before it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ferry.actors.clock import SYSTEM_CLOCK, Clock
from ferry.errors import FerryError
from ferry.protocol.pairing import Reason
from ferry.protocol.pairing.messages import abort_notice

from .engine import Engine
from .pairing.codebook import CodeSlot
from .peer import Peer
from .signaling import TcpListener, TcpSignaling

logger = logging.getLogger(__name__)

#: With ``once``: how long a sender whose link was lost may take to come back. Its own
#: reconnects (EngineConfig.reconnect_attempts, delays doubling from 0.5 s to 8 s) span
#: about 16 s after its keepalive gives up; this leaves room for a slow pairing on top.
RETURN_SECONDS = 60.0


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
        return_seconds: float = RETURN_SECONDS,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        """``serve(peer)`` runs for each paired peer until it is done with it; ``failed``
        hears each connection that did not pair (where it came from, and why)."""
        self.engine = engine
        self.sockets = sockets
        self.codes = codes
        self._serve = serve
        self._failed = failed
        self.once = once
        self.return_seconds = return_seconds
        self.clock = clock
        self._returning: str | None = None  # once: the sender whose lost link may come back
        self._give_up: Any = None  # once: the timer that stops waiting for it
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
            done = self.once and self.served and self._returning is None
            if len(self._active) >= limit or done:
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
            if self._returning is None or peer.peer_id != self._returning:
                await peer.close()  # another sender got in first
                return
            self._returning = None  # the sender is back: serve it as before
            if self._give_up is not None:
                self._give_up.cancel()
        self.served += 1
        try:
            await self._serve(peer)
        finally:
            await peer.close()
            if self.once:
                self._after_once(peer)

    def _after_once(self, peer: Peer) -> None:
        """Stop, unless the link was lost: then wait a while for that sender alone."""
        if peer.peer_id is None or peer.peer_id not in self.engine.session_trust:
            self.stop()  # it said goodbye, or was closed here: it will not come back
            return
        self._returning = peer.peer_id
        logger.info(
            "the sender's link was lost: waiting up to %.0f s for it to reconnect",
            self.return_seconds,
        )
        self._give_up = self.clock.call_later(self.return_seconds, self.stop)
