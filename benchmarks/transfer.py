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


def _receiver_config(out: str, loop: str, dest: str) -> object:
    from actors.preview import PreviewConfig
    from engine import EngineConfig

    common = {"accept_all": True, "ice_addresses": LOOPBACK, "loop": loop}
    if dest == "folder":
        return EngineConfig(output_dir=Path(out), **common)
    previews = PreviewConfig() if dest == "vault+previews" else None
    key = os.urandom(32)  # a throwaway vault; scrypt for a passphrase is not what we measure
    return EngineConfig(vault_dir=Path(out) / "vault", vault_key=key, previews=previews, **common)


def _receiver(conn: Connection, out: str, loop: str, dest: str, count: int) -> float:
    """Child process: receive ``count`` files; return the monotonic time the last was stored.

    With previews on, "stored" still means the transfers' completion: previews run after
    each commit, beside the transfers, and what is measured is whether they slow them.
    """
    from engine import Engine, TcpSignaling

    async def main() -> float:
        async with Engine(_receiver_config(out, loop, dest)) as engine:  # type: ignore[arg-type]
            signaling = TcpSignaling("127.0.0.1", 0, listen=True)
            await signaling.bind()
            conn.send(signaling.bound_port)
            peer = await engine.listen(signaling)
            transfers: asyncio.Queue = asyncio.Queue()
            peer.on_offer = lambda offer: transfers.put_nowait(offer.transfer)
            for _ in range(count):
                await (await transfers.get())
            done = time.monotonic()
            await peer.wait_closed()
            return done

    return asyncio.run(main())


def _sender(conn: Connection, paths: list[str], chunk_size: int, loop: str) -> tuple[float, list]:
    """Child process: send the files; return the monotonic start time and their SHA-256s."""
    from engine import Engine, EngineConfig, TcpSignaling

    async def main() -> tuple[float, list]:
        port = conn.recv()
        config = EngineConfig(chunk_size=chunk_size, ice_addresses=LOOPBACK, loop=loop)
        async with Engine(config) as engine:
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False))
            started = time.monotonic()
            results = await asyncio.gather(*(peer.send(path) for path in paths))
            await peer.close()
            return started, [result.sha256 for result in results]

    return asyncio.run(main())


def run_ferry(
    sources: list[Path], sha256s: list[str], chunk_size: int, loop: str, dest: str = "folder"
) -> FerryResult:
    """Send ``sources`` from one fresh process to another, into ``dest``."""
    size = sum(source.stat().st_size for source in sources)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as out:
        receiver_end, sender_end = _procs.pipe()
        with _procs.child_processes() as start:
            receiver = start(
                "ferry-receiver", _receiver, receiver_end, out, loop, dest, len(sources)
            )
            sender = start(
                "ferry-sender", _sender, sender_end, [str(s) for s in sources], chunk_size, loop
            )
            receiver_end.close()
            sender_end.close()
            sent, received = _procs.wait_all([sender, receiver], 120 + size / 1e6)
        started, sent_shas = sent.value
        if sent_shas != sha256s:
            raise RuntimeError("the files that arrived are not the files that were sent")
    seconds = received.value - started
    return FerryResult(size / seconds / 1e6, seconds, sent.peak_rss_mb, received.peak_rss_mb)


def make_random_file(folder: Path, size: int) -> tuple[Path, str]:
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
    parser.add_argument(
        "--dests",
        default="folder,vault",
        help="comma-separated: folder, vault (previews off), vault+previews",
    )
    args = parser.parse_args(argv)
    chunk_sizes = [int(c) for c in args.chunk_sizes.split(",")]
    loops = args.loops.split(",")
    dests = args.dests.split(",")
    print(f"{args.size_mib} MiB per run, {args.repeat} repeats, MB = 10^6 bytes", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ferry-bench-src-") as folder:
        source, sha256 = make_random_file(Path(folder), args.size_mib * MIB)
        for loop in loops:
            for chunk in chunk_sizes:
                ceilings = []
                results: dict[str, list[FerryResult]] = {dest: [] for dest in dests}
                for run in range(1, args.repeat + 1):
                    ceiling = run_ceiling(args.size_mib, chunk, loop)
                    ceilings.append(ceiling)
                    line = f"run {run}/{args.repeat} {loop:8} {chunk // 1024:>4} KiB: "
                    line += f"ceiling {ceiling.mb_per_s:5.1f} MB/s"
                    # Alternate the order (ABBA): a run can leave the disk busy writing back
                    # for the next one, which would always penalise the same destination.
                    for dest in dests if run % 2 else dests[::-1]:
                        result = run_ferry([source], [sha256], chunk, loop, dest)
                        results[dest].append(result)
                        line += (
                            f", {dest} {result.mb_per_s:5.1f} MB/s "
                            f"({result.mb_per_s / ceiling.mb_per_s:.2f}, RSS "
                            f"{result.sender_peak_rss_mb:.0f}/{result.receiver_peak_rss_mb:.0f} MB)"
                        )
                    print(line, flush=True)
                rows.append((loop, chunk, ceilings, results))
    print()
    print(
        f"{'loop':8} {'chunk':>6} {'dest':>15} {'ceiling MB/s':>13} {'ferry MB/s':>11} "
        f"{'ferry/ceiling':>14} {'(min-max)':>11} {'snd RSS':>8} {'rcv RSS':>8}"
    )
    for loop, chunk, ceilings, results in rows:
        for dest, runs in results.items():
            ratios = [r.mb_per_s / c.mb_per_s for r, c in zip(runs, ceilings, strict=True)]
            print(
                f"{loop:8} {chunk // 1024:>4}Ki {dest:>15} "
                f"{statistics.median(c.mb_per_s for c in ceilings):>13.1f} "
                f"{statistics.median(r.mb_per_s for r in runs):>11.1f} "
                f"{statistics.median(ratios):>14.2f} "
                f"{min(ratios):>5.2f}-{max(ratios):<5.2f} "
                f"{max(r.sender_peak_rss_mb for r in runs):>7.0f}M "
                f"{max(r.receiver_peak_rss_mb for r in runs):>7.0f}M"
            )
        if "folder" in results and "vault" in results:
            paired = [
                v.mb_per_s / f.mb_per_s
                for v, f in zip(results["vault"], results["folder"], strict=True)
            ]
            print(f"{'':8} {'':6} vault/folder: {statistics.median(paired):.2f} (median of pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
