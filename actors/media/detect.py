"""What a file is, judged by its first bytes: the peer's name and mime type are untrusted.

Images are recognised by Pillow's own format checks (the ``accept`` functions its plugins
register), limited to the formats Ferry previews, so only those plugins ever parse peer
data. Video containers have no such registry, so a small table of magic numbers names the
ffmpeg demuxer to use; the demuxer is then forced and whitelisted, so ffmpeg never probes
the bytes into some other format.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

# Importing a plugin registers it in Image.OPEN; importing only these keeps every other
# Pillow plugin (EPS, which runs Ghostscript, among them) away from peer data.
from PIL import (
    BmpImagePlugin,  # noqa: F401
    GifImagePlugin,  # noqa: F401
    Image,
    JpegImagePlugin,  # noqa: F401
    PngImagePlugin,  # noqa: F401
    TiffImagePlugin,  # noqa: F401
    WebPImagePlugin,  # noqa: F401
)

#: How many leading bytes :func:`detect_media` wants (MPEG-TS needs three 188-byte packets).
HEAD_SIZE = 1024

#: Pillow format names Ferry makes thumbnails of.
IMAGE_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
#: ffmpeg demuxers :func:`detect_media` may name (and the only ones ffmpeg is allowed).
VIDEO_DEMUXERS = frozenset({"mov", "matroska", "avi", "asf", "flv", "mpeg", "mpegts"})

# ISO BMFF major brands that are stills or audio, not video (HEIF/AVIF/JPEG XL/Canon raw,
# and iTunes audio): ffmpeg would find no picture track, so call them unsupported up front.
_NOT_VIDEO_BRANDS = frozenset(
    {
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
        b"mif1", b"mif2", b"msf1", b"avif", b"avis", b"jxl ", b"crx ",
        b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ",
    }
)  # fmt: skip
# Old QuickTime files may start with one of these atoms instead of ftyp.
_QUICKTIME_FIRST_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


class Category(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaKind:
    """A detected file type: ``format`` is the Pillow format or the ffmpeg demuxer name."""

    category: Category
    format: str

    @property
    def is_image(self) -> bool:
        return self.category is Category.IMAGE

    @property
    def is_video(self) -> bool:
        return self.category is Category.VIDEO


def detect_media(head: bytes) -> MediaKind | None:
    """Classify a file by its first bytes (ideally :data:`HEAD_SIZE` of them).

    Returns None for anything Ferry does not preview. A match only means "worth trying":
    the decoder still rejects a file whose header lies.
    """
    image = _image_format(head)
    if image is not None:
        return MediaKind(Category.IMAGE, image)
    video = _video_demuxer(head)
    if video is not None:
        return MediaKind(Category.VIDEO, video)
    return None


def read_head(source: BinaryIO, size: int = HEAD_SIZE) -> bytes:
    """Read up to ``size`` bytes from the current position; raw streams may return short."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _image_format(head: bytes) -> str | None:
    prefix = head[:16]  # what Image.open hands to the accept functions
    for name in IMAGE_FORMATS:
        accept: Callable[[bytes], bool | str] | None = Image.OPEN[name][1]
        if accept is None:
            continue
        result = accept(prefix)
        # A str result means "this format, but its codec is missing": not previewable.
        if result and not isinstance(result, str):
            return name
    return None


def _video_demuxer(head: bytes) -> str | None:
    box_type = head[4:8]
    if box_type == b"ftyp":
        return None if head[8:12] in _NOT_VIDEO_BRANDS else "mov"
    if box_type in _QUICKTIME_FIRST_ATOMS:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska and WebM
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):  # ASF: WMV
        return "asf"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x00\x00\x01\xba"):  # MPEG program stream
        return "mpeg"
    if _is_transport_stream(head, 188, 0) or _is_transport_stream(head, 192, 4):
        return "mpegts"
    return None


def _is_transport_stream(head: bytes, packet: int, offset: int) -> bool:
    """Three sync bytes one packet apart (192-byte packets are Blu-ray's M2TS)."""
    positions = [offset + i * packet for i in range(3)]
    return len(head) > positions[-1] and all(head[p] == 0x47 for p in positions)
