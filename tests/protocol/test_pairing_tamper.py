"""A relay between the two ends that tampers once: every case ends with an
AuthenticationError on both sides, and neither side ever receives anything forged.

The relay flips one bit of a message's JSON, drops it, duplicates it, swaps it with the
next message in the same direction, injects a foreign message before it, or replaces it
with the message at the same place in an earlier session between the same two peers with
the same code. It may pick any handshake message or any sealed message after it. A swap
that nothing overtook is only a delay, and then the pairing must succeed.
"""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.protocol.pairing import Handshake, Identity, parse_code

from .pairing_driver import Driver, Tamper

W_ID, J_ID = Identity.generate(), Identity.generate()
SECRET = b"\x42" * 32
CODE = "31-crossover-clockwork"
CARRIED = 10  # 6 handshake messages, then 2 sealed application messages each way


def machines(mode: str) -> tuple[Handshake, Handshake]:
    if mode == "code":
        return (
            Handshake.waiter(W_ID, code=parse_code(CODE)),
            Handshake.joiner(J_ID, code=parse_code(CODE)),
        )
    if mode == "secret":
        return Handshake.waiter(W_ID, secret=SECRET), Handshake.joiner(J_ID, secret=SECRET)
    return (
        Handshake.waiter(W_ID, trusted_mode=True, trusted={J_ID.peer_id}),
        Handshake.joiner(J_ID, trusted_mode=True, trusted={W_ID.peer_id}),
    )


def earlier_session(mode: str) -> list[object]:
    driver = Driver(*machines(mode)).run()
    assert driver.all_succeeded()
    assert driver.carried == CARRIED
    return [message for _, message in driver.wire]


EARLIER = {mode: earlier_session(mode) for mode in ("code", "secret", "trusted")}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
lookalikes = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["pair-hello", "pair-pake", "pair-reveal", "pair-confirm", "sealed", "pair-identity"]
        )
    },
    optional={
        "v": st.integers(0, 3),
        "mode": st.sampled_from(["code", "secret", "trusted"]),
        "commit": st.binary(min_size=32, max_size=32).map(lambda b: base64.b64encode(b).decode()),
        "pake": st.binary(min_size=33, max_size=33).map(
            lambda b: base64.b64encode(b"S" + b[1:]).decode()
        ),
        "mac": st.binary(min_size=32, max_size=32).map(lambda b: base64.b64encode(b).decode()),
        "seq": st.integers(0, 4),
        "box": st.binary(min_size=16, max_size=80).map(lambda b: base64.b64encode(b).decode()),
    },
)


@st.composite
def tampers(draw: Any, mode: str) -> Tamper:
    op = draw(st.sampled_from(["flip", "drop", "duplicate", "swap", "inject", "replay"]))
    tamper = Tamper(index=draw(st.integers(0, CARRIED - 1)), op=op)
    if op == "flip":
        tamper.position = draw(st.integers(0, 10_000))
        tamper.bit = draw(st.integers(0, 7))
    elif op == "inject":
        tamper.foreign = draw(
            json_values | lookalikes | st.sampled_from(EARLIER[mode]) | st.binary(max_size=40)
        )
    elif op == "replay":
        tamper.foreign = EARLIER[mode][tamper.index]
    return tamper


@settings(max_examples=120)
@given(data=st.data())
def test_one_tampered_message_fails_both_sides_and_nothing_forged_gets_through(data: Any) -> None:
    mode = data.draw(st.sampled_from(["code", "secret", "trusted"]))
    tamper = data.draw(tampers(mode))
    driver = Driver(*machines(mode), tamper=tamper)
    driver.run(order=data.draw(st.lists(st.booleans(), max_size=40)))
    assert tamper.done
    assert driver.nothing_forged()
    if tamper.op == "swap" and not tamper.reordered:
        assert driver.all_succeeded(), (driver.waiter.error, driver.joiner.error)
        return
    assert driver.all_failed(), (tamper, driver.waiter.error, driver.joiner.error)


def test_each_operation_on_each_message_fails_both_sides() -> None:
    """The same, exhaustively over (mode, operation, message) for the deterministic ops."""
    for mode in ("code", "secret", "trusted"):
        for op in ("flip", "drop", "duplicate", "swap", "replay"):
            for index in range(CARRIED):
                foreign = EARLIER[mode][index] if op == "replay" else None
                tamper = Tamper(index=index, op=op, position=index * 7 + 20, foreign=foreign)
                driver = Driver(*machines(mode), tamper=tamper).run()
                assert driver.nothing_forged()
                if op == "swap" and not tamper.reordered:
                    assert driver.all_succeeded()
                else:
                    assert driver.all_failed(), (mode, op, index)
