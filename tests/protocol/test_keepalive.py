"""The keepalive machine (protocol/keepalive.py), the PING frame and its negotiation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.protocol.codec import decode, encode
from ferry.protocol.connection import Connection
from ferry.protocol.errors import LocalProtocolError
from ferry.protocol.events import ConnectionFailed
from ferry.protocol.frames import Error, Ping
from ferry.protocol.keepalive import FEATURE, Keepalive

INTERVAL, TIMEOUT = 1.0, 6.0


def _run_silent(keepalive: Keepalive, start: float) -> tuple[float, int]:
    """Poll exactly when asked, hearing nothing: when it declares the peer dead, and how
    many PINGs went out meanwhile."""
    now, pings = start, 0
    while True:
        due = keepalive.poll(now)
        if due.dead:
            return now, pings
        pings += due.ping
        assert due.wake_at > now
        now = due.wake_at


def test_a_silent_peer_is_dead_after_the_timeout_and_pinged_every_interval() -> None:
    keepalive = Keepalive(100.0, interval=INTERVAL, timeout=TIMEOUT)
    died, pings = _run_silent(keepalive, 100.0)
    assert died == pytest.approx(100.0 + TIMEOUT)
    assert pings == int(TIMEOUT / INTERVAL)  # at 100, 101, ..., 105
    assert keepalive.poll(died + 50).dead  # and stays dead


@given(
    gaps=st.lists(st.floats(0.01, TIMEOUT * 0.99), min_size=1, max_size=60),
    timeout=st.floats(2 * INTERVAL, 20.0),
)
def test_a_peer_heard_more_often_than_the_timeout_never_dies(
    gaps: list[float], timeout: float
) -> None:
    """Frames from the peer at any spacing below the timeout, polls exactly when asked."""
    keepalive = Keepalive(0.0, interval=INTERVAL, timeout=max(timeout, TIMEOUT))
    now, wake = 0.0, keepalive.poll(0.0).wake_at
    last_ping = 0.0
    for gap in gaps:
        heard_at = now + gap
        while wake <= heard_at:  # the polls due before the frame arrives
            due = keepalive.poll(wake)
            assert not due.dead
            if due.ping:
                assert wake - last_ping >= INTERVAL - 1e-9  # never more often than asked
                last_ping = wake
            wake = due.wake_at
        keepalive.heard(heard_at)
        now = heard_at


@given(gaps=st.lists(st.floats(0, TIMEOUT * 0.99), max_size=20))
def test_death_comes_exactly_a_timeout_after_the_last_frame(gaps: list[float]) -> None:
    """Whatever was heard before (each frame within a timeout of the one before), polling
    on time declares death at the last frame + timeout."""
    keepalive = Keepalive(0.0, interval=INTERVAL, timeout=TIMEOUT)
    heard = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    now = 0.0
    for at in heard:
        while (due := keepalive.poll(now)).wake_at <= at:
            assert not due.dead
            now = due.wake_at
        keepalive.heard(at)
        now = max(now, at)
    last = max([0.0, *heard])
    died, _ = _run_silent(keepalive, now)
    assert died == pytest.approx(last + TIMEOUT)


def test_a_poll_much_later_than_asked_is_this_side_stalled_not_the_peer_dead() -> None:
    """A host whose loop stalled wakes to a long silence while the peer's frames sit unread:
    that silence does not count."""
    keepalive = Keepalive(0.0, interval=INTERVAL, timeout=TIMEOUT)
    due = keepalive.poll(0.0)
    late = keepalive.poll(due.wake_at + 3 * TIMEOUT)  # asleep for 18 s
    assert not late.dead and late.ping
    died, _ = _run_silent(keepalive, late.wake_at)
    assert died == pytest.approx(due.wake_at + 3 * TIMEOUT + TIMEOUT)  # counted from waking


@pytest.mark.parametrize(("interval", "timeout"), [(0, 5), (-1, 5), (1, 1.5), (2, 3)])
def test_nonsense_settings_are_refused(interval: float, timeout: float) -> None:
    with pytest.raises(LocalProtocolError):
        Keepalive(0.0, interval=interval, timeout=timeout)


def test_ping_round_trips_and_carries_nothing() -> None:
    assert decode(encode(Ping())) == Ping()
    assert encode(Ping()) == b"\x81\xa4type\xa4PING"


def test_a_ping_is_accepted_after_hello_and_changes_nothing() -> None:
    one = Connection(features=(FEATURE,))
    two = Connection(features=(FEATURE,))
    for frame in one.start():
        two.receive(frame)
    for frame in two.start():
        one.receive(frame)
    one.pop_events()
    assert one.receive(Ping()) == []
    assert one.pop_events() == [] and one.failure is None
    assert FEATURE in (one.peer_hello.features if one.peer_hello else ())


def test_a_ping_before_hello_is_a_protocol_error() -> None:
    conn = Connection()
    answer = conn.receive(Ping())
    assert len(answer) == 1 and isinstance(answer[0], Error)
    assert any(isinstance(event, ConnectionFailed) for event in conn.pop_events())
