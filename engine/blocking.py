"""A blocking facade over the Engine for hosts that do not run asyncio.

::

    with BlockingEngine(EngineConfig(output_dir="inbox")) as engine:
        peer = engine.connect(TcpSignaling("192.168.1.20", 9000, listen=False), code=code)
        result = peer.send("movie.mkv").result(timeout=600)

The Engine runs on a private event loop in a background thread; every call here hands its
work to that loop and waits for the answer, so the caller's thread is the only one that
blocks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from .config import EngineConfig
from .engine import Engine
from .offers import IncomingOffer
from .peer import Peer
from .signaling import Signaling
from .transfer import Transfer, TransferGroup, TransferProgress, TransferResult

T = TypeVar("T")


class _LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ferry-host", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, function: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return function()

        return self.run(wrapper())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class BlockingTransfer:
    """A :class:`~ferry.engine.transfer.Transfer` seen from a non-async thread."""

    def __init__(self, runner: _LoopThread, transfer: Transfer) -> None:
        self._runner = runner
        self._transfer = transfer
        self.name = transfer.name
        self.size = transfer.size

    @property
    def progress(self) -> TransferProgress:
        return self._transfer.progress

    def result(self, timeout: float | None = None) -> TransferResult:
        """Wait for the transfer; raises the FerryError that ended it, if one did."""

        async def wait() -> TransferResult:
            return await self._transfer

        try:
            return self._runner.run(wait(), timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{self.name} is still transferring") from None

    def cancel(self, reason: str = "cancelled by the user") -> None:
        self._runner.call(lambda: self._transfer.cancel(reason))

    def add_listener(self, listener: Callable[[Any], None]) -> None:
        """``listener`` is called on the engine's thread: keep it short and thread-safe."""
        self._runner.call(lambda: self._transfer.add_listener(listener))


class BlockingOffer:
    def __init__(self, runner: _LoopThread, offer: IncomingOffer) -> None:
        self._runner = runner
        self._offer = offer
        self.name, self.size, self.mime_type = offer.name, offer.size, offer.mime_type

    def accept(self) -> BlockingTransfer:
        return BlockingTransfer(self._runner, self._runner.call(self._offer.accept))

    def reject(self, reason: str = "rejected by the user") -> None:
        self._runner.call(lambda: self._offer.reject(reason))


class BlockingPeer:
    def __init__(self, runner: _LoopThread, peer: Peer) -> None:
        self._runner = runner
        self._peer = peer

    def send(self, path: str) -> list[BlockingTransfer]:
        """Send a file or a folder; one BlockingTransfer per file."""
        sent = self._runner.call(lambda: self._peer.send(path))
        transfers = list(sent) if isinstance(sent, TransferGroup) else [sent]
        return [BlockingTransfer(self._runner, transfer) for transfer in transfers]

    def offers(self, timeout: float | None = None) -> Iterator[BlockingOffer]:
        """Offers from the peer until it disconnects (or ``timeout`` passes between two)."""
        iterator = self._peer.offers().__aiter__()
        while True:
            try:
                offer = self._runner.run(iterator.__anext__(), timeout)
            except StopAsyncIteration:
                return
            yield BlockingOffer(self._runner, offer)

    def close(self) -> None:
        self._runner.run(self._peer.close())


class BlockingEngine:
    """Same engine, blocking calls. Use as a context manager, or call close()."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self._runner = _LoopThread()
        self._engine = self._runner.call(lambda: Engine(config))
        self._runner.run(self._engine.start())

    def __enter__(self) -> BlockingEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def connect(self, signaling: Signaling, **pairing: Any) -> BlockingPeer:
        """Pair (``code=``, ``secret=`` or ``trusted=True``), then connect: see Engine.connect."""
        connecting = self._engine.connect(signaling, **pairing)
        return BlockingPeer(self._runner, self._runner.run(connecting))

    def listen(self, signaling: Signaling, **pairing: Any) -> BlockingPeer:
        """Wait for a peer that pairs as ``pairing`` allows: see Engine.listen."""
        listening = self._engine.listen(signaling, **pairing)
        return BlockingPeer(self._runner, self._runner.run(listening))

    def close(self) -> None:
        if self._runner.thread.is_alive():
            self._runner.run(self._engine.close())
            self._runner.stop()
