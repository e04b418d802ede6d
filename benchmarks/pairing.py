"""What pairing costs: the handshake in milliseconds, once per connection, and per record.

    python -m ferry.benchmarks.pairing [--rounds 20]

Rows:
- ``machines <mode>``: both sides' handshake machines driven in one thread (CPU only: two
  SPAKE2 runs in pure Python, two Ed25519 signatures and verifications, HKDF, AES-GCM).
  Also each side's own share.
- ``in-process`` / ``tcp 127.0.0.1``: SecureSignaling's ``open()`` on both sides, wall
  time, over ``in_process_pair()`` and over TcpSignaling on loopback (connection included).
- ``seal+open``: one sealed signaling record of an SDP's size (~4 KB), both ends.
- ``--engines``: two Engines connecting over aiortc on 127.0.0.1 (``listen`` + ``connect``
  until the data channel is up), paired by a secret and unpaired
  (``unauthenticated_for_tests``), alternated in one run: what pairing adds to a whole
  connection set-up, as a difference and a ratio.

Each figure is the median and the fastest of ``--rounds`` rounds (a shared machine's
noise shows in the gap). The handshake is paid once per connection, not per byte: the
throughput benchmarks do not see it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from ferry.engine.pairing import SecureSignaling
from ferry.engine.signaling import TcpSignaling, in_process_pair
from ferry.protocol.pairing import Handshake, Identity, Role, parse_code

WAITER_ID, JOINER_ID = Identity.generate(), Identity.generate()
SECRET = bytes(32)
SDP = {"type": "offer", "sdp": "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n" * 64}


def _options(mode: str) -> dict[Role, dict[str, Any]]:
    if mode == "code":
        return {role: {"code": parse_code("7-crossover-clockwork")} for role in Role}
    if mode == "secret":
        return {role: {"secret": SECRET} for role in Role}
    return {
        Role.WAITER: {"trusted_mode": True, "trusted": {JOINER_ID.peer_id}},
        Role.JOINER: {"trusted_mode": True, "trusted": {WAITER_ID.peer_id}},
    }


def machines_once(mode: str) -> dict[str, float]:
    """Seconds spent in each side's machine for one whole handshake."""
    options = _options(mode)
    spent = {Role.WAITER: 0.0, Role.JOINER: 0.0}
    ends = {
        Role.WAITER: Handshake(Role.WAITER, WAITER_ID, **options[Role.WAITER]),
        Role.JOINER: Handshake(Role.JOINER, JOINER_ID, **options[Role.JOINER]),
    }

    def timed(role: Role, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = step()
        spent[role] += time.perf_counter() - start
        return result

    timed(Role.WAITER, lambda: ends[Role.WAITER].start(0.0))
    queue = [
        (Role.WAITER, m) for m in timed(Role.JOINER, lambda: ends[Role.JOINER].start(0.0)).send
    ]
    while queue:
        to, message = queue.pop(0)
        output = timed(to, lambda t=to, m=message: ends[t].receive(m, 0.0))
        queue += [(to.peer, m) for m in output.send]
    assert all(end.result is not None for end in ends.values())
    return {"waiter": spent[Role.WAITER], "joiner": spent[Role.JOINER]}


async def _open_pair(tcp: bool) -> float:
    if tcp:
        inner_w = TcpSignaling("127.0.0.1", 0, listen=True)
        await inner_w.bind()
        inner_j = TcpSignaling("127.0.0.1", inner_w.bound_port, listen=False)
    else:
        inner_w, inner_j = in_process_pair()  # type: ignore[assignment]
    waiter = SecureSignaling(inner_w, role="waiter", identity=WAITER_ID, secret=SECRET)
    joiner = SecureSignaling(inner_j, role="joiner", identity=JOINER_ID, secret=SECRET)
    start = time.perf_counter()
    await asyncio.gather(waiter.open(), joiner.open())
    elapsed = time.perf_counter() - start
    await asyncio.gather(waiter.close(), joiner.close())
    return elapsed


async def _engines_connect(paired: bool) -> float:
    from ferry.engine import Engine, EngineConfig, in_process_pair

    config = EngineConfig(ice_addresses=("127.0.0.1",), unauthenticated_for_tests=not paired)
    pairing = {"secret": SECRET} if paired else {}
    async with (
        Engine(dataclasses.replace(config, identity=WAITER_ID)) as waiting,
        Engine(dataclasses.replace(config, identity=JOINER_ID)) as joining,
    ):
        one, two = in_process_pair()
        start = time.perf_counter()
        listening = asyncio.create_task(waiting.listen(two, **pairing))
        peer = await joining.connect(one, **pairing)
        other = await listening
        elapsed = time.perf_counter() - start
        await peer.close()
        await other.close()
    return elapsed


def seal_open_once(channels: tuple[Any, Any]) -> float:
    sender, receiver = channels
    start = time.perf_counter()
    receiver.open(sender.seal(SDP))
    return time.perf_counter() - start


def _row(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{name:<28} {statistics.median(ms):>9.2f} {min(ms):>9.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--engines", action="store_true", help="also time whole Engine connections (slower)"
    )
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds)
    print(f"{'pairing (ms)':<28} {'median':>9} {'fastest':>9}")
    for mode in ("code", "secret", "trusted"):
        runs = [machines_once(mode) for _ in range(rounds)]
        print(_row(f"machines {mode}, both", [r["waiter"] + r["joiner"] for r in runs]))
        print(_row("  waiter's share", [r["waiter"] for r in runs]))
        print(_row("  joiner's share", [r["joiner"] for r in runs]))
    for tcp, name in ((False, "in-process, open() both"), (True, "tcp 127.0.0.1, open() both")):
        samples = [asyncio.run(_open_pair(tcp)) for _ in range(rounds)]
        print(_row(name, samples))
    waiter = Handshake(Role.WAITER, WAITER_ID, secret=SECRET)
    joiner = Handshake(Role.JOINER, JOINER_ID, secret=SECRET)
    waiter.start(0.0)
    queue = [(waiter, m) for m in joiner.start(0.0).send]
    while queue:
        end, message = queue.pop(0)
        other = joiner if end is waiter else waiter
        queue += [(other, m) for m in end.receive(message, 0.0).send]
    channels = (joiner.channel, waiter.channel)
    samples = [seal_open_once(channels) for _ in range(max(rounds, 200))]
    print(_row(f"seal+open {len(str(SDP))} B record", samples))
    if args.engines:
        # The unpaired runs warn on every connection, as they should; not in this table.
        logging.getLogger("ferry.engine.engine").setLevel(logging.ERROR)
        paired: list[float] = []
        unpaired: list[float] = []
        for _ in range(min(rounds, 10)):  # alternated: the machine's noise hits both alike
            paired.append(asyncio.run(_engines_connect(True)))
            unpaired.append(asyncio.run(_engines_connect(False)))
        print(_row("engines connect, paired", paired))
        print(_row("engines connect, unpaired", unpaired))
        extra = statistics.median(paired) - statistics.median(unpaired)
        ratio = statistics.median(paired) / statistics.median(unpaired)
        print(f"{'  pairing adds':<28} {extra * 1000:>9.2f} ms ({ratio:.2f}x the set-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
