"""Relinks: the attempts of a reconnect, carried inside one long-lived signaling.

The carrier is Ferry's real in-process signaling pair; the far end is driven by the test
(it writes what a peer, honest or not, would write into the sealed channel).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ferry.engine.signaling import in_process_pair
from ferry.engine.signaling.relink import MAX_QUEUED, RELINK, NoAttempt, Relinks
from ferry.protocol.errors import PeerGone


def _run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 10))


def _carried(attempt: object, message: object) -> dict[str, Any]:
    return {"type": RELINK, "attempt": attempt, "message": message}


async def _pair(*, leader: bool) -> tuple[Relinks, Any, list[int], asyncio.Task[Any]]:
    ours, theirs = in_process_pair()
    await asyncio.gather(ours.open(), theirs.open())
    heard: list[int] = []
    relinks = Relinks(ours, leader=leader, on_attempt=heard.append)
    reader = asyncio.create_task(relinks.run())
    return relinks, theirs, heard, reader


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_the_leader_numbers_its_attempts_and_gets_only_the_current_ones_answers() -> None:
    async def scenario() -> None:
        relinks, peer, _, reader = await _pair(leader=True)
        first = relinks.start_attempt()
        await first.send({"n": 1})
        assert await peer.receive() == _carried(1, {"n": 1})
        second = relinks.start_attempt()
        with pytest.raises(PeerGone, match="replaced by attempt 2"):
            await first.receive()
        await peer.send(_carried(1, {"late": True}))  # the abandoned attempt's last words
        await peer.send(_carried(7, {"ahead": True}))  # only the leader starts attempts
        await peer.send(_carried(2, {"answer": 2}))
        assert await second.receive() == {"answer": 2}
        assert relinks.attempt == 2
        reader.cancel()

    _run(scenario())


def test_the_follower_joins_the_newest_attempt_and_hears_of_each() -> None:
    async def scenario() -> None:
        relinks, peer, heard, reader = await _pair(leader=False)
        with pytest.raises(NoAttempt, match="did not reconnect within"):
            await relinks.next_attempt(0.05)  # nobody reconnects: bounded, and final
        await peer.send(_carried(1, {"hello": 1}))
        await peer.send(_carried(2, {"hello": 2}))
        await _settle()
        assert heard == [1, 2]
        view = await relinks.next_attempt(1)
        assert view.attempt == 2 and await view.receive() == {"hello": 2}
        await view.send({"reply": True})
        assert await peer.receive() == _carried(2, {"reply": True})
        waiting = asyncio.create_task(relinks.next_attempt(5))  # the next one is newer
        await _settle()
        assert not waiting.done()
        await peer.send(_carried(3, {"hello": 3}))
        newer = await waiting
        assert newer.attempt == 3 and await newer.receive() == {"hello": 3}
        with pytest.raises(PeerGone, match="replaced by attempt 3"):
            await view.receive()
        reader.cancel()

    _run(scenario())


@pytest.mark.parametrize(
    "bad",
    [
        _carried("1", {}),
        _carried(True, {}),
        _carried(0, {}),
        _carried(-3, {}),
        _carried(1 << 40, {}),
        _carried(1, "not a dict"),
        _carried(1, None),
        {"type": RELINK},
        {"type": "something-newer", "attempt": 1},
    ],
)
def test_malformed_carried_messages_are_dropped(bad: dict[str, Any]) -> None:
    async def scenario() -> None:
        relinks, peer, heard, reader = await _pair(leader=False)
        await peer.send(bad)
        await peer.send(_carried(1, {"fine": True}))
        view = await relinks.next_attempt(1)
        assert await view.receive() == {"fine": True} and heard == [1]
        reader.cancel()

    _run(scenario())


def test_an_attempt_flooded_with_messages_fails_instead_of_growing() -> None:
    async def scenario() -> None:
        relinks, peer, _, reader = await _pair(leader=False)
        for i in range(MAX_QUEUED + 1):
            await peer.send(_carried(1, {"i": i}))
        await _settle()
        view = await relinks.next_attempt(1)
        with pytest.raises(PeerGone, match=f"more than {MAX_QUEUED} messages"):
            await view.receive()
        reader.cancel()

    _run(scenario())


def test_a_goodbye_ends_every_attempt_and_allows_no_new_one() -> None:
    async def scenario() -> None:
        relinks, peer, _, reader = await _pair(leader=True)
        view = relinks.start_attempt()
        pending = asyncio.create_task(view.receive())
        await peer.send({"type": "bye"})
        ended = await reader
        assert relinks.said_bye and isinstance(ended, PeerGone)
        assert await relinks.ended_within(0) is ended
        with pytest.raises(PeerGone):
            await pending
        with pytest.raises(PeerGone, match="no reconnect"):
            relinks.start_attempt()

    _run(scenario())


def test_closing_an_attempt_leaves_the_carrier_open() -> None:
    async def scenario() -> None:
        relinks, peer, _, reader = await _pair(leader=True)
        first = relinks.start_attempt()
        await first.close()
        with pytest.raises(PeerGone):
            await first.send({})
        second = relinks.start_attempt()
        await second.send({"still": "here"})
        assert await peer.receive() == _carried(2, {"still": "here"})
        assert await relinks.ended_within(0) is None
        reader.cancel()

    _run(scenario())
