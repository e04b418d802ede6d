"""A receiving engine in its own process, for tests that need a second real process.

    python -m tests.integration.peer_process PORT OUT [--write-delay S] [--window BYTES]

Prints ``listening`` once its signaling port is bound, receives one peer's files, then
prints one JSON line: peak RSS before the first byte and at the end, and the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
from pathlib import Path

from ferry.engine import Engine, EngineConfig, FerryError, TcpSignaling

from .helpers import SECRET


async def main(args: argparse.Namespace) -> None:
    config = EngineConfig(
        output_dir=args.out,
        accept_all=True,
        ice_addresses=("127.0.0.1",),
        write_delay=args.write_delay,
        window=args.window,
    )
    results: list[dict[str, object]] = []
    async with Engine(config) as engine:
        signaling = TcpSignaling("127.0.0.1", args.port, listen=True)
        await signaling.bind()
        print("listening", flush=True)
        peer = await engine.listen(signaling, secret=SECRET)
        # Peak RSS so far, not current RSS: the kernel may page out cold memory at any
        # time (DAMON reclaim runs on these machines), which would make a current-RSS
        # baseline too low. Peak against peak only rises if memory really grows.
        baseline = _peak_rss()
        transfers = []
        peer.on_offer = lambda offer: transfers.append(offer.transfer)
        await peer.wait_closed()
        for transfer in transfers:
            try:
                result = await transfer
                results.append({"name": result.name, "sha256": result.sha256})
            except FerryError as exc:
                results.append({"name": transfer.name, "error": exc.message})
    print(json.dumps({"baseline_rss": baseline, "peak_rss": _peak_rss(), "results": results}))


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--write-delay", type=float, default=0.0)
    parser.add_argument("--window", type=int, default=4 << 20)
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
