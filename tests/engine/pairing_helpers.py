"""Test helpers for pairing over real signaling: driving a ManualClock, and a TCP relay
on 127.0.0.1 that sits between the two sides' signaling and may tamper with it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from ferry.actors.clock import ManualClock

#: (direction, index in that direction, line) -> the lines to forward instead.
TamperFn = Callable[[str, int, bytes], list[bytes]]


async def advance_until_done(
    clock: ManualClock, *tasks: asyncio.Task[object], step: float = 10.0
) -> None:
    """Let time pass in steps, whenever someone waits on the clock, until the tasks end."""
    while not all(t.done() for t in tasks):
        waiter = asyncio.ensure_future(clock.wait_sleeping())
        await asyncio.wait({waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            continue
        await asyncio.sleep(0)  # let anything already in flight land first
        clock.advance(step)


class TamperingRelay:
    """Accepts the joiner on 127.0.0.1, connects to the waiter, and forwards JSON lines
    both ways through ``tamper``. Records every line it carried."""

    def __init__(self, upstream_port: int, tamper: TamperFn | None = None) -> None:
        self.upstream_port = upstream_port
        self.tamper = tamper
        self.lines: list[tuple[str, bytes]] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._on_client, "127.0.0.1", 0, limit=1 << 21)
        return int(self._server.sockets[0].getsockname()[1])

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port, limit=1 << 21
        )
        self._writers += [writer, up_writer]
        for task in (
            asyncio.ensure_future(self._pump("to-waiter", reader, up_writer)),
            asyncio.ensure_future(self._pump("to-joiner", up_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self, direction: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        index = 0
        try:
            while line := await reader.readline():
                self.lines.append((direction, line))
                out = self.tamper(direction, index, line) if self.tamper else [line]
                index += 1
                for item in out:
                    writer.write(item)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
