"""Image thumbnails with Pillow: upright, aspect kept, small, and safe on hostile input.

The decoder only ever sees a file whose declared size passed a per-call pixel limit, and a
JPEG is decoded at a reduced scale (``draft``), so neither memory nor time grows with the
size the peer claims. Pillow's own decompression-bomb guard stays on as a second fence, with
its warning turned into an error.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps

from ferry.errors import FerryError

from .config import DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIZE, OUTPUT_FORMATS, Thumbnail
from .detect import IMAGE_FORMATS
from .errors import PreviewError

log = logging.getLogger(__name__)

_JPEG_QUALITY = 85
_WEBP_QUALITY = 80
_BACKGROUND = (255, 255, 255)  # transparent areas become white, as most viewers show them
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa"})
_ROTATED_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width/height
_READ_BUFFER = 256 * 1024


def image_thumbnail(
    source: BinaryIO,
    *,
    max_size: tuple[int, int] = DEFAULT_MAX_SIZE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    image_format: str = "JPEG",
    formats: Sequence[str] = IMAGE_FORMATS,
) -> Thumbnail:
    """Make a thumbnail that fits ``max_size`` from the image in ``source``.

    ``source`` is read from its current position and never closed; a raw (unbuffered)
    stream is buffered here, as Pillow makes many small reads. ``formats`` limits which
    Pillow plugins may parse it. EXIF orientation is applied, the aspect ratio kept,
    transparency flattened onto white, every mode converted to RGB, and no metadata (EXIF,
    GPS) copied into the result. Raises :class:`PreviewError` for corrupt, truncated,
    oversized or unsupported input; errors the source raises itself (say, a vault stream's
    ``TamperedError``) pass through unchanged.
    """
    if image_format not in OUTPUT_FORMATS:
        raise ValueError(f"image_format must be one of {sorted(OUTPUT_FORMATS)}")
    buffered = _buffered(source)
    try:
        return _thumbnail(buffered, max_size, max_pixels, image_format, formats)
    finally:
        if buffered is not source:
            buffered.detach()  # leave the caller's stream open


def _thumbnail(
    source: BinaryIO,
    max_size: tuple[int, int],
    max_pixels: int,
    image_format: str,
    formats: Sequence[str],
) -> Thumbnail:
    _bomb_warning_is_error()
    try:
        with Image.open(source, formats=list(formats)) as opened:
            reduced = open_reduced(opened, max_size, max_pixels)
            upright = _upright(reduced, max_size)
            rgb = _to_rgb(upright)
            data = _encode(rgb, image_format, _rgb_icc_profile(opened))
    except FerryError:  # PreviewError, or the source's own error: already meaningful
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(str(exc)) from None
    except Image.UnidentifiedImageError:
        raise PreviewError(
            "corrupt", "the file looks like an image but none of Pillow's decoders can read it"
        ) from None
    except MemoryError:
        raise PreviewError("memory", "decoding the image ran out of memory") from None
    except Exception as exc:  # Pillow's plugins raise many kinds of error on hostile input
        raise _decode_error(exc) from exc
    return Thumbnail(data, OUTPUT_FORMATS[image_format], rgb.width, rgb.height)


def open_reduced(image: Image.Image, max_size: tuple[int, int], max_pixels: int) -> Image.Image:
    """Check the declared size, then load ``image`` at the smallest scale that still
    gives a good thumbnail of ``max_size`` (a JPEG is decoded at 1/2, 1/4 or 1/8 scale).

    Returns the loaded image, still in its stored orientation.
    """
    _check_pixels(image.size, max_pixels)
    box = max_size[::-1] if _orientation(image) in _ROTATED_ORIENTATIONS else max_size
    fitted = _fit(image.size, box)
    # Twice the target size, as Image.thumbnail's reducing_gap does: draft's scaling is
    # coarse, and the final LANCZOS step then has enough pixels to stay sharp.
    image.draft(None, (fitted[0] * 2, fitted[1] * 2))
    image.load()
    _check_pixels(image.size, max_pixels)  # a GIF frame may grow the canvas while loading
    return image


def _upright(image: Image.Image, max_size: tuple[int, int]) -> Image.Image:
    """Shrink to fit ``max_size`` as it will be shown, then apply the EXIF orientation.

    Shrinking first means only the small image is ever rotated.
    """
    orientation = _orientation(image)
    if image.mode in ("P", "PA", "1"):  # palette images resize only by nearest neighbour
        exif = image.getexif() if orientation != 1 else None
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        if exif is not None:  # TIFF keeps EXIF in its tags, which convert() drops
            image.info["exif"] = exif.tobytes()
    rotated = orientation in _ROTATED_ORIENTATIONS
    image.thumbnail(max_size[::-1] if rotated else max_size, Image.Resampling.LANCZOS)
    if orientation == 1:
        return image
    try:
        return ImageOps.exif_transpose(image)
    except Exception as exc:  # a broken EXIF block must not cost the whole thumbnail
        log.debug("ignoring unreadable EXIF orientation: %s", exc)
        return image


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)  # ExifTags.Base.Orientation
    except Exception as exc:  # malformed EXIF: show the image as stored
        log.debug("ignoring unreadable EXIF: %s", exc)
        return 1
    return value if isinstance(value, int) else 1


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in _ALPHA_MODES or "transparency" in image.info


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB the way a viewer would show it."""
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode.startswith("I;16"):  # 16-bit grey: keep the top 8 bits, not a clip
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    if image.mode in ("I", "F"):  # 32-bit int or float: no fixed range, so stretch
        low, high = image.getextrema()
        scale = 255 / (high - low) if high > low else 0
        return image.point(lambda v: (v - low) * scale).convert("L").convert("RGB")
    if image.mode == "CMYK":
        return _cmyk_to_rgb(image)
    return image.convert("RGB")


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    """Use the embedded CMYK profile when there is one: print colours differ a lot."""
    icc = image.info.get("icc_profile")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            log.debug("ignoring unusable CMYK profile: %s", exc)
    return image.convert("RGB")


