"""The receiving side of one transfer: ACCEPT, credit as bytes become durable, verify, DONE.

Credit is what keeps the receiver's memory flat: aiortc hands every message to the
application as soon as it arrives, so the receiver only lets the sender run ``window`` bytes
ahead of what its disk has taken. Chunks must arrive in order, each exactly once (the data
channel is ordered and reliable), so a gap or a repeat is a protocol violation.
"""

from __future__ import annotations

from .errors import IntegrityError, LocalProtocolError, ProtocolError, TransferRejected
from .events import Completed, DataReceived, EofReceived, Event, Progress
from .frames import Accept, Chunk, Done, Eof, Frame, Offer, Reject, Window
from .sender import PROGRESS_STEP
from .session import Session, State

#: Bytes the sender may run ahead of what the receiver made durable.
DEFAULT_WINDOW = 4 << 20


class ReceiverSession(Session):
    TRANSITIONS = {
        State.RECEIVING: {Chunk: "_on_chunk", Eof: "_on_eof"},
    }

    def __init__(
        self, offer: Offer, events: list[Event] | None = None, *, window: int = DEFAULT_WINDOW
    ) -> None:
        super().__init__(offer.transfer_id, offer.size, events)
        if window < offer.chunk_size:
            raise LocalProtocolError(f"window {window} is smaller than a chunk")
        self.offer = offer
        self.window = window
        self.state = State.OFFER_RECEIVED
        self.expected_offset = 0  # the next byte we accept from the sender
        self.durable_offset = 0  # bytes the host has made durable
        self.granted = 0  # the credit we gave
        self.declared_sha256: bytes | None = None
        self._next_progress = PROGRESS_STEP

    # -- local events ----------------------------------------------------------------------

    def accept(self, offset: int = 0) -> list[Frame]:
        """Take the offer, starting at ``offset`` (the durable offset when resuming)."""
        self._require(State.OFFER_RECEIVED)
        if not 0 <= offset <= self.size:
            raise LocalProtocolError(f"accept offset {offset} outside 0..{self.size}")
        self.state = State.RECEIVING
        self.expected_offset = self.durable_offset = self.granted = offset
        self._next_progress = offset + PROGRESS_STEP
        return [Accept(self.transfer_id, offset), *self._grant()]

    def reject(self, code: str, message: str) -> list[Frame]:
        self._require(State.OFFER_RECEIVED)
        self._end_failed(TransferRejected(f"refused: {message}", code=code), by_peer=False)
        return [Reject(self.transfer_id, code, message)]

    def bytes_durable(self, upto: int) -> list[Frame]:
        """The host has made bytes below ``upto`` durable: report progress, grant credit."""
        if self.finished:
            return []
        self._require(State.RECEIVING, State.VERIFYING)
        if not self.durable_offset <= upto <= self.expected_offset:
            raise LocalProtocolError(
                f"durable offset {upto} outside {self.durable_offset}..{self.expected_offset}"
            )
        if upto == self.durable_offset:
            return []
        self.durable_offset = upto
        if upto >= self._next_progress or upto == self.size:
            self._next_progress = upto + PROGRESS_STEP
            self._events.append(Progress(self.transfer_id, upto, self.size))
        return self._grant() if self.state is State.RECEIVING else []

    def complete(self, sha256: bytes, stored_id: str) -> list[Frame]:
        """The host hashed and stored the file: confirm it, or fail if the hash differs."""
        self._require(State.VERIFYING)
        if sha256 != self.declared_sha256:
            return self.fail(
                IntegrityError(
                    f"SHA-256 of the received bytes {sha256.hex()} differs from the "
                    f"sender's {self.declared_sha256.hex() if self.declared_sha256 else '?'}"
                )
            )
        self.state = State.COMPLETED
        self._events.append(Completed(self.transfer_id, self.size, sha256, stored_id))
        return [Done(self.transfer_id, sha256, stored_id)]

    # -- peer frames -----------------------------------------------------------------------

    def _on_chunk(self, frame: Chunk) -> list[Frame]:
        end = frame.offset + len(frame.data)
        if frame.offset != self.expected_offset:
            raise ProtocolError(f"CHUNK at offset {frame.offset}, expected {self.expected_offset}")
        if len(frame.data) > self.offer.chunk_size:
            raise ProtocolError(
                f"CHUNK of {len(frame.data)} bytes, more than the offered {self.offer.chunk_size}"
            )
        if end > self.granted:
            raise ProtocolError(f"CHUNK ends at {end}, past the granted credit {self.granted}")
        if end > self.size:
            raise ProtocolError(f"CHUNK ends at {end}, past the file size {self.size}")
        self.expected_offset = end
        self._events.append(DataReceived(self.transfer_id, frame.offset, frame.data))
        return []

    def _on_eof(self, frame: Eof) -> list[Frame]:
        if frame.size != self.size or self.expected_offset != self.size:
            raise ProtocolError(
                f"EOF declares {frame.size} bytes after {self.expected_offset} "
                f"of an offered {self.size}"
            )
        self.state = State.VERIFYING
        self.declared_sha256 = frame.sha256
        self._events.append(EofReceived(self.transfer_id, frame.size, frame.sha256))
        return []

    # -- credit ----------------------------------------------------------------------------

    def _grant(self) -> list[Frame]:
        """Extend the credit, but only in steps of a quarter window to keep WINDOWs rare."""
        limit = min(self.durable_offset + self.window, self.size)
        if limit <= self.granted:
            return []
        if limit < self.size and limit - self.granted < self.window // 4:
            return []
        self.granted = limit
        return [Window(self.transfer_id, limit)]
