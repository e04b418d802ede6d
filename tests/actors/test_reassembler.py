"""The Reassembler's checkpoints are timed on the clock it is given: a test moves it.

Real parts: a Reassembler actor writing into a FolderDestination in tmp_path (the journal
on disk says what a later offer would resume from); the Channel is a queue that records
what the Reassembler tells it.
"""

from __future__ import annotations

import hashlib
import queue
from pathlib import Path
from typing import Any

from ferry.actors.clock import ManualClock
from ferry.actors.messages import (
    ChunkBatch,
    Durable,
    FinishWriting,
    Ready,
    StartWriting,
    Stored,
)
from ferry.actors.reassembler import CHECKPOINT_SECONDS, Reassembler
from ferry.actors.storage.destination import FolderDestination
from ferry.protocol.frames import Chunk, Offer

TID = b"t" * 16
PIECE = 1000


class Channel:
    def __init__(self) -> None:
        self.heard: queue.Queue[Any] = queue.Queue()

    def tell(self, message: Any) -> None:
        self.heard.put(message)


def test_a_checkpoint_is_journaled_once_its_interval_has_passed_on_the_clock(
    tmp_path: Path,
) -> None:
    data = bytes(range(250)) * 12  # 3,000 bytes: three small pieces, far below the 4 MiB
    offer = Offer(TID, "file.bin", len(data), "application/octet-stream", PIECE, "k" * 32, 1)
    destination = FolderDestination(tmp_path)
    clock, channel = ManualClock(), Channel()
    ref = Reassembler.start("reassembler", None, TID, channel, destination, clock=clock)

    def write(start: int) -> Any:
        # ask, not tell: it returns once the batch is written (and checkpointed, if due)
        ref.ask(ChunkBatch(TID, [Chunk(TID, start, data[start : start + PIECE])]))
        return channel.heard.get(timeout=10)

    def journaled() -> int | None:
        entries = destination.pending()
        return entries[0].durable if entries else None

    try:
        ref.tell(StartWriting(offer, None))
        assert channel.heard.get(timeout=10) == Ready(TID, 0)
        assert write(0) == Durable(TID, PIECE)
        assert journaled() is None  # written, but no checkpoint yet: the clock has not moved
        clock.advance(CHECKPOINT_SECONDS * 0.9)
        assert write(PIECE) == Durable(TID, 2 * PIECE)
        assert journaled() is None
        clock.advance(CHECKPOINT_SECONDS * 0.1)
        assert write(2 * PIECE) == Durable(TID, 3 * PIECE)
        assert journaled() == 3 * PIECE  # the interval passed: fsynced and journaled
        ref.tell(FinishWriting(TID, len(data), hashlib.sha256(data).digest()))
        stored = channel.heard.get(timeout=10)
        assert isinstance(stored, Stored) and stored.sha256 == hashlib.sha256(data).digest()
    finally:
        if ref.is_alive():
            ref.stop()
    assert (tmp_path / "file.bin").read_bytes() == data
