"""Strict encodings for pairing messages: canonical base64 and bounded, strict JSON.

Every binary field is standard base64 (RFC 4648 section 4, with padding). Decoding is strict
and canonical (the text must be exactly what encoding the bytes gives), so no two different
texts carry the same bytes: a changed character is always a changed value.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .errors import AuthenticationError, Reason


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64_length(size: int) -> int:
    """How many base64 characters ``size`` bytes take."""
    return 4 * ((size + 2) // 3)


def b64decode(value: object, field: str, *, size: int | None = None, max_size: int = 0) -> bytes:
    """Decode one base64 field, exactly ``size`` bytes or at most ``max_size`` bytes."""
    limit = b64_length(size if size is not None else max_size)
    if not isinstance(value, str):
        raise _malformed(f"field {field!r} must be a base64 string")
    if len(value) > limit:
        raise _malformed(f"field {field!r} is too long ({len(value)} characters, at most {limit})")
    try:
        data = binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _malformed(f"field {field!r} is not base64") from None
    if b64encode(data) != value:
        raise _malformed(f"field {field!r} is not canonical base64")
    if size is not None and len(data) != size:
        raise _malformed(f"field {field!r} must hold {size} bytes, not {len(data)}")
    return data


def dumps(message: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (what the spec's test vectors use; any JSON text is accepted)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def loads(data: bytes) -> dict[str, Any]:
    """Parse a record's plaintext: a JSON object with a string ``type``, nothing lenient."""
    try:
        value = json.loads(
            data.decode("utf-8"),
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicates,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _malformed("a sealed record does not hold JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise _malformed("a sealed record must hold a JSON object with a string 'type'")
    return value


def describe(value: object, limit: int = 40) -> str:
    """A short, escaped rendering of something a peer sent, safe to show a person."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _malformed(message: str) -> AuthenticationError:
    return AuthenticationError(
        f"pairing failed: a malformed message ({message})", reason=Reason.MALFORMED
    )
