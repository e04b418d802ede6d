"""make_preview: sniff, dispatch, and one clear error for everything else."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pytest
from PIL import Image

from ferry.actors.media import PreviewConfig, PreviewError, make_preview
from ferry.errors import ConfigError

from .conftest import COLOURS, Videos
from .media import assert_colour, assert_jpeg, image_bytes


class Opened:
    """An ``open_source`` callable that remembers the streams it handed out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.streams: list[BinaryIO] = []

    def __call__(self) -> BinaryIO:
        stream = io.FileIO(self.path)  # raw and seekable, like the vault's
        self.streams.append(stream)  # type: ignore[arg-type]
        return stream  # type: ignore[return-value]


def test_an_image_is_found_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "movie.mp4"  # the peer's name lies
    path.write_bytes(image_bytes(Image.new("RGB", (640, 480), (120, 200, 20)), "PNG"))
    opened = Opened(path)
    result = make_preview(opened, PreviewConfig())
    assert_jpeg(result)
    assert (result.width, result.height) == (300, 225)
    assert_colour(result, (120, 200, 20))
    assert [stream.closed for stream in opened.streams] == [True]


@pytest.mark.usefixtures("no_leftovers")
def test_a_video_is_served_from_the_stream(videos: Videos) -> None:
    opened = Opened(videos.path("mp4-moov-at-end"))
    result = make_preview(opened, PreviewConfig(image_format="WEBP", max_size=(100, 100)))
    assert result.mime == "image/webp"
    assert (result.width, result.height) == (100, 75)
    assert_colour(result, COLOURS["mp4-moov-at-end"])
    assert [stream.closed for stream in opened.streams] == [True]


@pytest.mark.parametrize(
    "content",
    [b"", b"just some text, named photo.jpg by the peer\n", b"%PDF-1.7\n" + bytes(100)],
    ids=["empty", "text", "pdf"],
)
def test_anything_else_is_unsupported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    opened = Opened(path)
    with pytest.raises(PreviewError) as caught:
        make_preview(opened, PreviewConfig())
    assert caught.value.reason == "unsupported"
    assert str(caught.value).startswith("unsupported: ")
    assert opened.streams[0].closed


def test_previews_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(image_bytes(Image.new("RGB", (8, 8)), "PNG"))
    opened = Opened(path)
    with pytest.raises(PreviewError) as caught:
        make_preview(opened, PreviewConfig(enabled=False))
    assert caught.value.reason == "disabled"
    assert opened.streams == []  # not even opened


def test_the_pixel_limit_comes_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "a.bmp"
    path.write_bytes(image_bytes(Image.new("RGB", (1000, 1000)), "BMP"))
    with pytest.raises(PreviewError) as caught:
        make_preview(Opened(path), PreviewConfig(max_pixels=999_999))
    assert caught.value.reason == "bomb"


@pytest.mark.parametrize(
    "settings",
    [
        {"max_size": (0, 300)},
        {"max_size": (300.5, 300)},
        {"image_format": "PNG"},
        {"max_pixels": 0},
        {"video_time_limit": 0},
        {"video_memory_limit": -1},
        {"video_memory_limit": True},
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        PreviewConfig(**settings)  # type: ignore[arg-type]
