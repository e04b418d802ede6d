"""A hostile sender against a real `ferry receive` process.

Each attack comes from a bare aiortc peer speaking Ferry's frames (tests/adversary/hostile.py);
after each one the victim must still be alive, must not have written outside its folder,
must have said what happened in at most one clear line per attack, and must still store a
legitimate sender's file byte for byte. At the end its peak memory is checked against a
stated bound.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.protocol import strategies
from ferry.protocol.codec import encode
from ferry.protocol.frames import Accept, Chunk, Done, Eof, Error, Offer, Reject, Window
from ferry.protocol.limits import MAX_FILE_SIZE

from ..integration.helpers import free_port, run, write_random
from .hostile import HostileLink, hostile_link
from .victim import ROOT, Victim, files_outside

#: The victim's peak resident memory after every attack here may not pass this (98 MiB
#: measured on 2026-12-07: an idle `ferry receive` is ~85 MiB).
MEMORY_BOUND_MIB = 200

Attack = Callable[[HostileLink], Awaitable[None]]


class _AnyLine:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)


ANY_LINE = _AnyLine()


def offer(n: int, size: int, name: str | None = None, key: str = "") -> Offer:
    return Offer(n.to_bytes(16, "big"), name or f"attack-{n}.bin", size, "", 16384, key, 0)


@pytest.fixture(scope="module")
def arena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Victim, Path]]:
    root = tmp_path_factory.mktemp("arena")
    out = root / "out"
    out.mkdir()
    victim = Victim(out, free_port())
    try:
        yield victim, root
    finally:
        victim.stop()


class LegitSender:
    """A well-behaved `ferry send` of a fresh file, started while an attack runs."""

    def __init__(self, victim: Victim, root: Path, name: str, size: int = 2 << 20) -> None:
        self.victim, self.name = victim, name
        source = root / "sources" / name
        source.parent.mkdir(exist_ok=True)
        self.digest = write_random(source, size, seed=len(name))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ferry.engine.cli", "send", str(source),
             "--connect", f"127.0.0.1:{victim.port}", "--ice-address", "127.0.0.1",
             "--code", victim.take_code()],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def finish(self) -> None:
        """It must exit 0 with its file stored byte for byte."""
        try:
            _, stderr = self.process.communicate(timeout=90)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        assert self.process.returncode == 0, stderr
        stored = hashlib.sha256((self.victim.out / self.name).read_bytes()).digest()
        assert stored == self.digest


def survive(victim: Victim, root: Path, attack: Attack, name: str) -> list[str]:
    """Run ``attack`` while a legitimate sender sends: the victim lives, writes nowhere
    else, and stores the legitimate file byte for byte."""
    before = len(victim.stderr)

    async def scenario() -> LegitSender:
        async with hostile_link(victim.port, victim.take_code()) as link:
            # The attacker used the code: the victim shows the next, for the legit sender.
            legit = await asyncio.to_thread(LegitSender, victim, root, f"legit-during-{name}.bin")
            try:
                await attack(link)
            except BaseException:
                legit.process.kill()
                raise
        return legit

    legit = run(scenario(), timeout=60)
    legit.finish()
    assert victim.alive, victim.stderr
    assert files_outside(root, victim.out) == sorted(
        str(p.relative_to(root)) for p in (root / "sources").iterdir()
    )
    said = [line for line in victim.stderr[before:] if "legit-during" not in line]
    assert not any("Traceback" in line for line in said), said
    return said


async def garbage(link: HostileLink) -> None:
    link.send(b"\xc1 this is not msgpack")
    error = await link.reply(Error)
    assert error is not None and error.transfer_id is None


async def traversal(link: HostileLink) -> None:
    body = msgpack.unpackb(encode(offer(1, 4)))
    link.send(msgpack.packb({**body, "name": "../../escaped.txt"}))
    error = await link.reply(Error)
    assert error is not None and error.code == "unsafe-name"


async def staging_name(link: HostileLink) -> None:
    body = msgpack.unpackb(encode(offer(2, 4)))
    link.send(msgpack.packb({**body, "name": ".ferry-staging/planted.json"}))
    error = await link.reply(Error)
    assert error is not None and ".ferry-staging" in error.message


async def too_big(link: HostileLink) -> None:
    link.send(offer(3, MAX_FILE_SIZE))
    reject = await link.reply(Reject)
    assert reject is not None and reject.code == "no-space"


async def unknown_chunk(link: HostileLink) -> None:
    link.send(Chunk(b"\x99" * 16, 0, b"boo"))
    assert await link.reply(Error) is not None


async def accepted(link: HostileLink, frame: Offer) -> Window:
    link.send(frame)
    accept = await link.reply(Accept)
    assert accept is not None and accept.offset == 0
    window = await link.reply(Window)
    assert window is not None
    return window


async def beyond_credit(link: HostileLink) -> None:
    window = await accepted(link, offer(4, MAX_FILE_SIZE // 2**20))
    link.send(Chunk(offer(4, 0).transfer_id, 0, b"x" * 16384))
    link.send(Chunk(offer(4, 0).transfer_id, window.limit + 1, b"x"))
    assert await link.reply(Error) is not None


async def wrong_offset(link: HostileLink) -> None:
    await accepted(link, offer(5, 1000))
    link.send(Chunk(offer(5, 0).transfer_id, 7, b"x" * 10))
    assert await link.reply(Error) is not None


async def wrong_digest(link: HostileLink) -> None:
    await accepted(link, offer(6, 10))
    tid = offer(6, 0).transfer_id
    link.send(Chunk(tid, 0, b"0123456789"))
    link.send(Eof(tid, 10, b"\x00" * 32))
    error = await link.reply(Error)
    assert error is not None and error.code == "integrity"


async def tiny_frames(link: HostileLink) -> None:
    """A flood of one-byte chunks is slow for the attacker, not fatal for the victim."""
    data = bytes(range(256)) * 80
    await accepted(link, offer(7, len(data), name="tiny.bin"))
    tid = offer(7, 0).transfer_id
    for offset in range(len(data)):
        link.send(Chunk(tid, offset, data[offset : offset + 1]))
        if offset % 2000 == 0:
            await link.drained()
    link.send(Eof(tid, len(data), hashlib.sha256(data).digest()))
    done = await link.reply(Done, within=30)
    assert done is not None and done.sha256 == hashlib.sha256(data).digest()


async def wrong_direction(link: HostileLink) -> None:
    link.send(Done(b"\x55" * 16, b"\x00" * 32, "x"))
    assert await link.reply(Error) is not None


async def offer_flood(link: HostileLink) -> None:
    """Thousands of offers: at most a bounded number is taken on, the rest refused."""
    for n in range(2000):
        link.send(offer(10_000 + n, 1))
        if n % 200 == 0:
            await link.drained()
    await link.drained()
    await link.reply(Reject, within=20)
    busy = [r for r in link.replies if isinstance(r, Reject) and r.code == "busy"]
    accepts = [r for r in link.replies if isinstance(r, Accept)]
    assert busy and len(accepts) <= 64


async def claims_the_link_dropped(link: HostileLink) -> None:
    """An ERROR "peer-gone" from the peer must not keep its staging for a resume."""
    await accepted(link, offer(8, 100_000, key="keep-me-forever"))
    tid = offer(8, 0).transfer_id
    for offset in range(0, 49152, 16384):
        link.send(Chunk(tid, offset, b"y" * 16384))
    link.send(Error(tid, "peer-gone", "the link dropped, honest"))
    # The victim answers nothing to an ERROR: an offer sent after it (the channel is
    # ordered) is answered only once the ERROR was handled. Leaving earlier would be a
    # real dropped link, whose staging is rightly kept.
    link.send(offer(9, 1))
    assert await link.reply(Accept, about=offer(9, 1).transfer_id) is not None


#: Each attack, and what the victim's one line about it says (None: nothing to say).
ATTACKS: dict[str, tuple[Attack, str | None]] = {
    "garbage": (garbage, "broke the protocol: not a valid msgpack message"),
    "traversal": (traversal, "broke the protocol: OFFER frame: name '../../escaped.txt'"),
    "staging-name": (staging_name, "is inside .ferry-staging, which is the receiver's own"),
    "too-big": (too_big, "refused: not enough free space on this receiver"),
    # Frames about a transfer that does not exist get an ERROR back, and touch nothing here.
    "unknown-chunk": (unknown_chunk, None),
    "beyond-credit": (beyond_credit, "CHUNK at offset 4194305, expected 16384"),
    "wrong-offset": (wrong_offset, "CHUNK at offset 7, expected 0"),
    "wrong-digest": (wrong_digest, "differs from the sender's"),
    "tiny-frames": (tiny_frames, None),
    "wrong-direction": (wrong_direction, None),
    "peer-gone": (claims_the_link_dropped, "attack-8.bin: peer reported: the link dropped"),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_victim_survives(arena: tuple[Victim, Path], name: str) -> None:
    victim, root = arena
    attack, expected = ATTACKS[name]
    said = survive(victim, root, attack, name)
    if name == "peer-gone":  # it offers a probe file too, left unfinished: a line of its own
        said = [line for line in said if "attack-9.bin" not in line]
    assert said == ([] if expected is None else [ANY_LINE]), said
    assert expected is None or expected in said[0], said
    assert all(line.startswith("ferry: error: ") for line in said), said


def test_a_claimed_dropped_link_leaves_no_staging_behind(arena: tuple[Victim, Path]) -> None:
    victim, _ = arena
    staging = victim.out / ".ferry-staging"
    left = sorted(p.name for p in staging.iterdir()) if staging.exists() else []
    assert left == [], [(p, (staging / p).read_bytes()[:300]) for p in left if p.endswith(".json")]


def test_an_offer_flood_is_bounded(arena: tuple[Victim, Path]) -> None:
    victim, root = arena
    survive(victim, root, offer_flood, "flood")
    staging = victim.out / ".ferry-staging"
    kept = list(staging.iterdir()) if staging.exists() else []
    assert len(kept) <= 2 * 64  # a journal entry and a .part per file taken on, at most


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sequence=st.lists(
        st.one_of(
            strategies.frames().map(encode),
            strategies.malformed_messages(),
            strategies.mutated_messages(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_random_frame_sequences_over_a_live_channel(
    arena: tuple[Victim, Path], sequence: list[bytes]
) -> None:
    victim, root = arena

    async def attack(link: HostileLink) -> None:
        for message in sequence:
            link.send(message)
        await link.drained()

    survive(victim, root, attack, "random")


def test_memory_stayed_under_its_bound(arena: tuple[Victim, Path]) -> None:
    victim, _ = arena
    _, peak = victim.memory_kib()
    print(f"victim's peak resident memory: {peak // 1024} MiB")
    assert peak < MEMORY_BOUND_MIB * 1024, f"peak {peak // 1024} MiB"
