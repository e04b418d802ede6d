"""Previews of received files: thumbnails of images (Pillow) and videos (ffmpeg).

Media from a peer is hostile until proven otherwise: the type is judged by content, images
are decoded behind a per-call pixel limit, and ffmpeg runs in a subprocess with a time and
a memory limit, reading a vault stream over loopback HTTP so plaintext never touches disk.
"""

from .detect import IMAGE_FORMATS, Category, MediaKind, detect_media
from .errors import PreviewError
from .ffmpeg_binary import find_ffmpeg
from .images import DEFAULT_MAX_PIXELS, Thumbnail, image_thumbnail
from .preview import PreviewConfig, make_preview
from .video import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, frame_time, video_thumbnail

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "IMAGE_FORMATS",
    "Category",
    "MediaKind",
    "PreviewConfig",
    "PreviewError",
    "Thumbnail",
    "detect_media",
    "find_ffmpeg",
    "frame_time",
    "image_thumbnail",
    "make_preview",
    "video_thumbnail",
]
