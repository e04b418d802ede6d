"""The Reassembler: writes one incoming file into staging, then verifies and commits it.

Chunks arrive in order and in batches (the Channel's session already checked offsets and
credit). Whenever a megabyte has gathered or the inbox has run dry, one ``writev`` takes
everything pending, and the Channel hears how far the file is now written, which is
what grants the sender more credit. A slow disk therefore slows the sender instead of
growing this process's memory.

At EOF the size and SHA-256 are checked before anything is committed: a mismatch aborts
the staging, so no wrong file ever appears at the destination.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pykka

from ferry.errors import FerryError
from ferry.protocol.errors import IntegrityError
from ferry.protocol.frames import Chunk

from .clock import SYSTEM_CLOCK, Clock
from .messages import (
    Abort,
    ChunkBatch,
    Durable,
    FinishWriting,
    Ready,
    StageFailed,
    StartWriting,
    Stored,
    Suspend,
)
from .storage.destination import Destination, Staging
from .supervisor import Supervised

logger = logging.getLogger(__name__)

FLUSH_BYTES = 1 << 20
#: A resumable transfer is made durable and journaled this often (whichever comes first):
#: a crash loses at most this much, and each checkpoint costs an fsync.
CHECKPOINT_BYTES = 4 << 20
CHECKPOINT_SECONDS = 1.0


class Reassembler(Supervised):
    def __init__(
        self,
        child_id: str,
        supervisor: pykka.ActorRef[Any] | None,
        transfer_id: bytes,
        channel: Any,
        destination: Destination,
        *,
        write_delay: float = 0.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(child_id, supervisor)
        self.transfer_id = transfer_id
        self.channel = channel
        self.destination = destination
        self.write_delay = write_delay  # test hook: an artificially slow disk
        self.clock = clock  # checkpoints are timed on it
        self.staging: Staging | None = None
        self.size = 0
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.expected = 0  # offset of the next chunk we accept
        self.durable = 0  # written to staging (what the Channel grants credit on)
        self.checkpointed = 0  # fsynced and journaled (what a later offer resumes from)
        self.last_checkpoint = 0.0

    def handle(self, message: Any) -> None:
        try:
            if isinstance(message, ChunkBatch):
                self._on_chunks(message.chunks)
            elif isinstance(message, StartWriting):
                self._start(message)
            elif isinstance(message, FinishWriting):
                self._finish(message)
            elif isinstance(message, Abort):
                self._abort()
            elif isinstance(message, Suspend):
                self._suspend()
        except FerryError as exc:
            logger.info("receiving %s failed: %s", self.transfer_id.hex(), exc.message)
            self._abort()
            self.channel.tell(StageFailed(self.transfer_id, exc))

    def cleanup_after_failure(self) -> None:
        # Keep the staged bytes: the restarted Reassembler continues from them.
        if self.staging is not None:
            self.staging.close()

    def on_stop(self) -> None:
        if self.staging is not None:
            self.staging.close()

    # -- steps -----------------------------------------------------------------------------

    def _start(self, message: StartWriting) -> None:
        self.size = message.offer.size
        self.staging = self.destination.open(message.offer, message.resume)
        self.expected = self.durable = self.checkpointed = self.staging.written
        self.last_checkpoint = self.clock.monotonic()
        if message.resume is None:
            self.channel.tell(Ready(self.transfer_id, self.durable))
        elif self.durable > message.resume:
            # The staging holds more than the Channel knows of (a vault writer that outlived
            # the crashed Reassembler): continue from there and skip what it already has.
            self.channel.tell(Durable(self.transfer_id, self.durable))

    def _on_chunks(self, chunks: list[Chunk]) -> None:
        if self.staging is None:
            return  # aborted: batches still in the inbox are dropped
        for chunk in chunks:
            if chunk.offset + len(chunk.data) <= self.expected:
                continue  # already staged before a restart
            if chunk.offset != self.expected:
                raise RuntimeError(f"chunk at {chunk.offset}, expected {self.expected}")
            self.pending.append(chunk.data)
            self.pending_bytes += len(chunk.data)
            self.expected += len(chunk.data)
        if self.pending_bytes >= FLUSH_BYTES or self.actor_inbox.empty():
            self._flush()

    def _flush(self) -> None:
        if not self.pending or self.staging is None:
            return
        if self.write_delay:
            time.sleep(self.write_delay)
        self.durable = self.staging.write(self.pending)
        self.pending = []
        self.pending_bytes = 0
        # Credit first: it needs the bytes written, not synced, and the sender should not
        # wait out the fsync below.
        self.channel.tell(Durable(self.transfer_id, self.durable))
        now = self.clock.monotonic()
        if (
            self.durable - self.checkpointed >= CHECKPOINT_BYTES
            or now - self.last_checkpoint >= CHECKPOINT_SECONDS
        ):
            self.staging.checkpoint()  # fsync and journal: what a later offer resumes from
            self.checkpointed, self.last_checkpoint = self.durable, now

    def _finish(self, eof: FinishWriting) -> None:
        if self.staging is None:
            return
        self._flush()
        if self.durable != self.size or eof.size != self.size:
            raise IntegrityError(f"received {self.durable} bytes of {self.size}")
        actual = self.staging.sha256()
        if actual != eof.sha256:
            raise IntegrityError(
                f"SHA-256 of the received bytes {actual.hex()} differs from the sender's "
                f"{eof.sha256.hex()}; nothing was stored"
            )
        stored_id = self.staging.commit()
        self.staging = None
        self.channel.tell(Stored(self.transfer_id, actual, stored_id))
        self.stop()

    def _suspend(self) -> None:
        if self.staging is not None:
            self._flush()
            self.staging.suspend()
            self.staging = None
        self.pending = []
        self.stop()

    def _abort(self) -> None:
        if self.staging is not None:
            self.staging.abort()
            self.staging = None
        self.pending = []
        self.stop()
