"""The Previewer actor: thumbnails one at a time, in its own thread, off the transfer path.

pykka runs an actor's messages one after another, so previews never compete with each
other for the machine; the ffmpeg work happens in a limited subprocess. No failure of a
preview, or of the caller's callback, stops the actor: a file without a preview is a normal
outcome, reported through the callback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from typing import BinaryIO

import pykka

from ferry.errors import ConfigError, FerryError

from .media.config import PreviewConfig, Thumbnail, missing_extra
from .media.errors import PreviewError

log = logging.getLogger(__name__)

#: ``on_done(job_id, thumbnail, reason)``: exactly one of thumbnail and reason is None.
OnDone = Callable[[Hashable, Thumbnail | None, str | None], object]

_MAX_REASON = 1000  # a reason is stored on a record and logged: keep it bounded
UNSUPPORTED = "unsupported"


class PreviewerActor(pykka.ThreadingActor):
    """Makes previews on request: ``proxy.preview.defer(job_id, open_source, on_done)``.

    ``open_source`` opens the stored file (a seekable binary stream; it is closed after
    use); ``on_done`` is called in this actor's thread with the job id and either the
    thumbnail or a one-line reason (``"<slug>: <what happened and what to do>"``, the slug
    being a :class:`PreviewError` reason or a :class:`FerryError` code).
    """

    def __init__(self, config: PreviewConfig | None = None) -> None:
        super().__init__()
        self.config = config or PreviewConfig()
        problem = missing_extra()
        if problem is not None and self.config.enabled:
            raise ConfigError(problem)

    def preview(
        self, job_id: Hashable, open_source: Callable[[], BinaryIO], on_done: OnDone
    ) -> None:
        started = time.monotonic()
        thumbnail, reason = None, None
        try:
            from .media.preview import make_preview  # the decoders: the previews extra

            thumbnail = make_preview(open_source, self.config)
        except PreviewError as exc:
            reason = str(exc)
        except FerryError as exc:
            reason = f"{exc.code}: {exc.message}"
        except Exception as exc:  # a bug or an unexpected error must not stop the actor
            log.exception("preview %s failed unexpectedly", job_id)
            reason = f"internal: {type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
        if thumbnail is not None:
            log.info(
                "preview %s: %dx%d %s in %.2f s",
                job_id, thumbnail.width, thumbnail.height, thumbnail.mime, elapsed,
            )  # fmt: skip
        else:
            reason = " ".join(str(reason).split())[:_MAX_REASON]
            # Most received files are simply not media: that is no cause for a warning.
            level = logging.DEBUG if reason.startswith(UNSUPPORTED) else logging.WARNING
            log.log(level, "no preview for %s: %s", job_id, reason)
        try:
            on_done(job_id, thumbnail, reason)
        except Exception:
            log.exception("the on_done callback for preview %s failed", job_id)
