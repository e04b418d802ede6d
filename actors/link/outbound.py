"""The outbound side: offers, the Chunkers' batches, and the pump onto the data channel.

CHUNK frames go out only while the data channel's ``bufferedAmount`` is at or under the
threshold (and resume on ``bufferedamountlow``), and a Chunker only reads what the
receiver's credit allows, and never more than ``read_ahead`` bytes beyond what the data
channel has taken: credit is the receiver's to give, the sender's memory is not.

Outgoing transfers share the data channel round-robin, one chunk
each in turn, so a small file sent after a big one is not stuck behind it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pykka
from aiortc import RTCDataChannel

from ferry.protocol.codec import encode
from ferry.protocol.connection import Connection
from ferry.protocol.errors import PeerGone
from ferry.protocol.events import Accepted, CreditGranted, Event, Failed
from ferry.protocol.frames import Chunk, Frame

from .. import commands as cmd
from ..config import ChannelConfig
from ..messages import ChunkBatch, Credit, ReadComplete, StartReading
from ..supervisor import start_supervised
from .state import Outgoing, tell

_NEVER = 1 << 64  # beyond any offset


class OutboundPump:
    """Sending files (a part of PeerLink)."""

    config: ChannelConfig
    conn: Connection
    dc: RTCDataChannel | None
    closed: bool
    listener: Callable[[Event], None]
    outgoing: dict[bytes, Outgoing]
    waiting: deque[cmd.SendFile]  # offers made before the handshake
    ready_ring: deque[bytes]  # outgoing transfers with queued frames
    supervisor: pykka.ActorRef[Any] | None
    mailbox: Any
    _pumping: bool

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def _dispatch_events(self) -> None: ...
        def _stop_child(self, child_id: str, ref: pykka.ActorRef[Any] | None) -> None: ...
        def _chunker_factory(self, transfer_id: bytes) -> Callable[[str], Any]: ...

    def send(self, frames: list[Frame]) -> None:
        """Send control frames now (they are small); CHUNKs go through :meth:`pump`."""
        if not frames or self.dc is None or self.dc.readyState != "open":
            return
        for frame in frames:
            self.dc.send(encode(frame))

    def pump(self) -> None:
        """Send queued CHUNK frames, and EOF after a file's last, while the buffer has room."""
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
                    state.sent_upto = item.offset + len(item.data)
                    if state.sent_upto >= state.read_more_at:
                        self._allow_reading(transfer_id, state)
                else:
                    dc.send(encode(self.conn.finish(transfer_id, item.sha256)[0]))
                if state.queue:
                    ring.append(transfer_id)
        finally:
            self._pumping = False
        self._dispatch_events()

    # -- from the host ---------------------------------------------------------------------

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

    def _offer_waiting(self) -> None:
        """The handshake is complete: make the offers the host asked for before it."""
        while self.waiting:
            self._offer(self.waiting.popleft())

    def _cancel(self, request: cmd.CancelTransfer) -> None:
        self.send(self.conn.cancel(request.transfer_id, request.reason))

    # -- from the peer (through protocol events) -------------------------------------------

    def _start_chunker(self, event: Accepted) -> None:
        state = self.outgoing[event.transfer_id]
        state.chunker = start_supervised(
            self.supervisor,
            child_id=state.child_id,
            kind="chunker",
            start=self._chunker_factory(event.transfer_id),
            owner=self.mailbox,
        )
        state.queued_upto = state.sent_upto = event.offset
        self._start_chunker_at(event.transfer_id, state, event.offset)

    def _start_chunker_at(self, transfer_id: bytes, state: Outgoing, start: int) -> None:
        assert state.chunker is not None
        request = state.request
        session = self.conn.outgoing[transfer_id]
        tell(
            state.chunker,
            StartReading(request.path, request.size, request.mtime_ns, session.chunk_size, start),
        )
        state.reading_limit = 0  # a new Chunker: tell it afresh
        self._allow_reading(transfer_id, state)

    def _credit_granted(self, event: CreditGranted) -> None:
        state = self.outgoing.get(event.transfer_id)
        if state is not None:
            state.credit = event.limit
            self._allow_reading(event.transfer_id, state)

    def _allow_reading(self, transfer_id: bytes, state: Outgoing) -> None:
        """Tell the Chunker how far it may read: the credit, but at most ``read_ahead``
        beyond what the data channel has taken.

        When the read-ahead is what holds the Chunker back, the pump calls again once the
        data channel has taken a quarter of it (a Credit every few MiB, not every chunk);
        when the credit is, the next WINDOW does.
        """
        ahead = self.config.read_ahead
        cap = state.sent_upto + ahead
        limit = min(state.credit, cap)
        state.read_more_at = state.sent_upto + ahead // 4 if cap < state.credit else _NEVER
        if state.chunker is not None and limit > state.reading_limit:
            state.reading_limit = limit
            tell(state.chunker, Credit(transfer_id, limit))

    # -- from the Chunker ------------------------------------------------------------------

    def _chunk_batch(self, batch: ChunkBatch) -> None:
        state = self.outgoing.get(batch.transfer_id)
        if state is None:
            return
        state.queue.extend(batch.chunks)
        last = batch.chunks[-1]
        state.queued_upto = last.offset + len(last.data)
        self._mark_ready(batch.transfer_id)

    def _read_complete(self, done: ReadComplete) -> None:
        state = self.outgoing.get(done.transfer_id)
        if state is None:
            return
        state.queue.append(done)  # the pump sends EOF for it, after the last chunk
        self._stop_child(state.child_id, state.chunker)  # its work is done
        state.chunker = None
        self._mark_ready(done.transfer_id)

    def _mark_ready(self, transfer_id: bytes) -> None:
        if transfer_id not in self.ready_ring:
            self.ready_ring.append(transfer_id)
        self.pump()
