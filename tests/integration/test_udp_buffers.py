"""Bigger UDP receive buffers (actors/transport/udp_buffers.py) on real aiortc peers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from ferry.actors.transport.udp_buffers import (
    RECEIVE_BUFFER_BYTES,
    enlarge_receive_buffers,
    ice_sockets,
)

from .helpers import connected_pair, run, write_random

RMEM_MAX = Path("/proc/sys/net/core/rmem_max")


def receive_buffers(pc: RTCPeerConnection) -> list[int]:
    return [sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) for sock in ice_sockets(pc)]


@pytest.mark.skipif(not RMEM_MAX.exists(), reason="reads Linux's cap on receive buffers")
def test_both_ferry_peers_get_the_biggest_buffers_the_kernel_allows(tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    digest = write_random(source, 1024 * 1024, seed=5)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> list[list[int]]:
        async with connected_pair(out) as peers:
            result = await peers[0].send(source)
            assert bytes.fromhex(result.sha256) == digest
            return [receive_buffers(peer.channel.proxy().link.get().pc) for peer in peers]

    sender, receiver = run(scenario())
    # Linux books twice what was asked for and reports that; it caps the ask at rmem_max.
    expected = 2 * min(RECEIVE_BUFFER_BYTES, int(RMEM_MAX.read_text()))
    assert sender and receiver  # ICE gathered 127.0.0.1 on each side
    assert all(size >= expected for size in sender + receiver), (sender, receiver, expected)


def test_a_connection_without_ice_sockets_is_left_alone() -> None:
    async def scenario() -> list[int]:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        try:
            return enlarge_receive_buffers(pc)  # nothing gathered yet: no SCTP, no sockets
        finally:
            await pc.close()

    assert run(scenario()) == []
    with pytest.raises(ValueError, match="at least 1 byte"):
        enlarge_receive_buffers(object(), 0)
