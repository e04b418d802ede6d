"""The Channel's inbound batcher hands received chunks over by size, or by its timer on the
injected clock: a test moves the clock instead of waiting out RX_BATCH_DELAY.

Real parts: a PeerLink (its RTCPeerConnection is created, never connected: the batcher
does not need the network) and a real Reassembler writing into a FolderDestination. The
received chunks are handed to the batcher as the protocol's DataReceived events would be.
"""

from __future__ import annotations

import asyncio
import queue
from pathlib import Path
from typing import Any

from ferry.actors.clock import ManualClock
from ferry.actors.config import ChannelConfig
from ferry.actors.link import PeerLink
from ferry.actors.link.inbound import RX_BATCH_DELAY
from ferry.actors.link.state import Incoming
from ferry.actors.messages import Durable, Ready, StartWriting
from ferry.actors.reassembler import Reassembler
from ferry.actors.storage.destination import FolderDestination
from ferry.protocol.events import DataReceived
from ferry.protocol.frames import Offer

TID = b"b" * 16


class Mailbox:
    def __init__(self) -> None:
        self.heard: queue.Queue[Any] = queue.Queue()

    def tell(self, message: Any) -> None:
        self.heard.put(message)


def test_a_batch_below_the_size_limit_goes_over_when_the_clock_says(tmp_path: Path) -> None:
    clock, mailbox = ManualClock(), Mailbox()
    destination = FolderDestination(tmp_path)
    offer = Offer(TID, "file.bin", 1 << 20, "application/octet-stream", 1000, "", 1)
    reassembler = Reassembler.start("r", None, TID, mailbox, destination, clock=clock)

    async def scenario() -> tuple[int, int, Any]:
        link = PeerLink(ChannelConfig(destination, clock=clock), lambda _: None, mailbox, None)
        try:
            reassembler.tell(StartWriting(offer, None))
            assert mailbox.heard.get(timeout=10) == Ready(TID, 0)
            link.incoming[TID] = Incoming("r", reassembler, offer)
            for offset in (0, 1000):  # 2,000 bytes: far below the batch size
                link._forward_data(DataReceived(TID, offset, b"x" * 1000))
            held, timers = len(link._rx_batches[TID]), clock.pending
            clock.advance(RX_BATCH_DELAY * 0.9)
            assert link._rx_batches  # not yet
            clock.advance(RX_BATCH_DELAY * 0.1)  # the timer fires: both chunks go over
            assert not link._rx_batches and link._rx_timer is None
            return held, timers, mailbox.heard.get(timeout=10)
        finally:
            await link.pc.close()

    try:
        held, timers, reported = asyncio.run(scenario())
    finally:
        reassembler.stop()
    assert (held, timers) == (2, 1)  # both held, on one timer
    assert reported == Durable(TID, 2000)  # the Reassembler wrote them
