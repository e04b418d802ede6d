"""The pairing handshake, both ends in one test: honest runs in every mode, trust, wrong
codes, a man in the middle, deadlines, and what a caller may and may not do."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.errors import ConfigError
from ferry.protocol.errors import LocalProtocolError
from ferry.protocol.pairing import (
    AuthenticationError,
    CodeError,
    Handshake,
    Identity,
    Mode,
    Reason,
    Role,
    State,
    new_code,
    parse_code,
)
from ferry.protocol.pairing.messages import SCHEMA
from ferry.protocol.pairing.wordlist import EVEN, ODD

from .pairing_driver import Driver

W_ID, J_ID, M_ID = Identity.generate(), Identity.generate(), Identity.generate()
SECRET = bytes(range(32))


def code_pair(text: str = "7-crossover-clockwork", other: str | None = None) -> tuple[Any, Any]:
    return parse_code(text), parse_code(other or text)


def paired(waiter: Handshake, joiner: Handshake) -> Driver:
    driver = Driver(waiter, joiner).run()
    assert driver.all_succeeded(), (driver.waiter.error, driver.joiner.error)
    return driver


def test_a_code_pairs_both_sides_and_they_agree_on_everything() -> None:
    wc, jc = code_pair()
    driver = paired(Handshake.waiter(W_ID, code=wc), Handshake.joiner(J_ID, code=jc))
    w, j = driver.waiter.paired, driver.joiner.paired
    assert w is not None and j is not None
    assert (w.peer_id, j.peer_id) == (J_ID.peer_id, W_ID.peer_id)
    assert (w.peer_key, j.peer_key) == (J_ID.public_key, W_ID.public_key)
    assert w.verifier == j.verifier and len(w.verifier.split("-")) == 4
    assert (w.mode, j.mode) == (Mode.CODE, Mode.CODE)
    assert (w.role, j.role) == (Role.WAITER, Role.JOINER)
    assert not w.trusted and not j.trusted
    assert driver.waiter.received == driver.joiner.sent
    assert driver.joiner.received == driver.waiter.sent


def test_the_exact_messages_of_a_handshake_in_order() -> None:
    wc, jc = code_pair()
    driver = paired(Handshake.waiter(W_ID, code=wc), Handshake.joiner(J_ID, code=jc))
    handshake = [(to, m["type"]) for to, m in driver.wire if isinstance(m, dict)][:6]
    assert handshake == [
        ("waiter", "pair-hello"),
        ("joiner", "pair-pake"),
        ("waiter", "pair-reveal"),
        ("waiter", "sealed"),
        ("joiner", "pair-confirm"),
        ("joiner", "sealed"),
    ]
    hello = driver.wire[0][1]
    assert isinstance(hello, dict)
    assert hello["v"] == 1 and hello["mode"] == "code"


def test_a_secret_pairs() -> None:
    driver = paired(Handshake.waiter(W_ID, secret=SECRET), Handshake.joiner(J_ID, secret=SECRET))
    assert driver.waiter.paired is not None and driver.waiter.paired.mode is Mode.SECRET


def test_a_different_secret_fails_both_sides_as_wrong_secret() -> None:
    other = bytes(32)
    driver = Driver(Handshake.waiter(W_ID, secret=SECRET), Handshake.joiner(J_ID, secret=other))
    driver.run()
    assert driver.all_failed()
    assert driver.waiter.error is not None and driver.joiner.error is not None
    assert driver.waiter.error.reason is Reason.WRONG_SECRET
    assert driver.joiner.error.reason is Reason.WRONG_SECRET and driver.joiner.error.by_peer


@settings(max_examples=25)
@given(data=st.data())
def test_the_right_code_always_succeeds_and_a_wrong_one_always_fails(data: Any) -> None:
    word_bytes = data.draw(st.binary(min_size=2, max_size=2))
    code = new_code(data.draw(st.integers(0, 10**9 - 1)), entropy=lambda n: word_bytes)
    same = data.draw(st.booleans())
    if same:  # as a person might type it
        typed = parse_code(" " + str(code).upper().replace("-", " ") + "\n")
    else:  # one word wrong
        position = data.draw(st.integers(0, 1))
        words = list(code.words)
        pool = ODD if position == 0 else EVEN
        words[position] = data.draw(st.sampled_from([w for w in pool if w != words[position]]))
        typed = parse_code("-".join((code.nameplate, *words)))
    driver = Driver(Handshake.waiter(W_ID, code=code), Handshake.joiner(J_ID, code=typed))
    driver.run(order=data.draw(st.lists(st.booleans(), max_size=30)))
    if same:
        assert driver.all_succeeded()
        return
    assert driver.all_failed()
    assert driver.waiter.error is not None and driver.joiner.error is not None
    assert driver.waiter.error.reason is Reason.WRONG_SECRET
    assert driver.joiner.error.reason is Reason.WRONG_SECRET
    assert driver.waiter.received == [] and driver.joiner.received == []


# -- trusted mode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waiter_trusts_joiner", "joiner_trusts_waiter"),
    list(itertools.product([True, False], repeat=2)),
)
def test_trusted_mode_succeeds_only_when_both_trust_each_other(
    waiter_trusts_joiner: bool, joiner_trusts_waiter: bool
) -> None:
    waiter = Handshake.waiter(
        W_ID, trusted_mode=True, trusted={J_ID.peer_id} if waiter_trusts_joiner else set()
    )
    joiner = Handshake.joiner(
        J_ID, trusted_mode=True, trusted={W_ID.peer_id} if joiner_trusts_waiter else set()
    )
    driver = Driver(waiter, joiner).run()
    if waiter_trusts_joiner and joiner_trusts_waiter:
        assert driver.all_succeeded()
        assert driver.waiter.paired and driver.waiter.paired.trusted
        return
    assert driver.all_failed()
    assert driver.waiter.error is not None and driver.joiner.error is not None
    assert Reason.UNTRUSTED in (driver.waiter.error.reason, driver.joiner.error.reason)
    if not waiter_trusts_joiner:
        # the waiter never revealed its identity to a peer it does not trust
        sealed_to_joiner = [m for to, m in driver.wire if to == "joiner" and _kind(m) == "sealed"]
        assert sealed_to_joiner == []


def test_a_stranger_in_trusted_mode_learns_nothing_of_the_waiter() -> None:
    waiter = Handshake.waiter(W_ID, trusted_mode=True, trusted={J_ID.peer_id})
    stranger = Handshake.joiner(M_ID, trusted_mode=True, trusted={W_ID.peer_id})
    driver = Driver(waiter, stranger).run()
    assert driver.all_failed()
    assert driver.waiter.error is not None and driver.waiter.error.reason is Reason.UNTRUSTED
    assert [_kind(m) for to, m in driver.wire if to == "joiner"] == ["pair-pake", "pair-abort"]


def test_a_waiter_may_accept_a_code_and_trusted_peers_at_once() -> None:
    wc, jc = code_pair()
    driver = paired(
        Handshake.waiter(W_ID, code=wc, trusted_mode=True, trusted={J_ID.peer_id}),
        Handshake.joiner(J_ID, trusted_mode=True, trusted={W_ID.peer_id}),
    )
    assert driver.waiter.paired is not None and driver.waiter.paired.mode is Mode.TRUSTED
    assert wc.spent  # offered to this attempt, so never again
    driver = paired(
        Handshake.waiter(W_ID, code=parse_code("8-crossover-clockwork"), trusted_mode=True),
        Handshake.joiner(J_ID, code=parse_code("8-crossover-clockwork")),
    )
    assert driver.joiner.paired is not None and driver.joiner.paired.mode is Mode.CODE
    del jc


def test_a_code_pairing_reports_whether_the_peer_is_already_trusted() -> None:
    wc, jc = code_pair()
    driver = paired(
        Handshake.waiter(W_ID, code=wc, trusted={J_ID.peer_id}), Handshake.joiner(J_ID, code=jc)
    )
    assert driver.waiter.paired is not None and driver.waiter.paired.trusted
    assert driver.joiner.paired is not None and not driver.joiner.paired.trusted


@pytest.mark.parametrize(
    ("waiter_kwargs", "joiner_kwargs"),
    [
        ({"code": "c"}, {"trusted_mode": True}),
        ({"trusted_mode": True}, {"code": "c"}),
        ({"secret": SECRET}, {"code": "c"}),
        ({"code": "c"}, {"secret": SECRET}),
    ],
)
def test_a_mode_the_waiter_does_not_accept_fails_both_sides_with_a_clear_reason(
    waiter_kwargs: dict[str, Any], joiner_kwargs: dict[str, Any]
) -> None:
    def resolve(kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            k: parse_code("5-crossover-clockwork") if v == "c" else v for k, v in kwargs.items()
        }

    driver = Driver(
        Handshake.waiter(W_ID, **resolve(waiter_kwargs)),
        Handshake.joiner(J_ID, **resolve(joiner_kwargs)),
    ).run()
    assert driver.all_failed()
    assert driver.waiter.error is not None and driver.joiner.error is not None
    assert driver.waiter.error.reason is Reason.MODE
    assert "accepts only" in driver.waiter.error.message
    assert driver.joiner.error.reason is Reason.MODE and driver.joiner.error.by_peer


# -- a man in the middle ----------------------------------------------------------------------


class Mitm:
    """Runs its own handshake with each side: a waiter towards the real joiner, a joiner
    towards the real waiter, both on the code it guessed, relaying nothing it cannot read."""

    def __init__(self, guess: str) -> None:
        self.as_waiter = Handshake.waiter(M_ID, code=parse_code(guess))
        self.as_joiner = Handshake.joiner(M_ID, code=parse_code(guess))


def _mitm_run(real_code: str, guess: str) -> tuple[Driver, Driver]:
    mitm = Mitm(guess)
    left = Driver(mitm.as_waiter, Handshake.joiner(J_ID, code=parse_code(real_code))).run()
    right = Driver(Handshake.waiter(W_ID, code=parse_code(real_code)), mitm.as_joiner).run()
    return left, right


def test_a_man_in_the_middle_with_a_wrong_guess_fails_on_both_sides() -> None:
    left, right = _mitm_run("9-crossover-clockwork", "9-crossover-classic")
    assert left.joiner.error is not None and left.joiner.error.reason is Reason.WRONG_SECRET
    assert right.waiter.error is not None and right.waiter.error.reason is Reason.WRONG_SECRET
    assert left.joiner.paired is None and right.waiter.paired is None


def test_a_man_in_the_middle_who_knows_the_code_is_seen_in_the_ids_and_verifiers() -> None:
    left, right = _mitm_run("9-crossover-clockwork", "9-crossover-clockwork")
    joiner_view, waiter_view = left.joiner.paired, right.waiter.paired
    assert joiner_view is not None and waiter_view is not None
    assert joiner_view.peer_id == waiter_view.peer_id == M_ID.peer_id  # not each other
    # Two independent sessions: the verifiers match with probability 2**-32, and the
    # joiner's commitment stops the middle from grinding them equal.
    assert joiner_view.verifier != waiter_view.verifier


# -- deadlines and the caller's own mistakes ---------------------------------------------------


def test_the_deadline_fails_a_handshake_that_hears_nothing() -> None:
    joiner = Handshake.joiner(J_ID, secret=SECRET, timeout=5)
    joiner.start(100.0)
    joiner.check(104.9)
    assert joiner.state is State.JOINER_SENT_HELLO
    with pytest.raises(AuthenticationError) as caught:
        joiner.check(105.0)
    assert caught.value.reason is Reason.TIMEOUT
    assert joiner.state is State.FAILED
    assert joiner.abort_message() == {"type": "pair-abort", "reason": "timeout"}
    assert joiner.abort_message() is None  # once
    with pytest.raises(AuthenticationError):
        joiner.receive({"type": "pair-pake"}, 100.0)


def test_a_message_after_the_deadline_is_refused() -> None:
    waiter = Handshake.waiter(W_ID, secret=SECRET, timeout=5)
    joiner = Handshake.joiner(J_ID, secret=SECRET)
    waiter.start(0.0)
    (hello,) = joiner.start(0.0).send
    with pytest.raises(AuthenticationError) as caught:
        waiter.receive(hello, 6.0)
    assert caught.value.reason is Reason.TIMEOUT


def test_caller_mistakes_raise_local_errors_and_change_nothing() -> None:
    joiner = Handshake.joiner(J_ID, secret=SECRET)
    with pytest.raises(LocalProtocolError):
        joiner.receive({"type": "pair-pake"}, 0.0)
    assert joiner.state is State.IDLE
    joiner.start(0.0)
    with pytest.raises(LocalProtocolError):
        joiner.start(0.0)
    assert joiner.state is State.JOINER_SENT_HELLO
    driver = paired(Handshake.waiter(W_ID, secret=SECRET), Handshake.joiner(J_ID, secret=SECRET))
    with pytest.raises(LocalProtocolError):
        driver.waiter.machine.receive({"type": "pair-hello"}, 0.0)
    assert driver.waiter.machine.state is State.PAIRED


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({}, "needs a code"),
        ({"secret": b"short"}, "32 bytes"),
        ({"secret": SECRET, "trusted_mode": True}, "one way"),
        ({"code": "7-crossover-clockwork"}, "must be a Code"),
        ({"secret": SECRET, "timeout": 0}, "positive"),
    ],
)
def test_a_bad_configuration_is_a_config_error(kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Handshake.joiner(J_ID, **kwargs)


def test_a_code_is_single_use() -> None:
    code = new_code(3)
    Handshake.waiter(W_ID, code=code)
    with pytest.raises(CodeError, match="already used"):
        Handshake.waiter(W_ID, code=code)


def test_a_newer_version_is_refused_with_a_clear_reason() -> None:
    waiter = Handshake.waiter(W_ID, secret=SECRET)
    waiter.start(0.0)
    (hello,) = Handshake.joiner(J_ID, secret=SECRET).start(0.0).send
    with pytest.raises(AuthenticationError, match="version 2") as caught:
        waiter.receive({**hello, "v": 2}, 0.0)
    assert caught.value.reason is Reason.MODE


def test_an_old_ferry_sending_a_plain_offer_is_told_what_happened() -> None:
    waiter = Handshake.waiter(W_ID, secret=SECRET)
    waiter.start(0.0)
    with pytest.raises(AuthenticationError, match="older Ferry") as caught:
        waiter.receive({"type": "offer", "sdp": "v=0\r\n"}, 0.0)
    assert caught.value.reason is Reason.UNEXPECTED
    assert waiter.abort_message() == {"type": "pair-abort", "reason": "unexpected"}


# -- every (state, message type) pair, as h2's state machine tests do -------------------------


def _machines_in_every_state() -> dict[State, Any]:
    """Factories for a machine in each live state, with the honest next messages at hand."""

    def at(state: State) -> Handshake:
        waiter = Handshake.waiter(W_ID, secret=SECRET)
        joiner = Handshake.joiner(J_ID, secret=SECRET)
        waiter.start(0.0)
        to_waiter = list(joiner.start(0.0).send)
        for machine in (joiner, waiter):
            if machine.state is state:
                return machine
        while True:
            to_joiner: list[Any] = []
            for message in to_waiter:
                to_joiner += waiter.receive(message, 0.0).send
                if waiter.state is state:
                    return waiter
            to_waiter = []
            for message in to_joiner:
                to_waiter += joiner.receive(message, 0.0).send
                if joiner.state is state:
                    return joiner

    live = [s for s in State if s not in (State.IDLE, State.PAIRED, State.FAILED)]
    return {state: (lambda s=state: at(s)) for state in live}


STATES = _machines_in_every_state()


@given(
    state=st.sampled_from(sorted(STATES, key=lambda s: s.value)),
    kind=st.sampled_from(sorted(SCHEMA)),
)
def test_every_state_refuses_every_message_it_does_not_expect(state: State, kind: str) -> None:
    machine = STATES[state]()
    assert machine.state is state
    allowed = Handshake.TRANSITIONS[state]
    if kind in allowed:
        return  # the honest flows above cover the allowed pairs
    message = {"type": kind, **{name: "AAAA" for name in SCHEMA[kind]}}
    with pytest.raises(AuthenticationError):
        machine.receive(message, 0.0)
    assert machine.state is State.FAILED
    assert machine.channel is None or machine.channel.failed


def _kind(message: object) -> object:
    return message.get("type") if isinstance(message, dict) else None


def test_a_trust_check_that_raises_leaves_the_machine_failed_not_half_changed() -> None:
    class Broken:
        def __contains__(self, item: object) -> bool:
            raise OSError("the disk went away")

    waiter = Handshake.waiter(W_ID, trusted_mode=True, trusted=Broken())
    joiner = Handshake.joiner(J_ID, trusted_mode=True, trusted={W_ID.peer_id})
    driver = Driver(waiter, joiner)
    with pytest.raises(OSError, match="disk"):
        driver.run()
    assert waiter.state is State.FAILED and waiter.channel is not None and waiter.channel.failed
    assert waiter.abort_message() == {"type": "pair-abort", "reason": "other"}


# -- a listener's shared code (claim_code) --------------------------------------------------


class _Slot:
    """The smallest claim_code source: one code, one holder at a time, counting claims."""

    def __init__(self, text: str) -> None:
        self.text, self.held, self.claims = text, False, 0

    def claim(self) -> Any:
        if self.held:
            return None
        self.held, self.claims = True, self.claims + 1
        return parse_code(self.text)


def test_a_claimed_code_pairs_and_is_marked_tested() -> None:
    slot = _Slot("5-crossover-clockwork")
    waiter = Handshake.waiter(W_ID, claim_code=slot.claim, trusted_mode=True)
    driver = paired(waiter, Handshake.joiner(J_ID, code=parse_code("5-crossover-clockwork")))
    assert driver.waiter.paired is not None and driver.waiter.paired.mode is Mode.CODE
    assert waiter.code_claimed and waiter.secret_tested and slot.claims == 1


def test_a_wrong_guess_on_a_claimed_code_is_tested_and_fails() -> None:
    slot = _Slot("5-crossover-clockwork")
    waiter = Handshake.waiter(W_ID, claim_code=slot.claim)
    driver = Driver(waiter, Handshake.joiner(J_ID, code=parse_code("5-adroitness-clockwork")))
    driver.run()
    assert driver.all_failed() and waiter.secret_tested
    assert driver.waiter.error is not None and driver.waiter.error.reason is Reason.WRONG_SECRET


def test_a_code_held_by_another_joiner_is_refused_without_being_tried() -> None:
    slot = _Slot("5-crossover-clockwork")
    slot.held = True
    waiter = Handshake.waiter(W_ID, claim_code=slot.claim, trusted_mode=True)
    driver = Driver(waiter, Handshake.joiner(J_ID, code=parse_code("5-crossover-clockwork")))
    driver.run()
    assert driver.all_failed() and not waiter.code_claimed and not waiter.secret_tested
    assert driver.waiter.error is not None and driver.waiter.error.reason is Reason.MODE
    assert "another sender" in driver.waiter.error.message


def test_trusted_joiners_never_claim_the_code() -> None:
    slot = _Slot("5-crossover-clockwork")
    waiter = Handshake.waiter(
        W_ID, claim_code=slot.claim, trusted_mode=True, trusted={J_ID.peer_id}
    )
    paired(waiter, Handshake.joiner(J_ID, trusted_mode=True, trusted={W_ID.peer_id}))
    assert slot.claims == 0 and not waiter.code_claimed


def test_claim_code_is_for_a_waiter_instead_of_a_code() -> None:
    with pytest.raises(ConfigError, match="claim_code"):
        Handshake.joiner(J_ID, claim_code=lambda: None)
    with pytest.raises(ConfigError, match="claim_code"):
        Handshake.waiter(W_ID, code=parse_code("5-crossover-clockwork"), claim_code=lambda: None)
