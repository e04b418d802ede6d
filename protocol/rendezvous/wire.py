"""The mailbox server's messages (server to client) parsed strictly, and the commands we send.

The server speaks JSON objects with a ``type`` (docs/server-protocol.md of magic-wormhole):
each becomes one frozen dataclass here, or a :class:`RendezvousError` when it is not JSON,
too large, or lacks or mistypes a field this client needs. Keys the client does not need are
ignored and message types it does not know become :class:`Unrecognized`, as the protocol
asks. The parse is a table (``PARSERS``), like the frame codec of the transfer protocol.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import PROTOCOL, RendezvousError, shown
from .limits import MAILBOX_RE, NAMEPLATE_RE, SIDE_RE, Limits

_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")
_MAX_PHASE = 64


@dataclass(frozen=True, slots=True)
class Welcome:
    """The first message on every connection; ``error`` means the server refuses service."""

    motd: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Ack:
    """The server received a command (sent for every one; carries nothing we use)."""


@dataclass(frozen=True, slots=True)
class Allocated:
    nameplate: str


@dataclass(frozen=True, slots=True)
class Claimed:
    mailbox: str


@dataclass(frozen=True, slots=True)
class Released:
    pass


@dataclass(frozen=True, slots=True)
class Closed:
    pass


@dataclass(frozen=True, slots=True)
class Pong:
    pong: int


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    """One message of the mailbox: ours echoed back, or the other side's (``body`` decoded)."""

    side: str
    phase: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ServerError:
    """The server refused a command: ``error`` is its text (escaped), ``command`` the type."""

    error: str
    command: str | None


@dataclass(frozen=True, slots=True)
class Nameplates:
    """The answer to ``list`` (which Ferry never sends)."""


@dataclass(frozen=True, slots=True)
class Unrecognized:
    """A message type this client does not know: ignored, as the protocol asks."""

    type: str


ServerMessage = (
    Welcome
    | Ack
    | Allocated
    | Claimed
    | Released
    | Closed
    | Pong
    | MailboxMessage
    | ServerError
    | Nameplates
    | Unrecognized
)


def _malformed(what: str) -> RendezvousError:
    return RendezvousError(f"the rendezvous server sent {what}", code=PROTOCOL)


def _field(msg: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = msg.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _malformed(f"{what} without a valid {key!r}")
    return value


def _welcome(msg: dict[str, Any], limits: Limits) -> Welcome:
    welcome = _field(msg, "welcome", dict, "a welcome")
    motd, error = welcome.get("motd"), welcome.get("error")
    return Welcome(
        motd=None if motd is None else shown(motd),
        error=None if error is None else shown(error),
    )


def _allocated(msg: dict[str, Any], limits: Limits) -> Allocated:
    nameplate = _field(msg, "nameplate", str, "'allocated'")
    if NAMEPLATE_RE.match(nameplate) is None:
        raise _malformed(f"a nameplate that is not a number: {shown(nameplate, 50)}")
    return Allocated(nameplate)


def _claimed(msg: dict[str, Any], limits: Limits) -> Claimed:
    mailbox = _field(msg, "mailbox", str, "'claimed'")
    if MAILBOX_RE.match(mailbox) is None:
        raise _malformed(f"a malformed mailbox id: {shown(mailbox, 80)}")
    return Claimed(mailbox)


def _message(msg: dict[str, Any], limits: Limits) -> MailboxMessage:
    side = _field(msg, "side", str, "a message")
    phase = _field(msg, "phase", str, "a message")
    body = _field(msg, "body", str, "a message")
    if SIDE_RE.match(side) is None:
        raise _malformed(f"a message from a malformed side: {shown(side, 80)}")
    if not phase or len(phase) > _MAX_PHASE:
        raise _malformed(f"a message with a malformed phase: {shown(phase, 80)}")
    if len(body) > 2 * limits.max_body:
        raise _malformed(f"a message body of {len(body) // 2} bytes (limit {limits.max_body})")
    if _HEX.match(body) is None:
        raise _malformed("a message body that is not hex")
    return MailboxMessage(side, phase, bytes.fromhex(body))


def _pong(msg: dict[str, Any], limits: Limits) -> Pong:
    return Pong(_field(msg, "pong", int, "a pong"))


def _error(msg: dict[str, Any], limits: Limits) -> ServerError:
    orig = msg.get("orig")
    command = orig.get("type") if isinstance(orig, dict) else None
    return ServerError(
        error=shown(msg.get("error", "(no reason given)")),
        command=shown(command, 20) if isinstance(command, str) else None,
    )


PARSERS: dict[str, Callable[[dict[str, Any], Limits], ServerMessage]] = {
    "welcome": _welcome,
    "ack": lambda msg, limits: Ack(),
    "allocated": _allocated,
    "claimed": _claimed,
    "released": lambda msg, limits: Released(),
    "closed": lambda msg, limits: Closed(),
    "pong": _pong,
    "message": _message,
    "error": _error,
    "nameplates": lambda msg, limits: Nameplates(),
}


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(data: str | bytes) -> Any:
    """JSON as strict as a peer or server deserves: no NaN/Infinity, no runaway nesting."""
    try:
        return json.loads(data, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def parse_server_message(data: str | bytes, limits: Limits) -> ServerMessage:
    """One WebSocket message from the server, parsed and checked, or a RendezvousError."""
    if len(data) > limits.max_frame:
        raise _malformed(f"a message of {len(data)} bytes (limit {limits.max_frame})")
    msg = parse_json_object(data)
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise _malformed("something that is not a JSON object with a 'type'")
    parser = PARSERS.get(msg["type"])
    if parser is None:
        return Unrecognized(shown(msg["type"], 40))
    return parser(msg, limits)


# -- commands (client to server) ------------------------------------------------------------


def encode_command(command: dict[str, Any]) -> str:
    """A command as the server reads it: one JSON object per WebSocket text message."""
    return json.dumps(command, separators=(",", ":"))


def bind(app_id: str, side: str, client_version: tuple[str, str]) -> dict[str, Any]:
    return {"type": "bind", "appid": app_id, "side": side, "client_version": list(client_version)}


def allocate() -> dict[str, Any]:
    return {"type": "allocate"}


def claim(nameplate: str) -> dict[str, Any]:
    return {"type": "claim", "nameplate": nameplate}


def release(nameplate: str) -> dict[str, Any]:
    return {"type": "release", "nameplate": nameplate}


def open_mailbox(mailbox: str) -> dict[str, Any]:
    return {"type": "open", "mailbox": mailbox}


def add(phase: str, body: bytes) -> dict[str, Any]:
    return {"type": "add", "phase": phase, "body": body.hex()}


def close(mailbox: str, mood: str) -> dict[str, Any]:
    return {"type": "close", "mailbox": mailbox, "mood": mood}


def ping(number: int) -> dict[str, Any]:
    return {"type": "ping", "ping": number}
