"""Image thumbnails from real images made with Pillow, good and hostile."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ferry.actors.media import (
    DEFAULT_MAX_PIXELS,
    IMAGE_FORMATS,
    PreviewError,
    image_thumbnail,
)
from ferry.actors.media.images import open_reduced

from .media import (
    assert_colour,
    assert_jpeg,
    decoded,
    gif_header_only,
    image_bytes,
    png_header_only,
)

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def thumb(data: bytes, **options: object) -> object:
    return image_thumbnail(io.BytesIO(data), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_every_format_gives_a_jpeg_of_the_right_size_and_colour(fmt: str) -> None:
    data = image_bytes(Image.new("RGB", (640, 480), (200, 30, 60)), fmt)
    result = image_thumbnail(io.BytesIO(data))
    assert_jpeg(result)
    assert (result.width, result.height) == (300, 225)
    assert_colour(result, (200, 30, 60))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1000, 250), (300, 75)),
        ((250, 1000), (75, 300)),
        ((120, 80), (120, 80)),
        ((3000, 10), (300, 1)),
    ],
)
def test_aspect_ratio_is_kept_and_small_images_are_not_enlarged(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    result = image_thumbnail(io.BytesIO(image_bytes(Image.new("RGB", size), "PNG")))
    assert (result.width, result.height) == expected


def test_max_size_is_a_setting() -> None:
    data = image_bytes(Image.new("RGB", (640, 480)), "PNG")
    result = image_thumbnail(io.BytesIO(data), max_size=(100, 50))
    assert (result.width, result.height) == (67, 50)


# A 400x200 picture stored sideways: blue with a red 100x100 square in its stored top-left
# corner. Each EXIF orientation says where that corner belongs when shown upright.
@pytest.mark.parametrize(
    ("orientation", "size", "red_corner"),
    [
        (1, (300, 150), "top-left"),
        (3, (300, 150), "bottom-right"),  # rotated 180
        (6, (150, 300), "top-right"),  # shown rotated 90 clockwise
        (8, (150, 300), "bottom-left"),  # shown rotated 90 counter-clockwise
    ],
)
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied(
    fmt: str, orientation: int, size: tuple[int, int], red_corner: str
) -> None:
    image = Image.new("RGB", (400, 200), BLUE)
    image.paste(RED, (0, 0, 100, 100))
    exif = image.getexif()
    exif[0x0112] = orientation
    result = image_thumbnail(io.BytesIO(image_bytes(image, fmt, exif=exif)))
    assert (result.width, result.height) == size
    shown = decoded(result).convert("RGB")
    width, height = shown.size
    corners = {
        "top-left": (5, 5),
        "top-right": (width - 6, 5),
        "bottom-left": (5, height - 6),
        "bottom-right": (width - 6, height - 6),
    }
    for corner, xy in corners.items():
        red, _, blue = shown.getpixel(xy)  # type: ignore[misc]
        is_red = red > 200 and blue < 60
        assert is_red == (corner == red_corner), f"{corner} of orientation {orientation}"
    assert "exif" not in Image.open(io.BytesIO(result.data)).info  # orientation not re-applied


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(large_jpeg: bytes) -> None:
    with Image.open(io.BytesIO(large_jpeg)) as image:
        assert image.size == (6000, 4000)
        loaded = open_reduced(image, (300, 300), DEFAULT_MAX_PIXELS)
        # draft picked the 1/8 scale: 750x500 is the smallest >= twice the 300x200 target.
        assert loaded.size == (750, 500)
    result = image_thumbnail(io.BytesIO(large_jpeg))
    assert_jpeg(result)
    assert (result.width, result.height) == (300, 200)
    shown = decoded(result)
    assert shown.getpixel((10, 10)) >= (240, 240, 240)  # the white block, top left
    assert_colour(
        image_thumbnail(io.BytesIO(large_jpeg), max_size=(30, 30)), (10, 200, 120), tolerance=35
    )


def _solid(mode: str, colour: object, size: tuple[int, int] = (64, 48)) -> Image.Image:
    return Image.new(mode, size, colour)  # type: ignore[arg-type]


def _transparent_gif() -> bytes:
    image = Image.new("P", (64, 48), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    return image_bytes(image, "GIF", transparency=1)


def _animated_gif() -> bytes:
    frames = [_solid("RGB", RED), _solid("RGB", BLUE)]
    return image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


MODES: dict[str, tuple[Callable[[], bytes], tuple[int, int, int], float]] = {
    "RGBA opaque": (
        lambda: image_bytes(_solid("RGBA", (20, 90, 160, 255)), "PNG"),
        (20, 90, 160),
        8,
    ),
    "RGBA transparent": (lambda: image_bytes(_solid("RGBA", (20, 90, 160, 0)), "PNG"), WHITE, 8),
    "LA": (lambda: image_bytes(_solid("LA", (100, 255)), "PNG"), (100, 100, 100), 8),
    "P": (lambda: image_bytes(_solid("RGB", (30, 140, 60)).quantize(4), "PNG"), (30, 140, 60), 10),
    "P transparent": (_transparent_gif, WHITE, 8),
    "animated GIF": (_animated_gif, RED, 10),  # the first frame
    "L": (lambda: image_bytes(_solid("L", 80), "JPEG"), (80, 80, 80), 8),
    "1": (lambda: image_bytes(_solid("1", 1), "BMP"), WHITE, 8),
    "CMYK JPEG": (lambda: image_bytes(_solid("CMYK", (0, 255, 255, 0)), "JPEG"), RED, 25),
    "CMYK TIFF": (lambda: image_bytes(_solid("CMYK", (255, 0, 255, 0)), "TIFF"), (0, 255, 0), 25),
    "I;16": (lambda: image_bytes(_solid("I;16", 40000), "PNG"), (156, 156, 156), 8),
}


@pytest.mark.parametrize("case", MODES)
def test_every_mode_becomes_rgb_as_a_viewer_shows_it(case: str) -> None:
    make, colour, tolerance = MODES[case]
    result = image_thumbnail(io.BytesIO(make()))
    assert_jpeg(result)
    assert_colour(result, colour, tolerance)


def test_webp_output() -> None:
    data = image_bytes(Image.new("RGB", (640, 360), (10, 60, 200)), "PNG")
    result = image_thumbnail(io.BytesIO(data), image_format="WEBP")
    assert result.mime == "image/webp"
    assert decoded(result).format == "WEBP"
    assert (result.width, result.height) == (300, 169)
    assert_colour(result, (10, 60, 200))


def test_metadata_such_as_gps_is_not_copied() -> None:
    image = Image.new("RGB", (64, 48))
    exif = image.getexif()
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo
    exif[0x010F] = "Camera Maker"
    result = image_thumbnail(io.BytesIO(image_bytes(image, "JPEG", exif=exif)))
    assert len(decoded(result).getexif()) == 0


def test_a_raw_stream_is_read_and_left_open(tmp_path: Path) -> None:
    path = tmp_path / "image.bin"
    path.write_bytes(image_bytes(Image.new("RGB", (640, 480), (90, 90, 30)), "TIFF"))
    with io.FileIO(path) as raw:  # unbuffered, like the vault's decrypting stream
        result = image_thumbnail(raw)  # type: ignore[arg-type]
        assert not raw.closed
    assert_colour(result, (90, 90, 30))


# ---- hostile and broken input --------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Tag data larger than file")  # Pillow on the junk TIFF
@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_a_corrupt_image_is_refused(fmt: str) -> None:
    data = image_bytes(Image.new("RGB", (64, 48)), fmt)
    garbage = data[:16] + b"not really an image at all. " * 100  # right magic, then junk
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(garbage))
    assert caught.value.reason == "corrupt"
    assert caught.value.code == "preview"


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("JPEG", "truncated"),
        ("PNG", "truncated"),
        ("GIF", "truncated"),
        ("BMP", "truncated"),
        ("TIFF", "truncated"),
        ("WEBP", "corrupt"),  # libwebp only says it cannot decode
    ],
)
def test_a_truncated_image_is_refused(fmt: str, reason: str) -> None:
    noise = Image.frombytes("RGB", (200, 150), bytes(range(256)) * 351 + bytes(144))
    data = image_bytes(noise, fmt)
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(data[: len(data) // 2]))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "data",
    [png_header_only(100_000, 100_000), gif_header_only(65_535, 65_535)],
    ids=["png-10-gigapixels", "gif-4-gigapixels"],
)
def test_a_decompression_bomb_is_refused_before_decoding(data: bytes) -> None:
    assert len(data) < 100  # a tiny file that declares a huge picture
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(data))
    # "bomb", not "truncated": the size was refused before any pixel was decoded.
    assert caught.value.reason == "bomb"
    assert "max_pixels" in caught.value.message


def test_the_pixel_limit_is_per_call() -> None:
    data = image_bytes(Image.new("RGB", (2000, 1500)), "PNG")
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(data), max_pixels=1_000_000)
    assert caught.value.reason == "bomb"
    assert "3,000,000 pixels" in caught.value.message
    assert image_thumbnail(io.BytesIO(data), max_pixels=3_000_000).width == 300


def test_pillows_bomb_warning_is_an_error_too() -> None:
    # 10^8 pixels: over Pillow's MAX_IMAGE_PIXELS (which only warns up to twice that), so
    # even with the per-call limit raised out of the way the image must be refused.
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS < 10_000 * 10_000 < 2 * Image.MAX_IMAGE_PIXELS
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(png_header_only(10_000, 10_000)), max_pixels=10**12)
    assert caught.value.reason == "bomb"


def test_only_the_allowed_pillow_formats_are_tried() -> None:
    data = image_bytes(Image.new("RGB", (64, 48)), "PNG")
    with pytest.raises(PreviewError) as caught:
        image_thumbnail(io.BytesIO(data), formats=("JPEG",))
    assert caught.value.reason == "corrupt"
