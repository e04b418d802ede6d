"""A peer that breaks the protocol, built from aiortc and the codec directly.

The receiving side is a real Engine; the hostile side is a bare aiortc peer that sends
whatever a test tells it to, so nothing in Ferry's sending path can tidy it up.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgpack
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from ferry.actors.transport.ice import restricted_ice_addresses
from ferry.engine import Engine, EngineConfig, ProtocolError
from ferry.protocol.codec import decode, encode
from ferry.protocol.frames import Error, Hello, Offer

from .helpers import LOOPBACK, SECRET, files_under, paired_by_secret, run


async def _hostile_session(out: Path, messages: list[bytes]) -> tuple[Exception | None, list]:
    """Connect a bare aiortc peer to an Engine, send ``messages``, collect the replies."""
    ours, theirs = paired_by_secret()
    replies: list = []
    config = EngineConfig(output_dir=out, accept_all=True, ice_addresses=LOOPBACK)
    async with Engine(config) as engine:
        listening = asyncio.create_task(engine.listen(theirs, secret=SECRET))
        await ours.open()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        channel = pc.createDataChannel("ferry")
        opened = asyncio.Event()
        channel.on("open", opened.set)
        got_error = asyncio.Event()

        def on_message(message: bytes) -> None:
            replies.append(decode(message))
            if isinstance(replies[-1], Error):
                got_error.set()

        channel.on("message", on_message)
        with restricted_ice_addresses(LOOPBACK):
            await pc.setLocalDescription(await pc.createOffer())
            await ours.send({"type": "offer", "sdp": pc.localDescription.sdp})
            answer = await ours.receive()
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await opened.wait()
        channel.send(encode(Hello(1, 262144, 262144 - 96, ())))
        peer = await listening
        for message in messages:
            channel.send(message)
        error = await asyncio.wait_for(peer.wait_closed(), 20)
        await asyncio.wait_for(got_error.wait(), 20)  # the engine told us why, on the wire
        await pc.close()
    return error, replies


def test_garbage_ends_the_connection_with_a_protocol_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    error, replies = run(_hostile_session(out, [b"\xc1 this is not msgpack"]))
    assert isinstance(error, ProtocolError) and "not a valid msgpack message" in error.message
    assert any(isinstance(r, Error) and r.transfer_id is None for r in replies)
    assert files_under(out) == []


def test_path_traversal_in_an_offer_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    body = msgpack.unpackb(encode(Offer(b"x" * 16, "ok.txt", 4, "", 16384, "", 0)))
    evil = msgpack.packb({**body, "name": "../../x"})  # our encoder would never send it
    error, _ = run(_hostile_session(out, [evil]))
    assert isinstance(error, ProtocolError) and error.code == "unsafe-name"
    assert files_under(out) == []
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()
