"""One peer connection: the HELLO handshake and the transfers multiplexed over it.

Like aioquic's ``QuicConnection`` this owns no socket. Feed it decoded frames with
:meth:`Connection.receive`, call the local actions, send the frames each call returns, and
read what happened from :meth:`Connection.pop_events`. Transfers in both directions share
one connection and are told apart by their random 16-byte ids.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from ferry.errors import FerryError

from .errors import LocalProtocolError, PeerGone, ProtocolError, error_from_code
from .events import (
    Cancelled,
    Completed,
    ConnectionFailed,
    Event,
    Failed,
    HandshakeComplete,
    OfferReceived,
)
from .frames import TAGS, Cancel, Chunk, Error, Frame, Hello, Offer, Ping
from .limits import (
    BASE_CHUNK_SIZE,
    CHUNK_FRAME_OVERHEAD,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_MESSAGE_SIZE,
    MAX_FILE_SIZE,
    PROTOCOL_VERSION,
    TRANSFER_ID_BYTES,
)
from .names import name_problem
from .receiver import DEFAULT_WINDOW, ReceiverSession
from .sender import SenderSession
from .session import Session

#: Incoming files a peer may have offered and not finished at once; beyond, REJECT "busy".
DEFAULT_MAX_INCOMING = 64
#: Finished transfers remembered (late frames for them are ignored quietly); older ones
#: are forgotten, so a peer that offers without end cannot grow this side's memory.
FINISHED_KEPT = 1024


def negotiated_chunk_limit(local: Hello, peer: Hello) -> int:
    """The largest chunk both peers accept and whose CHUNK frame fits both message limits."""
    message_limit = min(local.max_message_size, peer.max_message_size) - CHUNK_FRAME_OVERHEAD
    return max(BASE_CHUNK_SIZE, min(local.max_chunk_size, peer.max_chunk_size, message_limit))


class Connection:
    """Handshake plus a table of sessions keyed by transfer id."""

    def __init__(
        self,
        *,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_chunk_size: int | None = None,
        features: Iterable[str] = (),
        window: int = DEFAULT_WINDOW,
        max_file_size: int = MAX_FILE_SIZE,
        max_incoming: int = DEFAULT_MAX_INCOMING,
        max_offers: int | None = None,
    ) -> None:
        if max_chunk_size is None:
            max_chunk_size = max_message_size - CHUNK_FRAME_OVERHEAD
        if max_chunk_size < BASE_CHUNK_SIZE:
            raise LocalProtocolError(f"max chunk size must be at least {BASE_CHUNK_SIZE}")
        if max_message_size < BASE_CHUNK_SIZE + CHUNK_FRAME_OVERHEAD:
            raise LocalProtocolError("max message size cannot hold a base-size chunk")
        self.local_hello = Hello(
            PROTOCOL_VERSION, max_message_size, max_chunk_size, tuple(features)
        )
        self.peer_hello: Hello | None = None
        self.window = window
        self.max_file_size = max_file_size
        if max_incoming < 1 or (max_offers is not None and max_offers < 1):
            raise LocalProtocolError("max_incoming and max_offers must be at least 1")
        self.max_incoming = max_incoming
        self.max_offers = max_offers  # offers a peer may make in all; None: no limit
        self.offers_received = 0
        self._finished: OrderedDict[bytes, None] = OrderedDict()
        self.failure: FerryError | None = None
        self.outgoing: dict[bytes, SenderSession] = {}
        self.incoming: dict[bytes, ReceiverSession] = {}
        self._hello_sent = False
        self._events: list[Event] = []

    # -- queries -------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Both HELLOs are through and the connection has not failed."""
        return self._hello_sent and self.peer_hello is not None and self.failure is None

    @property
    def max_chunk_size(self) -> int:
        if self.peer_hello is None:
            return BASE_CHUNK_SIZE
        return negotiated_chunk_limit(self.local_hello, self.peer_hello)

    def session(self, transfer_id: bytes) -> Session | None:
        return self.outgoing.get(transfer_id) or self.incoming.get(transfer_id)

    def sender(self, transfer_id: bytes) -> SenderSession:
        try:
            return self.outgoing[transfer_id]
        except KeyError:
            raise LocalProtocolError(f"no outgoing transfer {transfer_id.hex()}") from None

    def receiver(self, transfer_id: bytes) -> ReceiverSession:
        try:
            return self.incoming[transfer_id]
        except KeyError:
            raise LocalProtocolError(f"no incoming transfer {transfer_id.hex()}") from None

    def pop_events(self) -> list[Event]:
        events = self._events[:]
        self._events.clear()  # in place: the sessions append to this same list
        for event in events:
            if isinstance(event, Completed | Cancelled | Failed):
                self._forget_later(event.transfer_id)
        return events

    def _forget_later(self, transfer_id: bytes) -> None:
        """Keep the last ``FINISHED_KEPT`` finished transfers; forget older ones."""
        self._finished[transfer_id] = None
        while len(self._finished) > FINISHED_KEPT:
            old, _ = self._finished.popitem(last=False)
            self.outgoing.pop(old, None)
            self.incoming.pop(old, None)

    @property
    def incoming_in_flight(self) -> int:
        return sum(not session.finished for session in self.incoming.values())

    # -- local actions -------------------------------------------------------------------

    def start(self) -> list[Frame]:
        """The channel is open: say HELLO."""
        if self._hello_sent:
            raise LocalProtocolError("HELLO was already sent")
        self._hello_sent = True
        return [self.local_hello]

    def offer(
        self,
        transfer_id: bytes,
        name: str,
        size: int,
        *,
        mime_type: str = "application/octet-stream",
        resume_key: str = "",
        mtime_ms: int = 0,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> list[Frame]:
        """Offer a file; the chunk size is capped at what both peers accept."""
        if not self.ready:
            raise LocalProtocolError("the handshake has not completed")
        if len(transfer_id) != TRANSFER_ID_BYTES:
            raise LocalProtocolError(f"transfer id must be {TRANSFER_ID_BYTES} bytes")
        if self.session(transfer_id) is not None:
            raise LocalProtocolError(f"transfer id {transfer_id.hex()} is already in use")
        problem = name_problem(name)
        if problem is not None:
            raise LocalProtocolError(problem)
        if not 0 <= size <= MAX_FILE_SIZE:
            raise LocalProtocolError(f"size {size} outside 0..{MAX_FILE_SIZE}")
        if chunk_size < BASE_CHUNK_SIZE:
            raise LocalProtocolError(f"chunk size must be at least {BASE_CHUNK_SIZE}")
        chunk = min(chunk_size, self.max_chunk_size)
        offer = Offer(transfer_id, name, size, mime_type, chunk, resume_key, mtime_ms)
        session = SenderSession(offer, self._events)
        self.outgoing[transfer_id] = session
        return session.start()

    def accept(self, transfer_id: bytes, offset: int = 0) -> list[Frame]:
        return self.receiver(transfer_id).accept(offset)

    def reject(self, transfer_id: bytes, code: str, message: str) -> list[Frame]:
        return self.receiver(transfer_id).reject(code, message)

    def send_chunk(self, transfer_id: bytes, data: bytes) -> Chunk:
        return self.sender(transfer_id).send_chunk(data)

    def admit_chunk(self, chunk: Chunk) -> Chunk:
        return self.sender(chunk.transfer_id).admit(chunk)

    def finish(self, transfer_id: bytes, sha256: bytes) -> list[Frame]:
        return self.sender(transfer_id).finish(sha256)

    def bytes_durable(self, transfer_id: bytes, upto: int) -> list[Frame]:
        return self.receiver(transfer_id).bytes_durable(upto)

    def complete(self, transfer_id: bytes, sha256: bytes, stored_id: str) -> list[Frame]:
        return self.receiver(transfer_id).complete(sha256, stored_id)

    def cancel(self, transfer_id: bytes, reason: str = "cancelled") -> list[Frame]:
        session = self.session(transfer_id)
        return session.cancel(reason) if session is not None and self.failure is None else []

    def fail(self, transfer_id: bytes, error: FerryError) -> list[Frame]:
        session = self.session(transfer_id)
        return session.fail(error) if session is not None and self.failure is None else []

    def protocol_error(self, error: ProtocolError) -> list[Frame]:
        """A message could not be decoded: the connection cannot be trusted any more."""
        if self.failure is not None:
            return []
        self._fail_connection(error, by_peer=False)
        return [Error(None, error.code, error.message)]

    def connection_lost(self, error: FerryError | None = None) -> None:
        """The link dropped: every unfinished transfer fails with :class:`PeerGone`."""
        if self.failure is None:
            self._fail_connection(error or PeerGone("the connection to the peer was lost"), True)

    # -- peer frames ---------------------------------------------------------------------

    def receive(self, frame: Frame) -> list[Frame]:
        """Apply one decoded frame from the peer; return the frames to send in answer."""
        if self.failure is not None:
            return []
        if isinstance(frame, Hello):
            return self._on_hello(frame)
        if self.peer_hello is None:
            return self.protocol_error(ProtocolError(f"{TAGS[type(frame)]} before HELLO"))
        if isinstance(frame, Error) and frame.transfer_id is None:
            self._fail_connection(error_from_code(frame.code, frame.message), by_peer=True)
            return []
        if isinstance(frame, Offer):
            return self._on_offer(frame)
        if isinstance(frame, Ping):
            return []  # keepalive: its arrival is all it says (protocol/keepalive.py)
        assert frame.transfer_id is not None
        session = self.session(frame.transfer_id)
        if session is not None:
            return session.receive(frame)
        if isinstance(frame, Cancel | Error):
            return []  # never answer an error with an error: no loops
        message = f"{TAGS[type(frame)]} for unknown transfer {frame.transfer_id.hex()}"
        return [Error(frame.transfer_id, "unknown-transfer", message)]

    def _on_hello(self, frame: Hello) -> list[Frame]:
        if self.peer_hello is not None:
            return self.protocol_error(ProtocolError("HELLO received twice"))
        self.peer_hello = frame
        self._events.append(HandshakeComplete(frame, self.max_chunk_size))
        return []

    def _on_offer(self, offer: Offer) -> list[Frame]:
        if self.session(offer.transfer_id) is not None:
            return self.session(offer.transfer_id).violation(  # type: ignore[union-attr]
                f"OFFER for transfer {offer.transfer_id.hex()}, which is already in use"
            )
        in_flight = self.incoming_in_flight
        self.offers_received += 1
        window = max(self.window, offer.chunk_size)
        session = ReceiverSession(offer, self._events, window=window)
        self.incoming[offer.transfer_id] = session
        if self.max_offers is not None and self.offers_received > self.max_offers:
            return session.reject(
                "too-many-offers",
                f"this receiver takes at most {self.max_offers} files per connection",
            )
        if in_flight >= self.max_incoming:
            return session.reject(
                "busy",
                f"{in_flight} files are already on their way; offer this one when one ends",
            )
        if offer.chunk_size > self.max_chunk_size:
            return session.violation(
                f"OFFER chunk size {offer.chunk_size} exceeds the negotiated {self.max_chunk_size}"
            )
        if offer.size > self.max_file_size:
            return session.reject(
                "too-large",
                f"{offer.size} bytes exceeds this receiver's limit of {self.max_file_size}",
            )
        self._events.append(OfferReceived(offer.transfer_id, offer))
        return []

    def _fail_connection(self, error: FerryError, by_peer: bool) -> None:
        self.failure = error
        for session in [*self.outgoing.values(), *self.incoming.values()]:
            session.connection_lost(error, by_peer=by_peer)
        self._events.append(ConnectionFailed(error, by_peer))
