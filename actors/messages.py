"""Messages between the stage actors that are not protocol frames.

Chunks, EOF, cancel and errors travel between actors as the protocol's own frames
(:mod:`protocol.frames`); these few carry what only the local side needs to know.
"""

from __future__ import annotations

from dataclasses import dataclass

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
