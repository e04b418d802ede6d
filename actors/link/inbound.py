"""The inbound side: answering offers, batching received chunks, and the Reassembler's reports.

Received chunks are kept (``retained``) until the Reassembler reports them durable, so a
restarted Reassembler can be handed what its predecessor had not yet written; the receive
window bounds how much that is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pykka

from ferry.protocol.connection import Connection
from ferry.protocol.events import DataReceived, EofReceived
from ferry.protocol.frames import Chunk, Frame
from ferry.protocol.session import State

from .. import commands as cmd
from ..clock import Timer
from ..config import ChannelConfig
from ..messages import ChunkBatch, Durable, FinishWriting, Ready, StartWriting, Stored
from ..supervisor import start_supervised
from .state import Incoming, tell

RX_BATCH_BYTES = 256 * 1024
# At the ~10 MB/s aiortc allows, batches go over by this timer, not by size: 5 ms meant
# 200 hand-overs a second (each a thread wake-up and a durability report back), and cost
# both processes about 8% more CPU per byte than 25 ms (paired runs, benchmarks/README.md).
RX_BATCH_DELAY = 0.025


class InboundBatcher:
    """Receiving files (a part of PeerLink)."""

    config: ChannelConfig
    conn: Connection
    incoming: dict[bytes, Incoming]
    supervisor: pykka.ActorRef[Any] | None
    mailbox: Any
    rx_batch_bytes: int
    _rx_batches: dict[bytes, list[Chunk]]  # received, not yet handed over
    _rx_timer: Timer | None

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def send(self, frames: list[Frame]) -> None: ...
        def _reassembler_factory(self, transfer_id: bytes) -> Callable[[str], Any]: ...

    # -- from the host ---------------------------------------------------------------------

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
        tell(ref, StartWriting(session.offer, None))

    # -- from the peer (through protocol events) -------------------------------------------

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
            self._rx_timer = self.config.clock.call_later(RX_BATCH_DELAY, self._flush_received)

    def _hand_over(self, transfer_id: bytes) -> None:
        chunks = self._rx_batches.pop(transfer_id, None)
        incoming = self.incoming.get(transfer_id)
        if chunks and incoming is not None:
            incoming.batched = 0
            tell(incoming.reassembler, ChunkBatch(transfer_id, chunks))

    def _flush_received(self) -> None:
        if self._rx_timer is not None:
            self._rx_timer.cancel()
            self._rx_timer = None
        for transfer_id in list(self._rx_batches):
            self._hand_over(transfer_id)

    def _eof_received(self, event: EofReceived) -> None:
        incoming = self.incoming.get(event.transfer_id)
        if incoming is not None:
            self._flush_received()  # the chunks before EOF go first
            incoming.eof = FinishWriting(event.transfer_id, event.size, event.sha256)
            tell(incoming.reassembler, incoming.eof)

    # -- from the Reassembler --------------------------------------------------------------

    def _ready(self, ready: Ready) -> None:
        session = self.conn.incoming.get(ready.transfer_id)
        if session is not None and session.state is State.OFFER_RECEIVED:
            self.send(self.conn.accept(ready.transfer_id, ready.offset))

    def _durable(self, message: Durable) -> None:
        state = self.incoming.get(message.transfer_id)
        if state is None:
            return
        retained = state.retained
        while retained and retained[0].offset + len(retained[0].data) <= message.upto:
            retained.popleft()
        self.send(self.conn.bytes_durable(message.transfer_id, message.upto))

    def _stored(self, stored: Stored) -> None:
        if stored.transfer_id in self.incoming:
            self.send(self.conn.complete(stored.transfer_id, stored.sha256, stored.stored_id))
