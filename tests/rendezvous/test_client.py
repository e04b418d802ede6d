"""The mailbox client machine, driven against the model server: exact commands and events.

Each test names the promise it checks: the commands a side sends in each phase, the
nameplate released once both sides hold the mailbox, the replay after a reconnect that
neither loses nor repeats a message, and a clear RendezvousError (with its code) for every
refusal of the server and every malformed or hostile input.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ferry.errors import ConfigError
from ferry.protocol.errors import LocalProtocolError
from ferry.protocol.rendezvous import (
    APP_ID,
    CROWDED,
    PROTOCOL,
    REFUSED,
    SERVER_ERROR,
    UNKNOWN_NAMEPLATE,
    Closed,
    Failed,
    Limits,
    MailboxClient,
    NameplateReady,
    NameplateReleased,
    PeerArrived,
    PeerClosed,
    Phase,
    Received,
    RendezvousError,
    Welcomed,
)

from .harness import Wire, kinds, pump_all, received
from .mailbox_model import ModelServer

SIDE_A, SIDE_B, SIDE_C = "aaaa", "bbbb", "cccc"


def _client(side: str, **kwargs: Any) -> MailboxClient:
    return MailboxClient(side, client_version=("ferry", "test"), **kwargs)


def _waiting(server: ModelServer) -> Wire:
    a = Wire("a", _client(SIDE_A), server)
    a.client.allocate()
    a.connect()
    pump_all(a)
    return a


def _joined(server: ModelServer, a: Wire, side: str = SIDE_B) -> Wire:
    b = Wire("b", _client(side), server)
    assert a.client.nameplate is not None
    b.client.claim(a.client.nameplate)
    b.connect()
    pump_all(a, b)
    return b


def _pair(server: ModelServer | None = None) -> tuple[ModelServer, Wire, Wire]:
    server = server or ModelServer()
    a = _waiting(server)
    return server, a, _joined(server, a)


def _failure(wire: Wire) -> RendezvousError:
    (failed,) = [e for e in wire.events if isinstance(e, Failed)]
    assert wire.client.phase is Phase.FAILED and wire.client.error is failed.error
    return failed.error


# -- the happy path, command by command ------------------------------------------------------


def test_the_waiting_side_binds_allocates_claims_opens_and_says_hello() -> None:
    server = ModelServer()
    a = _waiting(server)
    nameplate = a.client.nameplate
    assert nameplate is not None and nameplate.isdigit()
    mailbox = a.client.mailbox
    assert a.sent_commands == [
        {"type": "bind", "appid": APP_ID, "side": SIDE_A, "client_version": ["ferry", "test"]},
        {"type": "allocate"},
        {"type": "claim", "nameplate": nameplate},
        {"type": "open", "mailbox": mailbox},
        {"type": "ping", "ping": 1},
        {"type": "add", "phase": "hello", "body": b"{}".hex()},
    ]
    assert a.events == [Welcomed(None), NameplateReady(nameplate)]
    assert a.client.phase is Phase.WAITING
    # the server holds the nameplate for us until the other side arrives
    assert server.nameplates[(APP_ID, nameplate)].sides == {SIDE_A: True}


def test_two_sides_pair_exchange_in_order_and_release_the_nameplate() -> None:
    server, a, b = _pair()
    nameplate = a.client.nameplate
    assert b.sent_commands[:4] == [
        {"type": "bind", "appid": APP_ID, "side": SIDE_B, "client_version": ["ferry", "test"]},
        {"type": "claim", "nameplate": nameplate},
        {"type": "open", "mailbox": a.client.mailbox},
        {"type": "ping", "ping": 1},
    ]
    assert b.sent_commands[4:] == [
        {"type": "add", "phase": "hello", "body": b"{}".hex()},
        {"type": "release", "nameplate": nameplate},
    ]
    assert {"type": "release", "nameplate": nameplate} in a.sent_commands
    assert kinds(a) == ["Welcomed", "NameplateReady", "PeerArrived", "NameplateReleased"]
    assert kinds(b) == ["Welcomed", "PeerArrived", "NameplateReleased"]
    assert (APP_ID, nameplate) not in server.nameplates  # freed for the next code
    assert a.client.phase is b.client.phase is Phase.OPEN

    for i in range(3):
        a.out(a.client.send({"type": "from-a", "n": i}))
        b.out(b.client.send({"type": "from-b", "n": i}))
    pump_all(a, b)
    assert received(b) == [{"type": "from-a", "n": i} for i in range(3)]
    assert received(a) == [{"type": "from-b", "n": i} for i in range(3)]
    assert [e.index for e in b.events if isinstance(e, Received)] == [0, 1, 2]


def test_closing_says_bye_and_the_last_close_empties_the_server() -> None:
    server, a, b = _pair()
    a.out(a.client.send({"type": "offer"}))
    a.out(a.client.close("happy"))
    mailbox = a.client.mailbox
    assert a.sent_commands[-2:] == [
        {
            "type": "add",
            "phase": "bye",
            "body": json.dumps({"messages": 1}).replace(" ", "").encode().hex(),
        },
        {"type": "close", "mailbox": mailbox, "mood": "happy"},
    ]
    pump_all(a, b)
    assert a.events[-1] == Closed("happy", confirmed=True)
    assert a.client.phase is Phase.CLOSED
    assert received(b) == [{"type": "offer"}] and b.events[-1] == PeerClosed()
    assert (APP_ID, mailbox) in server.mailboxes  # b still holds it
    b.out(b.client.close("happy"))
    pump_all(a, b)
    assert server.mailboxes == {} and server.nameplates == {}


def test_a_closed_peer_is_reported_only_after_all_its_messages() -> None:
    # the bye can overtake messages when the server replays in another order
    _server, a, b = _pair(ModelServer(shuffle=True))
    b.drop()
    for i in range(5):
        a.out(a.client.send({"type": "m", "n": i}))
    a.out(a.client.close("happy"))
    pump_all(a)
    b.connect()
    pump_all(b)
    assert received(b) == [{"type": "m", "n": i} for i in range(5)]
    assert b.events[-1] == PeerClosed()


def test_messages_sent_before_the_mailbox_is_open_go_after_hello() -> None:
    server = ModelServer()
    a = Wire("a", _client(SIDE_A), server)
    a.client.allocate()
    a.out(a.client.send({"type": "early"}))
    a.connect()
    pump_all(a)
    adds = [c["phase"] for c in a.sent_commands if c["type"] == "add"]
    assert adds == ["hello", "0"]
    b = _joined(server, a)
    assert received(b) == [{"type": "early"}]


# -- reconnects: nothing lost, nothing repeated -----------------------------------------------


def _stored(server: ModelServer, mailbox: str | None) -> list[tuple[str, str]]:
    assert mailbox is not None
    return [(m["side"], m["phase"]) for m in server.mailboxes[(APP_ID, mailbox)].messages]


def test_messages_sent_while_disconnected_are_added_once_after_the_replay() -> None:
    server, a, b = _pair()
    a.drop()
    a.out(a.client.send({"type": "while-away"}))
    b.out(b.client.send({"type": "to-a"}))
    pump_all(b)
    a.connect()
    pump_all(a, b)
    assert received(b) == [{"type": "while-away"}]
    assert received(a) == [{"type": "to-a"}]
    stored = _stored(server, a.client.mailbox)
    assert sorted(stored) == sorted(set(stored))  # no message stored twice


def test_a_message_the_server_stored_but_never_echoed_is_not_added_again() -> None:
    server, a, b = _pair()
    a.out(a.client.send({"type": "offer"}))
    a.drop(server_reads_first=True)  # stored, but the echo is lost with the connection
    a.connect()
    pump_all(a, b)
    assert _stored(server, a.client.mailbox).count((SIDE_A, "0")) == 1
    assert received(b) == [{"type": "offer"}]


def test_a_restarted_server_keeps_the_mailbox_and_both_sides_resume() -> None:
    server, a, b = _pair()
    a.out(a.client.send({"type": "1"}))
    pump_all(a, b)
    server.restart()
    a.notice_server_gone()
    b.notice_server_gone()
    a.out(a.client.send({"type": "2"}))
    b.out(b.client.send({"type": "x"}))
    a.connect()
    b.connect()
    pump_all(a, b)
    assert received(b) == [{"type": "1"}, {"type": "2"}]
    assert received(a) == [{"type": "x"}]
    # a reconnect binds with the same side and opens the same mailbox, claiming nothing
    last = a.sent_commands[-4:]
    assert last[0]["type"] == "bind" and last[0]["side"] == SIDE_A
    assert last[1] == {"type": "open", "mailbox": a.client.mailbox}
    assert not any(c["type"] == "claim" for c in last)


def test_a_release_lost_with_its_connection_is_sent_again() -> None:
    server = ModelServer()
    a = _waiting(server)
    b = Wire("b", _client(SIDE_B), server)
    assert a.client.nameplate is not None
    b.client.claim(a.client.nameplate)
    b.connect()
    pump_all(b)  # b is in, and released; a has not read b's hello yet
    a.step_down()  # b's hello: a sends release ...
    assert a.up and json.loads(a.up[-1])["type"] == "release"
    a.drop()  # ... which is lost
    assert (APP_ID, a.client.nameplate) in server.nameplates
    a.connect()
    pump_all(a, b)
    assert a.client.released and NameplateReleased() in a.events
    assert server.nameplates == {}


def test_the_joining_side_claims_again_after_a_drop_before_claimed() -> None:
    server = ModelServer()
    a = _waiting(server)
    b = Wire("b", _client(SIDE_B), server)
    assert a.client.nameplate is not None
    b.client.claim(a.client.nameplate)
    b.connect()
    b.step_down()  # welcome -> bind, claim in flight
    b.drop()
    b.connect()
    pump_all(a, b)
    assert b.client.phase is Phase.OPEN and PeerArrived() in b.events


# -- refusals and what a side cleans up -------------------------------------------------------


def test_a_nameplate_nobody_waits_behind_is_an_error_and_is_cleaned_up() -> None:
    server = ModelServer()
    b = Wire("b", _client(SIDE_B), server)
    b.client.claim("42")
    b.connect()
    pump_all(b)
    error = _failure(b)
    assert error.code == UNKNOWN_NAMEPLATE and "42" in error.message
    assert b.sent_commands[-2:] == [
        {"type": "release", "nameplate": "42"},
        {"type": "close", "mailbox": b.client.mailbox, "mood": "lonely"},
    ]
    assert not any(c["type"] == "add" for c in b.sent_commands)  # said nothing in there
    assert server.nameplates == {} and server.mailboxes == {}


def test_a_used_up_code_is_unknown_to_a_late_third_side() -> None:
    server, a, _b = _pair()
    c = Wire("c", _client(SIDE_C), server)
    assert a.client.nameplate is not None
    c.client.claim(a.client.nameplate)
    c.connect()
    pump_all(c)
    assert _failure(c).code == UNKNOWN_NAMEPLATE


def test_a_third_side_on_a_held_nameplate_is_crowded() -> None:
    server = ModelServer()
    a = _waiting(server)
    assert a.client.nameplate is not None
    squatter = server.connect()  # holds the nameplate, says nothing
    squatter.handle(json.dumps({"type": "bind", "appid": APP_ID, "side": "dddd"}))
    squatter.handle(json.dumps({"type": "claim", "nameplate": a.client.nameplate}))
    b = Wire("b", _client(SIDE_B), server)
    b.client.claim(a.client.nameplate)
    b.connect()
    pump_all(b)
    error = _failure(b)
    assert error.code == CROWDED and "new code" in error.message
    assert b.sent_commands[-1] == {"type": "release", "nameplate": a.client.nameplate}


def test_a_welcome_with_an_error_refuses_before_anything_is_sent() -> None:
    client = _client(SIDE_A)
    client.allocate()
    client.connection_made()
    out = client.receive(json.dumps({"type": "welcome", "welcome": {"error": "go away\x1b[2J"}}))
    assert out == []
    (failed,) = [e for e in client.take_events() if isinstance(e, Failed)]
    assert failed.error.code == REFUSED
    assert "go away" in failed.error.message and "\x1b" not in failed.error.message


def test_a_server_error_answer_is_a_server_error() -> None:
    server = ModelServer()
    a = _waiting(server)
    a.out(a.client.receive(json.dumps({"type": "error", "error": "nope", "orig": {"type": "add"}})))
    error = _failure(a)
    assert error.code == SERVER_ERROR and "add" in error.message and "nope" in error.message
    # it still lets go of what the server holds for it
    assert a.sent_commands[-2:] == [
        {"type": "release", "nameplate": a.client.nameplate},
        {"type": "close", "mailbox": a.client.mailbox, "mood": "errory"},
    ]


def test_the_motd_is_reported_escaped() -> None:
    client = _client(SIDE_A)
    client.allocate()
    client.connection_made()
    client.receive(json.dumps({"type": "welcome", "welcome": {"motd": "hi\x07there"}}))
    assert client.take_events() == [Welcomed("hi\\x07there")]


# -- hostile or broken input: always a RendezvousError, with its code ------------------------


def _open_pair() -> tuple[ModelServer, Wire, Wire]:
    server, a, b = _pair()
    return server, a, b


def _message(side: str, phase: str, body: bytes) -> str:
    return json.dumps({"type": "message", "side": side, "phase": phase, "body": body.hex()})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", PROTOCOL),
        ("[" * 50_000, PROTOCOL),
        ('{"type": "message", "side": "bbbb", "phase": "0", "body": "zz"}', PROTOCOL),
        ('{"type": "message", "side": "BB BB", "phase": "0", "body": ""}', PROTOCOL),
        (_message(SIDE_C, "0", b"{}"), CROWDED),
        (_message(SIDE_B, "0", b"not json"), PROTOCOL),
        (_message(SIDE_B, "0", b"[1, 2]"), PROTOCOL),
        (_message(SIDE_B, "0", b'{"a": NaN}'), PROTOCOL),
        (_message(SIDE_B, "hello", b'{"x": 1}'), PROTOCOL),  # a different hello
        (_message(SIDE_B, "01", b"{}"), PROTOCOL),
        (_message(SIDE_B, "256", b"{}"), PROTOCOL),
        (_message(SIDE_B, "BYE!", b"{}"), PROTOCOL),
        (_message(SIDE_B, "bye", b'{"messages": "2"}'), PROTOCOL),
        (_message(SIDE_B, "bye", b'{"messages": 3000}'), PROTOCOL),
        (_message(SIDE_A, "7", b"{}"), PROTOCOL),  # "ours", never sent
        (_message(SIDE_A, "hello", b'{"forged": 1}'), PROTOCOL),
        ('{"type": "pong", "pong": 99}', PROTOCOL),
        ('{"type": "claimed", "mailbox": "x"}', PROTOCOL),
        ('{"type": "allocated", "nameplate": "1"}', PROTOCOL),
        ('{"type": "closed"}', PROTOCOL),
        ('{"type": "released"}', PROTOCOL),
        ('{"type": "nameplates", "nameplates": []}', PROTOCOL),
        ('{"type": "welcome", "welcome": {}}', PROTOCOL),
        ('{"type": "error", "error": "crowded", "orig": {}}', CROWDED),
        (
            '{"type": "message", "side": "bbbb", "phase": "0", "body": "' + "00" * 70_000 + '"}',
            PROTOCOL,
        ),
    ],
)
def test_hostile_or_broken_server_messages_end_the_rendezvous(raw: str, code: str) -> None:
    _server, a, _b = _open_pair()
    a.out(a.client.receive(raw))
    error = _failure(a)
    assert error.code == code
    assert "\x1b" not in error.message and len(error.message) < 400


def test_acks_and_unknown_types_are_ignored() -> None:
    _server, a, _b = _open_pair()
    before = a.client.phase
    assert a.client.receive('{"type": "ack", "id": null, "extra": [1]}') == []
    assert a.client.receive('{"type": "from-the-future", "x": 1}') == []
    assert a.client.phase is before and a.client.error is None


def test_duplicates_are_dropped_and_unknown_phases_ignored_up_to_a_bound() -> None:
    limits = Limits(max_ignored=2)
    server = ModelServer()
    a = Wire("a", _client(SIDE_A, limits=limits), server)
    a.client.allocate()
    a.connect()
    pump_all(a)
    b = _joined(server, a)
    for raw in [_message(SIDE_B, "hello", b"{}"), _message(SIDE_B, "future", b"??")] * 3:
        a.out(a.client.receive(raw))
    assert a.client.error is None  # a repeated hello and a known unknown phase: fine
    a.out(a.client.receive(_message(SIDE_B, "future-2", b"")))
    a.out(a.client.receive(_message(SIDE_B, "future-3", b"")))
    assert _failure(a).code == PROTOCOL
    assert b.client.error is None


def test_a_messages_after_bye_or_beyond_its_count_are_refused() -> None:
    _server, a, _b = _open_pair()
    a.out(a.client.receive(_message(SIDE_B, "bye", b'{"messages": 1}')))
    assert a.client.error is None
    a.out(a.client.receive(_message(SIDE_B, "1", b"{}")))
    assert _failure(a).code == PROTOCOL


def test_the_other_sides_bytes_are_bounded() -> None:
    limits = Limits(max_body=1024, max_side_bytes=2048)
    server = ModelServer()
    a = Wire("a", _client(SIDE_A, limits=limits), server)
    a.client.allocate()
    a.connect()
    pump_all(a)
    _joined(server, a)
    body = json.dumps({"pad": "x" * 900}).encode()
    a.out(a.client.receive(_message(SIDE_B, "0", body)))
    a.out(a.client.receive(_message(SIDE_B, "1", body)))
    assert a.client.error is None
    a.out(a.client.receive(_message(SIDE_B, "2", body)))
    assert _failure(a).code == PROTOCOL


def test_nothing_is_reported_after_a_failure() -> None:
    _server, a, _b = _open_pair()
    a.out(a.client.receive("garbage"))
    count = len(a.events)
    assert a.client.receive(_message(SIDE_B, "0", b"{}")) == []
    assert a.client.take_events() == [] and len(a.events) == count
    assert not a.client.wants_connection


# -- the host's mistakes: LocalProtocolError or ConfigError, and nothing changes -------------


def _snapshot(client: MailboxClient) -> dict[str, Any]:
    return copy.deepcopy({k: v for k, v in vars(client).items() if k != "events"})


@pytest.mark.parametrize(
    "misuse",
    [
        lambda c: c.send({"type": "x"}),  # before allocate/claim
        lambda c: c.connection_made(),
        lambda c: c.receive("{}"),
        lambda c: c.close("ecstatic"),
    ],
)
def test_misuse_of_an_idle_client_raises_and_changes_nothing(misuse: Any) -> None:
    client = _client(SIDE_A)
    before = _snapshot(client)
    with pytest.raises(LocalProtocolError):
        misuse(client)
    assert _snapshot(client) == before


@pytest.mark.parametrize(
    "misuse",
    [
        lambda c: c.allocate(),
        lambda c: c.claim("5"),
        lambda c: c.send(["not", "a", "dict"]),
        lambda c: c.send({"bytes": b"no"}),
        lambda c: c.send({"nan": float("nan")}),
        lambda c: c.send({"pad": "x" * 70_000}),
        lambda c: c.connection_made(),
    ],
)
def test_misuse_of_an_open_client_raises_and_changes_nothing(misuse: Any) -> None:
    _server, a, _b = _open_pair()
    before = _snapshot(a.client)
    with pytest.raises(LocalProtocolError):
        misuse(a.client)
    assert _snapshot(a.client) == before


def test_a_side_cannot_send_more_than_the_bound() -> None:
    _server, a, _b = _open_pair()
    client = MailboxClient(SIDE_A, limits=Limits(max_messages=2))
    client.allocate()
    client.send({})
    client.send({})
    with pytest.raises(LocalProtocolError, match="more than 2"):
        client.send({})
    assert a.client.error is None


@pytest.mark.parametrize("nameplate", ["", "abc", "1-2", "٣", "1" * 41, " 7", None])
def test_a_malformed_nameplate_is_a_config_error(nameplate: Any) -> None:
    client = _client(SIDE_A)
    with pytest.raises(ConfigError, match="not a nameplate"):
        client.claim(nameplate)
    assert client.phase is Phase.IDLE


def test_sending_after_close_is_refused() -> None:
    _server, a, _b = _open_pair()
    a.out(a.client.close("happy"))
    with pytest.raises(LocalProtocolError, match="closed"):
        a.client.send({"type": "late"})
    assert a.client.close("scary") == []  # closing twice changes nothing


# -- closing in every phase ---------------------------------------------------------------------


def test_closing_an_idle_client_ends_it_at_once() -> None:
    client = _client(SIDE_A)
    assert client.close("lonely") == []
    assert client.take_events() == [Closed("lonely", confirmed=False)]


def test_closing_while_allocating_releases_what_the_server_gave() -> None:
    server = ModelServer()
    a = Wire("a", _client(SIDE_A), server)
    a.client.allocate()
    a.connect()
    a.step_down()  # welcome: bind + allocate go up
    a.out(a.client.close("lonely"))
    pump_all(a)
    assert a.events[-1] == Closed("lonely", confirmed=True)
    assert server.nameplates == {} and server.mailboxes == {}


def test_closing_while_waiting_offline_finishes_on_the_next_connection() -> None:
    server = ModelServer()
    a = _waiting(server)
    a.drop()
    assert a.client.close("lonely") == []
    assert a.client.wants_connection
    a.connect()
    pump_all(a)
    assert a.events[-1] == Closed("lonely", confirmed=True)
    assert server.nameplates == {} and server.mailboxes == {}


def test_abandon_ends_locally() -> None:
    server = ModelServer()
    a = _waiting(server)
    a.drop()
    a.client.close("happy")
    a.client.abandon()
    assert a.client.take_events()[-1] == Closed("happy", confirmed=False)
    assert not a.client.wants_connection


def test_events_for_a_whole_exchange() -> None:
    _server, a, b = _open_pair()
    a.out(a.client.send({"type": "offer"}))
    pump_all(a, b)
    b.out(b.client.send({"type": "answer"}))
    b.out(b.client.close("happy"))
    pump_all(a, b)
    a.out(a.client.close("happy"))
    pump_all(a, b)
    assert a.events[-3:] == [
        Received(0, {"type": "answer"}),
        PeerClosed(),
        Closed("happy", confirmed=True),
    ]
    assert [e for e in b.events if not isinstance(e, Welcomed | NameplateReleased)] == [
        PeerArrived(),
        Received(0, {"type": "offer"}),
        Closed("happy", confirmed=True),
    ]
