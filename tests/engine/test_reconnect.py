"""The reconnect machine: what follows a lost link, a failed attempt or a close."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.engine.reconnect import (
    MAX_RECONNECT_DELAY,
    GiveUp,
    LinkState,
    ReconnectMachine,
    Retry,
)
from ferry.errors import FerryError
from ferry.protocol.errors import LocalProtocolError, PeerError, PeerGone, ProtocolError


def connected(attempts: int = 5, delay: float = 0.5) -> ReconnectMachine:
    machine = ReconnectMachine(can_reconnect=True, attempts=attempts, first_delay=delay)
    machine.connected()
    return machine


def test_a_lost_link_is_retried_with_doubling_pauses_then_given_up() -> None:
    machine = connected(attempts=5, delay=0.5)
    decisions = [machine.lost(PeerGone("cut"))]
    while isinstance(decisions[-1], Retry):
        decisions.append(machine.attempt_failed(PeerGone("still cut")))
    assert decisions[:-1] == [Retry(1, 0.5), Retry(2, 1.0), Retry(3, 2.0), Retry(4, 4.0),
                              Retry(5, 8.0)]  # fmt: skip
    final = decisions[-1]
    assert isinstance(final, GiveUp) and isinstance(final.error, PeerGone)
    assert "gave up after 5 reconnection attempts" in final.error.message
    assert machine.state is LinkState.CLOSED


def test_pauses_never_exceed_the_cap() -> None:
    machine = connected(attempts=20, delay=1.0)
    retry = machine.lost(PeerGone("cut"))
    delays = []
    while isinstance(retry, Retry):
        delays.append(retry.delay)
        retry = machine.attempt_failed(PeerGone("cut"))
    assert max(delays) == MAX_RECONNECT_DELAY


def test_a_new_connection_starts_the_count_again() -> None:
    machine = connected(attempts=2)
    assert machine.lost(PeerGone("cut")) == Retry(1, 0.5)
    assert machine.attempt_failed(PeerGone("cut")) == Retry(2, 1.0)
    machine.connected()
    assert machine.lost(PeerGone("cut again")) == Retry(1, 0.5)


@pytest.mark.parametrize(
    "error", [PeerError("their disk is full", code="storage"), ProtocolError("garbage")]
)
def test_only_a_lost_link_is_worth_another_try(error: FerryError) -> None:
    machine = connected()
    assert machine.lost(error) == GiveUp(error)
    assert machine.state is LinkState.CLOSED


def test_an_attempt_the_peer_refused_is_final() -> None:
    machine = connected()
    machine.lost(PeerGone("cut"))
    refusal = ProtocolError("expected an SDP answer")
    assert machine.attempt_failed(refusal) == GiveUp(refusal)


def test_without_a_way_to_reconnect_a_lost_link_ends_the_peer() -> None:
    machine = ReconnectMachine(can_reconnect=False, attempts=5, first_delay=0.5)
    machine.connected()
    error = PeerGone("cut")
    assert machine.lost(error) == GiveUp(error)


INPUTS = ["connected", "lost", "attempt_failed", "close"]


@given(st.lists(st.sampled_from(INPUTS), max_size=30))
def test_an_input_the_state_does_not_allow_raises_and_changes_nothing(steps: list[str]) -> None:
    machine = ReconnectMachine(can_reconnect=True, attempts=3, first_delay=0.1)
    for step in steps:
        before = (machine.state, machine.attempt, machine.error)
        allowed = step in ReconnectMachine.TRANSITIONS[machine.state]
        call = getattr(machine, step)
        args = () if step in {"connected", "close"} else (PeerGone("cut"),)
        if not allowed:
            with pytest.raises(LocalProtocolError):
                call(*args)
            assert (machine.state, machine.attempt, machine.error) == before
            continue
        decision = call(*args)
        if isinstance(decision, GiveUp):
            assert machine.state is LinkState.CLOSED
        if isinstance(decision, Retry):
            assert machine.state is LinkState.RECONNECTING
            assert 1 <= decision.attempt <= 3
        assert machine.attempt <= 3
