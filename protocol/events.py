"""Events the protocol layer reports to its host (the actors, then the Engine).

Every event of a transfer carries its ``transfer_id``. Exactly one terminal event
(:class:`Completed`, :class:`Cancelled` or :class:`Failed`) is reported per transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ferry.errors import FerryError

from .frames import Hello, Offer


@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """Both HELLOs exchanged; ``max_chunk_size`` is the largest chunk both sides accept."""

    peer: Hello
    max_chunk_size: int


@dataclass(frozen=True, slots=True)
class ConnectionFailed:
    """The connection as a whole is unusable (garbage from the peer, a lost link)."""

    error: FerryError
    by_peer: bool


@dataclass(frozen=True, slots=True)
class OfferReceived:
    """A peer offers a file: the host answers with ``accept`` or ``reject``."""

    transfer_id: bytes
    offer: Offer


@dataclass(frozen=True, slots=True)
class Accepted:
    """The peer accepted our offer; read the file from ``offset`` on."""

    transfer_id: bytes
    offset: int


@dataclass(frozen=True, slots=True)
class CreditGranted:
    """The peer allows bytes up to ``limit``: the sender may read and send more."""

    transfer_id: bytes
    limit: int


@dataclass(frozen=True, slots=True)
class DataReceived:
    """Bytes of an incoming file at ``offset``, in order, each exactly once."""

    transfer_id: bytes
    offset: int
    data: bytes | memoryview


@dataclass(frozen=True, slots=True)
class EofReceived:
    """All bytes arrived; the host checks ``sha256`` and calls ``complete``."""

    transfer_id: bytes
    size: int
    sha256: bytes


@dataclass(frozen=True, slots=True)
class Progress:
    """Bytes sent (sender) or made durable (receiver) so far, out of ``size``."""

    transfer_id: bytes
    done: int
    size: int


@dataclass(frozen=True, slots=True)
class Completed:
    """The receiver verified the SHA-256 and stored the file as ``stored_id``."""

    transfer_id: bytes
    size: int
    sha256: bytes
    stored_id: str


@dataclass(frozen=True, slots=True)
class Cancelled:
    transfer_id: bytes
    reason: str
    by_peer: bool


@dataclass(frozen=True, slots=True)
class Failed:
    transfer_id: bytes
    error: FerryError
    by_peer: bool


Event = (
    HandshakeComplete
    | ConnectionFailed
    | OfferReceived
    | Accepted
    | CreditGranted
    | DataReceived
    | EofReceived
    | Progress
    | Completed
    | Cancelled
    | Failed
)
