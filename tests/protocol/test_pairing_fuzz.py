"""Garbage into the pairing machine and the sealed channel: they either accept a message or
raise AuthenticationError, never anything else, and a refusal leaves them failed for good.

As h11's fuzzer does: arbitrary JSON values, near-miss pairing messages (right type, wrong
fields), raw bytes, and one flipped bit in each honest message."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.protocol.pairing import AuthenticationError, Handshake, Identity, SealedChannel, State
from ferry.protocol.pairing.messages import SCHEMA

from .pairing_driver import LIVE_STATES, flip_bit, machine_in

W_ID, J_ID = Identity.generate(), Identity.generate()
SECRET = bytes(32)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.binary(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)


def _b64(size: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=size, max_size=size).map(lambda b: base64.b64encode(b).decode())


field_values = st.one_of(
    json_values,
    _b64(32),
    _b64(33),
    _b64(64),
    st.binary(min_size=16, max_size=64).map(lambda b: base64.b64encode(b).decode()),
    st.integers(-2, 3),
    st.sampled_from(["code", "secret", "trusted", "", "AAAA", "AAA=", "AA==", "====", "A"]),
)


@st.composite
def near_misses(draw: Any) -> dict[str, Any]:
    """A message of a real type with fields kept, dropped, added or given wrong values."""
    kind = draw(st.sampled_from(sorted(SCHEMA)))
    message: dict[str, Any] = {"type": kind}
    for name in SCHEMA[kind]:
        if draw(st.integers(0, 9)) > 0:
            message[name] = draw(field_values)
    if draw(st.booleans()):
        message[draw(st.text(max_size=6))] = draw(field_values)
    return message


hostile = st.one_of(json_values, near_misses())


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(message=hostile)
def test_a_waiting_side_refuses_anything_but_a_hello_and_nothing_else_escapes(message: Any) -> None:
    """The most exposed state: anyone who reaches a listener can send it anything."""
    waiter = Handshake.waiter(W_ID, secret=SECRET, trusted_mode=True)
    waiter.start(0.0)
    try:
        waiter.receive(message, 0.0)
    except AuthenticationError:
        assert waiter.state is State.FAILED
        assert waiter.channel is None
        with pytest.raises(AuthenticationError):
            waiter.receive(message, 0.0)
        return
    assert waiter.state is State.WAITER_SENT_PAKE  # only a well-formed hello gets here


@settings(max_examples=150)
@given(state=st.sampled_from(LIVE_STATES), message=hostile, data=st.data())
def test_any_state_refuses_garbage_and_a_flipped_bit(state: State, message: Any, data: Any) -> None:
    machine, honest = machine_in(
        state, Handshake.waiter(W_ID, secret=SECRET), Handshake.joiner(J_ID, secret=SECRET)
    )
    if honest and data.draw(st.booleans()):
        original = honest[0]
        message = flip_bit(
            original, data.draw(st.integers(0, 10_000)), data.draw(st.integers(0, 7))
        )
        assert message != original
    try:
        machine.receive(message, 0.0)
    except AuthenticationError:
        assert machine.state is State.FAILED and machine.error is not None
        # a notice for the peer, unless the peer itself ended it (no abort ping-pong)
        assert (machine.abort_message() is None) == machine.error.by_peer
        return
    # Only a well-formed message of the expected type gets through (a flipped commitment or
    # PAKE message is caught one step later: test_pairing_tamper covers that).
    assert isinstance(message, dict) and message["type"] in Handshake.TRANSITIONS[state]
    assert machine.state is not State.FAILED


def _channels() -> tuple[SealedChannel, SealedChannel]:
    k1, k2, iv1, iv2 = b"\x01" * 32, b"\x02" * 32, b"\x03" * 12, b"\x04" * 12
    return SealedChannel(k1, iv1, k2, iv2), SealedChannel(k2, iv2, k1, iv1)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(message=hostile)
def test_a_sealed_channel_opens_only_its_own_records(message: Any) -> None:
    _, channel = _channels()
    with pytest.raises(AuthenticationError):
        channel.open(message)
    assert channel.failed
    with pytest.raises(AuthenticationError):  # dead for good, both ways
        channel.seal({"type": "x"})


@settings(max_examples=500)
@given(
    payload=st.dictionaries(
        st.text(max_size=8),
        json_values.filter(lambda v: not isinstance(v, bytes | float)),
        max_size=4,
    ),
    position=st.integers(0, 10_000),
    bit=st.integers(0, 7),
)
def test_a_record_with_one_flipped_bit_never_opens(
    payload: dict[str, Any], position: int, bit: int
) -> None:
    sender, receiver = _channels()
    try:
        record = sender.seal({"type": "app", **payload})
    except Exception:
        return
    flipped = flip_bit(record, position, bit)
    if flipped == record:  # pragma: no cover -- a flip always changes compact JSON
        return
    with pytest.raises(AuthenticationError):
        receiver.open(flipped)


def test_records_round_trip_in_order_and_bind_their_counter() -> None:
    sender, receiver = _channels()
    records = [sender.seal({"type": "app", "n": n, "text": "é" * n}) for n in range(5)]
    assert [r["seq"] for r in records] == list(range(5))
    assert [receiver.open(r)["n"] for r in records] == list(range(5))
    # a record moved to another counter does not open: the nonce binds it
    sender, receiver = _channels()
    first, second = sender.seal({"type": "a"}), sender.seal({"type": "b"})
    with pytest.raises(AuthenticationError, match="failed authentication"):
        receiver.open({**second, "seq": 0})
    del first


def test_plaintext_shape_and_size_are_the_senders_problem_not_the_wire() -> None:
    from ferry.protocol.errors import LocalProtocolError
    from ferry.protocol.pairing.messages import MAX_RECORD_BYTES

    sender, _ = _channels()
    with pytest.raises(LocalProtocolError):
        sender.seal({"no": "type"})  # type: ignore[typeddict-item]
    with pytest.raises(LocalProtocolError):
        sender.seal({"type": "x", "n": float("nan")})
    with pytest.raises(LocalProtocolError, match="at most"):
        sender.seal({"type": "x", "blob": "a" * MAX_RECORD_BYTES})
    assert not sender.failed  # a local mistake does not end the channel
    json.dumps(sender.seal({"type": "fine"}))
