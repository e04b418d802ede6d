"""The JavaScript pairing (web/src/pairing.js) against Python's: SPAKE2 both ways, vectors.

SPAKE2 is where a second implementation most easily differs by a bit: each side starts
with random passwords and entropy, and each finishes the other's message; the keys must
be equal, and the JavaScript messages equal python-spake2's for the same entropy.
"""

from __future__ import annotations

import json
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spake2 import SPAKE2_Symmetric

from ferry.protocol.pairing import CodeError, new_code, parse_code
from ferry.protocol.pairing import keys as ks
from ferry.protocol.pairing.wordlist import EVEN, ODD

from .node import WEB, Bridge, node_or_skip

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def python_spake(pw: bytes, entropy: bytes) -> SPAKE2_Symmetric:
    return SPAKE2_Symmetric(pw, idSymmetric=ks.PROTOCOL, entropy_f=lambda n: entropy)


@SETTINGS
@given(
    mode=st.sampled_from(["code", "secret", "trusted"]),
    secret=st.binary(max_size=40),
    wrong=st.booleans(),
    entropy_py=st.binary(min_size=64, max_size=64),
    entropy_js=st.binary(min_size=64, max_size=64),
)
def test_spake2_matches_python_both_ways(
    bridge: Bridge, mode: str, secret: bytes, wrong: bool, entropy_py: bytes, entropy_js: bytes
) -> None:
    pw = ks.password(mode, secret)
    pw_js = ks.password(mode, secret + b"!") if wrong else pw
    # the same entropy gives the same message on both sides
    message_js_same = bridge.ask(op="spake_start", pw=pw.hex(), entropy=entropy_py.hex())
    python = python_spake(pw, entropy_py)
    message_py = python.start()
    assert bytes.fromhex(message_js_same["message"]) == message_py
    # each finishes the other's message
    message_js = bytes.fromhex(
        bridge.ask(op="spake_start", pw=pw_js.hex(), entropy=entropy_js.hex())["message"]
    )
    if message_js == message_py:
        return  # the same entropy and password on both sides: a reflection, refused
    key_py = python.finish(message_js)
    answer = bridge.ask(
        op="spake_finish", pw=pw_js.hex(), entropy=entropy_js.hex(), peer=message_py.hex()
    )
    assert (bytes.fromhex(answer["key"]) == key_py) is (not wrong)


def test_javascript_refuses_a_reflected_message(bridge: Bridge) -> None:
    entropy, pw = bytes(range(64)), ks.password("secret", bytes(32))
    own = bridge.ask(op="spake_start", pw=pw.hex(), entropy=entropy.hex())["message"]
    answer = bridge.ask(op="spake_finish", pw=pw.hex(), entropy=entropy.hex(), peer=own)
    assert "error" in answer


def test_node_suite_runs_the_vectors() -> None:
    """web/test/*.test.mjs: docs/pairing-vectors.json through the JavaScript machines."""
    node = node_or_skip()
    tests = sorted(str(p) for p in (WEB / "test").glob("*.test.mjs"))
    result = subprocess.run(
        [node, "--test", *tests], cwd=WEB, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_the_word_list_is_the_same() -> None:
    source = (WEB / "src" / "wordlist.js").read_text()
    lists = {}
    for line in source.splitlines():
        for name in ("EVEN", "ODD"):
            if line.startswith(f"export const {name} = "):
                lists[name] = tuple(json.loads(line.split("= ", 1)[1].rstrip(";")))
    assert lists == {"EVEN": EVEN, "ODD": ODD}


def python_code(text: str) -> str | None:
    try:
        return str(parse_code(text))
    except CodeError:
        return None


_word = st.sampled_from(EVEN + ODD)
_typed_codes = st.one_of(
    st.builds(lambda n, k, e: str(new_code(n, words=k, entropy=lambda m: e[:m])),
              st.integers(1, 10**9 - 1), st.integers(2, 8), st.binary(min_size=8, max_size=8)),
    st.builds(lambda n, words, sep, case: (str(n) + sep + sep.join(words)).upper() if case else
              str(n) + sep + sep.join(words),
              st.integers(0, 10**10).map(lambda n: n), st.lists(_word, max_size=9),
              st.sampled_from(["-", " ", " - ", "--", "\t"]), st.booleans()),
    st.text(max_size=40),
)  # fmt: skip


@SETTINGS
@given(text=_typed_codes)
def test_codes_read_the_same_in_javascript(bridge: Bridge, text: str) -> None:
    """Valid codes, codes with words from either list in any order, and any text."""
    expected = python_code(text)
    answer = bridge.ask(op="parse_code", text=text)
    if expected is None:
        assert "error" in answer, answer
    else:
        assert answer.get("code") == expected, answer
