"""A frozen peer is noticed by the data channel's keepalive, not by the signaling.

A real ``ferry receive`` process is frozen (SIGSTOP) in the middle of a transfer: its
kernel keeps the signaling TCP connection open and its UDP socket quiet, so neither the
signaling nor ICE says anything for tens of seconds. The sender must report the peer gone
with the keepalive's reason. Nothing is timed: the test waits for the event, bounded only
against a hang.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ferry.engine import Engine, EngineConfig, Identity, PeerGone, TcpSignaling
from ferry.protocol.pairing import parse_code

from .helpers import (
    LOOPBACK,
    connected_pair,
    free_port,
    run,
    start_receiver,
    until_progress,
    write_random,
)


def test_a_frozen_receiver_is_reported_gone_by_the_keepalive(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 64 << 20)
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = start_receiver(port, "--out", str(out))
    code = parse_code(receiver.code)  # type: ignore[attr-defined]

    async def scenario() -> tuple[BaseException | None, BaseException | None]:
        config = EngineConfig(ice_addresses=LOOPBACK, identity=Identity.generate())
        async with Engine(config) as engine:
            # one signaling, not a factory: no reconnect hides what happened
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
            transfer = peer.send(source)
            await until_progress(transfer, 1 << 20)
            os.kill(receiver.pid, signal.SIGSTOP)
            closed = await peer.wait_closed()
            try:
                await transfer
            except BaseException as exc:
                return closed, exc
            return closed, None

    try:
        closed, failed = run(scenario(), timeout=120)
    finally:
        os.kill(receiver.pid, signal.SIGCONT)
        receiver.kill()
        receiver.communicate()
    assert isinstance(closed, PeerGone), closed
    assert "went silent" in closed.message, closed.message  # the keepalive's, not ICE's
    assert isinstance(failed, PeerGone), failed


def test_an_idle_frozen_receiver_is_noticed_too(tmp_path: Path) -> None:
    """No transfer at all: only PINGs were flowing."""
    port = free_port()
    receiver = start_receiver(port, "--out", str(tmp_path))
    code = parse_code(receiver.code)  # type: ignore[attr-defined]

    async def scenario() -> BaseException | None:
        config = EngineConfig(ice_addresses=LOOPBACK, identity=Identity.generate())
        async with Engine(config) as engine:
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
            os.kill(receiver.pid, signal.SIGSTOP)
            return await peer.wait_closed()

    try:
        closed = run(scenario(), timeout=120)
    finally:
        os.kill(receiver.pid, signal.SIGCONT)
        receiver.kill()
        receiver.communicate()
    assert isinstance(closed, PeerGone) and "went silent" in closed.message, closed


def test_without_keepalive_on_one_side_nothing_is_pinged_or_timed_out(tmp_path: Path) -> None:
    """An engine with keepalive off stands for an older peer (no ``keepalive`` in its
    HELLO): the other side sends it no PING (it would fail on an unknown frame) and the
    transfer between them works."""
    source = tmp_path / "a.bin"
    digest = write_random(source, 3 << 20)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> bytes:
        async with connected_pair(out, sender={"keepalive_timeout": None}) as (sender, receiver):
            result = await sender.send(source)
            assert sender.error is None and receiver.error is None
            return result.sha256

    assert run(scenario()) == digest.hex()
