"""The PreviewScheduler waits for a quiet link, or at most ``max_wait``, on a clock the test
moves: what used to take a second of real quiet (or the max_wait) is a call to advance.

Real parts: a VaultActor over a vault in tmp_path holding a real JPEG, and a real
PreviewerActor; only time is the test's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PIL import Image

from ferry.actors.clock import ManualClock
from ferry.actors.media import PreviewConfig
from ferry.actors.previewer import PreviewerActor
from ferry.actors.vault import VaultActor
from ferry.engine.previews import PreviewReady, PreviewScheduler
from ferry.engine.transfer import Transfer

KEY = b"k" * 32


def _received(tmp_path: Path) -> tuple[Any, str]:
    picture = tmp_path / "picture.jpg"
    Image.new("RGB", (320, 240), (200, 30, 30)).save(picture, "JPEG")
    vault = VaultActor.start_ready(tmp_path / "vault", key=KEY)
    stored = vault.proxy().store_path(picture).get(timeout=30)
    return vault, stored.id


def test_a_preview_waits_for_a_quiet_link_then_for_max_wait_when_it_never_comes(
    tmp_path: Path,
) -> None:
    vault, file_id = _received(tmp_path)
    previewer = PreviewerActor.start(PreviewConfig())

    async def scenario() -> tuple[PreviewReady, PreviewReady]:
        clock = ManualClock(start=50.0)
        busy = [False]
        scheduler = PreviewScheduler(
            previewer, vault, lambda: busy[0], max_wait=30.0, quiet_seconds=1.0, clock=clock
        )

        def transfer() -> Transfer:
            return Transfer(b"\x01" * 16, "picture.jpg", 1, "incoming", lambda *_: None)

        # Quiet link: the preview starts once a whole quiet second has passed, not before.
        first = transfer()
        scheduler.request(first, file_id)
        clock.advance(0.9)
        assert not scheduler.running and len(scheduler.queue) == 1
        clock.advance(0.1)
        assert scheduler.running
        quiet = await asyncio.wait_for(first.preview(), 60)

        # A link that never goes quiet: the preview waits max_wait, then runs anyway.
        busy[0] = True
        second = transfer()
        scheduler.request(second, file_id)
        clock.advance(29.0)
        assert not scheduler.running and len(scheduler.queue) == 1
        clock.advance(1.0)
        assert scheduler.running
        overdue = await asyncio.wait_for(second.preview(), 60)
        return quiet, overdue

    try:
        quiet, overdue = asyncio.run(scenario())
    finally:
        previewer.stop()
        vault.stop()
    for ready in (quiet, overdue):
        assert ready.file_id == file_id and ready.preview_id is not None
        assert ready.mime == "image/jpeg"
