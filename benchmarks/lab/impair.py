"""The router's impairment stage: hold each forwarded packet for a delay, drop a fraction.

Run inside the router namespace by :mod:`.netns`; iptables sends every forwarded packet
of each direction to its own NFQUEUE. Each packet is dropped with the given probability
(independently, per direction) or held, and accepted once its delay is up. The delay is
the same for every packet of a direction, so a FIFO suffices and order is kept (a real
path rarely reorders; reordering would be a separate knob).

Why NFQUEUE rather than a userspace forwarder (a TUN device or raw sockets relaying between
the veths): with NFQUEUE the kernel keeps routing, checksums, fragmentation and the tbf
qdisc, and userspace only decides *when* to release a packet, with only metadata copied
(``COPY_META``: no payload crosses into Python). A forwarder copies every byte twice and
re-implements forwarding. The cost that remains is one Python callback and one verdict per
packet; :func:`main` reports how late each release was against its due time, which is the
stage's own error, and the benchmark prints it next to its figures.

Output: ``ready`` once both queues are bound; a JSON line of counters on SIGUSR1 and on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import select
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

#: Packets the kernel may hold for one queue before it drops (its default is 1024): at
#: 200 Mbit/s and 75 ms one way, about 1,300 full-size packets are held at once.
QUEUE_MAX_LEN = 20_000
SOCKET_BUFFER = 16 << 20


class _Stop(Exception):
    """SIGTERM or SIGINT: release what is held, report, exit."""


@dataclass
class Direction:
    """The counters and held packets of one queue (one direction)."""

    name: str
    delay: float
    loss: float
    rng: random.Random
    held: deque[tuple[float, Any]] = field(default_factory=deque)
    packets: int = 0
    dropped: int = 0
    late_sum: float = 0.0
    late_max: float = 0.0
    held_max: int = 0

    def on_packet(self, packet: Any) -> None:
        self.packets += 1
        if self.loss and self.rng.random() < self.loss:
            self.dropped += 1
            packet.drop()
            return
        if not self.delay:
            packet.accept()
            return
        self.held.append((time.monotonic() + self.delay, packet))
        if len(self.held) > self.held_max:
            self.held_max = len(self.held)

    def release(self, now: float) -> float | None:
        """Accept every packet that is due; the next due time, if any."""
        held = self.held
        while held:
            due, packet = held[0]
            if due > now:
                return due
            held.popleft()
            late = now - due
            self.late_sum += late
            self.late_max = max(self.late_max, late)
            packet.accept()
        return None

    def to_json(self) -> dict[str, Any]:
        forwarded = self.packets - self.dropped
        return {
            "packets": self.packets,
            "dropped": self.dropped,
            "loss_percent": 100 * self.dropped / self.packets if self.packets else 0.0,
            "delay_ms": self.delay * 1000,
            "late_mean_ms": 1000 * self.late_sum / forwarded if forwarded else 0.0,
            "late_max_ms": 1000 * self.late_max,
            "held_max": self.held_max,
        }


def _kernel_drops() -> dict[str, int]:
    """Packets the kernel dropped at the queues (full, or no listener): must stay 0."""
    drops = {}
    try:
        with open("/proc/net/netfilter/nfnetlink_queue") as table:
            for line in table:
                cols = line.split()
                # queue, portid, waiting, copy mode, copy range, queue dropped, user dropped
                drops[cols[0]] = int(cols[5]) + int(cols[6])
    except OSError:
        pass
    return drops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ferry.benchmarks.lab.impair")
    parser.add_argument("--delay-ms", type=float, required=True, help="one way")
    parser.add_argument("--loss-percent", type=float, default=0.0, help="per direction")
    parser.add_argument("--queues", default="1,2", help="forward,backward queue numbers")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    from netfilterqueue import COPY_META, NetfilterQueue

    rng = random.Random(args.seed)
    numbers = [int(n) for n in args.queues.split(",")]
    directions = [
        Direction(name, args.delay_ms / 1000, args.loss_percent / 100, random.Random(rng.random()))
        for name in ("forward", "backward")[: len(numbers)]
    ]
    queues = []
    for number, direction in zip(numbers, directions, strict=True):
        queue = NetfilterQueue()
        queue.bind(
            number, direction.on_packet, max_len=QUEUE_MAX_LEN, mode=COPY_META,
            sock_len=SOCKET_BUFFER,
        )  # fmt: skip
        queues.append(queue)
    fds = {queue.get_fd(): queue for queue in queues}

    def report() -> None:
        stats = {d.name: d.to_json() for d in directions}
        stats["kernel_drops"] = sum(_kernel_drops().values())
        print(json.dumps(stats), flush=True)

    def on_term(signum: int, frame: Any) -> None:
        raise _Stop  # select() would resume after a handler that returns

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGUSR1, lambda signum, frame: report())
    print("ready", flush=True)
    timeout: float | None = None
    with contextlib.suppress(_Stop):
        while True:
            # select() takes microseconds (poll and epoll round to whole milliseconds).
            readable, _, _ = select.select(list(fds), [], [], timeout)
            for fd in readable:
                fds[fd].run(block=False)
            now = time.monotonic()
            due = [d for d in (direction.release(now) for direction in directions) if d]
            timeout = max(0.0, min(due) - time.monotonic()) if due else None
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for direction in directions:  # release what is held: the namespace goes away next
        direction.release(float("inf"))
    report()
    for queue in queues:
        queue.unbind()
    return 0


if __name__ == "__main__":
    sys.exit(main())
