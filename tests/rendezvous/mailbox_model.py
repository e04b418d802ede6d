"""An in-memory model of magic-wormhole-mailbox-server, for property tests of the client.

It follows the reference server's ``server_websocket.py`` and ``server.py`` (0.8.0) rule by
rule: a welcome first, an ack for every command, one bind/allocate/claim/release/open/close
per connection, claims that create unknown nameplates, ``crowded`` past two sides,
``reclaimed``, the whole mailbox replayed in order on ``open``, every add broadcast to every
open connection (the sender's own included), and a mailbox (with its nameplate) deleted
when its last side closes. State outlives connections, as the server's database does, so
``restart()`` drops every connection and keeps the mailboxes.

Two knobs make it a harsher server than the reference, as the protocol allows ("does not
de-duplicate messages, nor does it retain ordering"): ``shuffle`` replays a mailbox in a
random order, ``duplicate`` sends some messages twice. test_model_fidelity.py runs the same
command scripts on this model and on the real server and compares the answers.
"""

from __future__ import annotations

import json
import random
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

NAMEPLATE = re.compile(r"^\d+$")


class _Error(Exception):
    pass


@dataclass
class Nameplate:
    mailbox: str
    sides: dict[str, bool] = field(default_factory=dict)  # side -> claimed


@dataclass
class Mailbox:
    sides: dict[str, bool] = field(default_factory=dict)  # side -> opened
    moods: dict[str, str | None] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    listeners: list[ModelConnection] = field(default_factory=list)


class ModelServer:
    def __init__(
        self, rng: random.Random | None = None, *, shuffle: bool = False, duplicate: bool = False
    ) -> None:
        self.rng = rng or random.Random(0)
        self.shuffle = shuffle
        self.duplicate = duplicate
        self.nameplates: dict[tuple[str, str], Nameplate] = {}
        self.mailboxes: dict[tuple[str, str], Mailbox] = {}
        self.connections: list[ModelConnection] = []
        self._clock = 0.0

    def connect(self) -> ModelConnection:
        conn = ModelConnection(self)
        self.connections.append(conn)
        conn.send(type="welcome", welcome={"your-address": {"port": 1, "ipv4": "127.0.0.1"}})
        return conn

    def restart(self) -> None:
        for conn in list(self.connections):
            conn.lost()

    def now(self) -> float:
        self._clock += 1.0
        return self._clock

    # -- AppNamespace ----------------------------------------------------------------------

    def allocate(self, app: str, side: str) -> str:
        claimed = {name for (a, name) in self.nameplates if a == app}
        for size in range(1, 4):
            available = [str(i) for i in range(10 ** (size - 1), 10**size) if str(i) not in claimed]
            if available:
                name = self.rng.choice(available)
                self.claim(app, name, side)
                return name
        raise AssertionError("the model ran out of nameplates")

    def claim(self, app: str, name: str, side: str) -> str:
        if not NAMEPLATE.match(name):
            raise ValueError(f"nameplate {name} has non-digits")  # the server drops the link
        nameplate = self.nameplates.get((app, name))
        if nameplate is None:
            mailbox_id = "mb" + "".join(self.rng.choice("abcdefghijklmnop") for _ in range(11))
            self.mailboxes.setdefault((app, mailbox_id), Mailbox())
            nameplate = self.nameplates[(app, name)] = Nameplate(mailbox_id)
        if side not in nameplate.sides:
            nameplate.sides[side] = True
        elif not nameplate.sides[side]:
            raise _Error("reclaimed")
        self.open(app, nameplate.mailbox, side)
        if len(nameplate.sides) > 2:
            raise _Error("crowded")
        return nameplate.mailbox

    def release(self, app: str, name: str, side: str) -> None:
        nameplate = self.nameplates.get((app, name))
        if nameplate is None or side not in nameplate.sides:
            return
        nameplate.sides[side] = False
        if not any(nameplate.sides.values()):
            del self.nameplates[(app, name)]

    def open(self, app: str, mailbox_id: str, side: str) -> Mailbox:
        mailbox = self.mailboxes.setdefault((app, mailbox_id), Mailbox())
        if side not in mailbox.sides:
            mailbox.sides[side] = True
        if len(mailbox.sides) > 2:
            raise _Error("crowded")
        return mailbox

    def close(self, app: str, mailbox_id: str, side: str, mood: str | None) -> None:
        mailbox = self.mailboxes.get((app, mailbox_id))
        if mailbox is None or side not in mailbox.sides:
            return
        mailbox.sides[side] = False
        mailbox.moods[side] = mood
        if any(mailbox.sides.values()):
            return
        for key, nameplate in list(self.nameplates.items()):
            if nameplate.mailbox == mailbox_id and key[0] == app:
                del self.nameplates[key]
        del self.mailboxes[(app, mailbox_id)]
        mailbox.listeners.clear()


