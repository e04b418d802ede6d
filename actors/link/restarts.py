"""The stage actors' lives: starting them, handing a restarted one what it needs, stopping.

A crashed Chunker or Reassembler is restarted by the Supervisor, which tells us
(:class:`ChildRestarted`); the state its successor needs lives here, not in the dead actor:
where to read from and the credit (a Chunker), the offer, what was retained but not yet
durable, and the EOF (a Reassembler).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pykka

from ferry.protocol.connection import Connection
from ferry.protocol.errors import PeerGone
from ferry.protocol.events import Cancelled, Completed, Failed
from ferry.protocol.frames import Chunk, Frame
from ferry.protocol.session import State

from .. import commands as cmd
from ..chunker import Chunker
from ..config import ChannelConfig
from ..messages import Abort, ChunkBatch, StageFailed, StartWriting, Suspend
from ..reassembler import Reassembler
from ..supervisor import ChildGaveUp, ChildRestarted, InjectFault, Unwatch
from .state import Incoming, Outgoing, tell

logger = logging.getLogger(__name__)


class ChildRestarts:
    """Chunkers and Reassemblers, from start to stop (a part of PeerLink)."""

    config: ChannelConfig
    conn: Connection
    outgoing: dict[bytes, Outgoing]
    incoming: dict[bytes, Incoming]
    supervisor: pykka.ActorRef[Any] | None
    mailbox: Any
    _rx_batches: dict[bytes, list[Chunk]]
    _winding_down: list[pykka.ActorRef[Any]]  # Reassemblers finishing up

    if TYPE_CHECKING:  # provided by the other parts of PeerLink

        def send(self, frames: list[Frame]) -> None: ...
        def _start_chunker_at(self, transfer_id: bytes, state: Outgoing, start: int) -> None: ...

    def _chunker_factory(self, transfer_id: bytes) -> Callable[[str], pykka.ActorRef[Any]]:
        def start(child_id: str) -> pykka.ActorRef[Any]:
            return Chunker.start(child_id, self.supervisor, transfer_id, self.mailbox)

        return start

    def _reassembler_factory(self, transfer_id: bytes) -> Callable[[str], pykka.ActorRef[Any]]:
        def start(child_id: str) -> pykka.ActorRef[Any]:
            return Reassembler.start(
                child_id,
                self.supervisor,
                transfer_id,
                self.mailbox,
                self.config.destination,
                write_delay=self.config.write_delay,
                clock=self.config.clock,
            )

        return start

    def _child_restarted(self, message: ChildRestarted) -> None:
        for transfer_id, out in self.outgoing.items():
            if out.child_id == message.child_id:
                out.chunker = message.ref
                self._start_chunker_at(transfer_id, out, out.queued_upto)
                return
        for inc in self.incoming.values():
            if inc.child_id == message.child_id:
                inc.reassembler = message.ref
                transfer_id = inc.offer.transfer_id
                resume = self.conn.incoming[transfer_id].durable_offset
                self._rx_batches.pop(transfer_id, None)  # the replay below covers these
                inc.batched = 0
                if self.conn.incoming[transfer_id].state is State.OFFER_RECEIVED:
                    tell(message.ref, StartWriting(inc.offer, None))  # died before Ready
                    return
                tell(message.ref, StartWriting(inc.offer, resume))
                replay = [chunk for chunk in inc.retained if chunk.offset >= resume]
                if replay:  # what the dead one had not yet made durable
                    tell(message.ref, ChunkBatch(transfer_id, replay))
                if inc.eof is not None:
                    tell(message.ref, inc.eof)
                return

    def _child_gave_up(self, message: ChildGaveUp) -> None:
        for transfer_id in [*self.outgoing, *self.incoming]:
            state = self.outgoing.get(transfer_id) or self.incoming.get(transfer_id)
            if state is not None and state.child_id == message.child_id:
                self.send(self.conn.fail(transfer_id, message.error))
                return

    def _stage_failed(self, failed: StageFailed) -> None:
        self.send(self.conn.fail(failed.transfer_id, failed.error))

    def _crash_child(self, request: cmd.CrashChild) -> None:
        out, inc = self.outgoing.get(request.transfer_id), self.incoming.get(request.transfer_id)
        ref = {
            "chunker": out.chunker if out else None,
            "reassembler": inc.reassembler if inc else None,
        }.get(request.kind)
        if ref is None or not ref.is_alive():
            logger.warning("no live %s for %s to crash", request.kind, request.transfer_id.hex())
            return
        tell(ref, InjectFault(f"{request.kind} crash injected by a test"))

    def _finished(self, event: Completed | Cancelled | Failed) -> None:
        out = self.outgoing.pop(event.transfer_id, None)
        if out is not None:
            self._stop_child(out.child_id, out.chunker)
        inc = self.incoming.pop(event.transfer_id, None)
        if inc is None:
            return
        if self.supervisor is not None:
            self.supervisor.tell(Unwatch(inc.child_id))
        if isinstance(event, Completed):
            return  # the Reassembler committed and stopped itself
        # A lost peer may come back and resume: keep what is staged. Anything else (cancel,
        # a refused or failed file) is final: drop it.
        lost = isinstance(event, Failed) and isinstance(event.error, PeerGone)
        end = Suspend(event.transfer_id) if lost else Abort(event.transfer_id)
        if tell(inc.reassembler, end):
            self._winding_down = [r for r in self._winding_down if r.is_alive()]
            self._winding_down.append(inc.reassembler)
        elif not lost:
            # The Reassembler is dead, so nobody aborts its staging: discard it here, in a
            # worker thread (a vault discard asks the vault, never on this loop).
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self.config.destination.discard, inc.offer)

    def _stop_child(self, child_id: str, ref: pykka.ActorRef[Any] | None) -> None:
        if self.supervisor is not None:
            self.supervisor.tell(Unwatch(child_id))
        if ref is not None:
            ref.stop(block=False)
