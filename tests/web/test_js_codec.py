"""The JavaScript codec (web/src/codec.js) against protocol/codec.py, both ways.

Frames encoded by Python decode to the same frame in JavaScript; frames encoded by
JavaScript decode to the same frame in Python (and to the same bytes); malformed or
mutated messages get the same verdict from both decoders.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.protocol import limits, strategies
from ferry.protocol.codec import CHUNK_HEADER_SIZE, decode, encode
from ferry.protocol.errors import ProtocolError
from ferry.protocol.frames import TAGS, TYPES, Chunk, Frame

from .node import WEB, Bridge, from_json, to_json

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def as_json(frame: Frame) -> dict[str, object]:
    body: dict[str, object] = {"type": TAGS[type(frame)]}
    for f in dataclasses.fields(frame):
        value = getattr(frame, f.name)
        body[f.name] = list(value) if isinstance(value, tuple) else value
    return to_json(body)  # type: ignore[no-any-return]


def from_js(body: dict[str, object]) -> Frame:
    values = from_json(body)
    cls = TYPES[values.pop("type")]
    if "features" in values:
        values["features"] = tuple(values["features"])
    return cls(**values)


def same(a: Frame, b: Frame) -> bool:
    if isinstance(a, Chunk) and isinstance(b, Chunk):
        return (a.transfer_id, a.offset, bytes(a.data)) == (b.transfer_id, b.offset, bytes(b.data))
    return a == b


def python_verdict(message: bytes) -> Frame | None:
    try:
        return decode(message)
    except ProtocolError:
        return None


def known_to_python(message: bytes) -> bool:
    """Characters Python's Unicode tables (older than V8's) leave unassigned can change
    category between versions: such text is outside what the two can agree on."""
    text = message.decode("utf-8", "ignore")
    return all(unicodedata.category(ch) != "Cn" for ch in text)


def test_limits_are_the_same() -> None:
    source = (WEB / "src" / "limits.js").read_text()
    for name in (
        "PROTOCOL_VERSION", "BASE_CHUNK_SIZE", "DEFAULT_MAX_MESSAGE_SIZE", "CHUNK_FRAME_OVERHEAD",
        "TRANSFER_ID_BYTES", "SHA256_BYTES", "MAX_NAME_BYTES", "MAX_NAME_COMPONENT_BYTES",
        "MAX_NAME_DEPTH", "MAX_TEXT_LENGTH", "MAX_CODE_LENGTH", "MAX_MIME_LENGTH",
        "MAX_RESUME_KEY_LENGTH", "MAX_STORED_ID_LENGTH", "MAX_FEATURES", "MAX_FEATURE_LENGTH",
    ):  # fmt: skip
        line = next(x for x in source.splitlines() if x.startswith(f"export const {name} ="))
        expression = line.split("=", 1)[1].strip().rstrip(";").split("//")[0]
        assert eval(expression) == getattr(limits, name), name


@SETTINGS
@given(frame=strategies.frames())
def test_python_frames_decode_the_same_in_javascript(bridge: Bridge, frame: Frame) -> None:
    answer = bridge.ask(op="decode", hex=encode(frame).hex())
    assert "frame" in answer, answer
    assert same(from_js(answer["frame"]), frame)


@SETTINGS
@given(frame=strategies.frames())
def test_javascript_frames_decode_the_same_in_python(bridge: Bridge, frame: Frame) -> None:
    message = bytes.fromhex(bridge.ask(op="encode", frame=as_json(frame))["hex"])
    assert same(decode(message), frame)
    assert message == encode(frame)  # byte for byte the same wire format


@SETTINGS
@given(message=st.one_of(strategies.malformed_messages(), strategies.mutated_messages()))
def test_both_decoders_give_the_same_verdict(bridge: Bridge, message: bytes) -> None:
    expected = python_verdict(message)
    if expected is not None and not known_to_python(message):
        return
    answer = bridge.ask(op="decode", hex=message.hex())
    if expected is None:
        assert "error" in answer, f"JavaScript accepted what Python refuses: {answer}"
    else:
        assert "frame" in answer, f"JavaScript refused a valid {expected}: {answer['error']}"
        assert same(from_js(answer["frame"]), expected)


@settings(
    SETTINGS,
    max_examples=20,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.too_slow,
    ],
)
@given(message=strategies.oversized_messages(limits.DEFAULT_MAX_MESSAGE_SIZE))
def test_oversized_messages_are_refused_by_both(bridge: Bridge, message: bytes) -> None:
    assert python_verdict(message) is None
    assert "error" in bridge.ask(op="decode", hex=message.hex())


def test_a_chunk_keeps_the_fixed_layout(bridge: Bridge) -> None:
    chunk = Chunk(bytes(range(16)), 2**40, b"x" * 100)
    message = bytes.fromhex(bridge.ask(op="encode", frame=as_json(chunk))["hex"])
    assert len(message) == CHUNK_HEADER_SIZE + 100
    assert message == encode(chunk)


def test_floats_and_booleans_are_not_integers(bridge: Bridge) -> None:
    import msgpack

    tid = bytes(16)
    for offset in (5.0, True):
        message = msgpack.packb({"type": "ACCEPT", "transfer_id": tid, "offset": offset})
        assert python_verdict(message) is None
        assert "error" in bridge.ask(op="decode", hex=message.hex())
    good = msgpack.packb({"type": "ACCEPT", "transfer_id": tid, "offset": 5})
    assert bridge.ask(op="decode", hex=good.hex())["frame"]["offset"] == 5
