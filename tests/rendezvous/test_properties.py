"""Properties of the mailbox client: any schedule, any drop, any server restart.

Two clients and the model server, with a schedule drawn by hypothesis: messages moved one
at a time in either direction, sends, closes, connections dropped (with what was in flight
lost, or read by the server first), the server restarted, and a server that replays in a
random order and sends some messages twice. The promises:

- each side reports the other's messages in order, each once (always a prefix of what was
  sent), and all of them once the connections are healed;
- a closed side is reported only after all its messages;
- nothing fails on a well-behaved server, and no message is stored twice;
- the nameplate is released once both sides hold the mailbox, and after both close the
  server holds nothing of theirs.

And, like h11's fuzzer, any bytes at all from the server in any phase end in a
RendezvousError or are ignored, never another exception.
"""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from ferry.protocol.rendezvous import (
    APP_ID,
    Backoff,
    Closed,
    Failed,
    MailboxClient,
    PeerClosed,
    Received,
    RendezvousError,
)
from ferry.protocol.rendezvous.errors import UNKNOWN_NAMEPLATE
from ferry.protocol.rendezvous.limits import Limits
from ferry.protocol.rendezvous.wire import parse_server_message

from .harness import Wire, pump_all, received
from .mailbox_model import ModelServer

ACTIONS = [
    "up-a", "down-a", "up-b", "down-b", "up-a", "down-a", "up-b", "down-b",
    "send-a", "send-b", "send-a", "send-b", "pump-a", "pump-b",
    "drop-a", "drop-b", "lose-a", "lose-b", "connect-a", "connect-b",
    "restart",
]  # fmt: skip


class World:
    def __init__(self, seed: int, shuffle: bool, duplicate: bool) -> None:
        self.server = ModelServer(random.Random(seed), shuffle=shuffle, duplicate=duplicate)
        self.a = Wire("a", MailboxClient("aaaa"), self.server)
        self.b = Wire("b", MailboxClient("bbbb"), self.server)
        self.a.client.allocate()
        self.b_started = False
        self.sent: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}

    def wire(self, name: str) -> Wire:
        return self.a if name == "a" else self.b

    def maybe_start_b(self) -> None:
        a = self.a.client
        if not self.b_started and a.nameplate and a._ready_reported and not a.closing:
            self.b.client.claim(a.nameplate)
            self.b_started = True

    def apply(self, action: str) -> None:
        verb, _, name = action.partition("-")
        if verb == "restart":
            self.server.restart()
            self.a.notice_server_gone()
            self.b.notice_server_gone()
            return
        wire = self.wire(name)
        client = wire.client
        if name == "b" and not self.b_started:
            return
        if verb == "up":
            wire.step_up()
        elif verb == "down":
            wire.step_down()
        elif verb == "pump":
            wire.pump()
        elif verb == "send" and not client.finished and not client.closing:
            message = {"type": "m", "from": name, "n": len(self.sent[name])}
            wire.out(client.send(message))
            self.sent[name].append(message)
        elif verb in ("drop", "lose") and wire.conn is not None:
            wire.drop(server_reads_first=verb == "drop")
        elif verb == "connect" and wire.conn is None and client.wants_connection:
            wire.connect()
        elif verb == "close" and not client.finished:
            wire.out(client.close("happy"))
        self.maybe_start_b()

    def heal(self) -> None:
        for _ in range(20):
            self.maybe_start_b()
            for wire in (self.a, self.b):
                if wire is self.b and not self.b_started:
                    continue
                wire.notice_server_gone()
                if wire.conn is None and wire.client.wants_connection:
                    wire.connect()
            pump_all(self.a, self.b)
            if all(w.conn is not None or not w.client.wants_connection for w in (self.a, self.b)):
                return

    def check_prefixes(self) -> None:
        assert received(self.b) == self.sent["a"][: len(received(self.b))]
        assert received(self.a) == self.sent["b"][: len(received(self.a))]


