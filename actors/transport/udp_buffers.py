"""Bigger receive buffers for a peer connection's ICE (UDP) sockets.

aioice asks for 256 KiB receive buffers on its host sockets, and the kernel charges each
datagram its whole buffer (about 2 KiB for one of aiortc's packets of at most 1,200
payload bytes, against the 512 KiB it books for a 256 KiB request): a couple of hundred
packets. SCTP sends in bursts (a whole congestion window at a time), and whenever the
receiving loop is busy for a moment the socket overflows. Each dropped packet costs a fast
retransmit and halves the congestion window; one dropped at the end of a message, with no
later packet to report the gap, waits out the retransmission timer, which aiortc never
sets below 1 s. Measured on this machine (benchmarks/README.md), aiortc with Ferry's SACK
policy sending 1 MiB in 256 KiB messages: 1.1-1.2 s in 3 of 4 runs with aioice's buffers
(27-112 packets dropped in each), 0.11-0.14 s in every run with 4 MiB (none dropped).

The kernel caps what it grants at ``net.core.rmem_max`` (4 MiB here; often 208 KiB
elsewhere, in which case this changes nothing and says so in the log at debug level).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

logger = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 4 << 20


def ice_sockets(pc: Any) -> list[socket.socket]:
    """The UDP sockets ICE gathered for ``pc``'s data channel transport (aiortc internals,
    checked against aiortc 1.16 and aioice 0.13); empty when they are not there."""
    sctp = getattr(pc, "sctp", None)
    ice = getattr(getattr(sctp, "transport", None), "transport", None)
    connection = getattr(getattr(ice, "iceGatherer", None), "_connection", None)
    sockets = []
    for protocol in getattr(connection, "_protocols", None) or []:
        transport = getattr(protocol, "transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None and sock.type == socket.SOCK_DGRAM:
            sockets.append(sock)
    return sockets


def enlarge_receive_buffers(pc: Any, size: int = RECEIVE_BUFFER_BYTES) -> list[int]:
    """Ask for ``size``-byte receive buffers on ``pc``'s ICE sockets, once ICE has gathered
    (after ``setLocalDescription``); return the sizes the kernel reports for each."""
    if size < 1:
        raise ValueError("a receive buffer must be at least 1 byte")
    granted = []
    for sock in ice_sockets(pc):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
        except OSError as exc:  # a closed socket, or a platform without the option
            logger.debug("cannot set SO_RCVBUF on %s: %s", sock, exc)
            continue
        granted.append(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
    if not granted:
        logger.debug("no ICE socket to tune: receive buffers left at the system default")
    else:
        logger.debug("ICE receive buffers: asked for %d bytes, granted %s", size, granted)
    return granted
