"""The pairing messages on the signaling path: a schema table, and one strict parser.

Each message is a JSON object with a ``type``. ``SCHEMA`` lists, per type, every field and
what it must be; a message with a missing, extra or mistyped field, or an unknown type,
is refused as a whole (:class:`AuthenticationError`), before anything looks at its values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .encoding import b64decode, describe
from .errors import AuthenticationError, Reason
from .identity import PUBLIC_KEY_BYTES, SIGNATURE_BYTES
from .keys import MAC_BYTES, PAKE_BYTES

HELLO = "pair-hello"
PAKE = "pair-pake"
REVEAL = "pair-reveal"
CONFIRM = "pair-confirm"
SEALED = "sealed"
ABORT = "pair-abort"
IDENTITY = "pair-identity"  # the plaintext of each side's first sealed record

#: The most a sealed record may carry (its JSON plaintext); an SDP is a few KB.
MAX_RECORD_BYTES = 256 * 1024
TAG_BYTES = 16
MAX_SEQ = 2**53 - 1  # exact in JSON numbers everywhere (JavaScript too)
MAX_REASON_CHARS = 32

Field = Callable[[object, str], Any]


def _b64(size: int) -> Field:
    return lambda value, name: b64decode(value, name, size=size)


def _box(value: object, name: str) -> bytes:
    data = b64decode(value, name, max_size=MAX_RECORD_BYTES + TAG_BYTES)
    if len(data) < TAG_BYTES:
        raise _malformed(f"field {name!r} is shorter than an AES-GCM tag")
    return data


def _int(low: int, high: int) -> Field:
    def check(value: object, name: str) -> int:
        if type(value) is not int or not low <= value <= high:
            raise _malformed(f"field {name!r} must be an integer from {low} to {high}")
        return value

    return check


def _text(limit: int) -> Field:
    def check(value: object, name: str) -> str:
        if not isinstance(value, str) or not 0 < len(value) <= limit:
            raise _malformed(f"field {name!r} must be a string of 1 to {limit} characters")
        return value

    return check


SCHEMA: dict[str, dict[str, Field]] = {
    HELLO: {"v": _int(0, 2**31), "mode": _text(16), "commit": _b64(32)},
    PAKE: {"pake": _b64(PAKE_BYTES)},
    REVEAL: {"pake": _b64(PAKE_BYTES), "mac": _b64(MAC_BYTES)},
    CONFIRM: {"mac": _b64(MAC_BYTES)},
    SEALED: {"seq": _int(0, MAX_SEQ), "box": _box},
    ABORT: {"reason": _text(MAX_REASON_CHARS)},
    IDENTITY: {"key": _b64(PUBLIC_KEY_BYTES), "sig": _b64(SIGNATURE_BYTES)},
}


def parse(message: object, *, allowed: frozenset[str] | None = None) -> tuple[str, dict[str, Any]]:
    """``(type, decoded fields)`` of a wire message, or :class:`AuthenticationError`."""
    if not isinstance(message, dict):
        raise _malformed(f"expected a JSON object, got {type(message).__name__}")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise _malformed("the message has no string 'type'")
    schema = SCHEMA.get(kind)
    if schema is None or (allowed is not None and kind not in allowed):
        raise AuthenticationError(
            f"pairing failed: the peer sent {describe(kind)}, which is not a pairing message "
            "(is it an older Ferry without pairing?)",
            reason=Reason.UNEXPECTED,
        )
    extra = set(message) - set(schema) - {"type"}
    missing = set(schema) - set(message)
    if extra or missing:
        detail = (
            f"unknown fields {describe(sorted(map(str, extra)))}"
            if extra
            else f"missing {sorted(missing)}"
        )
        raise _malformed(f"{kind}: {detail}")
    return kind, {name: check(message[name], name) for name, check in schema.items()}


def abort_notice(reason: Reason | str) -> dict[str, Any]:
    return {"type": ABORT, "reason": str(reason)}


def _malformed(message: str) -> AuthenticationError:
    return AuthenticationError(
        f"pairing failed: a malformed message ({message})", reason=Reason.MALFORMED
    )
