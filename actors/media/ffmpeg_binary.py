"""Which ffmpeg binary to run: the configured one, imageio-ffmpeg's, or the one on PATH."""

from __future__ import annotations

import logging
import os
import shutil

import imageio_ffmpeg

from .errors import PreviewError

log = logging.getLogger(__name__)


def find_ffmpeg(configured: str | os.PathLike[str] | None = None) -> str:
    """Return the absolute path of the ffmpeg to run, or raise ``PreviewError``.

    A configured path (or bare command name) is used as given and never silently replaced
    by another binary. Otherwise imageio-ffmpeg's choice is taken (its ``IMAGEIO_FFMPEG_EXE``
    variable, its bundled binary, conda's), then ``ffmpeg`` on PATH.
    """
    if configured is not None:
        found = _executable(os.fspath(configured))
        if found is None:
            raise PreviewError(
                "ffmpeg-missing",
                f"the configured ffmpeg {os.fspath(configured)!r} does not exist or is not "
                "executable; fix the preview ffmpeg_path setting or remove it to use the "
                "bundled ffmpeg",
            )
        return found
    try:
        candidate = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        log.debug("imageio-ffmpeg found no ffmpeg: %s", exc)
        candidate = "ffmpeg"
    found = _executable(candidate) or _executable("ffmpeg")
    if found is None:
        raise PreviewError(
            "ffmpeg-missing",
            "no ffmpeg binary was found (imageio-ffmpeg has none for this platform and "
            "there is no ffmpeg on PATH); install ffmpeg or set the preview ffmpeg_path",
        )
    return found


def _executable(name: str) -> str | None:
    if os.sep in name or (os.altsep and os.altsep in name):
        is_exe = os.path.isfile(name) and os.access(name, os.X_OK)
        return os.path.abspath(name) if is_exe else None
    found = shutil.which(name)
    return os.path.abspath(found) if found else None