@settings(max_examples=400)
@given(
    schedule=st.lists(st.sampled_from(ACTIONS), min_size=20, max_size=150),
    seed=st.integers(0, 2**16),
    shuffle=st.booleans(),
    duplicate=st.booleans(),
    start=st.sampled_from(["cold", "waiting", "paired"]),
    close_a=st.none() | st.floats(0.0, 1.0),
    close_b=st.none() | st.floats(0.0, 1.0),
)
def test_any_schedule_delivers_every_message_once_and_in_order(
    schedule: list[str],
    seed: int,
    shuffle: bool,
    duplicate: bool,
    start: str,
    close_a: float | None,
    close_b: float | None,
) -> None:
    """``close_a``/``close_b``: how far into the schedule that side closes, if it does."""
    schedule = list(schedule)
    closes = [(at, f"close-{n}") for at, n in ((close_a, "a"), (close_b, "b")) if at is not None]
    for at, action in sorted(closes, reverse=True):
        schedule.insert(round(at * len(schedule)), action)
    world = World(seed, shuffle, duplicate)
    world.a.connect()
    if start != "cold":  # else the schedule itself must get a through its allocation
        world.a.pump()
        world.maybe_start_b()
        if start == "paired":
            world.b.connect()
            pump_all(world.a, world.b)
    for action in schedule:
        world.apply(action)
        world.check_prefixes()
    world.heal()
    world.check_prefixes()
    a, b = world.a, world.b
    event(f"b joined: {world.b_started}")
    event(f"messages: {min(len(world.sent['a']) + len(world.sent['b']), 10) // 5 * 5}+")
    event(f"a closed early: {a.client.closing}, b closed early: {b.client.closing}")
    event(f"restarts: {min(schedule.count('restart'), 2)}")
    failures = {w.name: [e.error.code for e in w.events if isinstance(e, Failed)] for w in (a, b)}
    if a.client.closing and not b.client.peer_present:
        # a gave up before b read its hello: b finds nobody behind the nameplate
        assert failures["b"] in ([], [UNKNOWN_NAMEPLATE])
        failures["b"] = []
    assert failures == {"a": [], "b": []}, (a.events, b.events)
    if world.b_started and b.client.error is None:
        # healed: everything sent before a side closed has arrived on the other
        if not a.client.closing and not b.client.closing:
            assert received(b) == world.sent["a"] and received(a) == world.sent["b"]
            assert a.client.peer_present and b.client.peer_present
            assert a.client.released and b.client.released
            assert (APP_ID, a.client.nameplate) not in world.server.nameplates
        # (a side that closed before it knew the mailbox said no bye)
        if "bye" in a.client._outbound and not b.client.finished:
            assert received(b) == world.sent["a"] and _closed_after_all_messages(b)
        if "bye" in b.client._outbound and not a.client.finished:
            assert received(a) == world.sent["b"] and _closed_after_all_messages(a)
    # no message stored twice, whatever was dropped and re-sent
    mailbox = world.server.mailboxes.get((APP_ID, a.client.mailbox or ""))
    if mailbox is not None:
        keys = [(m["side"], m["phase"]) for m in mailbox.messages]
        assert len(keys) == len(set(keys))
    # both close: the server keeps nothing of this rendezvous
    ends = [w for w in (a, b) if w is a or (world.b_started and b.client.error is None)]
    for wire in ends:
        wire.out(wire.client.close("happy"))
    world.heal()
    for wire in ends:
        assert isinstance(wire.events[-1], Closed), wire.events[-3:]
    if all(w.events[-1].confirmed for w in ends):  # type: ignore[union-attr]
        assert (APP_ID, a.client.mailbox) not in world.server.mailboxes
        assert (APP_ID, a.client.nameplate) not in world.server.nameplates


def _closed_after_all_messages(wire: Wire) -> bool:
    kinds = [type(e) for e in wire.events if isinstance(e, Received | PeerClosed)]
    return kinds.count(PeerClosed) == 1 and kinds[-1] is PeerClosed


# -- any input, any phase --------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
_types = st.sampled_from(
    ["welcome", "ack", "allocated", "claimed", "released", "closed", "pong", "message",
     "error", "nameplates", "other"]
)  # fmt: skip
_plausible = st.builds(
    lambda t, fields: json.dumps({"type": t, **fields}),
    _types,
    st.fixed_dictionaries(
        {},
        optional={
            "welcome": st.dictionaries(st.sampled_from(["motd", "error"]), st.text()),
            "nameplate": st.text(alphabet="0123456789a", max_size=4),
            "mailbox": st.text(max_size=14),
            "pong": st.integers(0, 3) | _json_values,
            "side": st.sampled_from(["aaaa", "bbbb", "cccc", "", "A A"]),
            "phase": st.sampled_from(["hello", "bye", "0", "1", "01", "x", ""]) | st.text(),
            "body": st.sampled_from(["", "7b7d", "7b", "zz", "5b5d"]) | st.binary().map(bytes.hex),
            "error": st.text(),
            "orig": _json_values,
        },
    ),
)
_garbage = st.binary(max_size=200) | st.text(max_size=200) | _json_values.map(json.dumps)


@settings(max_examples=500)
@given(
    prefix=st.lists(st.sampled_from(ACTIONS[:12]), max_size=30),
    inputs=st.lists(_plausible | _garbage, min_size=1, max_size=6),
)
def test_any_server_input_in_any_phase_is_handled_or_a_rendezvous_error(
    prefix: list[str], inputs: list[Any]
) -> None:
    world = World(0, False, False)
    world.a.connect()
    for action in prefix:
        world.apply(action)
    for wire in (world.a, world.b):
        if wire.conn is None:
            continue
        for data in inputs:
            before = wire.client.phase
            commands = wire.client.receive(data)
            assert isinstance(commands, list)
            wire.out(commands)
            if wire.client.error is not None:
                assert isinstance(wire.client.error, RendezvousError)
                assert before.value != "failed"
                break


@settings(max_examples=1000)
@given(_plausible | _garbage)
def test_the_parser_returns_a_message_or_raises_a_rendezvous_error(data: str | bytes) -> None:
    try:
        parse_server_message(data, Limits())
    except RendezvousError as exc:
        assert exc.message and len(exc.message) < 400


# -- backoff -----------------------------------------------------------------------------------


@given(
    first=st.floats(0.0, 10.0),
    growth=st.floats(1.0, 4.0),
    cap=st.floats(10.0, 600.0),
    attempts=st.integers(0, 10_000),
    seed=st.integers(0, 2**32),
)
def test_backoff_grows_stays_random_within_bounds_and_is_capped(
    first: float, growth: float, cap: float, attempts: int, seed: int
) -> None:
    backoff = Backoff(first, growth, cap)
    rng = random.Random(seed)
    assert backoff.base(attempts) <= cap
    assert backoff.base(attempts) <= backoff.base(attempts + 1)
    delay = backoff.delay(attempts, rng)
    assert backoff.base(attempts) / 2 <= delay <= backoff.base(attempts)


def test_backoff_defaults_follow_magic_wormhole() -> None:
    backoff = Backoff()
    assert [round(backoff.base(n), 3) for n in range(4)] == [1.0, 1.5, 2.25, 3.375]
    assert backoff.base(100) == 60.0
