"""Connection set-up: the peer connection, SDP, and the tuning Ferry applies to aiortc.

The calls into ``actors/transport`` are one named call each, here and nowhere else:
:func:`restricted_ice_addresses` around SDP steps (ICE gathers only the configured
addresses), :func:`tune_sctp` once the SCTP transport exists (delayed SACKs) and
:func:`tune_sockets` once ICE has its sockets (larger UDP receive buffers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pykka
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
)

from ferry.errors import FerryError
from ferry.protocol.connection import Connection
from ferry.protocol.errors import PeerGone
from ferry.protocol.events import Event, Failed
from ferry.protocol.frames import Frame

from .. import commands as cmd
from ..config import ChannelConfig
from ..transport.congestion import control_congestion
from ..transport.ice import restricted_ice_addresses
from ..transport.sctp_acks import DelayedAcks, delay_acks
from ..transport.udp_buffers import enlarge_receive_buffers

logger = logging.getLogger(__name__)

DATA_CHANNEL_LABEL = "ferry"
CLOSE_GRACE_SECONDS = 0.5
STOP_WAIT_SECONDS = 10.0


def new_peer_connection(config: ChannelConfig) -> RTCPeerConnection:
    """An RTCPeerConnection with only the configured STUN/TURN servers (none by default).

    aiortc hands aioice the first STUN and the first TURN server of the list only."""
    ice_servers = [
        RTCIceServer(urls=server.url, username=server.username, credential=server.credential)
        for server in config.ice_servers
    ]
    policy = RTCIceTransportPolicy.RELAY if config.relay_only else RTCIceTransportPolicy.ALL
    return RTCPeerConnection(RTCConfiguration(iceServers=ice_servers, iceTransportPolicy=policy))


def tune_sctp(pc: RTCPeerConnection, config: ChannelConfig) -> DelayedAcks | None:
    """Ferry's congestion control (actors/transport/congestion.py) and delayed SACKs
    (actors/transport/sctp_acks.py) on the association, each if configured."""
    if pc.sctp is None:
        return None
    if config.congestion_control:
        control_congestion(pc.sctp, config.clock.monotonic)  # first: the SACKs wrap it
    if not config.delayed_acks:
        return None
    return delay_acks(pc.sctp, clock=config.clock)


def tune_sockets(pc: RTCPeerConnection) -> None:
    """Larger UDP receive buffers (actors/transport/udp_buffers.py); ICE has its sockets."""
    enlarge_receive_buffers(pc)


class ConnectionSetup:
    """The link's SDP steps, data channel callbacks and teardown (a part of PeerLink)."""

    config: ChannelConfig
    conn: Connection
    pc: RTCPeerConnection
    dc: RTCDataChannel | None
    acks: DelayedAcks | None
    closed: bool
    listener: Callable[[Event], None]
    waiting: Any
    _winding_down: list[pykka.ActorRef[Any]]

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def send(self, frames: list[Frame]) -> None: ...
        def pump(self) -> None: ...
        def _on_message(self, message: bytes) -> None: ...
        def _dispatch_events(self) -> None: ...
        def _stop_keepalive(self) -> None: ...

    # -- signaling (SDP) ---------------------------------------------------------------------

    async def create_offer(self) -> dict[str, str]:
        self._attach(self.pc.createDataChannel(DATA_CHANNEL_LABEL, ordered=True))
        self._tune_sctp()
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setLocalDescription(await self.pc.createOffer())
        tune_sockets(self.pc)
        return {"sdp": self.pc.localDescription.sdp, "type": self.pc.localDescription.type}

    async def accept_offer(self, sdp: str, kind: str) -> dict[str, str]:
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
            self._tune_sctp()
            await self.pc.setLocalDescription(await self.pc.createAnswer())
        tune_sockets(self.pc)
        return {"sdp": self.pc.localDescription.sdp, "type": self.pc.localDescription.type}

    async def set_answer(self, sdp: str, kind: str) -> None:
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))

    def _tune_sctp(self) -> None:
        if self.acks is None:
            self.acks = tune_sctp(self.pc, self.config)

    async def close(self) -> None:
        self.lose(PeerGone("the connection was closed"))
        await self.pc.close()
        # Reassemblers told to suspend or abort finish that first (a checkpoint, an fsync):
        # once close returns, what a later attempt can resume from is on disk.
        loop = asyncio.get_running_loop()
        for ref in self._winding_down:
            await loop.run_in_executor(None, ref.actor_stopped.wait, STOP_WAIT_SECONDS)

    # -- the data channel ---------------------------------------------------------------------

    def _attach(self, dc: RTCDataChannel) -> None:
        if self.dc is not None:
            logger.warning("ignoring a second data channel %r from the peer", dc.label)
            return
        self.dc = dc
        dc.bufferedAmountLowThreshold = self.config.buffer_threshold
        dc.on("open", self._on_open)
        dc.on("message", self._on_message)
        dc.on("bufferedamountlow", self.pump)
        dc.on("close", lambda: self.lose(PeerGone("the peer closed the data channel")))
        if dc.readyState == "open":
            self._on_open()

    def _on_open(self) -> None:
        self.send(self.conn.start())

    def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        logger.debug("peer connection state: %s", state)
        if state in {"failed", "closed"}:
            self.lose(PeerGone(f"the peer connection is {state}"))

    def _link_lost(self, message: cmd.LinkLost) -> None:
        self.lose(PeerGone(message.reason))

    # -- losing the peer ---------------------------------------------------------------------

    def lose(self, error: FerryError) -> None:
        """The peer is gone: every unfinished transfer fails, children are cleaned up."""
        if self.closed:
            return
        self.closed = True
        self._stop_keepalive()
        self.conn.connection_lost(error)
        self._dispatch_events()
        for request in self.waiting:
            self.listener(Failed(request.transfer_id, error, by_peer=True))
        self.waiting.clear()
        self._close_soon()

    def _close_soon(self, delay: float = 0.0) -> None:
        self.closed = True
        loop = asyncio.get_running_loop()
        loop.call_later(delay, lambda: loop.create_task(self.pc.close()))
