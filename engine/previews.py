"""Previews of received files: asked for after the vault commit, off the transfer's path.

The Previewer works one file at a time in its own actor (and ffmpeg in its own process);
the transfer is already complete when it starts, so a slow or hostile file can delay only
other previews, never a transfer. The thumbnail is stored encrypted in the vault beside the
file, and the host hears a :class:`PreviewReady` through the transfer's listeners.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import pykka

from actors.preview import Thumbnail
from actors.preview.actor import UNSUPPORTED
from protocol.errors import FerryError

from .transfer import Transfer

logger = logging.getLogger(__name__)

VAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class PreviewReady:
    """A preview was made (``preview_id``) or could not be (``reason``) for a stored file."""

    file_id: str
    preview_id: str | None
    reason: str | None = None
    width: int = 0
    height: int = 0
    mime: str = ""


def request_preview(
    previewer: pykka.ActorRef[Any],
    vault_ref: pykka.ActorRef[Any],
    transfer: Transfer,
    file_id: str,
) -> None:
    """Queue a preview of ``file_id``; its outcome reaches ``transfer``'s listeners."""
    vault = vault_ref.proxy()
    loop = transfer.loop

    def open_source() -> Any:
        return vault.open(file_id).get(timeout=VAULT_TIMEOUT)

    def on_done(job_id: object, thumbnail: Thumbnail | None, reason: str | None) -> None:
        if reason is not None and reason.startswith(UNSUPPORTED):
            return  # not an image or a video: nothing to preview, nothing to record
        ready = PreviewReady(file_id, None, reason)
        try:
            if thumbnail is not None:
                preview_id = vault.store_preview(
                    file_id, thumbnail.data, thumbnail.mime, thumbnail.width, thumbnail.height
                ).get(timeout=VAULT_TIMEOUT)
                ready = PreviewReady(
                    file_id, preview_id, None, thumbnail.width, thumbnail.height, thumbnail.mime
                )
            else:
                vault.set_preview_error(file_id, reason or "unknown").get(timeout=VAULT_TIMEOUT)
        except (FerryError, pykka.ActorDeadError, pykka.Timeout) as exc:
            logger.warning("could not record the preview of %s: %r", file_id, exc)
            ready = PreviewReady(file_id, None, f"vault: {exc}")
        with contextlib.suppress(RuntimeError):  # the host's loop has closed: nobody listens
            loop.call_soon_threadsafe(transfer.report_preview, ready)

    try:
        previewer.proxy().preview.defer(file_id, open_source, on_done)
    except pykka.ActorDeadError:
        logger.warning("no preview for %s: the previewer has stopped", file_id)
