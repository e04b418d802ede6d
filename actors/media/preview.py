"""One entry point: sniff a stored file and make its thumbnail, or say why not."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ferry.errors import ConfigError

from .detect import detect_media, read_head
from .errors import PreviewError
from .images import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_SIZE,
    OUTPUT_FORMATS,
    Thumbnail,
    image_thumbnail,
)
from .video import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, video_thumbnail

log = logging.getLogger(__name__)


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


def make_preview(open_source: Callable[[], BinaryIO], config: PreviewConfig) -> Thumbnail:
    """Make the thumbnail of the file ``open_source()`` opens (and this call closes).

    The type comes from the content, never the name. Raises :class:`PreviewError` when
    there is no preview to make (disabled, unsupported type, corrupt, bomb, timeout, memory,
    no ffmpeg...); errors the source raises itself (say, a vault's ``TamperedError``) pass
    through unchanged.
    """
    if not config.enabled:
        raise PreviewError("disabled", "previews are turned off in the configuration")
    with open_source() as source:
        head = read_head(source)
        kind = detect_media(head)
        if kind is None:
            raise PreviewError(
                "unsupported",
                "the file is not an image or video type Ferry makes previews of "
                f"(it starts with {head[:8].hex(' ') or 'nothing: it is empty'})",
            )
        source.seek(0)
        log.debug("previewing a %s (%s)", kind.category, kind.format)
        if kind.is_image:
            return image_thumbnail(
                source,
                max_size=config.max_size,
                max_pixels=config.max_pixels,
                image_format=config.image_format,
                formats=(kind.format,),
            )
        return video_thumbnail(
            source,
            max_size=config.max_size,
            time_limit=config.video_time_limit,
            memory_limit=config.video_memory_limit,
            ffmpeg=config.ffmpeg_path,
            container=kind.format,
            image_format=config.image_format,
        )


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
