"""A hostile peer: bare aiortc plus Ferry's own codec, sending whatever a test scripts.

Nothing in Ferry's sending path runs here, so nothing tidies the attack up: frames go out
exactly as given (valid, malformed, out of order, or floods), and every reply is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from ferry.actors.transport.ice import restricted_ice_addresses
from ferry.engine import Identity, TcpSignaling
from ferry.engine.pairing import SecureSignaling
from ferry.protocol.codec import decode, encode
from ferry.protocol.errors import ProtocolError
from ferry.protocol.frames import Hello

LOOPBACK = ("127.0.0.1",)
MAX_CHUNK = 262144 - 96


@dataclass
class HostileLink:
    """One open data channel to the victim, and what came back on it."""

    channel: RTCDataChannel
    replies: list[Any] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, message: bytes | Any) -> None:
        """Send raw bytes as they are, or a frame through the codec."""
        if self.closed.is_set():
            return
        self.channel.send(message if isinstance(message, bytes) else encode(message))

    async def reply(self, kind: type, within: float = 10.0, about: bytes | None = None) -> Any:
        """The first reply of type ``kind`` (about transfer ``about``, if given), waiting for
        it; None if the link closed first."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            for reply in self.replies:
                if isinstance(reply, kind) and about in (None, reply.transfer_id):
                    return reply
            if self.closed.is_set():
                return None
            self.arrived.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {within} s: {self.replies!r}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)

    async def drained(self) -> None:
        """Wait until aiortc has handed everything we sent to the network."""
        while self.channel.bufferedAmount and not self.closed.is_set():
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def hostile_link(port: int, code: str) -> AsyncIterator[HostileLink]:
    """Connect to the victim's signaling port as a sender would, pair with ``code`` (the
    attacker is a peer the victim let in), then hand over the channel."""
    signaling = SecureSignaling(
        TcpSignaling("127.0.0.1", port, listen=False),
        role="joiner",
        identity=Identity.generate(),
        code=code,
    )
    await signaling.open()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    link = HostileLink(pc.createDataChannel("ferry"))
    opened = asyncio.Event()
    link.channel.on("open", opened.set)
    link.channel.on("close", link.closed.set)

    def on_message(message: bytes) -> None:
        try:
            link.replies.append(decode(message))
        except ProtocolError as error:  # the victim sent garbage: keep it, the test sees it
            link.replies.append(error)
        link.arrived.set()

    link.channel.on("message", on_message)
    try:
        with restricted_ice_addresses(LOOPBACK):
            await pc.setLocalDescription(await pc.createOffer())
            await signaling.send({"type": "offer", "sdp": pc.localDescription.sdp})
            answer = await asyncio.wait_for(signaling.receive(), 20)
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await asyncio.wait_for(opened.wait(), 20)
        link.send(Hello(1, 262144, MAX_CHUNK, ()))
        yield link
    finally:
        await pc.close()
        await signaling.close()
