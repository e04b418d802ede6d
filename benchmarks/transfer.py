"""Ferry end to end against the raw aiortc ceiling, measured side by side in one run.

    python3 run.py bench transfer [--size-mib 256] [--chunk-sizes 16384,65536]
                                  [--loops uvloop,asyncio] [--repeat 3] [--dest folder]
                                  [--ceiling-acks | --ceiling-work]

For each (loop, chunk size) and each repeat, the raw ceiling (benchmarks.ceiling: aiortc
alone, same message size, same backpressure) and a Ferry transfer run back to back, each
between two fresh processes. Ferry's time runs from the sender's ``send()`` to the
receiver's verified, committed file; the ceiling's from its first send to its last byte.
The headline is Ferry/ceiling, the median of the per-repeat ratios, because this machine is
shared and absolute rates swing by 2x from minute to minute. MB = 10**6 bytes. Ferry SACKs
every second packet (``actors.sctp_acks``); ``--ceiling-acks`` gives the ceiling the same
policy, for a like-for-like ratio (``ferry bench`` runs both ceilings). ``--ceiling-work``
also has the ceiling's peers do the work a transfer into an encrypted store cannot skip
(read and SHA-256 the file; SHA-256, AES-256-GCM and write what arrives; see
``benchmarks.ceiling``), so the ratio is what Ferry's design costs beyond aiortc and that work.
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
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ferry.protocol.limits import CHUNK_FRAME_OVERHEAD, DEFAULT_MAX_MESSAGE_SIZE

from . import _procs
from .ceiling import DEFAULT_LOOP, run_ceiling

MIB = 1 << 20
LOOPBACK = ("127.0.0.1",)
DESTS = ("folder", "vault", "vault+previews")


@dataclass(frozen=True)
class FerryResult:
    """One Ferry transfer between two fresh processes (MB = 10**6 bytes)."""

    mb_per_s: float
    seconds: float
    sender_peak_rss_mb: float
    receiver_peak_rss_mb: float
    dest: str = "folder"
    size_bytes: int = 0
    chunk_size: int = 0
    """The chunk size the peers agreed on (the receiver saw it in the OFFER)."""
    sender_cpu_seconds: float = float("nan")
    """CPU time of the sending process (all threads) from ``send()`` to the last result."""
    receiver_cpu_seconds: float = float("nan")
    """CPU time of the receiving process from the offer to the committed file."""


def effective_chunk_size(requested: int) -> int:
    """The chunk size two Ferry peers on aiortc agree on when one asks for ``requested``.

    Both advertise aiortc's 256 KiB message limit, and a CHUNK frame needs room for its
    header, so 256 KiB asks get 256 KiB less ``CHUNK_FRAME_OVERHEAD``. The ceiling is run at
    this size, so both carry the same payload per message.
    """
    return min(requested, DEFAULT_MAX_MESSAGE_SIZE - CHUNK_FRAME_OVERHEAD)


def dest_order(dests: Sequence[str], run: int) -> list[str]:
    """Destinations in alternating order (ABBA) for repeat ``run`` (1-based).

    A run can leave the disk busy writing back for the next one, which would always
    penalise the same destination.
    """
    return list(dests) if run % 2 else list(dests)[::-1]


def _receiver_config(out: str, loop: str, dest: str) -> object:
    from ferry.actors.media import PreviewConfig
    from ferry.engine import EngineConfig

    common = {"accept_all": True, "ice_addresses": LOOPBACK, "loop": loop}
    if dest == "folder":
        return EngineConfig(output_dir=Path(out), **common)
    previews = PreviewConfig() if dest == "vault+previews" else None
    key = os.urandom(32)  # a throwaway vault; scrypt for a passphrase is not what we measure
    return EngineConfig(vault_dir=Path(out) / "vault", vault_key=key, previews=previews, **common)


def _receiver(
    conn: Connection, out: str, loop: str, dest: str, count: int
) -> tuple[float, list[int], float]:
    """Child process: receive ``count`` files; return when the last was stored, the chunk
    size of each offer, and the CPU time from the first offer to the last commit.

    With previews on, "stored" still means the transfers' completion: previews run after
    each commit, beside the transfers, and what is measured is whether they slow them.
    """
    from ferry.engine import Engine, TcpSignaling
    from ferry.engine.offers import IncomingOffer

    async def main() -> tuple[float, list[int], float]:
        async with Engine(_receiver_config(out, loop, dest)) as engine:  # type: ignore[arg-type]
            signaling = TcpSignaling("127.0.0.1", 0, listen=True)
            await signaling.bind()
            secret = os.urandom(32)  # the two processes pair with it (once per connection)
            conn.send((signaling.bound_port, secret))
            peer = await engine.listen(signaling, secret=secret)
            transfers: asyncio.Queue = asyncio.Queue()
            chunk_sizes: list[int] = []
            cpu: list[float] = []

            def on_offer(offer: IncomingOffer) -> None:
                if not chunk_sizes:
                    cpu.append(time.process_time())
                chunk_sizes.append(offer.offer.chunk_size)
                transfers.put_nowait(offer.transfer)

            peer.on_offer = on_offer
            for _ in range(count):
                await (await transfers.get())
            done, cpu_seconds = time.monotonic(), time.process_time() - cpu[0]
            await peer.wait_closed()
            return done, chunk_sizes, cpu_seconds

    return asyncio.run(main())


def _sender(
    conn: Connection, paths: list[str], chunk_size: int, loop: str
) -> tuple[float, list, float]:
    """Child process: send the files; return the monotonic start time, their SHA-256s and
    the CPU time the sending took."""
    from ferry.engine import Engine, EngineConfig, TcpSignaling

    async def main() -> tuple[float, list, float]:
        port, secret = conn.recv()
        config = EngineConfig(chunk_size=chunk_size, ice_addresses=LOOPBACK, loop=loop)
        async with Engine(config) as engine:
            signaling = TcpSignaling("127.0.0.1", port, listen=False)
            peer = await engine.connect(signaling, secret=secret)
            started, cpu = time.monotonic(), time.process_time()
            results = await asyncio.gather(*(peer.send(path) for path in paths))
            cpu = time.process_time() - cpu
            await peer.close()
            return started, [result.sha256 for result in results], cpu

    return asyncio.run(main())


def run_ferry(
    sources: list[Path],
    sha256s: list[str],
    chunk_size: int,
    loop: str,
    dest: str = "folder",
    work_dir: str | None = None,
) -> FerryResult:
    """Send ``sources`` from one fresh process to another, into ``dest`` (a folder or a
    vault in a temporary directory under ``work_dir``)."""
    size = sum(source.stat().st_size for source in sources)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-", dir=work_dir) as out:
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
        started, sent_shas, sender_cpu = sent.value
        if sent_shas != sha256s:
            raise RuntimeError("the files that arrived are not the files that were sent")
    done, chunk_sizes, receiver_cpu = received.value
    seconds = done - started
    return FerryResult(
        mb_per_s=size / seconds / 1e6,
        seconds=seconds,
        sender_peak_rss_mb=sent.peak_rss_mb,
        receiver_peak_rss_mb=received.peak_rss_mb,
        dest=dest,
        size_bytes=size,
        chunk_size=max(chunk_sizes, default=0),
        sender_cpu_seconds=sender_cpu,
        receiver_cpu_seconds=receiver_cpu,
    )


def make_random_file(folder: Path, size: int) -> tuple[Path, str]:
    """Write ``size`` random bytes (incompressible, like media) and return path and SHA-256."""
    path = folder / f"bench-{size // MIB}MiB.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for start in range(0, size, MIB):
            block = os.urandom(min(MIB, size - start))
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
    reference = parser.add_mutually_exclusive_group()
    reference.add_argument(
        "--ceiling-acks",
        action="store_true",
        help="the ceiling gets Ferry's delayed SACKs and socket buffers (like for like)",
    )
    reference.add_argument(
        "--ceiling-work",
        action="store_true",
        help="as --ceiling-acks, and the ceiling's peers read, hash, encrypt and write the bytes",
    )
    args = parser.parse_args(argv)
    chunk_sizes = [int(c) for c in args.chunk_sizes.split(",")]
    loops = args.loops.split(",")
    dests = args.dests.split(",")
    delayed_acks = args.ceiling_acks or args.ceiling_work
    tuning = "Ferry's transport tuning" if delayed_acks else "aiortc's own SACKs and buffers"
    work = "; its peers read, hash, encrypt and write the bytes" if args.ceiling_work else ""
    print(
        f"{args.size_mib} MiB per run, {args.repeat} repeats, MB = 10^6 bytes; "
        f"the ceiling has {tuning}{work}",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="ferry-bench-src-") as folder:
        source, sha256 = make_random_file(Path(folder), args.size_mib * MIB)
        for loop in loops:
            for chunk in chunk_sizes:
                ceilings = []
                results: dict[str, list[FerryResult]] = {dest: [] for dest in dests}
                for run in range(1, args.repeat + 1):
                    ceiling = run_ceiling(
                        args.size_mib,
                        effective_chunk_size(chunk),
                        loop,
                        delayed_acks=delayed_acks,
                        source=source if args.ceiling_work else None,
                    )
                    ceilings.append(ceiling)
                    line = f"run {run}/{args.repeat} {loop:8} {chunk // 1024:>4} KiB: "
                    line += f"ceiling {ceiling.mb_per_s:5.1f} MB/s"
                    for dest in dest_order(dests, run):
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
