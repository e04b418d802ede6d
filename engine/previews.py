"""Previews of received files: made after the vault commit, when no file is arriving.

A preview decodes a whole image or video frame: CPU that, on a machine whose cores are
busy moving a transfer (aiortc keeps one core per peer busy), comes straight off the
transfer. Measured here with photos and videos arriving back to back: previews made
alongside the next file cost 10-15% of its rate, with ffmpeg at lower priority or not. So
the :class:`PreviewScheduler` holds previews while any file is arriving, and makes them one
at a time once the link has been quiet for a second (between two files of a batch there is
a round trip with nothing arriving: that is not a lull); a preview that has waited
``max_wait`` seconds runs anyway, so a receiver that never goes quiet still gets them.

The Previewer works in its own actor (and ffmpeg in its own, lower-priority process); a slow
or hostile file can delay only other previews. The thumbnail is stored encrypted in the
vault beside the file, and the host hears a :class:`PreviewReady` through the transfer's
listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pykka

from ferry.actors.clock import SYSTEM_CLOCK, Clock, Timer
from ferry.actors.media.config import Thumbnail
from ferry.actors.previewer import UNSUPPORTED
from ferry.errors import FerryError

from .transfer import Transfer

logger = logging.getLogger(__name__)

VAULT_TIMEOUT = 60.0
DEFAULT_MAX_WAIT = 30.0
#: How long nothing must have been arriving before a preview starts.
QUIET_SECONDS = 1.0


@dataclass(frozen=True)
class PreviewReady:
    """A preview was made (``preview_id``) or could not be (``reason``) for a stored file."""

    file_id: str
    preview_id: str | None
    reason: str | None = None
    width: int = 0
    height: int = 0
    mime: str = ""


class PreviewScheduler:
    """Queues previews and starts them one at a time, when ``busy()`` says the link is quiet.

    Lives on the host's event loop: every method is called there.
    """

    def __init__(
        self,
        previewer: pykka.ActorRef[Any],
        vault_ref: pykka.ActorRef[Any],
        busy: Callable[[], bool],
        *,
        max_wait: float = DEFAULT_MAX_WAIT,
        quiet_seconds: float = QUIET_SECONDS,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.previewer = previewer
        self.vault = vault_ref.proxy()
        self.busy = busy
        self.max_wait = max_wait
        self.clock = clock  # quiet spells and waits are measured, and timers armed, on it
        self.loop = asyncio.get_running_loop()
        self.queue: deque[tuple[float, Transfer, str]] = deque()
        self.quiet_seconds = quiet_seconds
        self.last_active = 0.0
        self.running = False
        self._timer: Timer | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def request(self, transfer: Transfer, file_id: str) -> None:
        """A file was committed: preview it when the time is right."""
        self.queue.append((self.clock.monotonic(), transfer, file_id))
        self._idle.clear()
        self.activity()

    def activity(self) -> None:
        """A file started or stopped arriving: the link is not quiet yet."""
        self.last_active = self.clock.monotonic()
        self.poke()

    def poke(self) -> None:
        """Start the next preview if the link has been quiet long enough (or it waited long)."""
        if self.running:
            return
        if not self.queue:
            self._idle.set()
            return
        now = self.clock.monotonic()
        overdue = now - self.queue[0][0] >= self.max_wait
        quiet_for = now - self.last_active
        if not overdue and (self.busy() or quiet_for < self.quiet_seconds):
            # Between two files there is a round trip with nothing arriving: wait for a
            # real lull, and check again then (or when the oldest preview is overdue).
            delay = self.max_wait - (now - self.queue[0][0])
            if not self.busy():
                delay = min(delay, self.quiet_seconds - quiet_for)
            self._schedule(delay)
            return
        _, transfer, file_id = self.queue.popleft()
        self.running = True
        self._start(transfer, file_id)

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.clock.call_later(delay, self._on_timer)

    async def drain(self, timeout: float) -> None:
        """Make the previews still queued (the engine is closing: nothing else arrives)."""
        self.busy = lambda: False
        self.quiet_seconds = 0.0
        self.poke()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            logger.warning("closing with %d previews not made", len(self.queue) + self.running)

    def _on_timer(self) -> None:
        self._timer = None
        self.poke()

    def _finished(self, transfer: Transfer, ready: PreviewReady | None) -> None:
        self.running = False
        transfer.report_preview(ready)
        self.poke()

    def _start(self, transfer: Transfer, file_id: str) -> None:
        vault = self.vault

        def open_source() -> Any:
            return vault.open(file_id).get(timeout=VAULT_TIMEOUT)

        def on_done(job_id: object, thumbnail: Thumbnail | None, reason: str | None) -> None:
            # On the previewer's thread: record the outcome, then hop back to the host loop.
            ready: PreviewReady | None = _record(vault, file_id, thumbnail, reason)
            with contextlib.suppress(RuntimeError):  # the host's loop has closed
                self.loop.call_soon_threadsafe(self._finished, transfer, ready)

        try:
            self.previewer.proxy().preview.defer(file_id, open_source, on_done)
        except pykka.ActorDeadError:
            logger.warning("no preview for %s: the previewer has stopped", file_id)
            self.running = False
            self.poke()


def _record(
    vault: Any, file_id: str, thumbnail: Thumbnail | None, reason: str | None
) -> PreviewReady | None:
    """Store the thumbnail (or why there is none) beside the file in the vault."""
    if reason is not None and reason.startswith(UNSUPPORTED):
        return None  # not an image or a video: nothing to preview, nothing to record
    try:
        if thumbnail is not None:
            preview_id = vault.store_preview(
                file_id, thumbnail.data, thumbnail.mime, thumbnail.width, thumbnail.height
            ).get(timeout=VAULT_TIMEOUT)
            return PreviewReady(
                file_id, preview_id, None, thumbnail.width, thumbnail.height, thumbnail.mime
            )
        vault.set_preview_error(file_id, reason or "unknown").get(timeout=VAULT_TIMEOUT)
        return PreviewReady(file_id, None, reason)
    except (FerryError, pykka.ActorDeadError, pykka.Timeout) as exc:
        logger.warning("could not record the preview of %s: %r", file_id, exc)
        return PreviewReady(file_id, None, f"vault: {exc}")
