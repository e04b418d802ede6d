"""Helpers for the preview tests: real media made on the spot, and leak checks."""

from __future__ import annotations

import io
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import psutil
from PIL import Image, ImageStat

from ferry.actors.media import Thumbnail
from ferry.actors.media.serve import THREAD_PREFIX

JPEG_MAGIC = b"\xff\xd8\xff"


def image_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decoded(thumbnail: Thumbnail) -> Image.Image:
    """The thumbnail as Pillow reads it back (checks it is a real image)."""
    image = Image.open(io.BytesIO(thumbnail.data))
    image.load()
    assert image.size == (thumbnail.width, thumbnail.height)
    return image


def mean_colour(thumbnail: Thumbnail) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(decoded(thumbnail).convert("RGB")).mean)


def assert_colour(thumbnail: Thumbnail, expected: tuple[int, ...], tolerance: float = 10) -> None:
    mean = mean_colour(thumbnail)
    assert all(abs(m - e) <= tolerance for m, e in zip(mean, expected, strict=True)), (
        f"mean colour {mean} is not close to {expected}"
    )


def assert_jpeg(thumbnail: Thumbnail, max_size: tuple[int, int] = (300, 300)) -> None:
    assert thumbnail.mime == "image/jpeg"
    assert thumbnail.data.startswith(JPEG_MAGIC)
    image = decoded(thumbnail)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert 0 < thumbnail.width <= max_size[0]
    assert 0 < thumbnail.height <= max_size[1]


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width`` x ``height`` and holds (almost) no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def gif_header_only(width: int, height: int) -> bytes:
    """A GIF whose logical screen is ``width`` x ``height``, with one 1x1 frame."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0, 0, 0)
        + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def ffmpeg_processes() -> list[psutil.Process]:
    """Descendants of this test process that are (or are about to exec) ffmpeg."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            described = child.name() + " " + " ".join(child.cmdline())
        except psutil.ZombieProcess:
            described = child.name()
        except psutil.NoSuchProcess:
            continue
        if "ffmpeg" in described:
            found.append(child)
    return found


def server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


def top_level_boxes(path: Path) -> list[bytes]:
    """The ISO BMFF top-level box types of ``path``, in file order."""
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


def ffmpeg_encoders(ffmpeg: str) -> str:
    return subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True
    ).stdout


class StallingStream(io.RawIOBase):
    """A seekable stream that serves ``data`` up to ``stall_at`` and then blocks every read
    until :meth:`release` (as a stuck disk or network share would)."""

    def __init__(self, data: bytes, stall_at: int) -> None:
        super().__init__()
        self._data = data
        self._stall_at = stall_at
        self._pos = 0
        self._released = threading.Event()
        self.stalled = threading.Event()

    def release(self) -> None:
        self._released.set()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._data)}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self._stall_at:
            self.stalled.set()
            self._released.wait(60)  # bounded, so a broken test cannot hang the suite
        chunk = self._data[self._pos : self._pos + len(buffer)]
        if self._pos < self._stall_at:
            chunk = chunk[: self._stall_at - self._pos]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def close(self) -> None:
        self.release()
        super().close()
