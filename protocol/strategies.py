"""Hypothesis strategies for every Ferry frame: valid ones, and malformed ones to refuse.

Fuzzing is one of Ferry's uses, so these are public API (install ``ferry-engine[fuzz]``).
A host, or another implementation of the protocol, can check its own decoder with them::

    from hypothesis import given
    from protocol import strategies as fs

    @given(fs.frames())
    def test_round_trip(frame):
        assert my_decode(my_encode(frame)) == frame

    @given(fs.malformed_messages())
    def test_refuses_garbage(message):
        with pytest.raises(MyProtocolError):
            my_decode(message)

What each strategy yields:

- :func:`frames` (or ``hellos()``, ``offers()``... one per frame type): valid frame objects;
  ``encode`` them to get valid messages.
- :func:`malformed_messages`: bytes that a strict decoder must refuse: wrong types, missing
  or extra fields, unknown frame types, out-of-range sizes and offsets, unsafe names, bad
  ids and digests, non-map bodies, ext types, invalid msgpack and trailing garbage. Every
  value drawn is invalid by construction.
- :func:`mutated_messages`: valid messages with random bytes flipped, inserted or removed;
  these may or may not still be valid, so a decoder must either decode them to a valid
  frame or refuse them, and never crash.
- :func:`oversized_messages`: messages longer than a given limit.
- :func:`safe_names` / :func:`unsafe_names`: relative paths a receiver may / must not write.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any

import msgpack
from hypothesis import strategies as st

from .codec import MAX_ADVERTISED_SIZE, MAX_VERSION, SCHEMAS, encode
from .frames import (
    TAGS,
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
    MAX_CODE_LENGTH,
    MAX_FILE_SIZE,
    MAX_NAME_DEPTH,
    MAX_RESUME_KEY_LENGTH,
    SHA256_BYTES,
    TRANSFER_ID_BYTES,
)
from .names import name_problem

__all__ = [
    "accepts",
    "cancels",
    "chunks",
    "codes",
    "dones",
    "eofs",
    "errors",
    "frames",
    "hellos",
    "malformed_messages",
    "mutated_messages",
    "offers",
    "oversized_messages",
    "rejects",
    "safe_names",
    "sha256s",
    "transfer_ids",
    "unsafe_names",
    "windows",
]

# -- field values ---------------------------------------------------------------------------

sizes = st.integers(0, MAX_FILE_SIZE)
chunk_sizes = st.integers(BASE_CHUNK_SIZE, MAX_ADVERTISED_SIZE)


@cache
def transfer_ids() -> st.SearchStrategy[bytes]:
    return st.binary(min_size=TRANSFER_ID_BYTES, max_size=TRANSFER_ID_BYTES)


@cache
def sha256s() -> st.SearchStrategy[bytes]:
    return st.binary(min_size=SHA256_BYTES, max_size=SHA256_BYTES)


def _identifiers(first: str, rest: str, max_size: int) -> st.SearchStrategy[str]:
    tail = st.text(rest, max_size=max_size - 1)
    return st.tuples(st.sampled_from(first), tail).map("".join)


@cache
def codes() -> st.SearchStrategy[str]:
    lower = string.ascii_lowercase
    return _identifiers(lower, lower + string.digits + "-", MAX_CODE_LENGTH)


def _texts(max_size: int = 40) -> st.SearchStrategy[str]:
    # Printable text only: control and format characters (ESC, NUL, bidi overrides...) are
    # refused, because these strings end up on a person's terminal.
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
        max_size=max_size,
    )


_component_chars = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"),
    exclude_characters='/\\<>:"|?*',
)


def _make_safe_component(text: str) -> str:
    # Cheaper than filtering: repair the few ways a drawn component can be unsafe.
    part = text.rstrip(". ") or "_"
    return part if name_problem(part) is None else "_" + part


@cache
def safe_names() -> st.SearchStrategy[str]:
    """Relative paths every receiver may write (checked with the same rules as decode)."""
    component = st.text(_component_chars, min_size=1, max_size=16).map(_make_safe_component)
    return (
        st.lists(component, min_size=1, max_size=4)
        .map("/".join)
        .filter(lambda name: name_problem(name) is None)
    )


@cache
def unsafe_names() -> st.SearchStrategy[str]:
    """Names a receiver must refuse: traversal, absolute, control characters, devices..."""
    safe = safe_names()
    return st.one_of(
        st.just(""),
        st.sampled_from([".", "..", "../x", "a/../../b", "a/./b", "a//b", "a/", "/etc/passwd"]),
        st.sampled_from(["C:\\x", "C:x", "a\\b", "CON", "nul.txt", "a/COM1", "LPT3.log"]),
        st.sampled_from(["trailing.", "trailing ", "a\x00b", "a\nb", "\x7f", "a\u202eb"]),
        safe.map(lambda name: "../" + name),
        safe.map(lambda name: "/" + name),
        safe.map(lambda name: name + "/.."),
        st.tuples(safe, st.characters(codec="utf-8", categories=("Cc",))).map("".join),
        st.just("a/" * MAX_NAME_DEPTH + "b"),
        st.just("x" * 256),
    )


@cache
def _mimes() -> st.SearchStrategy[str]:
    token = st.text(string.ascii_lowercase + string.digits + ".+-", min_size=1, max_size=20)
    first = st.sampled_from(string.ascii_lowercase)
    return st.one_of(
        st.just(""),
        st.tuples(first, token, first, token).map(lambda p: f"{p[0]}{p[1]}/{p[2]}{p[3]}"),
    )


# -- valid frames ---------------------------------------------------------------------------


@cache
def hellos() -> st.SearchStrategy[Hello]:
    alnum = string.ascii_lowercase + string.digits
    features = st.lists(_identifiers(alnum, alnum + ".-", 12), max_size=3, unique=True).map(tuple)
    return st.builds(
        Hello,
        version=st.integers(1, MAX_VERSION),
        max_message_size=st.integers(BASE_CHUNK_SIZE + CHUNK_FRAME_OVERHEAD, MAX_ADVERTISED_SIZE),
        max_chunk_size=chunk_sizes,
        features=features,
    )


@cache
def offers() -> st.SearchStrategy[Offer]:
    return st.builds(
        Offer,
        transfer_id=transfer_ids(),
        name=safe_names(),
        size=sizes,
        mime_type=_mimes(),
        chunk_size=chunk_sizes,
        resume_key=_texts(),
        mtime_ms=sizes,
    )


@cache
def accepts() -> st.SearchStrategy[Accept]:
    return st.builds(Accept, transfer_id=transfer_ids(), offset=sizes)


@cache
def rejects() -> st.SearchStrategy[Reject]:
    return st.builds(Reject, transfer_id=transfer_ids(), code=codes(), message=_texts())


@cache
def chunks(max_data: int = 4096) -> st.SearchStrategy[Chunk]:
    data = st.binary(min_size=1, max_size=max_data)
    return st.builds(Chunk, transfer_id=transfer_ids(), offset=sizes, data=data)


@cache
def windows() -> st.SearchStrategy[Window]:
    return st.builds(Window, transfer_id=transfer_ids(), limit=sizes)


@cache
def eofs() -> st.SearchStrategy[Eof]:
    return st.builds(Eof, transfer_id=transfer_ids(), size=sizes, sha256=sha256s())


@cache
def dones() -> st.SearchStrategy[Done]:
    stored = st.text(string.ascii_letters + string.digits + "-_", max_size=64)
    return st.builds(Done, transfer_id=transfer_ids(), sha256=sha256s(), stored_id=stored)


@cache
def cancels() -> st.SearchStrategy[Cancel]:
    return st.builds(Cancel, transfer_id=transfer_ids(), reason=_texts())


@cache
def errors() -> st.SearchStrategy[Error]:
    return st.builds(Error, transfer_id=st.none() | transfer_ids(), code=codes(), message=_texts())


@cache
def pings() -> st.SearchStrategy[Ping]:
    return st.just(Ping())


FRAME_STRATEGIES = {
    Hello: hellos,
    Offer: offers,
    Accept: accepts,
    Reject: rejects,
    Chunk: chunks,
    Window: windows,
    Eof: eofs,
    Done: dones,
    Cancel: cancels,
    Error: errors,
    Ping: pings,
}


@cache
def frames() -> st.SearchStrategy[Frame]:
    """Any valid frame of any type."""
    return st.one_of(*(strategy() for strategy in FRAME_STRATEGIES.values()))


# -- malformed messages -------------------------------------------------------------------


def _body(frame: Frame) -> dict[str, Any]:
    return msgpack.unpackb(encode(frame), raw=False)


# Values of the wrong type for each kind of field, and out-of-range values per field.
# Integers stay within what msgpack can carry (int64 .. uint64).
_ints = st.integers(-(2**63), 2**64 - 1)
_NOT_INT = st.one_of(
    st.booleans(), st.floats(), st.text(max_size=5), st.binary(max_size=5), st.none()
)
#: Text a terminal would act on: a decoder refuses it wherever a peer's words are shown.
_UNPRINTABLE = ["nul\x00inside", "\x1b[2J\x1b[Hcleared", "bell\x07", "a\u202eb", "line\nbreak"]
_NOT_BYTES = st.one_of(_ints, st.text(max_size=5), st.none(), st.lists(_ints, max_size=3))
_NOT_STR = st.one_of(_ints, st.binary(max_size=5), st.booleans(), st.floats())
_negative = st.integers(-(2**63), -1)

_BAD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "version": st.one_of(
        _NOT_INT, st.integers(-(2**63), 0), st.integers(MAX_VERSION + 1, 2**64 - 1)
    ),
    "max_message_size": st.one_of(
        _NOT_INT,
        st.integers(-(2**63), BASE_CHUNK_SIZE + CHUNK_FRAME_OVERHEAD - 1),
        st.integers(MAX_ADVERTISED_SIZE + 1, 2**64 - 1),
    ),
    "max_chunk_size": st.one_of(
        _NOT_INT,
        st.integers(-(2**63), BASE_CHUNK_SIZE - 1),
        st.integers(MAX_ADVERTISED_SIZE + 1, 2**64 - 1),
    ),
    "chunk_size": st.one_of(
        _NOT_INT,
        st.integers(-(2**63), BASE_CHUNK_SIZE - 1),
        st.integers(MAX_ADVERTISED_SIZE + 1, 2**64 - 1),
    ),
    "features": st.one_of(
        _NOT_BYTES.filter(lambda v: not isinstance(v, list)),
        st.lists(_NOT_STR, min_size=1, max_size=3),
        st.just(["ok", "ok"]),
        st.just(["Bad Feature"]),
        st.just([f"f{i}" for i in range(40)]),
    ),
    "transfer_id": st.one_of(
        _NOT_BYTES,
        st.binary(max_size=TRANSFER_ID_BYTES - 1),
        st.binary(min_size=TRANSFER_ID_BYTES + 1, max_size=64),
    ),
    "sha256": st.one_of(
        _NOT_BYTES, st.binary(max_size=SHA256_BYTES - 1), st.binary(min_size=SHA256_BYTES + 1)
    ),
    "name": st.one_of(_NOT_STR, unsafe_names()),
    "data": st.one_of(_NOT_BYTES, st.just(b"")),
    "mime_type": st.one_of(_NOT_STR, st.sampled_from(["text", "/x", "a/b c", "a\x00/b"])),
    "code": st.one_of(_NOT_STR, st.sampled_from(["", "UPPER", "with space", "-lead", "x" * 40])),
    "message": st.one_of(_NOT_STR, st.sampled_from(_UNPRINTABLE), st.just("m" * 2000)),
    "reason": st.one_of(_NOT_STR, st.sampled_from(_UNPRINTABLE), st.just("r" * 2000)),
    "resume_key": st.one_of(_NOT_STR, st.just("k" * (MAX_RESUME_KEY_LENGTH + 1))),
    "stored_id": st.one_of(_NOT_STR, st.just("s" * 200)),
}
for _name in ("size", "offset", "limit", "mtime_ms"):
    _BAD_VALUES[_name] = st.one_of(_NOT_INT, _negative, st.integers(MAX_FILE_SIZE + 1, 2**64 - 1))


@st.composite
def _wrong_field(draw: st.DrawFn) -> bytes:
    with_fields = [make() for cls, make in FRAME_STRATEGIES.items() if SCHEMAS[cls]]  # not PING
    frame = draw(st.one_of(*with_fields))
    body = _body(frame)
    key = draw(st.sampled_from(sorted(SCHEMAS[type(frame)])))
    if key == "transfer_id" and isinstance(frame, Error):
        body[key] = draw(_BAD_VALUES[key].filter(lambda v: v is not None))
    else:
        body[key] = draw(_BAD_VALUES[key])
    return msgpack.packb(body)


@st.composite
def _missing_field(draw: st.DrawFn) -> bytes:
    body = _body(draw(frames()))
    del body[draw(st.sampled_from(sorted(body)))]
    return msgpack.packb(body)


@st.composite
def _extra_field(draw: st.DrawFn) -> bytes:
    body = _body(draw(frames()))
    key = draw(st.text(max_size=10).filter(lambda k: k not in body))
    body[key] = draw(st.one_of(_ints, st.text(max_size=5), st.none()))
    return msgpack.packb(body)


@st.composite
def _unknown_type(draw: st.DrawFn) -> bytes:
    body = _body(draw(frames()))
    known = set(TAGS.values())
    body["type"] = draw(
        st.one_of(
            st.text(max_size=10).filter(lambda t: t not in known),
            st.sampled_from([tag.lower() for tag in known]),
            _NOT_STR,
        )
    )
    return msgpack.packb(body)


@st.composite
def _not_a_map(draw: st.DrawFn) -> bytes:
    frame = draw(frames())
    value = draw(
        st.one_of(
            st.just(list(_body(frame).values())),
            _ints,
            st.text(max_size=10),
            st.binary(max_size=10),
            st.none(),
            st.booleans(),
            st.floats(),
        )
    )
    return msgpack.packb(value)


@st.composite
def _ext_inside(draw: st.DrawFn) -> bytes:
    body = _body(draw(frames()))
    key = draw(st.sampled_from(sorted(body)))
    body[key] = msgpack.ExtType(draw(st.integers(0, 127)), draw(st.binary(max_size=8)))
    return msgpack.packb(body)


@st.composite
def _trailing_bytes(draw: st.DrawFn) -> bytes:
    return encode(draw(frames())) + draw(st.binary(min_size=1, max_size=8))


@st.composite
def _truncated(draw: st.DrawFn) -> bytes:
    message = encode(draw(frames()))
    return message[: draw(st.integers(0, len(message) - 1))]


@st.composite
def _non_string_keys(draw: st.DrawFn) -> bytes:
    body = _body(draw(frames()))
    body[draw(_ints)] = 1
    return msgpack.packb(body)


@cache
def malformed_messages() -> st.SearchStrategy[bytes]:
    """Messages every strict decoder must refuse. Each is invalid by construction."""
    return st.one_of(
        _wrong_field(),
        _missing_field(),
        _extra_field(),
        _unknown_type(),
        _not_a_map(),
        _ext_inside(),
        _trailing_bytes(),
        _truncated(),
        _non_string_keys(),
    )


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    """Valid messages with a few random byte edits; may or may not remain valid."""
    message = bytearray(encode(draw(frames())))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "replace"]))
        position = draw(st.integers(0, max(0, len(message) - 1)))
        if action == "flip" and message:
            message[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            message[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete" and message:
            del message[position : position + draw(st.integers(1, 4))]
        elif message:
            message[position] = draw(st.integers(0, 255))
    return bytes(message)


@cache
def oversized_messages(max_message_size: int) -> st.SearchStrategy[bytes]:
    """Messages longer than ``max_message_size`` (valid msgpack or not)."""

    def grow(frame: Chunk) -> bytes:
        padding = max_message_size + 1
        return encode(Chunk(frame.transfer_id, frame.offset, frame.data + b"\0" * padding))

    return st.one_of(
        chunks(max_data=64).map(grow),
        st.binary(min_size=max_message_size + 1, max_size=max_message_size + 64),
    )
