"""The Channel's inside: one RTCPeerConnection, its data channel and the protocol state.

Everything here runs on the Channel's asyncio loop thread, the only thread that touches
aiortc. It decodes incoming messages, feeds them to the sans-IO
:class:`~protocol.connection.Connection`, routes the resulting work to the Chunker and
Reassembler actors, and sends frames with two kinds of backpressure: CHUNK frames go out
only while the data channel's ``bufferedAmount`` is at or under the threshold (and resume
on ``bufferedamountlow``), and the Chunker only reads what the receiver's credit allows.

Outgoing transfers share the data channel round-robin, one chunk each in turn, so a small
file sent after a big one is not stuck behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pykka
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)

from ferry.errors import FerryError
from ferry.protocol.codec import decode, encode
from ferry.protocol.connection import Connection
from ferry.protocol.errors import (
    LocalProtocolError,
    PeerGone,
    ProtocolError,
    error_from_code,
)
from ferry.protocol.events import (
    Accepted,
    Cancelled,
    Completed,
    ConnectionFailed,
    CreditGranted,
    DataReceived,
    EofReceived,
    Event,
    Failed,
    HandshakeComplete,
)
from ferry.protocol.frames import Cancel, Chunk, Done, Eof, Error, Frame, Window
from ferry.protocol.limits import DEFAULT_MAX_MESSAGE_SIZE
from ferry.protocol.session import State

from . import commands as cmd
from .chunker import Chunker
from .config import ChannelConfig
from .messages import ChunkBatch, Durable, Ready, StartReading, StartWriting, Suspend
from .reassembler import Reassembler
from .supervisor import ChildGaveUp, ChildRestarted, InjectFault, Unwatch, start_supervised
from .transport.congestion import control_congestion
from .transport.ice import restricted_ice_addresses
from .transport.sctp_acks import DelayedAcks, delay_acks
from .transport.udp_buffers import enlarge_receive_buffers

logger = logging.getLogger(__name__)

DATA_CHANNEL_LABEL = "ferry"
CLOSE_GRACE_SECONDS = 0.5
RX_BATCH_BYTES = 256 * 1024
# At the ~10 MB/s aiortc allows, batches go over by this timer, not by size: 5 ms meant
# 200 hand-overs a second (each a thread wake-up and a durability report back), and cost
# both processes about 8% more CPU per byte than 25 ms (paired runs, benchmarks/README.md).
RX_BATCH_DELAY = 0.025
STOP_WAIT_SECONDS = 10.0


@dataclass
class Outgoing:
    """What the Channel keeps for a file it sends (the state a new Chunker needs)."""

    request: cmd.SendFile
    child_id: str
    chunker: pykka.ActorRef[Any] | None = None
    queue: deque[Chunk | Eof] = field(default_factory=deque)
    queued_upto: int = 0  # the Chunker has delivered every byte below this
    credit: int = 0


@dataclass
class Incoming:
    """What the Channel keeps for a file it receives (the state a new Reassembler needs)."""

    child_id: str
    reassembler: pykka.ActorRef[Any]
    offer: Any
    retained: deque[Chunk] = field(default_factory=deque)  # not yet durable: bounded by window
    eof: Eof | None = None
    batched: int = 0  # bytes gathered for the next hand-over


def _tell(ref: pykka.ActorRef[Any], message: Any) -> bool:
    """Tell a stage actor; False if it is dead.

    A crashed child stays dead until the supervisor's restart reaches us, and whatever it
    missed meanwhile is handed to its successor then (credit, retained chunks, EOF).
    """
    try:
        ref.tell(message)
    except pykka.ActorDeadError:
        return False
    return True


class PeerLink:
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
        )
        ice_servers = [RTCIceServer(urls=url) for url in config.ice_servers]
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers))
        self.pc.on("connectionstatechange", self._on_connection_state)
        self.pc.on("datachannel", self._attach)
        self.dc: RTCDataChannel | None = None
        self.outgoing: dict[bytes, Outgoing] = {}
        self.incoming: dict[bytes, Incoming] = {}
        self.waiting: deque[cmd.SendFile] = deque()  # offers made before the handshake
        self.ready_ring: deque[bytes] = deque()  # outgoing transfers with queued frames
        self.closed = False
        self._pumping = False
        self._rx_batches: dict[bytes, list[Chunk]] = {}  # received, not yet handed over
        self._rx_timer: asyncio.TimerHandle | None = None
        self._winding_down: list[pykka.ActorRef[Any]] = []  # Reassemblers finishing up
        self.rx_batch_bytes = min(RX_BATCH_BYTES, config.window // 8)
        self.acks: DelayedAcks | None = None  # the SCTP SACK policy, once there is SCTP

    # -- signaling (SDP) ---------------------------------------------------------------------

    async def create_offer(self) -> dict[str, str]:
        self._attach(self.pc.createDataChannel(DATA_CHANNEL_LABEL, ordered=True))
        self._tune_sctp()
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setLocalDescription(await self.pc.createOffer())
        enlarge_receive_buffers(self.pc)  # ICE has gathered its sockets by now
        return {"sdp": self.pc.localDescription.sdp, "type": self.pc.localDescription.type}

    async def accept_offer(self, sdp: str, kind: str) -> dict[str, str]:
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
            self._tune_sctp()
            await self.pc.setLocalDescription(await self.pc.createAnswer())
        enlarge_receive_buffers(self.pc)
        return {"sdp": self.pc.localDescription.sdp, "type": self.pc.localDescription.type}

    async def set_answer(self, sdp: str, kind: str) -> None:
        with restricted_ice_addresses(self.config.ice_addresses):
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))

    def _tune_sctp(self) -> None:
        if self.config.delayed_acks and self.acks is None and self.pc.sctp is not None:
            control_congestion(self.pc.sctp)  # first: the SACK policy wraps what it installs
            self.acks = delay_acks(self.pc.sctp)

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

    def _on_message(self, message: bytes) -> None:  # a str from a peer: decode refuses it
        try:
            frame = decode(message, max_message_size=DEFAULT_MAX_MESSAGE_SIZE)
        except ProtocolError as exc:
            logger.warning("garbage from the peer: %s", exc.message)
            self.send(self.conn.protocol_error(exc))
            self._dispatch_events()
            return
        self.send(self.conn.receive(frame))
        self._dispatch_events()

    def send(self, frames: list[Frame]) -> None:
        """Send control frames now (they are small); CHUNKs go through :meth:`pump`."""
        if not frames or self.dc is None or self.dc.readyState != "open":
            return
        for frame in frames:
            self.dc.send(encode(frame))

    def pump(self) -> None:
        """Send queued CHUNK/EOF frames while the data channel's buffer has room."""
        if self._pumping or self.dc is None or self.dc.readyState != "open":
            return
        self._pumping = True
        try:
            dc, threshold, ring = self.dc, self.config.buffer_threshold, self.ready_ring
            while ring and dc.bufferedAmount <= threshold:
                transfer_id = ring.popleft()
                state = self.outgoing.get(transfer_id)
                if state is None or not state.queue:
                    continue
                item = state.queue.popleft()
                if isinstance(item, Chunk):
                    dc.send(encode(self.conn.admit_chunk(item)))
                else:
                    dc.send(encode(self.conn.finish(transfer_id, item.sha256)[0]))
                if state.queue:
                    ring.append(transfer_id)
        finally:
            self._pumping = False
        self._dispatch_events()

    # -- commands from the host and messages from the stage actors ----------------------------

    def handle(self, message: Any) -> None:
        handler = self._HANDLERS.get(type(message))
        if handler is None:
            raise LocalProtocolError(f"the Channel cannot handle {message!r}")
        handler(self, message)
        self._dispatch_events()

    def _send_file(self, request: cmd.SendFile) -> None:
        if self.closed:
            self.listener(Failed(request.transfer_id, PeerGone("not connected"), by_peer=False))
        elif not self.conn.ready:
            self.waiting.append(request)
        else:
            self._offer(request)

    def _offer(self, request: cmd.SendFile) -> None:
        frames = self.conn.offer(
            request.transfer_id,
            request.name,
            request.size,
            mime_type=request.mime_type,
            resume_key=request.resume_key,
            mtime_ms=request.mtime_ns // 1_000_000,
            chunk_size=self.config.chunk_size,
        )
        self.outgoing[request.transfer_id] = Outgoing(
            request, f"chunker-{request.transfer_id.hex()}"
        )
        self.send(frames)

    def _answer_offer(self, answer: cmd.AnswerOffer) -> None:
        session = self.conn.incoming.get(answer.transfer_id)
        if session is None or session.finished:
            return  # cancelled while the host was deciding
        if not answer.accept:
            self.send(self.conn.reject(answer.transfer_id, answer.code, answer.message))
            return
        child_id = f"reassembler-{answer.transfer_id.hex()}"
        ref = start_supervised(
            self.supervisor,
            child_id=child_id,
            kind="reassembler",
            start=self._reassembler_factory(answer.transfer_id),
            owner=self.mailbox,
        )
        self.incoming[answer.transfer_id] = Incoming(child_id, ref, session.offer)
        # ACCEPT waits for Ready: the staging decides the offset (non-zero when resuming).
        _tell(ref, StartWriting(session.offer, None))

    def _ready(self, ready: Ready) -> None:
        session = self.conn.incoming.get(ready.transfer_id)
        if session is not None and session.state is State.OFFER_RECEIVED:
            self.send(self.conn.accept(ready.transfer_id, ready.offset))

    def _cancel(self, request: cmd.CancelTransfer) -> None:
        self.send(self.conn.cancel(request.transfer_id, request.reason))

    def _link_lost(self, message: cmd.LinkLost) -> None:
        self.lose(PeerGone(message.reason))

    def _chunk_batch(self, batch: ChunkBatch) -> None:
        state = self.outgoing.get(batch.transfer_id)
        if state is None:
            return
        state.queue.extend(batch.chunks)
        last = batch.chunks[-1]
        state.queued_upto = last.offset + len(last.data)
        self._mark_ready(batch.transfer_id, state)

    def _eof_from_chunker(self, eof: Eof) -> None:
        state = self.outgoing.get(eof.transfer_id)
        if state is None:
            return
        state.queue.append(eof)
        self._stop_child(state.child_id, state.chunker)  # its work is done
        state.chunker = None
        self._mark_ready(eof.transfer_id, state)

    def _mark_ready(self, transfer_id: bytes, state: Outgoing) -> None:
        if transfer_id not in self.ready_ring:
            self.ready_ring.append(transfer_id)
        self.pump()

    def _durable(self, message: Durable) -> None:
        state = self.incoming.get(message.transfer_id)
        if state is None:
            return
        retained = state.retained
        while retained and retained[0].offset + len(retained[0].data) <= message.upto:
            retained.popleft()
        self.send(self.conn.bytes_durable(message.transfer_id, message.upto))

    def _stored(self, done: Done) -> None:
        if done.transfer_id in self.incoming:
            self.send(self.conn.complete(done.transfer_id, done.sha256, done.stored_id))

    def _stage_error(self, error: Error) -> None:
        assert error.transfer_id is not None
        self.send(self.conn.fail(error.transfer_id, error_from_code(error.code, error.message)))

    def _child_restarted(self, message: ChildRestarted) -> None:
        for transfer_id, out in self.outgoing.items():
            if out.child_id == message.child_id:
                out.chunker = message.ref
                self._start_chunker_at(transfer_id, out, out.queued_upto)
                return
        for inc in self.incoming.values():
            if inc.child_id == message.child_id:
                inc.reassembler = message.ref
                transfer_id = inc.offer.transfer_id
                resume = self.conn.incoming[transfer_id].durable_offset
                self._rx_batches.pop(transfer_id, None)  # the replay below covers these
                inc.batched = 0
                if self.conn.incoming[transfer_id].state is State.OFFER_RECEIVED:
                    _tell(message.ref, StartWriting(inc.offer, None))  # died before Ready
                    return
                _tell(message.ref, StartWriting(inc.offer, resume))
                replay = [chunk for chunk in inc.retained if chunk.offset >= resume]
                if replay:  # what the dead one had not yet made durable
                    _tell(message.ref, ChunkBatch(transfer_id, replay))
                if inc.eof is not None:
                    _tell(message.ref, inc.eof)
                return

    def _crash_child(self, request: cmd.CrashChild) -> None:
        out, inc = self.outgoing.get(request.transfer_id), self.incoming.get(request.transfer_id)
        ref = {
            "chunker": out.chunker if out else None,
            "reassembler": inc.reassembler if inc else None,
        }.get(request.kind)
        if ref is None or not ref.is_alive():
            logger.warning("no live %s for %s to crash", request.kind, request.transfer_id.hex())
            return
        _tell(ref, InjectFault(f"{request.kind} crash injected by a test"))

    def _child_gave_up(self, message: ChildGaveUp) -> None:
        for transfer_id in [*self.outgoing, *self.incoming]:
            state = self.outgoing.get(transfer_id) or self.incoming.get(transfer_id)
            if state is not None and state.child_id == message.child_id:
                self.send(self.conn.fail(transfer_id, message.error))
                return

    _HANDLERS: dict[type, Callable[[PeerLink, Any], None]] = {
        cmd.SendFile: _send_file,
        cmd.AnswerOffer: _answer_offer,
        cmd.CancelTransfer: _cancel,
        cmd.LinkLost: _link_lost,
        cmd.CrashChild: _crash_child,
        ChunkBatch: _chunk_batch,
        Eof: _eof_from_chunker,
        Durable: _durable,
        Ready: _ready,
        Done: _stored,
        Error: _stage_error,
        ChildRestarted: _child_restarted,
        ChildGaveUp: _child_gave_up,
    }

    # -- protocol events ------------------------------------------------------------------------

    def _dispatch_events(self) -> None:
        for event in self.conn.pop_events():
            if isinstance(event, DataReceived):
                self._forward_data(event)
                continue
            if isinstance(event, Accepted):
                self._start_chunker(event)
            elif isinstance(event, CreditGranted):
                state = self.outgoing.get(event.transfer_id)
                if state is not None:
                    state.credit = event.limit
                    if state.chunker is not None:
                        _tell(state.chunker, Window(event.transfer_id, event.limit))
            elif isinstance(event, EofReceived):
                incoming = self.incoming.get(event.transfer_id)
                if incoming is not None:
                    self._flush_received()  # the chunks before EOF go first
                    incoming.eof = Eof(event.transfer_id, event.size, event.sha256)
                    _tell(incoming.reassembler, incoming.eof)
            elif isinstance(event, Completed | Cancelled | Failed):
                self._finished(event)
            elif isinstance(event, ConnectionFailed):
                self._close_soon(delay=CLOSE_GRACE_SECONDS)  # let our ERROR frame go out
            elif isinstance(event, HandshakeComplete):
                while self.waiting:
                    self._offer(self.waiting.popleft())
            self.listener(event)

    def _forward_data(self, event: DataReceived) -> None:
        """Gather received chunks and hand them to the Reassembler in batches.

        Every hand-over wakes the Reassembler's thread, and on this loop thread that wake-up
        (a Condition notify, then a fight for the GIL) cost more than aiortc's own work per
        chunk. So chunks go over once ``rx_batch_bytes`` have gathered, or after
        ``RX_BATCH_DELAY`` at the latest, which bounds the added latency.
        """
        incoming = self.incoming.get(event.transfer_id)
        if incoming is None:
            return
        chunk = Chunk(event.transfer_id, event.offset, event.data)
        incoming.retained.append(chunk)
        batch = self._rx_batches.setdefault(event.transfer_id, [])
        batch.append(chunk)
        incoming.batched += len(chunk.data)
        if incoming.batched >= self.rx_batch_bytes:
            self._hand_over(event.transfer_id)
        elif self._rx_timer is None:
            loop = asyncio.get_running_loop()
            self._rx_timer = loop.call_later(RX_BATCH_DELAY, self._flush_received)

    def _hand_over(self, transfer_id: bytes) -> None:
        chunks = self._rx_batches.pop(transfer_id, None)
        incoming = self.incoming.get(transfer_id)
        if chunks and incoming is not None:
            incoming.batched = 0
            _tell(incoming.reassembler, ChunkBatch(transfer_id, chunks))

    def _flush_received(self) -> None:
        if self._rx_timer is not None:
            self._rx_timer.cancel()
            self._rx_timer = None
        for transfer_id in list(self._rx_batches):
            self._hand_over(transfer_id)

    def _start_chunker(self, event: Accepted) -> None:
        state = self.outgoing[event.transfer_id]
        state.chunker = start_supervised(
            self.supervisor,
            child_id=state.child_id,
            kind="chunker",
            start=self._chunker_factory(event.transfer_id),
            owner=self.mailbox,
        )
        state.queued_upto = event.offset
        self._start_chunker_at(event.transfer_id, state, event.offset)

    def _start_chunker_at(self, transfer_id: bytes, state: Outgoing, start: int) -> None:
        assert state.chunker is not None
        request = state.request
        session = self.conn.outgoing[transfer_id]
        _tell(
            state.chunker,
            StartReading(request.path, request.size, request.mtime_ns, session.chunk_size, start),
        )
        if state.credit:
            _tell(state.chunker, Window(transfer_id, state.credit))

    def _finished(self, event: Completed | Cancelled | Failed) -> None:
        out = self.outgoing.pop(event.transfer_id, None)
        if out is not None:
            self._stop_child(out.child_id, out.chunker)
        inc = self.incoming.pop(event.transfer_id, None)
        if inc is None:
            return
        if self.supervisor is not None:
            self.supervisor.tell(Unwatch(inc.child_id))
        if isinstance(event, Completed):
            return  # the Reassembler committed and stopped itself
        # A lost peer may come back and resume: keep what is staged. Anything else (cancel,
        # a refused or failed file) is final: drop it.
        lost = isinstance(event, Failed) and isinstance(event.error, PeerGone)
        end = Suspend(event.transfer_id) if lost else Cancel(event.transfer_id, "ended")
        if _tell(inc.reassembler, end):
            self._winding_down = [r for r in self._winding_down if r.is_alive()]
            self._winding_down.append(inc.reassembler)
        elif not lost:
            # The Reassembler is dead, so nobody aborts its staging: discard it here, in a
            # worker thread (a vault discard asks the vault, never on this loop).
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self.config.destination.discard, inc.offer)

    def _stop_child(self, child_id: str, ref: pykka.ActorRef[Any] | None) -> None:
        if self.supervisor is not None:
            self.supervisor.tell(Unwatch(child_id))
        if ref is not None:
            ref.stop(block=False)

    def _chunker_factory(self, transfer_id: bytes) -> Callable[[str], pykka.ActorRef[Any]]:
        def start(child_id: str) -> pykka.ActorRef[Any]:
            return Chunker.start(child_id, self.supervisor, transfer_id, self.mailbox)

        return start

    def _reassembler_factory(self, transfer_id: bytes) -> Callable[[str], pykka.ActorRef[Any]]:
        def start(child_id: str) -> pykka.ActorRef[Any]:
            return Reassembler.start(
                child_id,
                self.supervisor,
                transfer_id,
                self.mailbox,
                self.config.destination,
                write_delay=self.config.write_delay,
            )

        return start

    # -- losing the peer ---------------------------------------------------------------------

    def lose(self, error: FerryError) -> None:
        """The peer is gone: every unfinished transfer fails, children are cleaned up."""
        if self.closed:
            return
        self.closed = True
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
