"""StorageBudget: which offers fit, from free space, the staging quota and per-peer limits.

The free-space figure is passed in here so each rule can be checked at its edge; the
integration tests (tests/integration/test_storage_limits.py) use a real small filesystem.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ferry.actors.storage.journal import PendingTransfer
from ferry.engine.budget import StorageBudget
from ferry.protocol.frames import Offer

MIB = 1 << 20


def offer(size: int, key: str = "", n: int = 0) -> Offer:
    return Offer(bytes([n]) * 16, f"file{n}.bin", size, "", 16384, key, 0)


def budget(free: int, **limits: int | None) -> StorageBudget:
    min_free = limits.pop("min_free", 0) or 0
    return StorageBudget(Path("."), min_free=min_free, free=lambda _: free, **limits)


def test_an_offer_larger_than_the_free_space_is_refused_with_both_figures() -> None:
    reason = budget(10 * MIB, min_free=2 * MIB).admit("p", b"1" * 16, offer(9 * MIB))
    assert reason is not None
    assert "not enough free space" in reason and "9.0 MiB" in reason and "8.0 MiB" in reason


def test_accepted_files_reserve_room_until_released() -> None:
    limits = budget(10 * MIB)
    assert limits.admit("p", b"a" * 16, offer(6 * MIB, n=1)) is None
    assert limits.admit("p", b"b" * 16, offer(6 * MIB, n=2)) is not None  # 6 owed + 6 > 10
    limits.release(b"a" * 16)
    assert limits.admit("p", b"b" * 16, offer(6 * MIB, n=2)) is None


def test_partial_files_kept_for_a_resume_count_against_the_quota() -> None:
    limits = budget(1 << 40, quota=10 * MIB)
    kept = [PendingTransfer(f"key{i}", f"f{i}", 8 * MIB, 0, 3 * MIB, 0.0) for i in range(3)]
    limits.note_pending(kept)
    assert limits.staged == 9 * MIB
    refusal = limits.admit("p", b"x" * 16, offer(2 * MIB, key="new"))
    assert refusal is not None and "staging quota" in refusal
    # Resuming a kept file needs only what is missing, and is not counted twice.
    assert limits.admit("p", b"y" * 16, offer(4 * MIB, key="key0")) is None
    assert limits.staged == 6 * MIB + 4 * MIB


def test_one_peer_cannot_take_more_than_its_share() -> None:
    limits = budget(1 << 40, per_peer=5 * MIB)
    assert limits.admit("greedy", b"a" * 16, offer(4 * MIB, n=1)) is None
    refusal = limits.admit("greedy", b"b" * 16, offer(2 * MIB, n=2))
    assert refusal is not None and "from one peer" in refusal
    assert limits.admit("other", b"c" * 16, offer(2 * MIB, n=3)) is None
    limits.release_peer("greedy")
    assert limits.admit("greedy", b"b" * 16, offer(2 * MIB, n=2)) is None


def test_a_free_space_probe_that_fails_refuses_rather_than_guessing() -> None:
    def broken(_: Path) -> int:
        raise PermissionError(13, "Permission denied")

    limits = StorageBudget(Path("."), min_free=0, free=broken)
    assert "cannot check its free space" in (limits.admit("p", b"a" * 16, offer(1)) or "")


@given(
    sizes=st.lists(st.integers(0, 64 * MIB), max_size=30),
    free=st.integers(0, 256 * MIB),
    min_free=st.integers(0, 16 * MIB),
)
def test_admitted_files_always_fit_together(sizes: list[int], free: int, min_free: int) -> None:
    """Whatever is offered, what is admitted at once never needs more than is free."""
    limits = budget(free, min_free=min_free)
    admitted = [
        size
        for n, size in enumerate(sizes)
        if limits.admit("p", n.to_bytes(16, "big"), offer(size, n=n % 256)) is None
    ]
    assert sum(admitted) <= max(0, free - min_free) or not admitted
