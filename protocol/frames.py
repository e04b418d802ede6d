"""The frames of the Ferry protocol, one frozen dataclass per row of the design's table.

A frame is a plain value; :mod:`protocol.codec` turns it into one msgpack message and back.
Constructing a frame does not validate it: the decoder does, because that is where untrusted
input enters. The session state machines only ever build frames from validated values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .limits import PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class Hello:
    """First frame in each direction: what this peer speaks and accepts."""

    version: int = PROTOCOL_VERSION
    max_message_size: int = 0
    max_chunk_size: int = 0
    features: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Offer:
    """The sender proposes one file.

    ``name`` is a safe relative path with ``/`` separators. ``resume_key`` is a stable id the
    sender picks for this file; with ``size`` and ``mtime_ms`` it lets a receiver resume.
    """

    transfer_id: bytes
    name: str
    size: int
    mime_type: str
    chunk_size: int
    resume_key: str
    mtime_ms: int


@dataclass(frozen=True, slots=True)
class Accept:
    """The receiver takes the offer and says where to start (non-zero when resuming)."""

    transfer_id: bytes
    offset: int


@dataclass(frozen=True, slots=True)
class Reject:
    transfer_id: bytes
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """File bytes at ``offset``. ``data`` is any bytes-like object: ``decode`` hands out a
    read-only memoryview of the message (no copy), a sender may pass a memoryview slice."""

    transfer_id: bytes
    offset: int
    data: bytes | memoryview


@dataclass(frozen=True, slots=True)
class Window:
    """Credit: the sender may send bytes up to (not including) ``limit``."""

    transfer_id: bytes
    limit: int


@dataclass(frozen=True, slots=True)
class Eof:
    transfer_id: bytes
    size: int
    sha256: bytes


@dataclass(frozen=True, slots=True)
class Done:
    """The receiver verified the whole file and stored it under ``stored_id``."""

    transfer_id: bytes
    sha256: bytes
    stored_id: str


@dataclass(frozen=True, slots=True)
class Cancel:
    transfer_id: bytes
    reason: str


@dataclass(frozen=True, slots=True)
class Error:
    """A fatal error for one transfer, or for the connection when ``transfer_id`` is None."""

    transfer_id: bytes | None
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Ping:
    """Keepalive: "I am still here". Sent only to a peer whose HELLO lists ``keepalive``
    (:data:`~ferry.protocol.keepalive.FEATURE`), never answered (each side sends its own)."""


Frame = Hello | Offer | Accept | Reject | Chunk | Window | Eof | Done | Cancel | Error | Ping

#: Wire tag of each frame type, and back.
TAGS: dict[type, str] = {
    Hello: "HELLO",
    Offer: "OFFER",
    Accept: "ACCEPT",
    Reject: "REJECT",
    Chunk: "CHUNK",
    Window: "WINDOW",
    Eof: "EOF",
    Done: "DONE",
    Cancel: "CANCEL",
    Error: "ERROR",
    Ping: "PING",
}
TYPES: dict[str, type] = {tag: cls for cls, tag in TAGS.items()}
