"""MailboxSignaling against the real magic-wormhole mailbox server, started by the test.

Every test starts ``twist wormhole-mailbox`` on 127.0.0.1 with its database in the test's
folder (so a restart keeps the mailboxes), and reads that database to check what the server
holds. Time is a ManualClock: a test moves it forward when it wants a reconnect, so nothing
here sleeps. Only one fake: the hostile server at the end, a fault the real one cannot make.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from ferry.actors.clock import ManualClock
from ferry.engine.rendezvous import APP_ID, MailboxSignaling, RendezvousError
from ferry.protocol.errors import PeerGone
from ferry.protocol.rendezvous import CROWDED, PROTOCOL, REFUSED, UNKNOWN_NAMEPLATE, UNREACHABLE

from .conftest import run
from .servers import (
    MailboxServer,
    Proxy,
    free_port,
    mailboxes,
    nameplates,
    stored_messages,
    usage_results,
)

pytestmark = pytest.mark.timeout(120)


def _options(clock: ManualClock, seed: int = 0) -> dict[str, Any]:
    return {"clock": clock, "rng": random.Random(seed)}


@asynccontextmanager
async def paired(
    url_a: str, url_b: str, clock: ManualClock
) -> AsyncIterator[tuple[MailboxSignaling, MailboxSignaling]]:
    """a allocates, b claims its nameplate, both open; both closed afterwards."""
    a = MailboxSignaling.allocate(url_a, **_options(clock, 1))
    b: MailboxSignaling | None = None
    try:
        nameplate = await a.bind()
        b = MailboxSignaling.claim(url_b, nameplate, **_options(clock, 2))
        await asyncio.gather(a.open(), b.open())
        yield a, b
    finally:
        await a.close()
        if b is not None:
            await b.close()


async def _exchange(
    sender: MailboxSignaling, receiver: MailboxSignaling, messages: list[dict[str, Any]]
) -> None:
    for message in messages:
        await sender.send(message)
    assert [await receiver.receive() for _ in messages] == messages


def _bodies(server: MailboxServer, side: str) -> list[tuple[str, Any]]:
    return [
        (m.phase, json.loads(m.body)) for m in stored_messages(server, APP_ID) if m.side == side
    ]


# -- pairing and exchanging ------------------------------------------------------------------


def test_two_sides_pair_and_exchange_in_order_both_ways(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        async with paired(server.url, server.url, clock) as (a, b):
            assert a.nameplate == b.nameplate and a.nameplate is not None
            assert a.nameplate.isdigit()
            assert a.mailbox == b.mailbox
            first = [{"type": "offer", "n": i, "sdp": "v=0 " * 50} for i in range(5)]
            await _exchange(a, b, first)
            await _exchange(b, a, [{"type": "answer", "n": i} for i in range(5)])
            # interleaved, both at once
            await asyncio.gather(
                _exchange(a, b, [{"type": "x", "n": i} for i in range(10)]),
                _exchange(b, a, [{"type": "y", "n": i} for i in range(10)]),
            )
            assert a.reconnects == b.reconnects == 0  # nothing needed a reconnect

    run(scenario())


def test_the_nameplate_is_released_once_both_sides_hold_the_mailbox(
    server: MailboxServer,
) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        a = MailboxSignaling.allocate(server.url, **_options(clock))
        nameplate = await a.bind()
        # waiting: the server holds the nameplate for a alone
        assert nameplates(server, APP_ID) == {nameplate: [(a.side, True)]}
        b = MailboxSignaling.claim(server.url, nameplate, **_options(clock))
        await asyncio.gather(a.open(), b.open())
        # one message each way: each side's release was processed before its add
        await _exchange(a, b, [{"type": "ping"}])
        await _exchange(b, a, [{"type": "pong"}])
        assert nameplates(server, APP_ID) == {}  # free for the next code
        assert a.released and b.released
        assert mailboxes(server, APP_ID) == [a.mailbox]  # the mailbox lives on
        await a.close()
        await b.close()
        assert mailboxes(server, APP_ID) == [] and stored_messages(server, APP_ID) == []
        assert usage_results(server, APP_ID) == ["happy"]

    run(scenario())


def test_the_server_stores_exactly_what_the_sides_sent(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        async with paired(server.url, server.url, clock) as (a, b):
            await _exchange(a, b, [{"type": "pake", "body": "00ff"}, {"type": "offer"}])
            await _exchange(b, a, [{"type": "pake", "body": "ff00"}])
            stored = stored_messages(server, APP_ID)
            assert {m.mailbox for m in stored} == {a.mailbox}
            assert {m.side for m in stored} == {a.side, b.side}
            assert _bodies(server, a.side) == [
                ("hello", {}),
                ("0", {"type": "pake", "body": "00ff"}),
                ("1", {"type": "offer"}),
            ]
            assert _bodies(server, b.side) == [
                ("hello", {}),
                ("0", {"type": "pake", "body": "ff00"}),
            ]
            # the body is the compact JSON, byte for byte
            (pake,) = [m for m in stored if m.side == a.side and m.phase == "0"]
            assert pake.body == b'{"type":"pake","body":"00ff"}'
            await a.close("happy")  # returns once the server answered: the bye is stored
            # a said bye with its message count before closing
            assert _bodies(server, a.side)[-1] == ("bye", {"messages": 2})
            with pytest.raises(PeerGone, match="closed"):
                await b.receive()

    run(scenario())


# -- reconnects ------------------------------------------------------------------------------


def test_a_server_restart_mid_exchange_loses_and_repeats_nothing(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        async with paired(server.url, server.url, clock) as (a, b):
            await _exchange(a, b, [{"type": "a", "n": 0}])
            await _exchange(b, a, [{"type": "b", "n": 0}])
            server.kill()
            await clock.wait_sleeping(2)  # both noticed, both wait to reconnect
            await a.send({"type": "a", "n": 1})  # while the server is away
            await b.send({"type": "b", "n": 1})
            server.start()
            clock.advance(1.0)  # the first delay is at most 1 s
            assert await b.receive() == {"type": "a", "n": 1}
            assert await a.receive() == {"type": "b", "n": 1}
            await _exchange(a, b, [{"type": "a", "n": 2}])
            await _exchange(b, a, [{"type": "b", "n": 2}])
            keys = [(m.side, m.phase) for m in stored_messages(server, APP_ID)]
            assert len(keys) == len(set(keys)) == 8  # hello and 3 messages each, once
            assert all(0.5 <= d <= 1.0 for d in clock.requested[:2])

    run(scenario())


def test_a_websocket_dropped_on_one_side_only_resumes(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        proxy = Proxy(server.port)
        await proxy.start()
        try:
            async with paired(proxy.url(), server.url, clock) as (a, b):
                await _exchange(a, b, [{"n": 0}])
                proxy.cut()
                await clock.wait_sleeping(1)
                await b.send({"to": "a", "n": 0})  # while a is away
                await a.send({"n": 1})
                clock.advance(1.0)
                assert await a.receive() == {"to": "a", "n": 0}
                assert await b.receive() == {"n": 1}
                await _exchange(a, b, [{"n": 2}])
                assert [m.phase for m in stored_messages(server, APP_ID) if m.side == a.side] == [
                    "hello", "0", "1", "2"
                ]  # fmt: skip
        finally:
            await proxy.close()

    run(scenario())


def test_a_message_stored_but_never_echoed_is_not_sent_again(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        proxy = Proxy(server.port)
        await proxy.start()
        try:
            async with paired(proxy.url(), server.url, clock) as (a, b):
                proxy.downstream.clear()  # a hears nothing more from the server ...
                await a.send({"type": "offer"})
                assert await b.receive() == {"type": "offer"}  # ... which stored it
                proxy.cut()  # a never saw its echo
                await clock.wait_sleeping(1)
                proxy.downstream.set()
                clock.advance(1.0)
                await a.send({"type": "after"})
                assert await b.receive() == {"type": "after"}
                phases = [m.phase for m in stored_messages(server, APP_ID) if m.side == a.side]
                assert phases == ["hello", "0", "1"]  # "0" once: the replay showed it stored
        finally:
            await proxy.close()

    run(scenario())


def test_a_lost_server_is_given_up_after_the_limit(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        a = MailboxSignaling.allocate(server.url, give_up_after=30.0, **_options(clock))
        await a.bind()
        server.kill()
        opening = asyncio.ensure_future(a.open())
        await clock.wait_sleeping(1)
        while not opening.done():  # each attempt fails at once; the clock says when to stop
            count = len(clock.requested)
            clock.advance(clock.requested[-1])
            next_sleep = asyncio.ensure_future(clock.wait_requested(count + 1))
            await asyncio.wait({opening, next_sleep}, return_when=asyncio.FIRST_COMPLETED)
            next_sleep.cancel()
        with pytest.raises(RendezvousError, match="for more than 30 s") as caught:
            await opening
        assert caught.value.code == UNREACHABLE
        delays = clock.requested
        assert len(delays) > 3 and max(delays) <= 60.0
        await a.close()

    run(scenario())


# -- refusals ------------------------------------------------------------------------------


def test_a_nameplate_nobody_waits_behind_is_a_clear_error(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        b = MailboxSignaling.claim(server.url, "4242", **_options(clock))
        with pytest.raises(RendezvousError, match="nobody is waiting behind nameplate 4242") as e:
            await b.open()
        assert e.value.code == UNKNOWN_NAMEPLATE
        await b.close()
        # the claim made the server create the nameplate; b released and closed it
        assert nameplates(server, APP_ID) == {} and mailboxes(server, APP_ID) == []

    run(scenario())


def test_a_used_code_is_unknown_to_a_late_third_side(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        async with paired(server.url, server.url, clock) as (a, _b):
            await _exchange(a, _b, [{"n": 0}])
            late = MailboxSignaling.claim(server.url, a.nameplate or "", **_options(clock))
            with pytest.raises(RendezvousError) as caught:
                await late.open()
            assert caught.value.code == UNKNOWN_NAMEPLATE  # the pair released it already
            await late.close()

    run(scenario())


def test_a_third_side_on_a_held_nameplate_is_crowded(server: MailboxServer) -> None:
    async def scenario() -> None:
        import websockets

        clock = ManualClock()
        waiting = MailboxSignaling.allocate(server.url, **_options(clock))
        nameplate = await waiting.bind()
        # another client (not Ferry) claims the nameplate and sits on it
        async with websockets.connect(server.url) as squatter:
            await squatter.recv()
            await squatter.send(json.dumps({"type": "bind", "appid": APP_ID, "side": "dddd"}))
            await squatter.send(json.dumps({"type": "claim", "nameplate": nameplate}))
            while json.loads(await squatter.recv())["type"] != "claimed":
                pass
            third = MailboxSignaling.claim(server.url, nameplate, **_options(clock))
            with pytest.raises(RendezvousError, match="taken by two other sides") as caught:
                await third.open()
            assert caught.value.code == CROWDED
            await third.close()
        await waiting.close()
        # the third side let go of its claim: only the squatter's remains
        assert [s for s, claimed in nameplates(server, APP_ID).get(nameplate, []) if claimed] == [
            "dddd"
        ]

    run(scenario())


def test_an_unreachable_server_is_a_clear_error_at_once() -> None:
    async def scenario() -> None:
        clock = ManualClock()
        a = MailboxSignaling.allocate(f"ws://127.0.0.1:{free_port()}/v1", **_options(clock))
        with pytest.raises(RendezvousError, match="cannot reach the rendezvous server") as e:
            await a.bind()
        assert e.value.code == UNREACHABLE and clock.requested == []  # no retry at first
        await a.close()

    run(scenario())


def test_a_server_that_refuses_service_says_why(tmp_path: Path) -> None:
    refusing = MailboxServer(tmp_path, "--signal-error=closed for maintenance")
    refusing.start()
    try:

        async def scenario() -> None:
            a = MailboxSignaling.allocate(refusing.url, **_options(ManualClock()))
            with pytest.raises(RendezvousError, match="closed for maintenance") as caught:
                await a.bind()
            assert caught.value.code == REFUSED
            await a.close()

        run(scenario())
    finally:
        refusing.kill()


# -- closing -----------------------------------------------------------------------------------


def test_moods_reach_the_server_and_receive_ends_after_close(server: MailboxServer) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        lonely = MailboxSignaling.allocate(server.url, **_options(clock))
        await lonely.bind()
        await lonely.close()  # nobody came: "lonely" by default
        with pytest.raises(PeerGone, match="closed"):
            await lonely.receive()
        with pytest.raises(PeerGone, match="closed"):
            await lonely.send({"late": True})
        async with paired(server.url, server.url, clock) as (a, b):
            await _exchange(a, b, [{"type": "pake"}])
            await a.close("scary")  # what the pairing layer says after a wrong code
            with pytest.raises(PeerGone):
                await b.receive()
        assert sorted(usage_results(server, APP_ID)) == ["lonely", "scary"]
        assert nameplates(server, APP_ID) == {} and mailboxes(server, APP_ID) == []

    run(scenario())


# -- a hostile server: the one fault the real server cannot make --------------------------------


@pytest.mark.parametrize(
    "script",
    [
        ["not json at all"],
        [json.dumps({"type": "welcome", "welcome": {}}), "x" * 300_000],  # over the limit
        [
            json.dumps({"type": "welcome", "welcome": {}}),
            json.dumps({"type": "allocated", "nameplate": "\x1b[2J"}),
        ],
    ],
)
def test_a_hostile_server_is_a_rendezvous_error_not_a_crash(script: list[str]) -> None:
    async def scenario() -> None:
        from websockets.asyncio.server import ServerConnection, serve

        async def hostile(ws: ServerConnection) -> None:
            for text in script:
                await ws.send(text)
            await ws.wait_closed()

        async with serve(hostile, "127.0.0.1", 0, max_size=None) as fake:
            port = next(iter(fake.sockets)).getsockname()[1]
            clock = ManualClock()
            a = MailboxSignaling.allocate(f"ws://127.0.0.1:{port}/v1", **_options(clock))
            with pytest.raises(RendezvousError) as caught:
                await a.bind()
            assert caught.value.code == PROTOCOL
            assert "\x1b" not in caught.value.message
            assert a.reconnects == 0 and clock.requested == []  # no retry of a garbage server
            await a.close()

    run(scenario())


def test_a_server_that_welcomes_and_drops_gets_growing_delays() -> None:
    async def scenario() -> None:
        from websockets.asyncio.server import ServerConnection, serve

        async def flaky(ws: ServerConnection) -> None:
            await ws.send(json.dumps({"type": "welcome", "welcome": {}}))
            await ws.close()

        async with serve(flaky, "127.0.0.1", 0) as fake:
            port = next(iter(fake.sockets)).getsockname()[1]
            clock = ManualClock()
            a = MailboxSignaling.allocate(f"ws://127.0.0.1:{port}/v1", **_options(clock))
            binding = asyncio.ensure_future(a.bind())
            for count in range(1, 6):  # a welcome is not a good connection: no reset
                await clock.wait_requested(count)
                clock.advance(clock.requested[-1])
            assert not binding.done()
            assert clock.requested[4] > clock.requested[0]  # [1.7, 3.4] s against [0.5, 1] s
            assert a.reconnects >= 4
            await a.close()
            with pytest.raises(PeerGone):
                await binding

    run(scenario())
