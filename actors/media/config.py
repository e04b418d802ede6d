"""Preview settings and results, without the decoders: importable with or without the
``previews`` extra (Pillow, ffmpeg-python, imageio-ffmpeg), which only making a preview needs.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

from ferry.errors import ConfigError

#: Default per-call pixel limit: 64 Mi pixels (8192 x 8192) covers 50-megapixel cameras;
#: a PNG that size decodes to at most 256 MiB. JPEGs are decoded far smaller via draft.
DEFAULT_MAX_PIXELS = 8192 * 8192
DEFAULT_MAX_SIZE = (300, 300)
OUTPUT_FORMATS = {"JPEG": "image/jpeg", "WEBP": "image/webp"}
DEFAULT_TIME_LIMIT = 20.0
#: Data memory (heap, mappings, thread stacks) for ffmpeg; a 4K H.264 frame needs ~256 MiB.
DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024

#: The modules the ``previews`` extra installs.
EXTRA_MODULES = {"PIL": "Pillow", "ffmpeg": "ffmpeg-python", "imageio_ffmpeg": "imageio-ffmpeg"}


def missing_extra() -> str | None:
    """Why previews cannot be made here (the extra is not installed), or None."""
    missing = [name for module, name in EXTRA_MODULES.items() if not _importable(module)]
    if not missing:
        return None
    return (
        f"previews need {', '.join(missing)}: install the previews extra "
        "(pip install 'ferry-engine[previews]'), or turn previews off "
        "(EngineConfig(previews=None), ferry receive --no-previews)"
    )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class Thumbnail:
    """An encoded thumbnail: ``data`` in ``mime`` format, ``width`` x ``height`` pixels."""

    data: bytes
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class PreviewConfig:
    """Preview settings. Sizes in pixels, time in seconds, memory in bytes.

    ``video_memory_limit`` bounds each ffmpeg run's data memory (heap, mappings, thread
    stacks), not its address space; ``ffmpeg_path`` None means imageio-ffmpeg's binary,
    else ``ffmpeg`` on PATH.
    """

    max_size: tuple[int, int] = DEFAULT_MAX_SIZE
    image_format: str = "JPEG"
    max_pixels: int = DEFAULT_MAX_PIXELS
    video_time_limit: float = DEFAULT_TIME_LIMIT
    video_memory_limit: int = DEFAULT_MEMORY_LIMIT
    ffmpeg_path: str | os.PathLike[str] | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        width, height = self.max_size
        if not (_positive_int(width) and _positive_int(height)):
            raise ConfigError(
                f"preview max_size must be two positive integers, not {self.max_size}"
            )
        if self.image_format not in OUTPUT_FORMATS:
            raise ConfigError(
                f"preview image_format must be one of {sorted(OUTPUT_FORMATS)}, "
                f"not {self.image_format!r}"
            )
        if not _positive_int(self.max_pixels):
            raise ConfigError(
                f"preview max_pixels must be a positive integer, not {self.max_pixels}"
            )
        if not self.video_time_limit > 0:
            raise ConfigError(
                f"preview video_time_limit must be positive seconds, not {self.video_time_limit}"
            )
        if not _positive_int(self.video_memory_limit):
            raise ConfigError(
                f"preview video_memory_limit must be positive bytes, not {self.video_memory_limit}"
            )


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
