"""The engine's pairing parts on their own: the listener's code slot, session trust, the
pairing arguments, resume keys, and the rule that nothing reaches a receiver unpaired."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.engine import Engine, EngineConfig, in_process_pair
from ferry.engine.pairing.codebook import CodeSlot
from ferry.engine.pairing.options import Pairing
from ferry.engine.pairing.session import SessionTrust
from ferry.engine.resume_keys import RECEIVER_LABEL, PeerDestination, local_secret, sender_key
from ferry.errors import ConfigError
from ferry.protocol.frames import Offer
from ferry.protocol.pairing import CodeError, Handshake, Identity, Mode, parse_code

ROOT = Path(__file__).resolve().parents[2]


class _Ended:
    """What CodeSlot.release reads of a finished handshake."""

    def __init__(self, claimed: bool, tested: bool, mode: Mode = Mode.CODE) -> None:
        self.code_claimed, self.secret_tested, self.mode = claimed, tested, mode


def _release(slot: CodeSlot, *, tested: bool) -> bool:
    return slot.release(_Ended(True, tested))  # type: ignore[arg-type]


def test_the_slot_lends_its_code_to_one_joiner_at_a_time() -> None:
    shown: list[str] = []
    slot = CodeSlot(lambda code: shown.append(str(code)))
    first = slot.claim()
    assert first is not None and str(first) == shown[0]
    assert slot.claim() is None  # held
    assert not _release(slot, tested=False)  # never tried: offered again, not replaced
    assert shown == [str(first)] and str(slot.claim()) == shown[0]
    assert _release(slot, tested=True)  # tried (right or wrong): used up, a new one
    assert len(shown) == 2 and shown[1] != shown[0] and slot.burnt == 1
    assert str(slot.claim()) == shown[1]


def test_a_fixed_code_is_not_replaced_once_used() -> None:
    shown: list[str] = []
    slot = CodeSlot(shown.append, fixed=parse_code("3-crossover-clockwork"))  # type: ignore[arg-type]
    assert slot.claim() is not None
    assert _release(slot, tested=True)
    assert slot.exhausted and slot.claim() is None and len(shown) == 1


def test_a_handshake_that_did_not_claim_does_not_release_the_code() -> None:
    slot = CodeSlot()
    assert slot.claim() is not None
    assert not slot.release(_Ended(False, True))  # type: ignore[arg-type]
    assert slot.claimed  # still held by the one that claimed it


def test_session_trust_lasts_its_ttl_and_can_be_forgotten() -> None:
    now = [100.0]
    trust = SessionTrust(60, clock=lambda: now[0])
    trust.add("A")
    assert "A" in trust
    now[0] += 59
    trust.add("B")
    assert trust.ids() == {"A", "B"}
    now[0] += 2
    assert trust.ids() == {"B"}
    trust.forget("B")
    assert "B" not in trust
    SessionTrust(0).add("C")  # 0: nothing is ever kept
    assert SessionTrust(0).ids() == frozenset()


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"code": "7-crossover-clockwork", "trusted": True}, "exactly one"),
        ({"secret": b"short"}, "32 bytes"),
        ({"codes": CodeSlot()}, "listening side"),
    ],
)
def test_a_joining_side_pairs_exactly_one_way(kwargs: dict, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Pairing.from_args(joining=True, **kwargs)


def test_pairing_arguments_read_codes_and_nothing_means_none() -> None:
    assert Pairing.from_args(joining=True) is None
    pairing = Pairing.from_args(joining=True, code=" 7 crossover CLOCKWORK ")
    assert pairing is not None and str(pairing.code) == "7-crossover-clockwork"
    with pytest.raises(CodeError, match="did you mean 'clockwork'"):
        Pairing.from_args(joining=True, code="7-crossover-clockwerk")


def test_an_engine_refuses_to_connect_or_listen_unpaired(tmp_path: Path) -> None:
    async def scenario() -> None:
        one, two = in_process_pair()
        async with Engine(EngineConfig(output_dir=tmp_path)) as engine:
            with pytest.raises(ConfigError, match="pair every connection"):
                await engine.connect(one)
            with pytest.raises(ConfigError, match="pair every connection"):
                await engine.listen(two)
            assert engine.peers == set()

    asyncio.run(scenario())


def test_the_command_line_has_no_unauthenticated_path() -> None:
    """Nothing under engine/cli names the test-only switch, or builds a Handshake or
    Signaling around the engine's pairing."""
    for path in (ROOT / "engine" / "cli").glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {
            k.arg for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords if k.arg
        }
        assert "unauthenticated_for_tests" not in names, path
        assert "SecureSignaling" not in names and Handshake.__name__ not in names, path
    from ferry.engine.cli import build_parser

    text = build_parser().format_help()
    assert "unauth" not in text and "insecure" not in text


def _offer(key: str) -> Offer:
    return Offer(b"\x01" * 16, "a.bin", 10, "", 16384, key, 0)


class _Recorder:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def open(self, offer: Offer, resume: int | None) -> object:
        self.keys.append(offer.resume_key)
        return object()

    def discard(self, offer: Offer) -> None:
        self.keys.append(offer.resume_key)


def test_the_same_offered_key_from_two_peers_names_two_stagings() -> None:
    receiver = Identity.generate()
    recorder = _Recorder()
    view = PeerDestination(recorder, local_secret(receiver, RECEIVER_LABEL))  # type: ignore[arg-type]
    view.peer_id = "A" * 48
    view.open(_offer("k" * 32), None)
    view.peer_id = "B" * 48
    view.open(_offer("k" * 32), None)
    view.discard(_offer("k" * 32))
    assert recorder.keys[0] != recorder.keys[1] == recorder.keys[2]
    assert "k" * 32 not in recorder.keys
    view.open(_offer(""), None)  # no key: nothing to resume, nothing made up
    assert recorder.keys[-1] == ""


def test_a_senders_key_hides_the_path_and_differs_per_receiver() -> None:
    secret = local_secret(Identity.generate(), "resume keys sent")
    one = sender_key(secret, "A" * 48, "/home/me/secret plans.pdf")
    assert one == sender_key(secret, "A" * 48, "/home/me/secret plans.pdf")  # stable
    assert one != sender_key(secret, "B" * 48, "/home/me/secret plans.pdf")
    other_install = local_secret(Identity.generate(), "resume keys sent")
    assert one != sender_key(other_install, "A" * 48, "/home/me/secret plans.pdf")
    assert len(one) == 32 and int(one, 16) >= 0


@given(st.lists(st.sampled_from(["claim", "release-untried", "release-tried"]), max_size=60))
def test_the_slot_never_lends_twice_and_replaces_exactly_the_tried_codes(ops: list[str]) -> None:
    shown: list[str] = []
    slot = CodeSlot(lambda code: shown.append(str(code)))
    holder: str | None = None
    tried = 0
    for op in ops:
        if op == "claim":
            lent = slot.claim()
            if holder is None:
                assert lent is not None and str(lent) == shown[-1]
                holder = str(lent)
            else:
                assert lent is None  # one joiner at a time
        elif holder is not None:
            used = _release(slot, tested=op == "release-tried")
            assert used == (op == "release-tried")
            tried += used
            holder = None
    assert slot.burnt == tried and len(shown) == tried + 1  # a new code per tried one
    assert slot.claimed == (holder is not None)
