"""Two connected signaling endpoints in one process: two engines in one program, and tests.

Each endpoint may run on its own event loop; messages are copied through JSON as a real
wire would.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from ferry.protocol.errors import PeerGone

from .base import Signaling


class _InProcessEndpoint:
    """One end of an in-process pair; safe across threads and event loops."""

    def __init__(self) -> None:
        self.other: _InProcessEndpoint | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[dict[str, Any] | None] | None = None
        self._early: list[dict[str, Any] | None] = []

    async def open(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._queue = asyncio.Queue()
            for item in self._early:
                self._queue.put_nowait(item)
            self._early.clear()

    def _deliver(self, item: dict[str, Any] | None) -> None:
        with self._lock:
            if self._queue is None or self._loop is None:
                self._early.append(item)
            elif not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def send(self, message: dict[str, Any]) -> None:
        assert self.other is not None
        self.other._deliver(json.loads(json.dumps(message)))  # same copying as a real wire

    async def receive(self) -> dict[str, Any]:
        if self._queue is None:
            raise PeerGone("signaling is not open")
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)  # stay closed for later readers
            raise PeerGone("the peer closed the signaling connection")
        return item

    async def close(self) -> None:
        assert self.other is not None
        self.other._deliver(None)
        self._deliver(None)


def in_process_pair() -> tuple[Signaling, Signaling]:
    """Two connected signaling endpoints for two engines in one process."""
    first, second = _InProcessEndpoint(), _InProcessEndpoint()
    first.other, second.other = second, first
    return first, second
