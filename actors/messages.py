"""The messages the Channel and its stage actors (Chunker, Reassembler) exchange.

Wire frames stay on the wire: these say what happened locally ("the file is read",
"stored", "this stage failed"), and the Channel's sans-IO Connection turns them into
frames for the peer. The one frame that crosses into an actor is :class:`Chunk`: the
Chunker cuts the very frames the pump sends, and the Reassembler writes the ones received,
so a batch carries them as they are instead of copying them into another type.
"""

from __future__ import annotations

from dataclasses import dataclass

from ferry.errors import FerryError
from ferry.protocol.frames import Chunk, Offer


@dataclass(frozen=True, slots=True)
class StartReading:
    """Chunker: open ``path`` and read it from ``start``; ``size``/``mtime_ns`` as offered."""

    path: str
    size: int
    mtime_ns: int
    chunk_size: int
    start: int


@dataclass(frozen=True, slots=True)
class ChunkBatch:
    """Chunker -> Channel: consecutive CHUNK frames cut from one block read."""

    transfer_id: bytes
    chunks: list[Chunk]


@dataclass(frozen=True, slots=True)
class StartWriting:
    """Reassembler: stage ``offer``.

    ``resume`` None: a new offer; the destination finds what an earlier attempt left
    (answered with :class:`Ready`). An int: a restarted Reassembler continues there.
    """

    offer: Offer
    resume: int | None


@dataclass(frozen=True, slots=True)
class Ready:
    """Reassembler -> Channel: staging is open; accept the offer at ``offset``."""

    transfer_id: bytes
    offset: int


@dataclass(frozen=True, slots=True)
class Durable:
    """Reassembler -> Channel: every byte below ``upto`` is written to the staging file."""

    transfer_id: bytes
    upto: int


@dataclass(frozen=True, slots=True)
class Suspend:
    """Reassembler: the peer is gone; keep what is staged for a later offer, and stop."""

    transfer_id: bytes


@dataclass(frozen=True, slots=True)
class Credit:
    """Channel -> Chunker: the receiver allows bytes below ``limit``; read up to there."""

    transfer_id: bytes
    limit: int


@dataclass(frozen=True, slots=True)
class ReadComplete:
    """Chunker -> Channel: every byte is read and batched; ``sha256`` is the whole file's.

    The Channel sends EOF once the last chunk before it has gone out.
    """

    transfer_id: bytes
    size: int
    sha256: bytes


@dataclass(frozen=True, slots=True)
class FinishWriting:
    """Channel -> Reassembler: the sender's EOF came; check ``size`` and ``sha256``, commit."""

    transfer_id: bytes
    size: int
    sha256: bytes


@dataclass(frozen=True, slots=True)
class Abort:
    """Channel -> Reassembler: the transfer is over without the file; drop what is staged."""

    transfer_id: bytes


@dataclass(frozen=True, slots=True)
class Stored:
    """Reassembler -> Channel: the file is verified and committed as ``stored_id``."""

    transfer_id: bytes
    sha256: bytes
    stored_id: str


@dataclass(frozen=True, slots=True)
class StageFailed:
    """Chunker or Reassembler -> Channel: the transfer cannot go on (file changed, disk
    full, integrity); ``error`` is what the peer and the host will be told."""

    transfer_id: bytes
    error: FerryError
