"""The codec: every valid frame round-trips; everything else is refused with ProtocolError."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.protocol import strategies as fs
from ferry.protocol.codec import (
    CHUNK_HEADER_SIZE,
    _decode_chunk,
    _decode_msgpack,
    decode,
    encode,
)
from ferry.protocol.errors import ProtocolError
from ferry.protocol.frames import Chunk, Error, Hello, Offer
from ferry.protocol.limits import CHUNK_FRAME_OVERHEAD, MAX_FILE_SIZE

FUZZ = settings(max_examples=10_000)


@pytest.mark.parametrize("frame_type", list(fs.FRAME_STRATEGIES), ids=lambda t: t.__name__)
def test_every_frame_type_round_trips(frame_type: type) -> None:
    @given(fs.FRAME_STRATEGIES[frame_type]())
    def round_trip(frame: object) -> None:
        assert decode(encode(frame)) == frame

    round_trip()


@FUZZ
@given(st.binary(max_size=512))
def test_arbitrary_bytes_raise_only_protocol_error(message: bytes) -> None:
    try:
        frame = decode(message)
    except ProtocolError:
        return
    assert decode(encode(frame)) == frame  # whatever decodes is a real, valid frame


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=40)
)
_keys = st.sampled_from(["type", "transfer_id", "offset", "data", "name", "size"]) | st.text(
    max_size=8
)
_tags = st.sampled_from(["HELLO", "OFFER", "CHUNK", "EOF", "DONE", "ERROR", "WINDOW"])
# Flat on purpose: recursive strategies are slow to draw, and the decoder refuses any nesting
# it does not expect before it looks inside.
_msgpack_values = st.one_of(
    _leaves,
    st.lists(_leaves, max_size=4),
    st.dictionaries(_keys, _leaves | st.lists(_leaves, max_size=3), max_size=7),
    st.tuples(_tags, st.dictionaries(_keys, _leaves, max_size=7)).map(
        lambda pair: {**pair[1], "type": pair[0]}
    ),
)


@FUZZ
@given(_msgpack_values)
def test_arbitrary_msgpack_values_raise_only_protocol_error(value: object) -> None:
    with contextlib.suppress(ProtocolError):
        decode(msgpack.packb(value))


@FUZZ
@given(fs.mutated_messages())
def test_mutated_frames_decode_validly_or_raise_protocol_error(message: bytes) -> None:
    try:
        frame = decode(message)
    except ProtocolError:
        return
    assert decode(encode(frame)) == frame


@settings(max_examples=3_000)
@given(fs.malformed_messages())
def test_malformed_messages_are_always_refused(message: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(message)


@given(fs.oversized_messages(1024))
def test_oversized_messages_are_refused_before_parsing(message: bytes) -> None:
    with pytest.raises(ProtocolError, match="exceeds the maximum"):
        decode(message, max_message_size=1024)


def test_chunk_overhead_bound_holds_for_the_largest_header() -> None:
    data = os.urandom(70_000)  # needs a bin32 header, the largest
    message = encode(Chunk(b"\xff" * 16, MAX_FILE_SIZE, data))
    assert len(message) - len(data) <= CHUNK_FRAME_OVERHEAD


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], "must be a msgpack map"),
        ({"type": "NOPE"}, "unknown frame type 'NOPE'"),
        ({"type": "ACCEPT", "transfer_id": b"x" * 16}, "missing fields ['offset']"),
        ({"type": "ACCEPT", "transfer_id": b"x" * 16, "offset": -1}, "'offset' is -1"),
        ({"type": "ACCEPT", "transfer_id": b"x" * 16, "offset": True}, "must be an integer"),
        ({"type": "ACCEPT", "transfer_id": b"x" * 15, "offset": 0}, "must be 16 bytes"),
        ({"type": "WINDOW", "transfer_id": b"x" * 16, "limit": 2**60}, "outside 0..9007"),
    ],
)
def test_error_messages_say_what_was_wrong(body: object, expected: str) -> None:
    with pytest.raises(ProtocolError) as info:
        decode(msgpack.packb(body))
    assert expected in str(info.value)


@pytest.mark.parametrize("name", ["../etc/passwd", "/abs", "a/../../b", "nul\x00", "CON", "a\\b"])
def test_offer_with_unsafe_name_is_refused(name: str) -> None:
    offer = Offer(b"i" * 16, name, 1, "", 16384, "", 0)
    with pytest.raises(ProtocolError) as info:
        decode(encode(offer))
    assert info.value.code == "unsafe-name"


def test_text_message_is_refused() -> None:
    with pytest.raises(ProtocolError, match="binary message"):
        decode("HELLO")  # type: ignore[arg-type]


def test_error_frame_may_carry_no_transfer_id() -> None:
    assert decode(encode(Error(None, "protocol", "bad"))) == Error(None, "protocol", "bad")


def test_wire_format_is_a_plain_map_a_browser_can_read() -> None:
    body = msgpack.unpackb(encode(Hello(1, 262144, 65536, ("resume",))), raw=False)
    assert body == {
        "type": "HELLO",
        "version": 1,
        "max_message_size": 262144,
        "max_chunk_size": 65536,
        "features": ["resume"],
    }


def test_encoded_chunk_has_its_data_at_a_fixed_offset_and_decodes_without_a_copy() -> None:
    data = os.urandom(1000)
    message = encode(Chunk(b"t" * 16, 2**40, data))
    assert message[CHUNK_HEADER_SIZE:] == data
    frame = decode(message)
    assert isinstance(frame.data, memoryview) and frame.data.obj is message
    assert frame.data.readonly


@given(fs.chunks())
def test_a_chunk_in_any_msgpack_encoding_decodes_the_same(frame: Chunk) -> None:
    # Another implementation's msgpack library packs ints and bins in their shortest form.
    shortest = msgpack.packb(
        {
            "type": "CHUNK",
            "transfer_id": frame.transfer_id,
            "offset": frame.offset,
            "data": frame.data,
        }
    )
    assert decode(shortest) == decode(encode(frame)) == frame


@settings(max_examples=3_000)  # edits are confined to the 68-byte header: 3,000 cover it
@given(fs.chunks(max_data=64).map(encode), st.data())
def test_the_chunk_fast_path_accepts_only_what_the_full_parser_accepts_alike(
    message: bytes, data: st.DataObject
) -> None:
    mutated = bytearray(message)
    for _ in range(data.draw(st.integers(0, 3))):
        position = data.draw(st.integers(0, min(len(mutated) - 1, CHUNK_HEADER_SIZE)))
        mutated[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del mutated[data.draw(st.integers(0, len(mutated) - 1)) :]
    fast = _decode_chunk(bytes(mutated))
    if fast is None:
        return  # the full parser alone decides
    assert _decode_msgpack(bytes(mutated)) == fast


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: m[:50] + (MAX_FILE_SIZE + 1).to_bytes(8, "big") + m[58:], "'offset' is"),
        (lambda m: m[:-1], "not a valid msgpack message"),
        (lambda m: m + b"\x00", "not a valid msgpack message"),
        (lambda m: m[:64] + b"\x00\x00\x00\x00", "'data' must not be empty"),
    ],
)
def test_a_bad_chunk_in_the_fixed_layout_gets_the_full_parsers_error(
    edit: Callable[[bytes], bytes], expected: str
) -> None:
    message = edit(encode(Chunk(b"t" * 16, 5, b"abc")))
    with pytest.raises(ProtocolError, match=expected):
        decode(message)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (Chunk(b"t" * 15, 0, b"x"), "a transfer id is 16 bytes"),
        (Chunk(b"t" * 16, -1, b"x"), "offset in 0..2\\*\\*64-1"),
    ],
)
def test_encode_refuses_a_chunk_it_cannot_lay_out(frame: Chunk, expected: str) -> None:
    with pytest.raises(ProtocolError, match=expected):
        encode(frame)


#: What a broken frame's field may hold instead of its own value: wrong types, ints out of
#: msgpack's and the layout's range, objects msgpack cannot serialise at all.
_HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1]),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.binary(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.text(max_size=5), st.integers()),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.builds(object),
    st.builds(memoryview, st.binary(max_size=8)),
)


@settings(max_examples=500)  # each example draws a frame and several values: slow to make
@given(st.data())
def test_encode_of_a_broken_frame_raises_only_protocol_error(data: st.DataObject) -> None:
    frame = data.draw(fs.frames().filter(dataclasses.fields))  # PING has no field to break
    names = [f.name for f in dataclasses.fields(frame)]
    broken = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names)))
    frame = dataclasses.replace(frame, **{name: data.draw(_HOSTILE_VALUES) for name in broken})
    try:
        message = encode(frame)
    except ProtocolError:
        return
    assert isinstance(message, bytes)  # encode does not validate: decode judges what it made
    with contextlib.suppress(ProtocolError):
        decode(message)


@given(st.one_of(st.none(), st.integers(), st.text(), st.builds(object)))
def test_encode_of_something_not_a_frame_raises_protocol_error(thing: object) -> None:
    with pytest.raises(ProtocolError, match="not a Ferry frame"):
        encode(thing)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["\x1b[2Jcleared", "bell\x07", "a\u202eb", "two\nlines", "\x00"])
def test_a_peer_text_a_terminal_would_act_on_is_refused(text: str) -> None:
    body = msgpack.packb({"type": "CANCEL", "transfer_id": b"t" * 16, "reason": text})
    with pytest.raises(ProtocolError, match="control character"):
        decode(body)
    error = msgpack.packb({"type": "ERROR", "transfer_id": None, "code": "x", "message": text})
    with pytest.raises(ProtocolError, match="control character"):
        decode(error)
