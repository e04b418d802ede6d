"""Signaling: how two engines exchange the SDP offer and answer that set up WebRTC.

Ferry needs very little of it: one offer, one answer, and then a connection that stays
open so each side learns at once when the other goes away (a closed signaling connection
is how a killed peer is noticed within a second instead of after ICE's 30-second consent
timeout). Any object with the four coroutines of :class:`Signaling` will do; two come
with Ferry:

- :class:`TcpSignaling`: JSON lines over TCP, one side listening, for the command line.
- :func:`in_process_pair`: two connected endpoints in one program, for tests and for
  embedding two engines in one process (each may run on its own event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import threading
from collections.abc import Callable
from typing import Any, Protocol

from ferry.errors import ConfigError
from ferry.protocol.errors import PeerGone, ProtocolError

MAX_SIGNAL_BYTES = 1 << 20  # an SDP is a few KB; anything near this is not one


class Signaling(Protocol):
    async def open(self) -> None:
        """Connect to the peer, or wait until it connects."""

    async def send(self, message: dict[str, Any]) -> None: ...

    async def receive(self) -> dict[str, Any]:
        """The next message; raises :class:`PeerGone` when the peer has gone away."""

    async def close(self) -> None: ...


SignalingFactory = Callable[[], Signaling]


def parse_host_port(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``[v6]:PORT``) into a pair, with a clear error when malformed."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"expected HOST:PORT such as 127.0.0.1:9000, got {text!r}")
    return host, int(port)


class TcpSignaling:
    """JSON lines over one TCP connection; ``listen=True`` waits for the peer to connect."""

    def __init__(self, host: str, port: int, *, listen: bool) -> None:
        self.host, self.port, self.listen = host, port, listen
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None

    @property
    def bound_port(self) -> int:
        """The port actually listened on (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self.port
        return int(self._server.sockets[0].getsockname()[1])

    async def bind(self) -> None:
        """Start listening (``listen=True``) without waiting for the peer yet."""
        if self._server is not None:
            return
        connected: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
        connected = asyncio.get_running_loop().create_future()

        def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if connected.done():
                writer.close()  # one peer per listening signaling
            else:
                connected.set_result((reader, writer))

        try:
            self._server = await asyncio.start_server(
                on_client, self.host, self.port, limit=MAX_SIGNAL_BYTES
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"{self.host}:{self.port} is already in use") from None
            raise ConfigError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self._connected = connected

    async def open(self) -> None:
        if self.listen:
            await self.bind()
            self._reader, self._writer = await self._connected
            self._server.close()  # type: ignore[union-attr]
        else:
            try:
                self._reader, self._writer = await asyncio.open_connection(
                    self.host, self.port, limit=MAX_SIGNAL_BYTES
                )
            except OSError as exc:
                raise PeerGone(
                    f"cannot reach a receiver at {self.host}:{self.port}: {exc.strerror or exc}"
                ) from None

    async def send(self, message: dict[str, Any]) -> None:
        if self._writer is None:
            raise PeerGone("signaling is not connected")
        self._writer.write(json.dumps(message).encode() + b"\n")
        try:
            await self._writer.drain()
        except ConnectionError as exc:
            raise PeerGone(f"the peer's signaling connection closed: {exc}") from None

    async def receive(self) -> dict[str, Any]:
        if self._reader is None:
            raise PeerGone("signaling is not connected")
        try:
            line = await self._reader.readuntil(b"\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            raise PeerGone("the peer closed the signaling connection") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("signaling message too large") from None
        try:
            message = json.loads(line)
        except ValueError:
            raise ProtocolError("signaling message is not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolError("signaling message must be an object with a 'type'")
        return message

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
            self._writer = None
        if self._server is not None:
            self._server.close()
            self._server = None


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
