"""Signaling: how two engines exchange what sets up WebRTC (the SDP offer and answer).

Ferry needs very little of it: a few messages, and then a connection that stays open so
each side learns at once when the other goes away (a closed signaling connection is how a
killed peer is noticed within a second instead of after ICE's 30-second consent timeout).
Any object with the four coroutines of :class:`Signaling` will do; messages are JSON-able
dicts. Ferry brings :class:`~ferry.engine.signaling.tcp.TcpSignaling` (JSON lines over TCP,
one side listening, for a LAN) and :func:`~ferry.engine.signaling.in_process.in_process_pair`
(two engines in one program).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ferry.errors import ConfigError

#: An SDP is a few KB; no signaling message comes near this.
MAX_SIGNAL_BYTES = 1 << 20


class Signaling(Protocol):
    async def open(self) -> None:
        """Connect to the peer, or wait until it connects."""

    async def send(self, message: dict[str, Any]) -> None: ...

    async def receive(self) -> dict[str, Any]:
        """The next message; raises :class:`~ferry.protocol.errors.PeerGone` when the peer
        has gone away."""

    async def close(self) -> None: ...


SignalingFactory = Callable[[], Signaling]


def parse_host_port(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``[v6]:PORT``) into a pair, with a clear error when malformed."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"expected HOST:PORT such as 127.0.0.1:9000, got {text!r}")
    return host, int(port)
