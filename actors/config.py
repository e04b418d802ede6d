"""Settings of one Channel (one peer connection) and its stage actors."""

from __future__ import annotations

from dataclasses import dataclass, field

from ferry.protocol.connection import DEFAULT_MAX_INCOMING
from ferry.protocol.keepalive import DEFAULT_INTERVAL, DEFAULT_TIMEOUT
from ferry.protocol.limits import DEFAULT_CHUNK_SIZE, MAX_FILE_SIZE
from ferry.protocol.receiver import DEFAULT_WINDOW

from .clock import SYSTEM_CLOCK, Clock
from .storage.destination import Destination


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server as aiortc takes it: ``url`` without credentials
    (``turn:HOST:PORT?transport=tcp``), and the TURN user name and password."""

    url: str
    username: str | None = None
    credential: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ChannelConfig:
    destination: Destination
    #: Local addresses ICE may gather (None: what aioice picks; tests use 127.0.0.1).
    ice_addresses: tuple[str, ...] | None = None
    #: STUN/TURN servers. Empty by default so nothing is sent beyond the peers themselves.
    ice_servers: tuple[IceServer, ...] = ()
    #: Gather relay candidates only: every byte goes through the TURN server.
    relay_only: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    window: int = DEFAULT_WINDOW
    max_file_size: int = MAX_FILE_SIZE
    #: Files a peer may have offered and not finished at once; beyond, REJECT "busy".
    max_incoming: int = DEFAULT_MAX_INCOMING
    #: Files a peer may offer on one connection in all (None: no limit).
    max_offers: int | None = None
    #: Keep at most this much queued in the data channel (its bufferedAmountLowThreshold).
    buffer_threshold: int = 1 << 20
    #: Bytes a Chunker may read beyond what the data channel has taken, whatever credit the
    #: receiver grants: a receiver that grants 2^53 and stops reading gets no more than this
    #: held in the sender's memory per file (plus the data channel's own buffer).
    read_ahead: int = 8 << 20
    #: "auto" (uvloop where installed), "uvloop" or "asyncio".
    loop: str = "auto"
    #: SCTP acknowledges every second packet, as RFC 4960 asks, not every one as aiortc
    #: does (actors/transport/sctp_acks.py); False keeps aiortc's own SACKs.
    delayed_acks: bool = True
    #: Ferry's BBR-style congestion control for the SCTP sender (actors/transport/
    #: congestion.py) instead of aiortc's Reno, which takes every random loss for congestion.
    congestion_control: bool = True
    #: Test hook: seconds each Reassembler write sleeps, to play a slow disk.
    write_delay: float = 0.0
    #: What the Channel's timers (inbound batching, delayed SACKs) and its Reassemblers'
    #: checkpoints read; a test passes a ManualClock to drive them.
    clock: Clock = SYSTEM_CLOCK
    #: PING the peer this often; declare it gone after this long without a frame from it
    #: (protocol/keepalive.py). None: no keepalive (not even advertised to the peer).
    keepalive_interval: float = DEFAULT_INTERVAL
    keepalive_timeout: float | None = DEFAULT_TIMEOUT
    #: More features this side lists in its HELLO (protocol/features.py), for the engine.
    extra_features: tuple[str, ...] = ()
