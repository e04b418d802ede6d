"""PeerLink: the link's state, and its parts (one module each) put together."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import pykka
from aiortc import RTCDataChannel

from ferry.protocol.connection import Connection
from ferry.protocol.events import Event
from ferry.protocol.frames import Chunk
from ferry.protocol.keepalive import FEATURE as KEEPALIVE
from ferry.protocol.keepalive import Keepalive
from ferry.protocol.limits import DEFAULT_MAX_MESSAGE_SIZE

from .. import commands as cmd
from ..clock import Timer
from ..config import ChannelConfig
from ..messages import ChunkBatch, Durable, ReadComplete, Ready, StageFailed, Stored
from ..supervisor import ChildGaveUp, ChildRestarted
from ..transport.sctp_acks import DelayedAcks
from .connection import ConnectionSetup, new_peer_connection
from .dispatch import EventDispatch
from .inbound import RX_BATCH_BYTES, InboundBatcher
from .keepalive import LinkKeepalive
from .outbound import OutboundPump
from .restarts import ChildRestarts
from .state import Incoming, Outgoing


class PeerLink(
    ConnectionSetup, OutboundPump, InboundBatcher, ChildRestarts, LinkKeepalive, EventDispatch
):
    """One peer connection and what moves over it; lives on the Channel's loop thread."""

    def __init__(
        self,
        config: ChannelConfig,
        listener: Callable[[Event], None],
        mailbox: Any,
        supervisor: pykka.ActorRef[Any] | None,
    ) -> None:
        self.config = config
        self.listener = listener
        self.mailbox = mailbox  # children tell the loop through it, skipping the actor thread
        self.supervisor = supervisor
        self.conn = Connection(
            max_message_size=DEFAULT_MAX_MESSAGE_SIZE,
            window=config.window,
            max_file_size=config.max_file_size,
            max_incoming=config.max_incoming,
            max_offers=config.max_offers,
            features=(
                *((KEEPALIVE,) if config.keepalive_timeout is not None else ()),
                *config.extra_features,
            ),
        )
        self.pc = new_peer_connection(config)
        self.pc.on("connectionstatechange", self._on_connection_state)
        self.pc.on("datachannel", self._attach)
        self.dc: RTCDataChannel | None = None
        self.acks: DelayedAcks | None = None  # the SCTP SACK policy, once there is SCTP
        self.closed = False
        # outbound
        self.outgoing: dict[bytes, Outgoing] = {}
        self.waiting: deque[cmd.SendFile] = deque()  # offers made before the handshake
        self.ready_ring: deque[bytes] = deque()  # outgoing transfers with queued frames
        self._pumping = False
        # inbound
        self.incoming: dict[bytes, Incoming] = {}
        self._rx_batches: dict[bytes, list[Chunk]] = {}  # received, not yet handed over
        self._rx_timer: Timer | None = None
        self.rx_batch_bytes = min(RX_BATCH_BYTES, config.window // 8)
        # keepalive
        self._keepalive: Keepalive | None = None
        self._keepalive_timer: Timer | None = None
        # children
        self._winding_down: list[pykka.ActorRef[Any]] = []  # Reassemblers finishing up

    _HANDLERS: dict[type, Callable[[Any, Any], None]] = {
        cmd.SendFile: OutboundPump._send_file,
        cmd.AnswerOffer: InboundBatcher._answer_offer,
        cmd.CancelTransfer: OutboundPump._cancel,
        cmd.LinkLost: ConnectionSetup._link_lost,
        cmd.CrashChild: ChildRestarts._crash_child,
        ChunkBatch: OutboundPump._chunk_batch,
        ReadComplete: OutboundPump._read_complete,
        Durable: InboundBatcher._durable,
        Ready: InboundBatcher._ready,
        Stored: InboundBatcher._stored,
        StageFailed: ChildRestarts._stage_failed,
        ChildRestarted: ChildRestarts._child_restarted,
        ChildGaveUp: ChildRestarts._child_gave_up,
    }
