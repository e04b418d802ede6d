"""Resuming a large transfer: how long from reconnect to the first new byte, and how much
is sent again.

    python3 run.py bench resume [--size-mib 1024] [--at 0.5] [--dest folder|vault]

A real ``ferry receive`` process is SIGKILLed when the sender has sent ``--at`` of the file,
then started again on the same port; the sender's engine (this process) reconnects by itself
and resumes. Reported: where it resumed, the bytes sent twice, and the time from the
reconnection to the first progress report past the resumed offset (progress comes every
MiB, so this includes sending about 1 MiB; both peers first re-hash the prefix they already
have: the receiver before it accepts, the sender before it sends).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .transfer import make_random_file

MIB = 1 << 20
LOOPBACK = ("127.0.0.1",)


PASSPHRASE = "ferry resume benchmark"  # a throwaway vault


def _receiver(out: Path, port: int, dest: str) -> subprocess.Popen[str]:
    where = (
        ["--vault", str(out / "vault"), "--no-previews"] if dest == "vault" else ["--out", str(out)]
    )
    # --trust-new: the receiver started again after the kill lets the sender pair again
    # by identity (its code is single use, and a new process has not seen it).
    where.append("--trust-new")
    process = subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", "receive", "--listen", f"127.0.0.1:{port}",
         *where, "--ice-address", "127.0.0.1"],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_PASSPHRASE": PASSPHRASE,
             "FERRY_CONFIG_DIR": str(out.parent / "receiver-config")},
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.readline()  # "listening on ..."
    process.code = process.stdout.readline().removeprefix("code: ").strip()  # type: ignore[attr-defined]
    return process


async def measure(source: Path, out: Path, port: int, at: float, dest: str) -> dict[str, float]:
    from ferry.engine import Engine, EngineConfig, TcpSignaling
    from ferry.engine.peer import Reconnected

    size = source.stat().st_size
    reconnected_at: list[float] = []
    processes = [_receiver(out, port, dest)]
    try:
        config = EngineConfig(
            ice_addresses=LOOPBACK, reconnect_attempts=12, reconnect_delay=0.05,
            config_dir=out.parent / "sender-config",
        )  # fmt: skip
        async with Engine(config) as engine:
            peer = await engine.connect(
                lambda: TcpSignaling("127.0.0.1", port, listen=False), code=processes[0].code
            )
            while not processes[0].stdout.readline().startswith("trusted: "):  # type: ignore[union-attr]
                pass  # kept as trusted: the receiver started again will let it pair
            peer.add_listener(
                lambda event: (
                    isinstance(event, Reconnected) and reconnected_at.append(time.monotonic())
                )
            )
            transfer = peer.send(source)
            while transfer.progress.done < at * size:
                await asyncio.sleep(0.01)
            sent_before = transfer.progress.done
            processes[0].send_signal(signal.SIGKILL)
            processes[0].wait()
            processes.append(_receiver(out, port, dest))
            first_new: list[float] = []

            def on_item(item: object) -> None:
                done = getattr(item, "done", None)
                resumed = transfer.resumed_from
                if not first_new and done is not None and resumed and done > resumed:
                    first_new.append(time.monotonic())

            transfer.add_listener(on_item)
            result = await transfer
            await peer.close()
    finally:
        for process in processes:
            process.kill()
            process.communicate()
    assert reconnected_at and first_new
    return {
        "size": size,
        "sent_before_kill": sent_before,
        "resumed_from": result.resumed_from,
        "resend": sent_before - result.resumed_from,
        "seconds_to_first_new_byte": first_new[0] - reconnected_at[0],
    }


def _stored_size(out: Path, name: str, dest: str) -> int:
    if dest == "folder":
        return os.path.getsize(out / name)
    from ferry.actors.storage.vault import Vault

    with Vault.open(out / "vault", passphrase=PASSPHRASE, create=False) as vault:
        (stored,) = vault.list()
        return stored.size if vault.verify(stored.id).ok else -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--at", type=float, default=0.5)
    parser.add_argument("--dest", choices=["folder", "vault"], default="folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-resume-") as folder:
        source, _ = make_random_file(Path(folder), args.size_mib * MIB)
        out = Path(folder) / "out"
        out.mkdir()
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        figures = asyncio.run(measure(source, out, port, args.at, args.dest))
        ok = _stored_size(out, source.name, args.dest) == figures["size"]
    mib = MIB
    print(
        f"{args.size_mib} MiB into a {args.dest}, receiver killed at "
        f"{figures['sent_before_kill'] / mib:.0f} MiB sent:"
        f" resumed at {figures['resumed_from'] / mib:.1f} MiB, "
        f"{figures['resend'] / mib:.1f} MiB sent twice "
        f"({figures['resend'] / figures['size']:.1%} of the file); "
        f"{figures['seconds_to_first_new_byte']:.2f} s from reconnect to the first new byte; "
        f"file complete: {ok}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
