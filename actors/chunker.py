"""The Chunker: reads one outgoing file in large blocks, hashes it, cuts CHUNK frames.

It reads only up to the credit the receiver granted (the Channel passes each WINDOW frame's
limit on as :class:`Credit`), so the Channel's queue for a transfer never holds more than
one window. Reads are ``BLOCK_SIZE`` at a time (large reads keep syscalls and GIL hand-offs
rare, and hashlib releases the GIL on large buffers); each block is hashed once and sliced
into chunk-size frames without copying (memoryview slices; the codec copies once into the
message). When all is read it reports :class:`ReadComplete` with the file's SHA-256.

State that must survive a restart (where to resume) lives in the Channel: a new Chunker
is told to start at the offset the dead one had delivered up to, and re-hashes the prefix.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

import pykka

from ferry.actors.storage.errors import StorageError
from ferry.errors import FerryError
from ferry.protocol.frames import Chunk

from .messages import ChunkBatch, Credit, ReadComplete, StageFailed, StartReading
from .supervisor import Supervised

logger = logging.getLogger(__name__)

BLOCK_SIZE = 1 << 20


class FileChanged(StorageError):
    code = "file-changed"


class Chunker(Supervised):
    def __init__(
        self,
        child_id: str,
        supervisor: pykka.ActorRef[Any] | None,
        transfer_id: bytes,
        channel: Any,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        super().__init__(child_id, supervisor)
        self.transfer_id = transfer_id
        self.channel = channel
        self.block_size = block_size
        self.fd: int | None = None
        self.size = 0
        self.chunk_size = 0
        self.position = 0  # next byte to read
        self.credit = 0
        self.sha = hashlib.sha256()
        self.done = False

    def handle(self, message: Any) -> None:
        try:
            if isinstance(message, StartReading):
                self._open(message)
                self._read_within_credit()
            elif isinstance(message, Credit):
                self.credit = max(self.credit, message.limit)
                self._read_within_credit()
        except FerryError as exc:
            # An expected failure (file changed, unreadable): end the transfer, not the actor.
            logger.info("reading %s failed: %s", self.transfer_id.hex(), exc.message)
            self.channel.tell(StageFailed(self.transfer_id, exc))
            self.stop()

    def on_stop(self) -> None:
        self._close()

    def cleanup_after_failure(self) -> None:
        self._close()

    # -- reading ---------------------------------------------------------------------------

    def _open(self, start: StartReading) -> None:
        try:
            self.fd = os.open(start.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            stat = os.fstat(self.fd)
        except OSError as exc:
            raise StorageError(f"cannot read {start.path}: {exc.strerror}") from None
        if stat.st_size != start.size or stat.st_mtime_ns != start.mtime_ns:
            raise FileChanged(f"{start.path} changed since it was offered; send it again")
        self.size = start.size
        self.chunk_size = start.chunk_size
        self.position = 0
        self.sha = hashlib.sha256()
        # Resuming (after a restart or a reconnect): hash the prefix the peer already has.
        while self.position < start.start:
            block = self._read(min(self.block_size, start.start - self.position))
            self.sha.update(block)
            self.position += len(block)

    def _read(self, length: int) -> bytes:
        assert self.fd is not None
        try:
            block = os.pread(self.fd, length, self.position)
        except OSError as exc:
            raise StorageError(
                f"reading failed at offset {self.position}: {exc.strerror}"
            ) from None
        if len(block) != length:
            raise FileChanged(f"the file shrank while being sent (short read at {self.position})")
        return block

    def _read_within_credit(self) -> None:
        if self.fd is None or self.done:
            return
        limit = min(self.credit, self.size)
        while self.position < limit:
            block = self._read(min(self.block_size, limit - self.position))
            self.sha.update(block)
            view = memoryview(block)
            chunks = [
                Chunk(self.transfer_id, self.position + i, view[i : i + self.chunk_size])
                for i in range(0, len(block), self.chunk_size)
            ]
            self.position += len(block)
            self.channel.tell(ChunkBatch(self.transfer_id, chunks))
        if self.position == self.size:
            self.done = True
            self.channel.tell(ReadComplete(self.transfer_id, self.size, self.sha.digest()))
            self._close()

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
