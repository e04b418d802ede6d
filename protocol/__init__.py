"""Ferry's wire protocol, sans-IO: frames, the msgpack codec and the session state machines.

Nothing here touches sockets, threads, files or asyncio: bytes and events go in, frames and
events come out. ``ferry.protocol.strategies`` (needs hypothesis) has fuzzing strategies.
"""

if __name__ != "ferry.protocol":  # this folder imported by its own name, from a checkout
    raise ImportError(
        "import ferry.protocol, not protocol: the folder is part of the ferry package"
    )

from ferry.errors import FerryError

from .codec import decode, encode
from .connection import Connection, negotiated_chunk_limit
from .errors import (
    IntegrityError,
    LocalProtocolError,
    PeerError,
    PeerGone,
    ProtocolError,
    TransferCancelled,
    TransferRejected,
)
from .frames import (
    Accept,
    Cancel,
    Chunk,
    Done,
    Eof,
    Error,
    Frame,
    Hello,
    Offer,
    Reject,
    Window,
)
from .limits import BASE_CHUNK_SIZE, DEFAULT_CHUNK_SIZE, PROTOCOL_VERSION
from .names import check_name, name_problem
from .receiver import DEFAULT_WINDOW, ReceiverSession
from .sender import SenderSession
from .session import State

__all__ = [
    "BASE_CHUNK_SIZE",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_WINDOW",
    "PROTOCOL_VERSION",
    "Accept",
    "Cancel",
    "Chunk",
    "Connection",
    "Done",
    "Eof",
    "Error",
    "FerryError",
    "Frame",
    "Hello",
    "IntegrityError",
    "LocalProtocolError",
    "Offer",
    "PeerError",
    "PeerGone",
    "ProtocolError",
    "ReceiverSession",
    "Reject",
    "SenderSession",
    "State",
    "TransferCancelled",
    "TransferRejected",
    "Window",
    "check_name",
    "decode",
    "encode",
    "name_problem",
    "negotiated_chunk_limit",
]
