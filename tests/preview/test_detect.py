"""Content detection: by magic bytes, never by name."""

from __future__ import annotations

import pytest
from PIL import Image

from ferry.actors.media import IMAGE_FORMATS, Category, MediaKind, detect_media
from ferry.actors.media.detect import HEAD_SIZE, VIDEO_DEMUXERS

from .conftest import Videos
from .media import image_bytes


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_every_image_format_is_recognised_by_pillows_own_checks(fmt: str) -> None:
    data = image_bytes(Image.new("RGB", (8, 8), (1, 2, 3)), fmt)
    assert detect_media(data[:HEAD_SIZE]) == MediaKind(Category.IMAGE, fmt)


@pytest.mark.parametrize(
    ("name", "demuxer"),
    [
        ("mp4", "mov"),
        ("mp4-moov-at-end", "mov"),
        ("mov", "mov"),
        ("webm-vp8", "matroska"),
        ("webm-vp9", "matroska"),
        ("avi", "avi"),
        ("mpegts", "mpegts"),
        ("flv", "flv"),
        ("mpeg-ps", "mpeg"),
        ("asf", "asf"),
        ("audio-only", "matroska"),  # a Matroska container; ffmpeg finds no video later
    ],
)
def test_video_containers_name_the_demuxer(videos: Videos, name: str, demuxer: str) -> None:
    kind = detect_media(videos.data(name)[:HEAD_SIZE])
    assert kind == MediaKind(Category.VIDEO, demuxer)
    assert kind.is_video and not kind.is_image


@pytest.mark.parametrize(
    ("head", "demuxer"),
    [
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "mov"),  # QuickTime without ftyp
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa", "asf"),
        (b"FLV\x01\x05\x00\x00\x00\x09", "flv"),
        (b"\x00\x00\x01\xba\x44\x00\x04\x00", "mpeg"),
        ((b"\x47" + bytes(187)) * 3, "mpegts"),
        ((bytes(4) + b"\x47" + bytes(187)) * 3, "mpegts"),  # M2TS, 192-byte packets
    ],
)
def test_video_magic_table(head: bytes, demuxer: str) -> None:
    assert detect_media(head) == MediaKind(Category.VIDEO, demuxer)
    assert demuxer in VIDEO_DEMUXERS  # the set video_thumbnail lets ffmpeg use


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello, this is a text file that a peer named holiday.mp4\n",
        b"%PDF-1.7\n",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",  # HEIF still image
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00",  # AVIF still image
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",  # iTunes audio
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # audio in RIFF
        b"OggS\x00\x02",
    ],
)
def test_other_content_is_not_previewed(head: bytes) -> None:
    assert detect_media(head) is None
