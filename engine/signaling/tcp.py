"""JSON lines over one TCP connection: the signaling of ``ferry send --connect`` and
``ferry receive --listen`` on a LAN."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
from collections.abc import Callable
from typing import Any

from ferry.errors import ConfigError
from ferry.protocol.errors import PeerGone, ProtocolError

from .base import MAX_SIGNAL_BYTES


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

        self._server = await _serve(on_client, self.host, self.port)
        self._connected = connected

    @classmethod
    def accepted(cls, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> TcpSignaling:
        """A connection a :class:`TcpListener` accepted: already open."""
        host, port = writer.get_extra_info("peername")[:2]
        signaling = cls(str(host), int(port), listen=True)
        signaling._reader, signaling._writer = reader, writer
        return signaling

    async def open(self) -> None:
        if self._reader is not None:
            return  # accepted by a TcpListener
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
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
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


#: Connections accepted but not yet taken by the listener's owner; more are closed at once.
ACCEPT_QUEUE = 64


class TcpListener:
    """One listening socket for many peers (``ferry receive``): each connection it accepts
    is a :class:`TcpSignaling` of its own, so a client that sends nothing holds only its
    own connection, never the port."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._server: asyncio.Server | None = None
        self._queue: asyncio.Queue[TcpSignaling | None] = asyncio.Queue(ACCEPT_QUEUE)

    async def start(self) -> None:
        def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                self._queue.put_nowait(TcpSignaling.accepted(reader, writer))
            except (asyncio.QueueFull, OSError, TypeError):
                writer.close()  # flooded (or the client already left): drop it at once

        self._server = await _serve(on_client, self.host, self.port)

    @property
    def bound_port(self) -> int:
        if self._server is None or not self._server.sockets:
            return self.port
        return int(self._server.sockets[0].getsockname()[1])

    async def accept(self) -> TcpSignaling:
        """The next connection; PeerGone once the listener is closed."""
        signaling = await self._queue.get()
        if signaling is None:
            self._queue.put_nowait(None)
            raise PeerGone("the listener is closed")
        return signaling

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        while not self._queue.empty():
            waiting = self._queue.get_nowait()
            if waiting is not None:
                await waiting.close()
        self._queue.put_nowait(None)

    async def __aenter__(self) -> TcpListener:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def _serve(
    on_client: Callable[[asyncio.StreamReader, asyncio.StreamWriter], None], host: str, port: int
) -> asyncio.Server:
    """A TCP server for signaling lines; a port in use or refused is a ConfigError."""
    try:
        return await asyncio.start_server(on_client, host, port, limit=MAX_SIGNAL_BYTES)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"{host}:{port} is already in use") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
