"""Session fixtures for the preview tests: the real ffmpeg, and media generated on demand.

Videos are made with the same ffmpeg binary the previewer uses (lavfi ``color``/``testsrc``
sources), tiny and short so the whole suite stays fast, each only when a test first asks.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ferry.actors.media import find_ffmpeg

from .media import ffmpeg_encoders, ffmpeg_processes, image_bytes, server_threads

SIZE = "160x120"
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
VP8 = ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"]
VP9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"]

#: The solid colour of each single-colour test video.
COLOURS = {
    "mp4": (40, 120, 200),
    "mp4-moov-at-end": (200, 60, 40),
    "webm-vp8": (60, 180, 90),
    "webm-vp9": (220, 200, 40),
    "mov": (120, 40, 160),
    "avi": (30, 160, 170),
    "mpegts": (80, 96, 112),
    "flv": (150, 110, 50),
    "mpeg-ps": (100, 200, 220),
    "asf": (190, 90, 140),
}


def _colour(name: str, duration: float = 2, size: str = SIZE, rate: int = 10) -> list[str]:
    red, green, blue = COLOURS[name]
    source = f"color=c=0x{red:02x}{green:02x}{blue:02x}:s={size}:r={rate}:d={duration}"
    return ["-f", "lavfi", "-i", source]


def _timeline(parts: list[tuple[str, float]], size: str = "64x48", rate: int = 10) -> list[str]:
    """Solid colours one after another: [("red", 0.1), ("lime", 0.4), ...]."""
    args: list[str] = []
    for colour, duration in parts:
        args += ["-f", "lavfi", "-i", f"color=c={colour}:s={size}:r={rate}:d={duration}"]
    joined = "".join(f"[{i}:v]" for i in range(len(parts)))
    return [*args, "-filter_complex", f"{joined}concat=n={len(parts)}:v=1:a=0"]


#: name -> (file name, ffmpeg arguments before the output)
VIDEOS: dict[str, tuple[str, list[str]]] = {
    "mp4": ("faststart.mp4", [*_colour("mp4"), *H264, "-movflags", "+faststart"]),
    # Noise makes it big enough (~230 KB) that ffmpeg seeks to the index at the end rather
    # than read its way there.
    "mp4-moov-at-end": (
        "moov-at-end.mp4",
        [*_colour("mp4-moov-at-end", duration=4), "-vf", "noise=alls=12:allf=t+u", *H264],
    ),
    "webm-vp8": ("vp8.webm", [*_colour("webm-vp8"), *VP8]),
    "webm-vp9": ("vp9.webm", [*_colour("webm-vp9"), *VP9]),
    "mov": ("clip.mov", [*_colour("mov"), *H264]),
    "avi": ("clip.avi", [*_colour("avi"), "-c:v", "mpeg4", "-q:v", "2"]),
    "mpegts": ("clip.ts", [*_colour("mpegts"), *H264, "-f", "mpegts"]),
    "flv": ("clip.flv", [*_colour("flv"), "-c:v", "flv", "-q:v", "2"]),
    "mpeg-ps": ("clip.mpg", [*_colour("mpeg-ps"), "-c:v", "mpeg2video", "-q:v", "2", "-f", "mpeg"]),
    "asf": ("clip.wmv", [*_colour("asf"), "-c:v", "wmv2", "-q:v", "2"]),
    "wide": ("wide.mp4", ["-f", "lavfi", "-i", "testsrc=s=320x180:r=10:d=2", *H264]),
    # 160x120 stored, pixels twice as wide as tall: shown as 320x120.
    "anamorphic": ("anamorphic.mp4", [*_colour("mp4"), "-vf", "setsar=2", *H264]),
    # 2 s: red at 0 s, green from 0.1 s, blue from 0.5 s; 10 % in (0.2 s) is green.
    "timeline-short": (
        "timeline-short.mp4",
        [*_timeline([("red", 0.1), ("lime", 0.4), ("blue", 1.5)]), *H264, "-g", "5"],
    ),
    # 30 s: red until 0.5 s, green until 2 s, then blue; 1 s in is green, 10 % (3 s) blue.
    "timeline-long": (
        "timeline-long.mp4",
        [*_timeline([("red", 0.5), ("lime", 1.5), ("blue", 28)], rate=5), *H264, "-g", "5"],
    ),
    "audio-only": ("audio.mka", ["-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "libopus"]),
}
#: Videos written to a pipe, so the container records no duration (ffmpeg says N/A).
PIPED = {"no-duration": ("no-duration.webm", [*_colour("webm-vp8", duration=0.5), *VP8])}


class Videos:
    """Makes each named video once per session, when first asked for."""

    def __init__(self, ffmpeg: str, directory: Path) -> None:
        self.ffmpeg = ffmpeg
        self.directory = directory
        self._encoders = ffmpeg_encoders(ffmpeg)

    def path(self, name: str) -> Path:
        file_name, args = VIDEOS[name] if name in VIDEOS else PIPED[name]
        for encoder in ("libvpx", "libvpx-vp9", "libx264", "libopus"):
            if encoder in args and f" {encoder} " not in self._encoders:
                pytest.skip(f"this ffmpeg has no {encoder} encoder")
        target = self.directory / file_name
        if not target.exists():
            command = [self.ffmpeg, "-nostdin", "-hide_banner", "-v", "error", *args]
            if name in PIPED:
                with open(target, "wb") as out:
                    subprocess.run([*command, "-f", "webm", "pipe:1"], stdout=out, check=True)
            else:
                subprocess.run([*command, "-y", str(target)], check=True)
        return target

    def data(self, name: str) -> bytes:
        return self.path(name).read_bytes()


@pytest.fixture(scope="session")
def ffmpeg_exe() -> str:
    return find_ffmpeg()


@pytest.fixture(scope="session")
def videos(ffmpeg_exe: str, tmp_path_factory: pytest.TempPathFactory) -> Videos:
    return Videos(ffmpeg_exe, tmp_path_factory.mktemp("videos"))


@pytest.fixture(scope="session")
def large_jpeg() -> bytes:
    """6000 x 4000, solid (10, 200, 120) with a white 600x400 block at the top left."""
    image = Image.new("RGB", (6000, 4000), (10, 200, 120))
    image.paste((255, 255, 255), (0, 0, 600, 400))
    return image_bytes(image, "JPEG", quality=90)


@pytest.fixture
def no_leftovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every temporary-file location at an empty directory; after the test, it must
    still be empty, no ffmpeg may be left running and no preview HTTP server thread open."""
    scratch = tmp_path / "scratch-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    assert ffmpeg_processes() == []
    assert server_threads() == []
    assert list(scratch.iterdir()) == []
