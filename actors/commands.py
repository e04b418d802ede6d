"""Commands a host (the Engine) sends to a Channel actor.

Commands that need an answer carry a :class:`concurrent.futures.Future` the Channel
completes from its loop, so an asyncio host can await it with ``asyncio.wrap_future`` and
no thread ever blocks on another.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CreateOffer:
    reply: Future[dict[str, str]] = field(default_factory=Future)


@dataclass(frozen=True)
class AcceptRemoteOffer:
    sdp: str
    type: str
    reply: Future[dict[str, str]] = field(default_factory=Future)


@dataclass(frozen=True)
class SetRemoteAnswer:
    sdp: str
    type: str
    reply: Future[Any] = field(default_factory=Future)


@dataclass(frozen=True)
class DescribePath:
    """Which candidate pair ICE uses, and a measured round trip (actors/link/path.py)."""

    reply: Future[Any] = field(default_factory=Future)


@dataclass(frozen=True)
class SendFile:
    transfer_id: bytes
    path: str
    name: str
    size: int
    mtime_ns: int
    mime_type: str = "application/octet-stream"
    resume_key: str = ""


@dataclass(frozen=True)
class AnswerOffer:
    """Accept (at the offset the staging finds: 0, or where an earlier try stopped) or not."""

    transfer_id: bytes
    accept: bool
    code: str = "rejected"
    message: str = ""


@dataclass(frozen=True)
class CancelTransfer:
    transfer_id: bytes
    reason: str = "cancelled"


@dataclass(frozen=True)
class LinkLost:
    """The host learned the peer is gone (its signaling connection closed)."""

    reason: str


@dataclass(frozen=True)
class Close:
    reply: Future[Any] = field(default_factory=Future)


@dataclass(frozen=True)
class CrashChild:
    """Test hook: make the ``kind`` actor of a transfer fail as if its code had crashed."""

    transfer_id: bytes
    kind: str  # "chunker" or "reassembler"