def _rgb_icc_profile(image: Image.Image) -> bytes | None:
    """The source's ICC profile when it describes RGB (wide-gamut photos need it)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "RGBX", "YCbCr", "P", "PA"):
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None
    return icc if profile.profile.xcolor_space == "RGB " else None


def _encode(image: Image.Image, image_format: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True, **extra)
    else:
        image.save(out, "WEBP", quality=_WEBP_QUALITY, method=4, **extra)
    return out.getvalue()


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down (never up) to fit ``box``, aspect ratio kept."""
    width, height = size
    scale = min(1.0, box[0] / max(width, 1), box[1] / max(height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    pixels = size[0] * size[1]
    if pixels > max_pixels:
        raise _bomb(
            f"the image declares {size[0]} x {size[1]} = {pixels:,} pixels, "
            f"more than the limit of {max_pixels:,}"
        )


def _bomb(detail: str) -> PreviewError:
    return PreviewError(
        "bomb",
        f"{detail}; it could be a decompression bomb, so no preview was made "
        "(raise the preview max_pixels setting if such images are expected)",
    )


def _decode_error(exc: Exception) -> PreviewError:
    detail = str(exc) or type(exc).__name__
    if "truncated" in detail or isinstance(exc, EOFError):
        return PreviewError("truncated", f"the image file is cut short ({detail})")
    return PreviewError("corrupt", f"the image could not be decoded ({detail})")


def _bomb_warning_is_error() -> None:
    """Make Pillow's DecompressionBombWarning raise, process-wide.

    A filter scoped to this call (``warnings.catch_warnings``) would swap the process-wide
    filter list and is not thread-safe; Ferry runs pykka threads. So one narrow filter
    (this warning category only) is kept at the front of the list, re-added if a host or
    test runner reset the filters.
    """
    wanted = ("error", None, Image.DecompressionBombWarning, None, 0)
    if not warnings.filters or warnings.filters[0] != wanted:
        warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def _buffered(source: BinaryIO) -> BinaryIO:
    if isinstance(source, io.RawIOBase):
        return io.BufferedReader(source, _READ_BUFFER)  # type: ignore[return-value]
    return source
