"""The Channel's keepalive runs on the injected clock: a test moves the clock instead of
waiting out the timeout. Real parts: a PeerLink (its RTCPeerConnection is created, never
connected: the keepalive needs no network), its sans-IO Connection and its timers.
(A stalled loop waking late is the sans-IO machine's case, tests/protocol/test_keepalive.py:
a ManualClock fires every timer on time.)"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ferry.actors.clock import ManualClock
from ferry.actors.config import ChannelConfig
from ferry.actors.link import PeerLink
from ferry.actors.storage.destination import FolderDestination
from ferry.protocol.errors import PeerGone
from ferry.protocol.events import ConnectionFailed, Event
from ferry.protocol.frames import Hello
from ferry.protocol.keepalive import FEATURE


async def _link(tmp: Path, clock: ManualClock, events: list[Event], **config: Any) -> PeerLink:
    return PeerLink(
        ChannelConfig(FolderDestination(tmp), clock=clock, **config), events.append, None, None
    )


def _gone(events: list[Event]) -> list[ConnectionFailed]:
    return [e for e in events if isinstance(e, ConnectionFailed)]


def test_a_peer_heard_every_second_stays_and_a_silent_one_is_gone(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock, events = ManualClock(), []
        link = await _link(tmp_path, clock, events)
        try:
            assert FEATURE in link.conn.local_hello.features  # advertised in our HELLO
            link._start_keepalive(Hello(features=(FEATURE,)))
            for _ in range(30):  # half a minute, a frame from the peer every second
                clock.advance(1.0)
                link._heard_from_peer()
            assert not link.closed and not _gone(events)
            for _ in range(5):
                clock.advance(1.0)
            assert not link.closed  # 5 s of silence: not yet
            clock.advance(1.0)
            assert link.closed
            (failed,) = _gone(events)
            assert isinstance(failed.error, PeerGone) and "went silent" in failed.error.message
            assert clock.pending == 0  # no timer left behind
        finally:
            await link.pc.close()

    asyncio.run(scenario())


def test_a_peer_without_the_feature_is_never_timed_out(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock, events = ManualClock(), []
        link = await _link(tmp_path, clock, events)
        try:
            link._start_keepalive(Hello(features=()))  # an older peer
            assert clock.pending == 0
            clock.advance(3600.0)
            assert not link.closed and not _gone(events)
        finally:
            await link.pc.close()

    asyncio.run(scenario())


def test_keepalive_off_is_not_advertised_and_never_runs(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock, events = ManualClock(), []
        link = await _link(tmp_path, clock, events, keepalive_timeout=None)
        try:
            assert FEATURE not in link.conn.local_hello.features
            link._start_keepalive(Hello(features=(FEATURE,)))
            clock.advance(3600.0)
            assert not link.closed
        finally:
            await link.pc.close()

    asyncio.run(scenario())