class ModelConnection:
    """One WebSocket connection: ``handle`` a client command, read ``outbox``."""

    def __init__(self, server: ModelServer) -> None:
        self.server = server
        self.outbox: deque[str] = deque()
        self.open = True
        self.app: str | None = None
        self.side: str | None = None
        self.did_allocate = self.did_claim = self.did_release = self.did_close = False
        self.nameplate: str | None = None
        self.mailbox: Mailbox | None = None
        self.mailbox_id: str | None = None

    def send(self, **msg: Any) -> None:
        if self.open:
            self.outbox.append(json.dumps({**msg, "server_tx": 0.0}))

    def lost(self) -> None:
        if not self.open:
            return
        self.open = False
        if self.mailbox is not None and self in self.mailbox.listeners:
            self.mailbox.listeners.remove(self)
        self.server.connections.remove(self)

    def _deliver(self, message: dict[str, Any]) -> None:
        self.send(type="message", **message)
        if self.server.duplicate and self.server.rng.random() < 0.3:
            self.send(type="message", **message)

    def handle(self, text: str) -> None:
        if not self.open:
            return
        msg = json.loads(text)
        try:
            if "type" not in msg:
                raise _Error("missing 'type'")
            self.send(type="ack", id=msg.get("id"))
            getattr(self, "_" + msg["type"], self._unknown)(msg)
        except _Error as exc:
            self.send(type="error", error=str(exc), orig=msg)
        except ValueError:
            self.lost()  # the reference server lets the exception drop the connection

    def _unknown(self, msg: dict[str, Any]) -> None:
        raise _Error("unknown type") if self.app else _Error("must bind first")

    def _bound(self) -> str:
        if self.app is None:
            raise _Error("must bind first")
        return self.app

    def _ping(self, msg: dict[str, Any]) -> None:
        if "ping" not in msg:
            raise _Error("ping requires 'ping'")
        self.send(type="pong", pong=msg["ping"])

    def _bind(self, msg: dict[str, Any]) -> None:
        if self.app or self.side:
            raise _Error("already bound")
        if "appid" not in msg:
            raise _Error("bind requires 'appid'")
        if "side" not in msg:
            raise _Error("bind requires 'side'")
        self.app, self.side = msg["appid"], msg["side"]

    def _allocate(self, msg: dict[str, Any]) -> None:
        app = self._bound()
        if self.did_allocate:
            raise _Error("you already allocated one, don't be greedy")
        assert self.side is not None
        name = self.server.allocate(app, self.side)
        self.did_allocate = True
        self.send(type="allocated", nameplate=name)

    def _claim(self, msg: dict[str, Any]) -> None:
        app = self._bound()
        if "nameplate" not in msg:
            raise _Error("claim requires 'nameplate'")
        if self.did_claim:
            raise _Error("only one claim per connection")
        self.did_claim = True
        self.nameplate = msg["nameplate"]
        assert self.side is not None
        mailbox_id = self.server.claim(app, msg["nameplate"], self.side)
        self.send(type="claimed", mailbox=mailbox_id)

    def _release(self, msg: dict[str, Any]) -> None:
        app = self._bound()
        if self.did_release:
            raise _Error("only one release per connection")
        if "nameplate" in msg:
            if self.nameplate is not None and msg["nameplate"] != self.nameplate:
                raise _Error("release and claim must use same nameplate")
            name = msg["nameplate"]
        else:
            if self.nameplate is None:
                raise _Error("release without nameplate must follow claim")
            name = self.nameplate
        self.did_release = True
        assert self.side is not None
        self.server.release(app, name, self.side)
        self.send(type="released")

    def _open(self, msg: dict[str, Any]) -> None:
        app = self._bound()
        if self.mailbox is not None:
            raise _Error("only one open per connection")
        if "mailbox" not in msg:
            raise _Error("open requires 'mailbox'")
        self.mailbox_id = msg["mailbox"]
        assert self.side is not None
        self.mailbox = self.server.open(app, msg["mailbox"], self.side)
        self.mailbox.listeners.append(self)
        replay = list(self.mailbox.messages)
        if self.server.shuffle:
            self.server.rng.shuffle(replay)
        for message in replay:
            self._deliver(message)

    def _add(self, msg: dict[str, Any]) -> None:
        self._bound()
        if self.mailbox is None:
            raise _Error("must open mailbox before adding")
        if "phase" not in msg:
            raise _Error("missing 'phase'")
        if "body" not in msg:
            raise _Error("missing 'body'")
        message = {
            "side": self.side,
            "phase": msg["phase"],
            "body": msg["body"],
            "server_rx": self.server.now(),
            "id": msg.get("id"),
        }
        self.mailbox.messages.append(message)
        for listener in list(self.mailbox.listeners):
            listener._deliver(message)

    def _close(self, msg: dict[str, Any]) -> None:
        app = self._bound()
        if self.did_close:
            raise _Error("only one close per connection")
        if "mailbox" in msg:
            if self.mailbox_id is not None and msg["mailbox"] != self.mailbox_id:
                raise _Error("open and close must use same mailbox")
            mailbox_id = msg["mailbox"]
        else:
            if self.mailbox_id is None:
                raise _Error("close without mailbox must follow open")
            mailbox_id = self.mailbox_id
        assert self.side is not None
        mailbox = self.mailbox or self.server.open(app, mailbox_id, self.side)
        if self in mailbox.listeners:
            mailbox.listeners.remove(self)
        self.did_close = True
        self.server.close(app, mailbox_id, self.side, msg.get("mood"))
        self.mailbox = None
        self.send(type="closed")
