"""Previews of received files: thumbnails of images (Pillow) and videos (ffmpeg).

Media from a peer is hostile until proven otherwise: the type is judged by content, images
are decoded behind a per-call pixel limit, and ffmpeg runs in a subprocess with a time and
a memory limit, reading a vault stream over loopback HTTP so plaintext never touches disk.

The decoders need the ``previews`` extra (Pillow, ffmpeg-python, imageio-ffmpeg); the
settings and results (:mod:`.config`) do not, so a host without the extra still imports
Ferry, and :func:`missing_extra` says what to install. The decoders' names are loaded on
first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .config import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    PreviewConfig,
    Thumbnail,
    missing_extra,
)
from .errors import PreviewError

_LAZY = {
    "IMAGE_FORMATS": ".detect",
    "Category": ".detect",
    "MediaKind": ".detect",
    "detect_media": ".detect",
    "find_ffmpeg": ".ffmpeg_binary",
    "image_thumbnail": ".images",
    "make_preview": ".preview",
    "frame_time": ".video",
    "video_thumbnail": ".video",
}

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "PreviewConfig",
    "PreviewError",
    "Thumbnail",
    "missing_extra",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
