"""Garbage before the handshake: a clear error for that peer, and the receiver goes on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from ferry.actors.transport.ice import restricted_ice_addresses
from ferry.engine import Engine, EngineConfig, ProtocolError, TcpSignaling, in_process_pair
from ferry.engine.cli.output import error_line, printable

from .helpers import LOOPBACK, SECRET, files_under, paired_by_secret, run, write_random


def test_a_line_nested_deeper_than_python_goes_is_a_protocol_error() -> None:
    async def scenario() -> ProtocolError:
        listener = TcpSignaling("127.0.0.1", 0, listen=True)
        await listener.bind()
        opened = asyncio.create_task(listener.open())
        _, writer = await asyncio.open_connection("127.0.0.1", listener.bound_port)
        writer.write(b"[" * 200_000 + b"\n")
        await writer.drain()
        await opened
        with pytest.raises(ProtocolError) as caught:
            await listener.receive()
        writer.close()
        await listener.close()
        return caught.value

    assert "not JSON" in run(scenario()).message


def test_a_malformed_sdp_is_refused_and_the_engine_serves_the_next_peer(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    source = tmp_path / "a.bin"
    digest = write_random(source, 100_000)

    async def scenario() -> None:
        config = EngineConfig(output_dir=out, accept_all=True, ice_addresses=LOOPBACK)
        async with Engine(config) as engine:
            ours, theirs = paired_by_secret()
            listening = asyncio.create_task(engine.listen(theirs, secret=SECRET))
            await ours.open()
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.createDataChannel("ferry")
            with restricted_ice_addresses(LOOPBACK):
                await pc.setLocalDescription(await pc.createOffer())
            sdp = pc.localDescription.sdp.replace("a=sctp-port:5000", "a=sctp-port:xyz")
            assert "a=sctp-port:xyz" in sdp
            await ours.send({"type": "offer", "sdp": sdp})
            with pytest.raises(ProtocolError, match="session description was refused"):
                await listening
            await pc.close()
            # The same engine takes the next (well-behaved) peer.
            async with Engine(EngineConfig(ice_addresses=LOOPBACK)) as sender:
                ours, theirs = in_process_pair()
                receiver_peer, sender_peer = await asyncio.gather(
                    engine.listen(theirs, secret=SECRET), sender.connect(ours, secret=SECRET)
                )
                result = await sender_peer.send(source)
                assert bytes.fromhex(result.sha256) == digest
                await sender_peer.close()
                await receiver_peer.close()

    run(scenario())
    assert files_under(out) == ["a.bin"]


def test_what_a_terminal_would_act_on_is_escaped_before_it_is_printed() -> None:
    line = error_line("peer reported: \x1b[2J\x1b[Hgone\u202etxt.exe\x07")
    assert "\x1b" not in line and "\u202e" not in line and "\x07" not in line
    assert line == "ferry: error: peer reported: \\x1b[2J\\x1b[Hgone\\u202etxt.exe\\x07"
    assert printable("plain: naïve 文件.txt") == "plain: naïve 文件.txt"
