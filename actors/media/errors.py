"""The one error the preview library raises on purpose."""

from __future__ import annotations

from ferry.errors import FerryError


class PreviewError(FerryError):
    """No thumbnail could be made for a file; the stored file itself is unaffected.

    ``reason`` is a short slug for logs and records (``unsupported``, ``corrupt``,
    ``truncated``, ``bomb``, ``timeout``, ``memory``, ``no-video``, ``ffmpeg-missing``,
    ``disabled``, ...); the message says what happened and what the user can do.
    """

    code = "preview"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"
