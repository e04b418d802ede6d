"""A peer met through a mailbox reconnects through the same mailbox when its link drops.

Two real engines in this process meet by code on the real local mailbox server and move a
real file over aiortc on 127.0.0.1. Mid-transfer one side's WebRTC connection dies (its
Channel actor crashed: a real cut, the only fault injected); both Peers stay, the joiner
starts a reconnect inside the sealed first signaling, the other side follows, they pair
again by identity (pinned), and the file resumes from what the receiver staged. The
server's database, read while the session is still open, holds only the first pairing's
public messages, then ciphertext: the reconnect's own handshake and SDP never show.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ferry.engine import Engine, EngineConfig, Identity, PeerGone
from ferry.engine.digest import sha256_file
from ferry.engine.peer import Connected, PeerEvent, Reconnected, Reconnecting
from ferry.engine.rendezvous import MailboxSignaling
from ferry.protocol.pairing import new_code, parse_code
from ferry.protocol.rendezvous import APP_ID

from ..integration.helpers import LOOPBACK, incoming_transfers, until_progress, write_random
from .conftest import run
from .servers import MailboxServer, stored_messages, usage_results

MIB = 1 << 20
CLEAR = {"pair-hello", "pair-pake", "pair-reveal", "pair-confirm"}


@pytest.mark.parametrize(
    ("waits", "cut"),
    [("sender", "sender"), ("sender", "receiver"), ("receiver", "receiver")],
    ids=["ferry-send-waits-cut-follower", "ferry-send-waits-cut-leader", "inbox-cut-follower"],
)
def test_a_lost_link_reconnects_through_the_mailbox_and_resumes(
    tmp_path: Path, server: MailboxServer, waits: str, cut: str
) -> None:
    """``waits``: which side made the code (and follows the reconnects: the side that
    typed it leads); ``cut``: whose WebRTC connection dies."""
    name = "holiday-photos-2026.bin"
    source = tmp_path / name
    write_random(source, 24 * MIB, seed=11)
    out = tmp_path / "out"
    out.mkdir()
    sending_identity, receiving_identity = Identity.generate(), Identity.generate()

    async def scenario() -> dict[str, Any]:
        sending = Engine(
            EngineConfig(ice_addresses=LOOPBACK, identity=sending_identity, reconnect_delay=0.1)
        )
        receiving = Engine(
            EngineConfig(
                output_dir=out, accept_all=True, ice_addresses=LOOPBACK,
                identity=receiving_identity, reconnect_delay=0.1, write_delay=0.01,
            )
        )  # fmt: skip
        async with sending, receiving:
            # as on the command line: ferry send waits with a code and ferry receive CODE
            # joins, or an inbox (ferry receive --out) waits and ferry send --code joins
            waiter, joiner = (sending, receiving) if waits == "sender" else (receiving, sending)
            waiting = MailboxSignaling.allocate(server.url)
            code = new_code(await waiting.bind())
            listening = asyncio.create_task(waiter.listen(waiting, code=code))
            typed = parse_code(str(code))
            joined = await joiner.connect(
                MailboxSignaling.claim(server.url, typed.nameplate), code=typed
            )
            waited = await listening
            sender, receiver = (waited, joined) if waits == "sender" else (joined, waited)
            events: dict[str, list[PeerEvent]] = {"sender": [], "receiver": []}
            sender.add_listener(events["sender"].append)
            receiver.add_listener(events["receiver"].append)
            arrivals = incoming_transfers(receiver)
            sent = sender.send(source)
            incoming = await arrivals.get()
            await until_progress(sent, 6 * MIB)
            (sender if cut == "sender" else receiver).inject_fault("channel")
            result = await asyncio.wait_for(sent, 90)
            received = await asyncio.wait_for(incoming, 30)
            held = [(m.side, m.phase, m.body) for m in stored_messages(server, APP_ID)]
            peers = (len(sending.peers), len(receiving.peers))
            seen = {side: list(happened) for side, happened in events.items()}  # before closing
            await sender.close()
            await receiver.close()
            return {
                "result": result, "received": received, "events": seen, "held": held,
                "peers": peers, "ids": (sender.peer_id, receiver.peer_id),
            }  # fmt: skip

    found = run(scenario(), timeout=120)
    result, received = found["result"], found["received"]
    assert sha256_file(out / name) == sha256_file(source)
    assert received.sha256 == result.sha256
    assert found["peers"] == (1, 1)  # the same two Peers, reconnected: no new pairing by code
    assert found["ids"] == (receiving_identity.peer_id, sending_identity.peer_id)
    # resumed from what the receiver staged, and little was sent twice
    print(f"resumed at {result.resumed_from:,}, sent again {result.resent:,}")
    assert 0 < result.resumed_from < source.stat().st_size
    assert result.resent <= EngineConfig().window
    for side in ("sender", "receiver"):
        kinds = [type(e) for e in found["events"][side]]
        assert kinds[0] is Connected and Reconnecting in kinds, (side, kinds)
        assert kinds[-1] is Reconnected, (side, kinds)
        for event in found["events"][side]:
            if isinstance(event, Connected | Reconnected):
                assert event.route is not None and event.route.kind == "host"
    # the server held only the first pairing's public messages, then ciphertext
    forbidden = [
        name.encode(), b"sdp", b"candidate", b"relink", b"attempt", b"127.0.0.1", b"a=",
        sending_identity.peer_id.encode(), receiving_identity.peer_id.encode(),
    ]  # fmt: skip
    sealed = 0
    for _side, phase, body in found["held"]:
        for secret in forbidden:
            assert secret not in body, (phase, secret)
        if phase in ("hello", "bye"):
            continue
        assert phase.isdigit(), phase
        message = json.loads(body)
        if message["type"] == "sealed":
            assert set(message) == {"type", "seq", "box"}
            assert len(base64.b64decode(message["box"])) >= 16
            sealed += 1
            continue
        assert message["type"] in CLEAR, message
    # each side: identity proof, offer or answer; then the reconnect's handshake and SDP
    assert sealed >= 8, sealed
    assert usage_results(server, APP_ID) == ["happy"]


class _PlainMailbox:
    """The mailbox, without saying that it outlives the link: this side then lists no
    ``relink`` in its HELLO, as the browser page and older Ferry versions do."""

    def __init__(self, inner: MailboxSignaling) -> None:
        self.inner = inner

    async def open(self) -> None:
        await self.inner.open()

    async def send(self, message: dict[str, Any]) -> None:
        await self.inner.send(message)

    async def receive(self) -> dict[str, Any]:
        return await self.inner.receive()

    async def close(self, mood: str | None = None) -> None:
        await self.inner.close(mood)


def test_a_peer_that_does_not_list_relink_is_not_waited_for(
    tmp_path: Path, server: MailboxServer
) -> None:
    """The waiting side could reconnect through the mailbox, the joiner cannot: a lost
    link ends both peers at once, nobody waits for attempts that will never come."""

    async def scenario() -> tuple[list[PeerEvent], BaseException | None, BaseException | None]:
        def config() -> EngineConfig:
            return EngineConfig(
                ice_addresses=LOOPBACK, reconnect_delay=0.1, identity=Identity.generate()
            )

        async with Engine(config()) as waiter, Engine(config()) as joiner:
            waiting = MailboxSignaling.allocate(server.url)
            code = new_code(await waiting.bind())
            listening = asyncio.create_task(waiter.listen(waiting, code=code))
            typed = parse_code(str(code))
            plain = _PlainMailbox(MailboxSignaling.claim(server.url, typed.nameplate))
            joined = await joiner.connect(plain, code=typed)  # type: ignore[arg-type]
            waited = await listening
            events: list[PeerEvent] = []
            waited.add_listener(events.append)
            joined.inject_fault("channel")
            gone = await asyncio.wait_for(
                asyncio.gather(waited.wait_closed(), joined.wait_closed()), 30
            )
            await waited.close()
            await joined.close()
            return events, *gone

    events, waited_error, joined_error = run(scenario(), timeout=60)
    assert isinstance(waited_error, PeerGone) and isinstance(joined_error, PeerGone)
    assert [type(e) for e in events] == [Connected]  # no Reconnecting: it did not wait


def test_a_follower_whose_leader_never_comes_back_gives_up_in_bounded_time(
    tmp_path: Path, server: MailboxServer
) -> None:
    """The joiner leads reconnects; here it will not (no attempts allowed) and does not
    close either (its mailbox stays open, as when its machine hangs). The waiting side waits
    for an attempt for the longest the leader could take, once, and gives up: the file it
    was sending fails with that reason instead of hanging."""
    source = tmp_path / "big.bin"
    write_random(source, 24 * MIB, seed=12)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> tuple[BaseException | None, list[PeerEvent]]:
        follower_config = EngineConfig(
            ice_addresses=LOOPBACK, identity=Identity.generate(), keepalive_timeout=2.0,
            handshake_timeout=1.0, connect_timeout=2.0,
        )  # fmt: skip
        leader_config = EngineConfig(
            output_dir=out, accept_all=True, ice_addresses=LOOPBACK,
            identity=Identity.generate(), reconnect_attempts=0, write_delay=0.01,
        )  # fmt: skip
        async with Engine(follower_config) as sending, Engine(leader_config) as receiving:
            waiting = MailboxSignaling.allocate(server.url)
            code = new_code(await waiting.bind())
            listening = asyncio.create_task(sending.listen(waiting, code=code))
            typed = parse_code(str(code))
            await receiving.connect(MailboxSignaling.claim(server.url, typed.nameplate), code=typed)
            sender = await listening
            events: list[PeerEvent] = []
            sender.add_listener(events.append)
            sent = sender.send(source)
            await until_progress(sent, 4 * MIB)
            sender.inject_fault("channel")
            try:
                await asyncio.wait_for(sent, 60)
            except BaseException as exc:
                return exc, events
            return None, events

    failed, events = run(scenario(), timeout=90)
    assert isinstance(failed, PeerGone) and "did not reconnect within 13s" in str(failed), failed
    assert [type(e) for e in events] == [Connected, Reconnecting]  # one wait, not five
