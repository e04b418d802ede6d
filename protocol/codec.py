"""msgpack codec for frames: ``encode(frame) -> bytes`` and a strict ``decode(bytes) -> frame``.

Wire format: every frame is one msgpack map ``{"type": TAG, field: value, ...}`` using only
plain msgpack types (nil, bool, int, str, bin, array, map; never ext), so a browser with any
standard msgpack library can speak it. Field names are the dataclass field names of
:mod:`protocol.frames`; ``transfer_id`` and ``sha256`` are bin, ``features`` is an array.
``encode`` writes every CHUNK in one fixed layout (below) that ``decode`` reads without a
copy; any other valid msgpack encoding of a CHUNK is accepted too.

``decode`` trusts nothing: the message size, the msgpack syntax, the exact set of keys, the
type and range of every value, and the safety of names are all checked, and the only
exception that ever leaves it is :class:`~protocol.errors.ProtocolError`.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import msgpack

from .errors import ProtocolError
from .frames import (
    TAGS,
    TYPES,
    Accept,
    Cancel,
    Chunk,
    Done,
    Eof,
    Error,
    Frame,
    Hello,
    Offer,
    Ping,
    Reject,
    Window,
)
from .limits import (
    BASE_CHUNK_SIZE,
    CHUNK_FRAME_OVERHEAD,
    DEFAULT_MAX_MESSAGE_SIZE,
    MAX_CODE_LENGTH,
    MAX_FEATURE_LENGTH,
    MAX_FEATURES,
    MAX_FILE_SIZE,
    MAX_MIME_LENGTH,
    MAX_RESUME_KEY_LENGTH,
    MAX_STORED_ID_LENGTH,
    MAX_TEXT_LENGTH,
    SHA256_BYTES,
    TRANSFER_ID_BYTES,
)
from .names import check_name, is_unprintable

Validator = Callable[[str, Any], Any]

#: Largest max_message_size / chunk size a peer may advertise (1 GiB): anything above is absurd.
MAX_ADVERTISED_SIZE = 2**30
MAX_VERSION = 2**16 - 1

_CODE = re.compile(r"[a-z][a-z0-9-]*\Z")
_FEATURE = re.compile(r"[a-z0-9][a-z0-9.-]*\Z")
_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\Z")


def _fail(key: str, problem: str) -> ProtocolError:
    return ProtocolError(f"field {key!r} {problem}")


def _uint(low: int, high: int) -> Validator:
    def check(key: str, value: Any) -> int:
        # bool is an int in Python but not on the wire: refuse it explicitly.
        if type(value) is not int:
            raise _fail(key, f"must be an integer, got {type(value).__name__}")
        if not low <= value <= high:
            raise _fail(key, f"is {value}, outside {low}..{high}")
        return value

    return check


def _bin(length: int) -> Validator:
    def check(key: str, value: Any) -> bytes:
        if type(value) is not bytes:
            raise _fail(key, f"must be binary, got {type(value).__name__}")
        if len(value) != length:
            raise _fail(key, f"must be {length} bytes, got {len(value)}")
        return value

    return check


def _optional(inner: Validator) -> Validator:
    def check(key: str, value: Any) -> Any:
        return None if value is None else inner(key, value)

    return check


def _text(max_length: int, pattern: re.Pattern[str] | None = None, *, empty: bool = True):
    def check(key: str, value: Any) -> str:
        if type(value) is not str:
            raise _fail(key, f"must be a string, got {type(value).__name__}")
        if len(value) > max_length:
            raise _fail(key, f"is {len(value)} characters, more than {max_length}")
        if not value:
            if empty:
                return value
            raise _fail(key, "must not be empty")
        if pattern is not None and not pattern.match(value):
            raise _fail(key, f"has an invalid value {value!r}")
        for ch in value:  # a peer's words reach a terminal: no escape sequences, no bidi tricks
            if is_unprintable(ch):
                raise _fail(key, f"contains the control character U+{ord(ch):04X}")
        return value

    return check


def _name(key: str, value: Any) -> str:
    return check_name(value)


def _data(key: str, value: Any) -> bytes:
    if type(value) is not bytes:
        raise _fail(key, f"must be binary, got {type(value).__name__}")
    if not value:
        raise _fail(key, "must not be empty")
    return value


def _features(key: str, value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise _fail(key, f"must be an array, got {type(value).__name__}")
    if len(value) > MAX_FEATURES:
        raise _fail(key, f"lists {len(value)} features, more than {MAX_FEATURES}")
    check = _text(MAX_FEATURE_LENGTH, _FEATURE, empty=False)
    items = tuple(check(key, item) for item in value)
    if len(set(items)) != len(items):
        raise _fail(key, "lists a feature twice")
    return items


_tid = _bin(TRANSFER_ID_BYTES)
_sha = _bin(SHA256_BYTES)
_size = _uint(0, MAX_FILE_SIZE)
_code = _text(MAX_CODE_LENGTH, _CODE, empty=False)
_message = _text(MAX_TEXT_LENGTH)

#: For each frame type, the validator of each field, in dataclass field order.
SCHEMAS: dict[type, dict[str, Validator]] = {
    Hello: {
        "version": _uint(1, MAX_VERSION),
        "max_message_size": _uint(BASE_CHUNK_SIZE + CHUNK_FRAME_OVERHEAD, MAX_ADVERTISED_SIZE),
        "max_chunk_size": _uint(BASE_CHUNK_SIZE, MAX_ADVERTISED_SIZE),
        "features": _features,
    },
    Offer: {
        "transfer_id": _tid,
        "name": _name,
        "size": _size,
        "mime_type": _text(MAX_MIME_LENGTH, _MIME),
        "chunk_size": _uint(BASE_CHUNK_SIZE, MAX_ADVERTISED_SIZE),
        "resume_key": _text(MAX_RESUME_KEY_LENGTH),
        "mtime_ms": _uint(0, MAX_FILE_SIZE),
    },
    Accept: {"transfer_id": _tid, "offset": _size},
    Reject: {"transfer_id": _tid, "code": _code, "message": _message},
    Chunk: {"transfer_id": _tid, "offset": _size, "data": _data},
    Window: {"transfer_id": _tid, "limit": _size},
    Eof: {"transfer_id": _tid, "size": _size, "sha256": _sha},
    Done: {
        "transfer_id": _tid,
        "sha256": _sha,
        "stored_id": _text(MAX_STORED_ID_LENGTH),
    },
    Cancel: {"transfer_id": _tid, "reason": _message},
    Error: {"transfer_id": _optional(_tid), "code": _code, "message": _message},
    Ping: {},
}

for _cls, _schema in SCHEMAS.items():  # the schema table must match the dataclasses exactly
    assert tuple(_schema) == tuple(f.name for f in fields(_cls)), _cls
_KEYS = {cls: frozenset(schema) | {"type"} for cls, schema in SCHEMAS.items()}


#: The layout ``encode`` gives every CHUNK: a msgpack map with its keys in this order, the
#: offset always a uint 64 and the data always a bin 32 (valid msgpack, if not the shortest
#: form), so the payload sits at a fixed offset. Packing the header and appending the data
#: is one copy; msgpack-python makes two. ``decode`` takes this layout without parsing or
#: copying and leaves any other encoding (a peer's own msgpack library) to the full path.
_CHUNK_HEADER = struct.Struct(">26s16s8sQ6sI")
_CHUNK_KEYS_TYPE_ID = b"\x84\xa4type\xa5CHUNK\xabtransfer_id\xc4\x10"
_CHUNK_KEY_OFFSET = b"\xa6offset\xcf"
_CHUNK_KEY_DATA = b"\xa4data\xc6"
CHUNK_HEADER_SIZE = _CHUNK_HEADER.size  # 68, within CHUNK_FRAME_OVERHEAD


def _encode_chunk(frame: Chunk) -> bytes:
    # No type checks up front: this runs for every chunk sent, and struct and bytes
    # concatenation refuse wrong types themselves (at no cost until they do).
    try:
        if len(frame.transfer_id) != TRANSFER_ID_BYTES:
            raise ProtocolError(
                f"a transfer id is {TRANSFER_ID_BYTES} bytes, got {frame.transfer_id!r}"
            )
        header = _CHUNK_HEADER.pack(
            _CHUNK_KEYS_TYPE_ID,
            frame.transfer_id,
            _CHUNK_KEY_OFFSET,
            frame.offset,
            _CHUNK_KEY_DATA,
            len(frame.data),
        )
        return header + frame.data
    except struct.error:
        raise ProtocolError(
            f"a CHUNK needs a binary transfer id, an offset in 0..2**64-1 and under 4 GiB of "
            f"data, got {type(frame.transfer_id).__name__}, offset {frame.offset!r} and "
            f"{len(frame.data)} bytes"
        ) from None
    except TypeError as exc:
        raise ProtocolError(f"a CHUNK's fields have the wrong types: {exc}") from None


def _decode_chunk(message: bytes | bytearray | memoryview) -> Chunk | None:
    """The CHUNK in ``encode``'s own layout, with every check of the full path; None when the
    message is anything else (the full path then parses it, or says what is wrong)."""
    if len(message) <= CHUNK_HEADER_SIZE:
        return None
    keys_type_id, tid, key_offset, offset, key_data, length = _CHUNK_HEADER.unpack_from(message)
    if (
        keys_type_id == _CHUNK_KEYS_TYPE_ID
        and key_offset == _CHUNK_KEY_OFFSET
        and key_data == _CHUNK_KEY_DATA
        and length == len(message) - CHUNK_HEADER_SIZE
        and offset <= MAX_FILE_SIZE
    ):
        view = memoryview(message)
        if not view.readonly:  # a bytearray: hand out a view the receiver cannot write
            view = view.toreadonly()
        return Chunk(tid, offset, view[CHUNK_HEADER_SIZE:])
    return None


def encode(frame: Frame) -> bytes:
    """Serialise one frame to one msgpack message, or raise :class:`ProtocolError`.

    It does not check the fields' values (decode does, on the other side), but whatever it
    cannot serialise (not a frame, a field of a type msgpack has no encoding for, an int
    beyond 64 bits) is a ProtocolError, as decode's refusals are: a caller handles one type.
    """
    cls = type(frame)
    if cls is Chunk:  # the hot path: a fixed layout
        return _encode_chunk(frame)
    try:
        tag = TAGS[cls]
    except KeyError:
        raise ProtocolError(f"not a Ferry frame: {type(frame).__name__}") from None
    body: dict[str, Any] = {"type": tag}
    for key in SCHEMAS[cls]:
        value = getattr(frame, key)
        body[key] = list(value) if isinstance(value, tuple) else value
    try:
        return msgpack.packb(body)
    except Exception as exc:  # msgpack raises TypeError, OverflowError, ValueError...
        raise ProtocolError(f"cannot encode this {tag}: {exc.__class__.__name__}") from None


def decode(message: bytes, *, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> Frame:
    """Parse one message into a frame, or raise :class:`ProtocolError` saying what was wrong."""
    if type(message) is not bytes:  # what aiortc delivers; anything else is checked here
        if not isinstance(message, bytes | bytearray | memoryview):
            raise ProtocolError(f"expected a binary message, got {type(message).__name__}")
        if isinstance(message, memoryview) and not (
            message.format == "B" and message.ndim == 1 and message.c_contiguous
        ):
            message = message.tobytes()  # a strided or typed view: its bytes, in order
    if len(message) > max_message_size:
        raise ProtocolError(
            f"message of {len(message)} bytes exceeds the maximum of {max_message_size}"
        )
    return _decode_chunk(message) or _decode_msgpack(message)


def _decode_msgpack(message: bytes | bytearray | memoryview) -> Frame:
    """The full path: any msgpack encoding of any frame, every field checked."""
    try:
        body = msgpack.unpackb(
            message,
            raw=False,
            strict_map_key=True,
            use_list=True,
        )
    except Exception as exc:  # msgpack raises several unrelated types; all mean "malformed"
        raise ProtocolError(f"not a valid msgpack message: {exc.__class__.__name__}") from None
    if type(body) is not dict:
        raise ProtocolError(f"frame must be a msgpack map, got {type(body).__name__}")
    tag = body.get("type")
    cls = TYPES.get(tag) if type(tag) is str else None
    if cls is None:
        raise ProtocolError(f"unknown frame type {tag!r}")
    if body.keys() != _KEYS[cls]:
        missing = sorted(_KEYS[cls] - body.keys())
        extra = sorted(str(k) for k in body.keys() - _KEYS[cls])
        raise ProtocolError(f"{tag} frame has missing fields {missing} or extra fields {extra}")
    schema = SCHEMAS[cls]
    try:
        return cls(*[check(key, body[key]) for key, check in schema.items()])
    except ProtocolError as exc:
        raise ProtocolError(f"{tag} frame: {exc.message}", code=exc.code) from None
