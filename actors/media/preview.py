"""One entry point: sniff a stored file and make its thumbnail, or say why not."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import BinaryIO

from .config import PreviewConfig, Thumbnail
from .detect import detect_media, read_head
from .errors import PreviewError
from .images import image_thumbnail
from .video import video_thumbnail

log = logging.getLogger(__name__)


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
