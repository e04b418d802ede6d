"""``ferry demo``: a real transfer between two processes on this machine, into a vault.

A receiver runs as a child process (``ferry receive --vault --once`` on 127.0.0.1, port
chosen by the system); this process sends it a generated 64 MiB file (or a path given), a
generated image and a generated two-second video. Both keep ICE on 127.0.0.1, so nothing
leaves the machine. The receiver stores everything encrypted and makes thumbnails; the
demo then checks every file against its source and exports the thumbnails so you can look.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ferry.actors.storage.vault import Vault
from ferry.errors import FerryError
from ferry.protocol.pairing import parse_code

from ..digest import sha256_file
from ..sizes import parse_size
from .output import EXIT_FAILED, EXIT_OK
from .send import send_files

LOOPBACK = "127.0.0.1"
PASSPHRASE = "ferry-demo"  # a demo vault only: real vaults get a real passphrase


def _generate(path: Path, size: int) -> None:
    """Random content, written a megabyte at a time (never held whole)."""
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 1 << 20))
            out.write(block)
            remaining -= len(block)


def _generate_image(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.radial_gradient("L").resize((1200, 800)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 400, 300), fill=(220, 40, 40))
    draw.ellipse((700, 300, 1100, 700), fill=(40, 90, 220))
    image.save(path, "PNG")


def _generate_video(path: Path) -> None:
    from ferry.actors.media import find_ffmpeg

    subprocess.run(
        [find_ffmpeg(), "-v", "error", "-f", "lavfi",
         "-i", "testsrc=duration=2:size=320x240:rate=25",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", "-y", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _start_receiver(vault: Path) -> tuple[subprocess.Popen[str], str, str]:
    """The receiver process, its address, and the code it printed."""
    receiver = subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", "receive", "--listen", f"{LOOPBACK}:0",
         "--vault", str(vault), "--once", "--ice-address", LOOPBACK],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FERRY_PASSPHRASE": PASSPHRASE},
    )  # fmt: skip
    assert receiver.stdout is not None
    line = receiver.stdout.readline().strip()  # "listening on 127.0.0.1:PORT"
    code = receiver.stdout.readline().strip()  # "code: 7-crossover-clockwork"
    if not line.startswith("listening on ") or not code.startswith("code: "):
        receiver.kill()
        raise FerryError(f"the receiver did not start: {line or 'no output'}")
    return receiver, line.removeprefix("listening on "), code.removeprefix("code: ")


def add_demo_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = commands.add_parser("demo", help="a real transfer between two processes, locally")
    demo.add_argument("path", nargs="?", type=Path, help="file to send (default: generated)")
    demo.add_argument("--size", default="64m", help="size of the generated file (default 64m)")
    demo.add_argument("--chunk-size", default="16k")
    demo.add_argument(
        "--lab",
        action="store_true",
        help="between two homes behind NATs, in network namespaces (needs root and coturn)",
    )


def run_demo(args: argparse.Namespace) -> int:
    if args.lab:
        from .demo_lab import run_lab_demo

        return run_lab_demo(args)
    workdir = Path(tempfile.mkdtemp(prefix="ferry-demo-"))
    sources = workdir / "to-send"
    sources.mkdir()
    vault_dir = workdir / "vault"
    if args.path is not None:
        if not args.path.is_file():
            raise FerryError(f"{args.path}: not a file", code="config")
        main_file = args.path
    else:
        main_file = sources / "random.bin"
        size = parse_size(args.size)
        print(f"generating {size / 2**20:.0f} MiB of random data, an image and a video")
        _generate(main_file, size)
    _generate_image(sources / "picture.png")
    _generate_video(sources / "clip.mp4")
    files = [main_file, sources / "picture.png", sources / "clip.mp4"]

    receiver, address, code = _start_receiver(vault_dir)
    print(f"receiver: process {receiver.pid} on {address}; sender: process {os.getpid()}")
    print(f"code:     {code} (the receiver made it; the sender pairs with it, SPAKE2)")
    started = time.monotonic()
    try:
        sending = send_files(
            files, connect=address, code=parse_code(code), chunk_size=parse_size(args.chunk_size),
            ice_addresses=(LOOPBACK,), timeout=30.0,
        )  # fmt: skip
        status = asyncio.run(sending)
    finally:
        try:
            receiver_output, _ = receiver.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            receiver.kill()
            receiver_output, _ = receiver.communicate()
    seconds = time.monotonic() - started
    for line in receiver_output.splitlines():
        print(f"receiver: {line}")
    if status != EXIT_OK or receiver.returncode != 0:
        print("ferry: error: the demo transfer failed", file=sys.stderr)
        return EXIT_FAILED
    return _check_and_show(files, vault_dir, workdir, seconds, main_file, args.path is None)


def _check_and_show(
    files: list[Path], vault_dir: Path, workdir: Path, seconds: float, main: Path, generated: bool
) -> int:
    with Vault.open(vault_dir, passphrase=PASSPHRASE, create=False) as vault:
        stored = {record.name: record for record in vault.list()}
        previews = []
        for path in files:
            record = stored.get(path.name)
            if record is None or record.sha256 != sha256_file(path):
                print(f"ferry: error: {path.name} is missing or differs", file=sys.stderr)
                return EXIT_FAILED
            if record.preview_id:
                target = workdir / f"preview-of-{path.stem}.jpg"
                vault.export_preview(record.id, target, overwrite=True)
                previews.append(target)
    size = main.stat().st_size
    if generated:
        main.unlink()  # the big random file has served its purpose
    print(
        f"\ndemo: {size:,} bytes between two processes over WebRTC on {LOOPBACK} in "
        f"{seconds:.2f}s including set-up ({size / seconds / 1e6:.1f} MB/s);\n"
        f"      every file stored encrypted and its SHA-256 verified on both sides."
    )
    print(f"vault:    {vault_dir} (passphrase: {PASSPHRASE})")
    for preview in previews:
        print(f"preview:  {preview}")
    print(f"look:     FERRY_PASSPHRASE={PASSPHRASE} ferry vault list --vault {vault_dir}")
    print(f"clean up: rm -r {workdir}")
    return EXIT_OK
