"""Ferry end to end against the raw aiortc ceiling, measured side by side in one run.

    python3 run.py bench transfer [--size-mib 256] [--chunk-sizes 16384,65536]
                                  [--loops uvloop,asyncio] [--repeat 3] [--dest folder]

For each (loop, chunk size) and each repeat, the raw ceiling (benchmarks.ceiling: aiortc
alone, same message size, same backpressure) and a Ferry transfer run back to back, each
between two fresh processes. Ferry's time runs from the sender's ``send()`` to the
receiver's verified, committed file; the ceiling's from its first send to its last byte.
The headline is Ferry/ceiling, the median of the per-repeat ratios, because this machine is
shared and absolute rates swing by 2x from minute to minute. MB = 10**6 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from . import _procs
from .ceiling import DEFAULT_LOOP, run_ceiling

MIB = 1 << 20
LOOPBACK = ("127.0.0.1",)


@dataclass(frozen=True)
class FerryResult:
    mb_per_s: float
    seconds: float
    sender_peak_rss_mb: float
    receiver_peak_rss_mb: float


def _receiver(conn: Connection, out: str, loop: str, dest: str) -> float:
    """Child process: receive one file, return the monotonic time it was committed."""
    from engine import Engine, EngineConfig, TcpSignaling

    async def main() -> float:
        config = EngineConfig(
            output_dir=Path(out), accept_all=True, ice_addresses=LOOPBACK, loop=loop
        )
        async with Engine(config) as engine:
            signaling = TcpSignaling("127.0.0.1", 0, listen=True)
            await signaling.bind()
            conn.send(signaling.bound_port)
            peer = await engine.listen(signaling)
            arrived: asyncio.Future = asyncio.get_running_loop().create_future()
            peer.on_offer = lambda offer: arrived.set_result(offer.transfer)
            transfer = await arrived
            await transfer
            done = time.monotonic()
            await peer.wait_closed()
            return done

    return asyncio.run(main())


def _sender(conn: Connection, path: str, chunk_size: int, loop: str) -> tuple[float, str]:
    """Child process: send one file; return the monotonic start time and the SHA-256."""
    from engine import Engine, EngineConfig, TcpSignaling

    async def main() -> tuple[float, str]:
        port = conn.recv()
        config = EngineConfig(chunk_size=chunk_size, ice_addresses=LOOPBACK, loop=loop)
        async with Engine(config) as engine:
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False))
            started = time.monotonic()
            result = await peer.send(path)
            await peer.close()
            return started, result.sha256

    return asyncio.run(main())


def run_ferry(
    source: Path, sha256: str, chunk_size: int, loop: str, dest: str = "folder"
) -> FerryResult:
    size = source.stat().st_size
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as out:
        receiver_end, sender_end = _procs.pipe()
        with _procs.child_processes() as start:
            receiver = start("ferry-receiver", _receiver, receiver_end, out, loop, dest)
            sender = start("ferry-sender", _sender, sender_end, str(source), chunk_size, loop)
            receiver_end.close()
            sender_end.close()
            sent, received = _procs.wait_all([sender, receiver], 120 + size / 1e6)
        started, sent_sha = sent.value
        if sent_sha != sha256 or (Path(out) / source.name).stat().st_size != size:
            raise RuntimeError("the received file is not the file that was sent")
    seconds = received.value - started
    return FerryResult(size / seconds / 1e6, seconds, sent.peak_rss_mb, received.peak_rss_mb)


def _make_source(folder: Path, size: int) -> tuple[Path, str]:
    path = folder / f"bench-{size // MIB}MiB.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for _ in range(size // MIB):
            block = os.urandom(MIB)
            digest.update(block)
            out.write(block)
    return path, digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--chunk-sizes", default="16384,65536")
    parser.add_argument("--loops", default=DEFAULT_LOOP)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dest", choices=["folder"], default="folder")
    args = parser.parse_args(argv)
    chunk_sizes = [int(c) for c in args.chunk_sizes.split(",")]
    loops = args.loops.split(",")
    print(f"{args.size_mib} MiB per run, {args.repeat} repeats, MB = 10^6 bytes", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ferry-bench-src-") as folder:
        source, sha256 = _make_source(Path(folder), args.size_mib * MIB)
        for loop in loops:
            for chunk in chunk_sizes:
                ratios, ceilings, ferries = [], [], []
                for run in range(1, args.repeat + 1):
                    ceiling = run_ceiling(args.size_mib, chunk, loop)
                    ferry = run_ferry(source, sha256, chunk, loop, args.dest)
                    ratios.append(ferry.mb_per_s / ceiling.mb_per_s)
                    ceilings.append(ceiling)
                    ferries.append(ferry)
                    print(
                        f"run {run}/{args.repeat} {loop:8} {chunk // 1024:>4} KiB: "
                        f"ceiling {ceiling.mb_per_s:5.1f} MB/s, ferry {ferry.mb_per_s:5.1f} MB/s,"
                        f" ratio {ratios[-1]:.2f}; ferry peak RSS sender "
                        f"{ferry.sender_peak_rss_mb:.0f} MB receiver "
                        f"{ferry.receiver_peak_rss_mb:.0f} MB",
                        flush=True,
                    )
                rows.append((loop, chunk, ceilings, ferries, ratios))
    print()
    print(
        f"{'loop':8} {'chunk':>6} {'ceiling MB/s':>13} {'ferry MB/s':>11} "
        f"{'ferry/ceiling':>14} {'(min-max)':>11} {'snd RSS':>8} {'rcv RSS':>8}"
    )
    for loop, chunk, ceilings, ferries, ratios in rows:
        print(
            f"{loop:8} {chunk // 1024:>4}Ki "
            f"{statistics.median(c.mb_per_s for c in ceilings):>13.1f} "
            f"{statistics.median(f.mb_per_s for f in ferries):>11.1f} "
            f"{statistics.median(ratios):>14.2f} "
            f"{min(ratios):>5.2f}-{max(ratios):<5.2f} "
            f"{max(f.sender_peak_rss_mb for f in ferries):>7.0f}M "
            f"{max(f.receiver_peak_rss_mb for f in ferries):>7.0f}M"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
