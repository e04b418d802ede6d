"""The model server answers like the real one: the same command scripts, the same answers.

The property tests drive the client against ``mailbox_model.ModelServer``; they prove
something only if the model behaves like magic-wormhole-mailbox-server. Each script here
runs on both, over several connections; after every command each open connection is read up
to a ping barrier, and the answers are compared after normalising what is random or a
timestamp (nameplates and mailbox ids become placeholders in order of appearance).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from .conftest import run
from .mailbox_model import ModelConnection, ModelServer
from .servers import MailboxServer

APP = "ferry-test/model-fidelity"
Step = tuple[str, dict[str, Any]]


def _bind(side: str) -> dict[str, Any]:
    return {"type": "bind", "appid": APP, "side": side}


SCRIPTS: dict[str, list[Step]] = {
    "pair, exchange, release, close": [
        ("a", _bind("aaaa")),
        ("a", {"type": "allocate"}),
        ("a", {"type": "claim", "nameplate": "$N1"}),
        ("a", {"type": "open", "mailbox": "$M1"}),
        ("a", {"type": "add", "phase": "hello", "body": "7b7d"}),
        ("b", _bind("bbbb")),
        ("b", {"type": "claim", "nameplate": "$N1"}),
        ("b", {"type": "open", "mailbox": "$M1"}),
        ("b", {"type": "add", "phase": "0", "body": "7b7d"}),
        ("a", {"type": "release", "nameplate": "$N1"}),
        ("b", {"type": "release"}),
        ("a", {"type": "close", "mailbox": "$M1", "mood": "happy"}),
        ("b", {"type": "close", "mood": "happy"}),
    ],
    "reconnect: replay, re-close, no re-claim after release": [
        ("a", _bind("aaaa")),
        ("a", {"type": "claim", "nameplate": "77"}),
        ("a", {"type": "add", "phase": "0", "body": "00"}),  # before open: refused
        ("a", {"type": "open", "mailbox": "$M1"}),
        ("a", {"type": "add", "phase": "0", "body": "00"}),
        ("a", {"type": "release"}),
        ("b", _bind("aaaa")),  # the same side, a new connection
        ("b", {"type": "open", "mailbox": "$M1"}),  # the whole mailbox again
        ("b", {"type": "claim", "nameplate": "77"}),  # released: a new nameplate now
        ("b", {"type": "close", "mailbox": "$M1", "mood": "lonely"}),
        ("b", {"type": "close", "mailbox": "$M1"}),
    ],
    "crowded, reclaimed and one-per-connection errors": [
        ("a", _bind("aaaa")),
        ("a", {"type": "claim", "nameplate": "5"}),
        ("b", _bind("bbbb")),
        ("b", {"type": "claim", "nameplate": "5"}),
        ("c", _bind("cccc")),
        ("c", {"type": "claim", "nameplate": "5"}),
        ("c", {"type": "release", "nameplate": "5"}),
        ("a", {"type": "claim", "nameplate": "5"}),
        ("a", {"type": "release", "nameplate": "6"}),
        ("a", {"type": "release", "nameplate": "5"}),
        ("a", {"type": "release", "nameplate": "5"}),
        ("d", _bind("aaaa")),
        ("d", {"type": "claim", "nameplate": "5"}),
        ("d", {"type": "allocate"}),
        ("d", {"type": "allocate"}),
    ],
    "before bind, bad commands": [
        ("a", {"type": "allocate"}),
        ("a", {"type": "list"}),
        ("a", {"no": "type"}),
        ("a", {"type": "bind", "side": "aaaa"}),
        ("a", _bind("aaaa")),
        ("a", _bind("aaaa")),
        ("a", {"type": "frobnicate"}),
        ("a", {"type": "claim"}),
        ("a", {"type": "open"}),
        ("a", {"type": "close"}),
        ("a", {"type": "release"}),
        ("a", {"type": "ping"}),
    ],
}


class _Names:
    """Replaces random nameplates and mailbox ids with $N1, $M1, ... in order of appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def learn(self, prefix: str, value: str) -> str:
        for key, known in self.names.items():
            if known == value and key.startswith(prefix):
                return key
        key = f"{prefix}{sum(k.startswith(prefix) for k in self.names) + 1}"
        self.names[key] = value
        return key

    def fill(self, command: dict[str, Any]) -> dict[str, Any]:
        return {k: self.names.get(v, v) if isinstance(v, str) else v for k, v in command.items()}

    def normal(self, message: dict[str, Any]) -> dict[str, Any]:
        message = {k: v for k, v in message.items() if k not in ("server_tx", "server_rx", "id")}
        if message["type"] == "welcome":
            return {"type": "welcome"}
        if "nameplate" in message and message["type"] == "allocated":
            message["nameplate"] = self.learn("$N", message["nameplate"])
        if "mailbox" in message:
            message["mailbox"] = self.learn("$M", message["mailbox"])
        if isinstance(message.get("orig"), dict):
            message["orig"] = self.normal_orig(message["orig"])
        return message

    def normal_orig(self, orig: dict[str, Any]) -> dict[str, Any]:
        reverse = {v: k for k, v in self.names.items()}
        return {k: reverse.get(v, v) if isinstance(v, str) else v for k, v in orig.items()}


async def _on_real(server: MailboxServer, script: list[Step]) -> list[Any]:
    names, answers, pings = _Names(), [], 0
    conns: dict[str, ClientConnection] = {}
    try:
        for who, command in script:
            if who not in conns:
                conns[who] = await connect(server.url)
                answers.append((who, names.normal(json.loads(await conns[who].recv()))))
            await conns[who].send(json.dumps(names.fill(command)))
            for name in sorted(conns):  # read every connection up to a ping barrier
                pings += 1
                await conns[name].send(json.dumps({"type": "ping", "ping": pings}))
                while True:
                    reply = json.loads(await conns[name].recv())
                    if reply["type"] == "pong" and reply["pong"] == pings:
                        break
                    if reply["type"] != "ack":
                        answers.append((name, names.normal(reply)))
    finally:
        await asyncio.gather(*(c.close() for c in conns.values()))
    return answers


def _on_model(script: list[Step]) -> list[Any]:
    model = ModelServer()
    names, answers, pings = _Names(), [], 0
    conns: dict[str, ModelConnection] = {}

    def read(name: str) -> None:
        while conns[name].outbox:
            reply = json.loads(conns[name].outbox.popleft())
            if reply["type"] not in ("ack", "pong"):
                answers.append((name, names.normal(reply)))

    for who, command in script:
        if who not in conns:
            conns[who] = model.connect()
            read(who)
        conns[who].handle(json.dumps(names.fill(command)))
        for name in sorted(conns):
            pings += 1
            conns[name].handle(json.dumps({"type": "ping", "ping": pings}))
            read(name)
    return answers


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_model_answers_every_script_as_the_real_server_does(
    server: MailboxServer, name: str
) -> None:
    script = SCRIPTS[name]
    real = run(_on_real(server, script))
    model = _on_model(script)
    assert model == real
