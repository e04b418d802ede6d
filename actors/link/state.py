"""What the link keeps per transfer, outside the stage actors, so a restarted one can go on."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pykka

from ferry.protocol.frames import Chunk

from .. import commands as cmd
from ..messages import FinishWriting, ReadComplete


@dataclass
class Outgoing:
    """What the Channel keeps for a file it sends (the state a new Chunker needs)."""

    request: cmd.SendFile
    child_id: str
    chunker: pykka.ActorRef[Any] | None = None
    queue: deque[Chunk | ReadComplete] = field(default_factory=deque)  # EOF goes out last
    queued_upto: int = 0  # the Chunker has delivered every byte below this
    credit: int = 0  # what the receiver allows
    sent_upto: int = 0  # every byte below this went into the data channel
    reading_limit: int = 0  # what the Chunker was last told it may read up to
    read_more_at: int = 0  # once sent_upto reaches this, the Chunker may read further


@dataclass
class Incoming:
    """What the Channel keeps for a file it receives (the state a new Reassembler needs)."""

    child_id: str
    reassembler: pykka.ActorRef[Any]
    offer: Any
    retained: deque[Chunk] = field(default_factory=deque)  # not yet durable: bounded by window
    eof: FinishWriting | None = None  # the sender's EOF, once it came
    batched: int = 0  # bytes gathered for the next hand-over


def tell(ref: pykka.ActorRef[Any], message: Any) -> bool:
    """Tell a stage actor; False if it is dead.

    A crashed child stays dead until the supervisor's restart reaches us, and whatever it
    missed meanwhile is handed to its successor then (credit, retained chunks, EOF).
    """
    try:
        ref.tell(message)
    except pykka.ActorDeadError:
        return False
    return True
