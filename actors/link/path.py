"""Which way the bytes go: the ICE candidate pair in use, and its round-trip time.

aiortc does not say which pair ICE nominated, nor does aioice measure a round trip, so
this reads aioice's nominated pair and times one STUN binding request on it, built as
aioice's own consent checks build theirs (RFC 7675): an authenticated request the peer's
ICE agent answers, travelling exactly the path the data takes (through the TURN relay
when the pair is relayed).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiortc import RTCPeerConnection

logger = logging.getLogger(__name__)

#: The pair's kind, by the candidates at its two ends: a relay at either end is "relay";
#: else a server-reflexive (or peer-reflexive) address at either end is "srflx"; else "host".
KINDS = ("host", "srflx", "relay")
RTT_PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class PathInfo:
    kind: str  # "host", "srflx" or "relay"
    local: str  # this end's candidate type (host, srflx, prflx, relay)
    remote: str
    transport: str  # "udp", or "tcp" for a relay reached over TCP
    rtt: float | None  # seconds; None when the probe got no answer

    def describe(self) -> str:
        """``relay (udp), rtt 1.2 ms``: what the summary lines print."""
        via = f"{self.kind} ({self.transport})" if self.kind == "relay" else self.kind
        rtt = f"{self.rtt * 1000:.1f} ms" if self.rtt is not None else "unknown"
        return f"{via}, rtt {rtt}"


def path_kind(local: str, remote: str) -> str:
    types = {local, remote}
    if "relay" in types:
        return "relay"
    if types & {"srflx", "prflx"}:
        return "srflx"
    return "host"


def _ice_connection(pc: RTCPeerConnection) -> Any:
    sctp = pc.sctp
    if sctp is None:
        return None
    return getattr(sctp.transport.transport, "_connection", None)


async def describe_path(pc: RTCPeerConnection) -> PathInfo | None:
    """The nominated pair and one measured round trip on it; None before ICE completed."""
    connection = _ice_connection(pc)
    pairs = list(getattr(connection, "_nominated", {}).values()) if connection else []
    if not pairs:
        return None
    pair = pairs[0]
    local, remote = pair.local_candidate.type, pair.remote_candidate.type
    transport = connection.turn_transport if local == "relay" else "udp"
    rtt: float | None = None
    try:
        request = connection.build_request(pair, nominate=False)
        started = time.perf_counter()  # uvloop's loop.time() counts whole milliseconds
        await asyncio.wait_for(
            pair.protocol.request(
                request,
                pair.remote_addr,
                integrity_key=connection.remote_password.encode("utf8"),
                retransmissions=0,
            ),
            RTT_PROBE_TIMEOUT,
        )
        rtt = time.perf_counter() - started
    except Exception as exc:  # a lost probe: the path is still known
        logger.debug("no round trip measured on %r: %r", pair, exc)
    return PathInfo(path_kind(local, remote), local, remote, str(transport), rtt)
