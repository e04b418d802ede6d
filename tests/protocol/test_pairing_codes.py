"""Codes and peer ids as people type them: normalised where it does not matter, a clear
error where it does."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.errors import ConfigError
from ferry.protocol.pairing import (
    CodeError,
    Identity,
    new_code,
    parse_code,
    parse_peer_id,
    peer_id_of,
    words_for,
)
from ferry.protocol.pairing.wordlist import DIGEST, EVEN, ODD


def test_the_word_lists_are_the_pgp_lists() -> None:
    assert (EVEN[0], ODD[0], EVEN[255], ODD[255]) == ("aardvark", "adroitness", "zulu", "yucatan")
    assert hashlib.sha256("\n".join(EVEN + ODD).encode()).hexdigest() == DIGEST


@given(
    nameplate=st.integers(0, 999_999_999),
    data=st.binary(min_size=8, max_size=8),
    words=st.integers(2, 8),
)
def test_every_new_code_reads_back_as_itself(nameplate: int, data: bytes, words: int) -> None:
    code = new_code(nameplate, words=words, entropy=lambda n: data[:n])
    text = str(code)
    assert text.split("-")[0] == str(nameplate)
    assert len(text.split("-")) == words + 1
    assert parse_code(text) == code
    assert parse_code(f"  {text.upper().replace('-', '  ')} ") == code


def test_a_code_reads_like_magic_wormholes() -> None:
    code = new_code(7, entropy=lambda n: bytes([ODD.index("crossover"), EVEN.index("clockwork")]))
    assert str(code) == "7-crossover-clockwork"
    assert str(parse_code("007-Crossover-CLOCKWORK")) == "7-crossover-clockwork"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no code given"),
        ("   ", "no code given"),
        ("crossover-clockwork", "starts with its number"),
        ("7-crossover", "at least two words"),
        ("7", "at least two words"),
        ("7-crossovr-clockwork", "did you mean 'crossover'"),
        ("7-crossover-clokwork", "did you mean 'clockwork'"),
        ("7-crossover-xyzzy", r"'xyzzy' \(second word\) is not a code word$"),
        ("7-clockwork-crossover", "check the order of the words"),
        ("7-crossover-clockwork-" + "-".join(["crossover", "clockwork"] * 4), "at most 8"),
        ("1234567890-crossover-clockwork", "at most 9 digits"),
        ("٣-crossover-clockwork", "starts with its number"),
    ],
)
def test_a_bad_code_gets_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        parse_code(text)


def test_a_code_is_a_config_error_for_hosts_that_catch_those() -> None:
    assert issubclass(CodeError, ConfigError)


def test_spend_marks_a_code_used_once() -> None:
    code = parse_code("4-crossover-clockwork")
    assert code.spend() == b"4-crossover-clockwork"
    assert code.spent and "spent" in repr(code)
    with pytest.raises(CodeError, match="already used"):
        code.spend()


def test_the_verifier_words_alternate_lists() -> None:
    assert words_for(bytes([0, 0, 255, 255])) == "aardvark-adroitness-zulu-yucatan"


def test_peer_ids_are_hashes_of_the_key_in_readable_groups() -> None:
    identity = Identity.from_seed(bytes(32))
    peer_id = identity.peer_id
    assert peer_id == peer_id_of(identity.public_key)
    groups = peer_id.split("-")
    assert len(groups) == 8 and all(len(g) == 6 for g in groups)
    assert parse_peer_id(peer_id.lower().replace("-", "")) == peer_id
    assert parse_peer_id(" ".join(groups)) == peer_id
    assert Identity.generate().peer_id != peer_id


@pytest.mark.parametrize("text", ["", "ABC", "1" * 48, "A" * 47, "A" * 49])
def test_a_bad_peer_id_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="not a peer id"):
        parse_peer_id(text)


def test_an_identity_round_trips_its_seed_and_signs() -> None:
    identity = Identity.generate()
    again = Identity.from_seed(identity.seed())
    assert again.public_key == identity.public_key
    from ferry.protocol.pairing.identity import verify_signature

    signature = identity.sign(b"data")
    assert verify_signature(identity.public_key, signature, b"data")
    assert not verify_signature(identity.public_key, signature, b"datA")
    assert not verify_signature(b"\x00" * 32, signature, b"data")
