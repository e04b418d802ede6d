"""CHUNK framing cost against SHA-256 of the same bytes, measured in the same run.

    python3 run.py bench codec [--seconds 1.0] [--sizes 16384,65536,262144]

For each chunk size: encode and decode rates (frames/s, MB/s), SHA-256 of the payload, a
plain copy of the payload (the floor any framing that builds one message must pay: aiortc's
``send`` takes only ``bytes``, so header and payload must be joined), and the headline ratio
(encode + decode time) / SHA-256 time, with and without that one copy. Decoding a CHUNK
copies nothing (its data is a view of the message). MB is 10**6 bytes. Each figure is the
fastest of five timed rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from ferry.protocol.codec import decode, encode
from ferry.protocol.frames import Chunk


@dataclass(frozen=True)
class CodecTimings:
    """Seconds per call of each operation on one chunk, one entry per timed round."""

    size: int
    encode: tuple[float, ...]
    decode: tuple[float, ...]
    sha256: tuple[float, ...]
    copy: tuple[float, ...]

    def fastest(self) -> dict[str, float]:
        """The fastest round of each operation: on a shared machine the others measure the
        neighbours too (medians here swung by 2x between runs), as timeit advises."""
        return {name: min(getattr(self, name)) for name in ("encode", "decode", "sha256", "copy")}


def _seconds_per_call(function: Callable[[], object], budget: float) -> tuple[float, ...]:
    calls = 1
    while True:  # find a batch that takes about a tenth of the budget
        start = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - start
        if elapsed > budget / 10:
            break
        calls *= 2
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        rounds.append((time.perf_counter() - start) / calls)
    return tuple(rounds)


def measure(size: int, budget: float) -> CodecTimings:
    """Time encode, decode, SHA-256 and a plain copy of one ``size``-byte CHUNK."""
    payload = os.urandom(size)
    frame = Chunk(os.urandom(16), 123_456_789, payload)
    message = encode(frame)
    view = memoryview(message)
    return CodecTimings(
        size=size,
        encode=_seconds_per_call(lambda: encode(frame), budget),
        decode=_seconds_per_call(lambda: decode(message, max_message_size=len(message)), budget),
        sha256=_seconds_per_call(lambda: hashlib.sha256(payload).digest(), budget),
        copy=_seconds_per_call(lambda: view[-size:].tobytes(), budget),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per figure")
    parser.add_argument("--sizes", default="16384,65536,262144")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"python {sys.version.split()[0]}, MB = 10^6 bytes, fastest of 5 rounds")
    header = (
        f"{'chunk':>7} {'encode/s':>10} {'enc MB/s':>9} {'decode/s':>10} {'dec MB/s':>9} "
        f"{'sha MB/s':>9} {'copy us':>8} {'framing/sha':>12} {'(minus the copy)':>17}"
    )
    print(header)
    for size in sizes:
        t = measure(size, args.seconds).fastest()
        ratio = (t["encode"] + t["decode"]) / t["sha256"]
        beyond_copies = (t["encode"] + t["decode"] - t["copy"]) / t["sha256"]
        print(
            f"{size // 1024:>5}Ki {1 / t['encode']:>10,.0f} {size / t['encode'] / 1e6:>9,.0f} "
            f"{1 / t['decode']:>10,.0f} {size / t['decode'] / 1e6:>9,.0f} "
            f"{size / t['sha256'] / 1e6:>9,.0f} {t['copy'] * 1e6:>8.2f} "
            f"{ratio:>11.1%} {beyond_copies:>16.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
