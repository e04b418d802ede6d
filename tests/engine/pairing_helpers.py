"""Test helpers for pairing over real signaling: a clock the test drives, and a TCP relay
on 127.0.0.1 that sits between the two sides' signaling and may tamper with it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

#: (direction, index in that direction, line) -> the lines to forward instead.
TamperFn = Callable[[str, int, bytes], list[bytes]]


class ManualClock:
    """Time moves only when the test says so; sleepers wake when it passes their time."""

    def __init__(self) -> None:
        self.time = 1000.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._changed = asyncio.Event()

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        entry = (self.time + seconds, future)
        self._sleepers.append(entry)
        self._changed.set()
        try:
            await future
        finally:
            self._sleepers.remove(entry)

    async def wait_for_sleeper(self) -> None:
        while not self._sleepers:
            self._changed.clear()
            await self._changed.wait()

    def advance(self, seconds: float) -> None:
        self.time += seconds
        for when, future in list(self._sleepers):
            if when <= self.time and not future.done():
                future.set_result(None)


async def advance_until_done(
    clock: ManualClock, *tasks: asyncio.Task[object], step: float = 10.0
) -> None:
    """Let time pass in steps, whenever someone waits on the clock, until the tasks end."""
    while not all(t.done() for t in tasks):
        waiter = asyncio.ensure_future(clock.wait_for_sleeper())
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
