"""``ferry demo``: a real transfer between two processes on this machine.

A receiver runs as a child process (``ferry receive --once`` on 127.0.0.1, port chosen by
the system); this process sends to it. Both keep ICE on 127.0.0.1, so nothing leaves the
machine. The received file is checked against the source and the figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from protocol.errors import FerryError

from .config import parse_size

LOOPBACK = "127.0.0.1"


def _generate(path: Path, size: int) -> None:
    """Random content, written a megabyte at a time (never held whole)."""
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 1 << 20))
            out.write(block)
            remaining -= len(block)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _start_receiver(out: Path) -> tuple[subprocess.Popen[str], str]:
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "receive",
            "--listen",
            f"{LOOPBACK}:0",
            "--out",
            str(out),
            "--once",
            "--ice-address",
            LOOPBACK,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert receiver.stdout is not None
    line = receiver.stdout.readline().strip()  # "listening on 127.0.0.1:PORT"
    if not line.startswith("listening on "):
        receiver.kill()
        raise FerryError(f"the receiver did not start: {line or 'no output'}")
    return receiver, line.removeprefix("listening on ")


def run_demo(args: argparse.Namespace) -> int:
    from .cli import EXIT_FAILED, EXIT_OK, send

    with tempfile.TemporaryDirectory(prefix="ferry-demo-") as tmp:
        workdir = Path(tmp)
        out = workdir / "received"
        out.mkdir()
        if args.path is not None:
            source = args.path
            if not source.is_file():
                raise FerryError(f"{source}: not a file", code="config")
        else:
            source = workdir / "demo.bin"
            size = parse_size(args.size)
            print(f"generating {size / 2**20:.0f} MiB of random data in {source}")
            _generate(source, size)
        receiver, address = _start_receiver(out)
        print(
            f"receiver: process {receiver.pid} listening on {address}; "
            f"sender: process {os.getpid()}"
        )
        started = time.monotonic()
        try:
            send_args = argparse.Namespace(
                paths=[source],
                connect=address,
                chunk_size=args.chunk_size,
                ice_address=[LOOPBACK],
                timeout=30.0,
            )
            status = asyncio.run(send(send_args))
        finally:
            try:
                receiver_output, _ = receiver.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                receiver.kill()
                receiver_output, _ = receiver.communicate()
        seconds = time.monotonic() - started
        for line in receiver_output.splitlines():
            print(f"receiver: {line}")
        received = out / source.name
        if status != EXIT_OK or receiver.returncode != 0 or not received.is_file():
            print("ferry: error: the demo transfer failed", file=sys.stderr)
            return EXIT_FAILED
        expected, actual = _sha256(source), _sha256(received)
        if expected != actual:
            print(f"ferry: error: SHA-256 mismatch {expected} != {actual}", file=sys.stderr)
            return EXIT_FAILED
        size = received.stat().st_size
        print(
            f"demo: {size:,} bytes between two processes over WebRTC on {LOOPBACK} in "
            f"{seconds:.2f}s including set-up ({size / seconds / 1e6:.1f} MB/s); "
            f"SHA-256 verified on both sides: {actual}"
        )
        return EXIT_OK
