"""Transfer handles: what a host holds while a file moves, and what it gets at the end.

A :class:`Transfer` is awaitable (its :class:`TransferResult`, or the error that ended it),
cancellable, and reports :class:`TransferProgress` (bytes, rate, ETA) to listeners and to an
async iterator. Every method is called on the host's event loop; the Engine moves events
there from the Channel's thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ferry.actors.link.path import PathInfo
from ferry.errors import FerryError

#: How much weight a new rate sample gets in the smoothed rate (per progress event).
RATE_SMOOTHING = 0.3


@dataclass(frozen=True)
class TransferProgress:
    transfer_id: str
    name: str
    done: int
    size: int
    rate: float  # bytes per second, smoothed
    eta: float | None  # seconds, None while unknown
    elapsed: float

    @property
    def fraction(self) -> float:
        return 1.0 if self.size == 0 else self.done / self.size


@dataclass(frozen=True)
class TransferResult:
    transfer_id: str
    name: str
    direction: str  # "send" or "receive"
    size: int
    sha256: str  # hex
    stored_id: str  # relative path under the receiver's output folder, or a vault id
    seconds: float
    path: Path | None = None  # where the file is, on the receiving side
    #: Where the receiver accepted the file: non-zero when it resumed an earlier attempt
    #: (known on the sending side; bytes before it were not sent again).
    resumed_from: int = 0
    #: The authenticated peer the file came from or went to (None: unauthenticated).
    peer_id: str | None = None
    #: Which way the bytes went (ICE's pair: host, srflx or relay) and the measured round
    #: trip; None when unknown (ferry.actors.link.path.PathInfo).
    route: PathInfo | None = None
    #: Bytes sent twice: sent before a lost link but not kept by the receiver, so sent
    #: again after the reconnect (known on the sending side).
    resent: int = 0

    @property
    def rate(self) -> float:
        """Average bytes per second over the whole transfer."""
        return self.size / self.seconds if self.seconds > 0 else float("inf")


Listener = Callable[[TransferProgress | TransferResult | FerryError], None]


class Transfer:
    """One file moving to or from a peer."""

    def __init__(
        self,
        transfer_id: bytes,
        name: str,
        size: int,
        direction: str,
        cancel: Callable[[bytes, str], None],
    ) -> None:
        self.id = transfer_id
        self.name = name
        self.size = size
        self.direction = direction
        #: The authenticated peer on the other end (None: unauthenticated, tests only).
        self.peer_id: str | None = None
        self.route: PathInfo | None = None
        self._cancel = cancel
        self.loop = asyncio.get_running_loop()
        self._result: asyncio.Future[TransferResult] = self.loop.create_future()
        self._preview: asyncio.Future[Any] = self.loop.create_future()
        self._listeners: list[Listener] = []
        self._queues: list[asyncio.Queue[Any]] = []
        self._started = time.monotonic()
        self._last: tuple[float, int] | None = None
        self._rate = 0.0
        self.resumed_from = 0
        self.resent = 0
        self.accepted = False  # the receiver answered our offer with ACCEPT
        self.progress = TransferProgress(self.id.hex(), name, 0, size, 0.0, None, 0.0)

    def __repr__(self) -> str:
        return f"<Transfer {self.direction} {self.name!r} {self.progress.done}/{self.size}>"

    # -- host API ----------------------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, TransferResult]:
        return asyncio.shield(self._result).__await__()

    @property
    def done(self) -> bool:
        return self._result.done()

    def cancel(self, reason: str = "cancelled by the user") -> None:
        """Stop the transfer on both sides; awaiting it then raises TransferCancelled."""
        if not self._result.done():
            self._cancel(self.id, reason)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` with each progress report, then the result or the error.

        A file received into a vault with previews on may also get a ``PreviewReady``
        (engine.previews) after its result, when its thumbnail is stored.
        """
        self._listeners.append(listener)

    async def preview(self) -> Any:
        """Wait for the ``PreviewReady`` of a received file (None: not an image or video)."""
        return await asyncio.shield(self._preview)

    async def events(self) -> AsyncIterator[TransferProgress | TransferResult]:
        """Progress reports as they come, then the result (or the error is raised)."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._queues.append(queue)
        if self._result.done():
            queue.put_nowait(self._final())
        while True:
            item = await queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, TransferResult):
                return

    # -- fed by the Engine ---------------------------------------------------------------------

    def report_progress(self, done: int) -> None:
        now = time.monotonic()
        if self._last is not None and now > self._last[0] and done > self._last[1]:
            sample = (done - self._last[1]) / (now - self._last[0])
            self._rate = (
                sample
                if self._rate == 0
                else (RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * self._rate)
            )
        self._last = (now, done)
        eta = (self.size - done) / self._rate if self._rate > 0 else None
        self.progress = TransferProgress(
            self.id.hex(), self.name, done, self.size, self._rate, eta, now - self._started
        )
        self._publish(self.progress)

    def finish(self, *, sha256: bytes, stored_id: str, path: Path | None = None) -> None:
        if self._result.done():
            return
        self.report_progress(self.size)
        result = TransferResult(
            self.id.hex(),
            self.name,
            self.direction,
            self.size,
            sha256.hex(),
            stored_id,
            time.monotonic() - self._started,
            path,
            self.resumed_from,
            self.peer_id,
            self.route,
            self.resent,
        )
        self._result.set_result(result)
        self._publish(result)

    def fail(self, error: FerryError) -> None:
        if self._result.done():
            return
        self._result.set_exception(error)
        self._result.exception()  # retrieved: awaiting is optional for a host
        self._publish(error)

    def report_preview(self, ready: Any) -> None:
        """The preview's outcome; None for a file that is neither an image nor a video."""
        if not self._preview.done():
            self._preview.set_result(ready)
        if ready is not None:
            for listener in self._listeners:
                listener(ready)

    def _final(self) -> TransferResult | BaseException:
        exception = self._result.exception()
        return exception if exception is not None else self._result.result()

    def _publish(self, item: TransferProgress | TransferResult | FerryError) -> None:
        for listener in self._listeners:
            listener(item)
        for queue in self._queues:
            queue.put_nowait(item)


class TransferGroup:
    """The transfers of one folder: awaitable as a whole, cancellable as a whole."""

    def __init__(self, name: str, transfers: Iterable[Transfer]) -> None:
        self.name = name
        self.transfers = list(transfers)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.transfers)

    def __len__(self) -> int:
        return len(self.transfers)

    def __await__(self) -> Generator[Any, None, list[TransferResult]]:
        return self._gather().__await__()

    async def _gather(self) -> list[TransferResult]:
        results = await asyncio.gather(*self.transfers, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return list(results)  # type: ignore[arg-type]

    def cancel(self, reason: str = "cancelled by the user") -> None:
        for transfer in self.transfers:
            transfer.cancel(reason)


__all__ = [
    "Transfer",
    "TransferGroup",
    "TransferProgress",
    "TransferResult",
]
