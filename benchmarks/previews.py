"""Do previews slow transfers? The same media set into a vault, previews off and on.

    python3 run.py bench previews [--photos 12] [--videos 4] [--repeat 3]

Generates photos (large JPEGs, the kind a phone makes) and H.264 videos, then sends them
all from one fresh process to another, into a vault with previews off and with previews
on, alternating, in the same run. Previews run after each file's commit, so the headline
is rate(previews on) / rate(previews off), the median of the per-repeat pairs; the target
is at least 0.95. MB = 10**6 bytes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ferry.engine.digest import sha256_file

from .transfer import run_ferry


def _photo(path: Path, seed: int) -> None:
    from PIL import Image, ImageFilter

    # Blurred noise compresses like a photo (a few MB at 12 megapixels), unlike flat colour.
    noise = Image.effect_noise((1000, 750), 60 + seed % 40).filter(ImageFilter.GaussianBlur(2))
    image = Image.merge("RGB", (noise, noise.rotate(90, expand=False), noise.transpose(0)))
    image.resize((4000, 3000)).save(path, "JPEG", quality=92)


def _video(path: Path, seed: int) -> None:
    from ferry.actors.media import find_ffmpeg

    subprocess.run(
        [find_ffmpeg(), "-v", "error", "-f", "lavfi",
         "-i", f"testsrc2=duration=6:size=1280x720:rate=30,noise=alls={20 + seed}:allf=t",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-y", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=16384)
    parser.add_argument("--loop", default="uvloop")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-media-") as folder:
        media = []
        for i in range(args.photos):
            media.append(Path(folder) / f"photo-{i:02}.jpg")
            _photo(media[-1], i)
        for i in range(args.videos):
            media.append(Path(folder) / f"video-{i:02}.mp4")
            _video(media[-1], i)
        shas = [sha256_file(path).hex() for path in media]
        total = sum(path.stat().st_size for path in media)
        print(
            f"{args.photos} photos and {args.videos} videos, {total / 1e6:.1f} MB in all; "
            f"{args.repeat} repeats, MB = 10^6 bytes",
            flush=True,
        )
        ratios = []
        for run in range(1, args.repeat + 1):
            # Alternate which goes first, so neither always inherits the other's disk work.
            order = ["vault", "vault+previews"] if run % 2 else ["vault+previews", "vault"]
            measured = {
                dest: run_ferry(media, shas, args.chunk_size, args.loop, dest) for dest in order
            }
            off, on = measured["vault"], measured["vault+previews"]
            ratios.append(on.mb_per_s / off.mb_per_s)
            print(
                f"run {run}/{args.repeat}: previews off {off.mb_per_s:5.1f} MB/s, "
                f"on {on.mb_per_s:5.1f} MB/s, on/off {ratios[-1]:.2f}; receiver peak RSS "
                f"{off.receiver_peak_rss_mb:.0f} / {on.receiver_peak_rss_mb:.0f} MB",
                flush=True,
            )
    print(
        f"\npreviews on / off: {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
