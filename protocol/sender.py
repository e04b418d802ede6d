"""The sending side of one transfer: OFFER, then CHUNKs within credit, then EOF, then DONE.

The session never reads the file. Its host reads (hashing as it goes) and hands over bytes
with :meth:`SenderSession.send_chunk`, which refuses anything past the credit the receiver
granted, so a sender built on it cannot outrun the receiver.
"""

from __future__ import annotations

from ferry.errors import FerryError

from .errors import IntegrityError, LocalProtocolError, ProtocolError, TransferRejected
from .events import Accepted, Completed, CreditGranted, Event, Progress
from .frames import Accept, Chunk, Done, Eof, Frame, Offer, Reject, Window
from .limits import SHA256_BYTES
from .session import Session, State

#: Sender progress is reported each time this many more bytes went out (and at the end).
PROGRESS_STEP = 1 << 20


class SenderSession(Session):
    TRANSITIONS = {
        State.OFFERED: {Accept: "_on_accept", Reject: "_on_reject"},
        State.SENDING: {Window: "_on_window"},
        State.EOF_SENT: {Window: "_on_window", Done: "_on_done"},
    }

    def __init__(self, offer: Offer, events: list[Event] | None = None) -> None:
        super().__init__(offer.transfer_id, offer.size, events)
        self.offer = offer
        self.chunk_size = offer.chunk_size
        self.start_offset = 0  # where the receiver asked us to begin (resume)
        self.next_offset = 0  # the next byte to send
        self.credit = 0  # we may send bytes below this offset
        self.sha256: bytes | None = None
        self._next_progress = PROGRESS_STEP
        self._reported = 0  # the last Progress said this many bytes went out

    @property
    def sendable(self) -> int:
        """How many bytes may be sent now without exceeding the receiver's credit."""
        if self.state is not State.SENDING:
            return 0
        return min(self.credit, self.size) - self.next_offset

    @property
    def all_sent(self) -> bool:
        return self.state is State.SENDING and self.next_offset == self.size

    # -- local events ----------------------------------------------------------------------

    def start(self) -> list[Frame]:
        self._require(State.IDLE)
        self.state = State.OFFERED
        return [self.offer]

    def send_chunk(self, data: bytes) -> Chunk:
        """Frame the next ``data`` bytes of the file. Raises if they exceed the credit."""
        return self.admit(Chunk(self.transfer_id, self.next_offset, data))

    def admit(self, chunk: Chunk) -> Chunk:
        """Check a CHUNK built elsewhere (the Chunker) is the next one and within credit."""
        self._require(State.SENDING)
        n = len(chunk.data)
        if chunk.offset != self.next_offset or chunk.transfer_id != self.transfer_id:
            raise LocalProtocolError(f"chunk at {chunk.offset}, expected {self.next_offset}")
        if not 0 < n <= self.chunk_size:
            raise LocalProtocolError(f"chunk of {n} bytes; must be 1..{self.chunk_size}")
        end = self.next_offset + n
        if end > self.credit or end > self.size:
            raise LocalProtocolError(
                f"chunk would end at {end}, past the credit {self.credit} or size {self.size}"
            )
        self.next_offset = end
        if end >= self._next_progress or end == self.size:
            self._next_progress = end + PROGRESS_STEP
            self._reported = end
            self._events.append(Progress(self.transfer_id, end, self.size))
        return chunk

    def connection_lost(self, error: FerryError | None = None, *, by_peer: bool = True) -> None:
        """As every session; first a last Progress with exactly how far the bytes went, so
        a resume after a reconnect knows how many it sends twice."""
        if not self.finished and self.next_offset > self._reported:
            self._reported = self.next_offset
            self._events.append(Progress(self.transfer_id, self.next_offset, self.size))
        super().connection_lost(error, by_peer=by_peer)

    def finish(self, sha256: bytes) -> list[Frame]:
        """Every byte was sent: declare the size and SHA-256 of the whole file."""
        self._require(State.SENDING)
        if self.next_offset != self.size:
            raise LocalProtocolError(f"EOF after {self.next_offset} of {self.size} bytes")
        if len(sha256) != SHA256_BYTES:
            raise LocalProtocolError("sha256 must be 32 bytes")
        self.sha256 = sha256
        self.state = State.EOF_SENT
        return [Eof(self.transfer_id, self.size, sha256)]

    # -- peer frames -----------------------------------------------------------------------

    def _on_accept(self, frame: Accept) -> list[Frame]:
        if frame.offset > self.size:
            raise ProtocolError(f"ACCEPT at offset {frame.offset}, past the size {self.size}")
        self.state = State.SENDING
        self.start_offset = self.next_offset = self.credit = frame.offset
        self._next_progress = frame.offset + PROGRESS_STEP
        self._events.append(Accepted(self.transfer_id, frame.offset))
        return []

    def _on_reject(self, frame: Reject) -> list[Frame]:
        message = f"the receiver refused the file ({frame.code}): {frame.message}"
        return self._end_failed(TransferRejected(message, code=frame.code), by_peer=True)

    def _on_window(self, frame: Window) -> list[Frame]:
        if frame.limit <= self.credit:
            raise ProtocolError(
                f"WINDOW to {frame.limit} does not advance the credit {self.credit}"
            )
        self.credit = frame.limit
        if self.state is State.SENDING:
            self._events.append(CreditGranted(self.transfer_id, frame.limit))
        return []

    def _on_done(self, frame: Done) -> list[Frame]:
        if frame.sha256 != self.sha256:
            return self.fail(
                IntegrityError(
                    f"the receiver stored a file whose SHA-256 {frame.sha256.hex()} differs "
                    f"from ours {self.sha256.hex() if self.sha256 else '?'}"
                )
            )
        assert self.sha256 is not None
        self.state = State.COMPLETED
        self._events.append(Completed(self.transfer_id, self.size, self.sha256, frame.stored_id))
        return []
