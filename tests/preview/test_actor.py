"""The PreviewerActor: every bad input becomes a reason, and the actor carries on.

Each bad-input case runs as a job in a live actor, followed by a good job that must still
succeed; the ``no_leftovers`` fixture then checks that no ffmpeg process, server thread or
temporary file remains.
"""

from __future__ import annotations

import io
import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import pykka
import pytest
from PIL import Image

from ferry.actors.media import PreviewConfig, Thumbnail
from ferry.actors.previewer import PreviewerActor
from ferry.actors.storage.errors import TamperedError

from .conftest import COLOURS, Videos
from .media import StallingStream, assert_colour, image_bytes, png_header_only

Result = tuple[object, Thumbnail | None, str | None]
GOOD_IMAGE = image_bytes(Image.new("RGB", (640, 480), (250, 120, 10)), "JPEG")


def opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


@dataclass
class Previewer:
    """A started actor and the results its jobs reported."""

    ref: pykka.ActorRef[PreviewerActor]
    results: queue.Queue[Result] = field(default_factory=queue.Queue)

    def run(self, open_source: Callable[[], BinaryIO], job_id: object = "job") -> Result:
        self.ref.proxy().preview.defer(job_id, open_source, self.on_done)
        return self.results.get(timeout=120)  # a bound for a broken test, not a timing check

    def on_done(self, job_id: object, thumbnail: Thumbnail | None, reason: str | None) -> None:
        self.results.put((job_id, thumbnail, reason))


@pytest.fixture
def start() -> Iterator[Callable[[PreviewConfig], Previewer]]:
    refs: list[pykka.ActorRef[PreviewerActor]] = []

    def _start(config: PreviewConfig) -> Previewer:
        refs.append(PreviewerActor.start(config))
        return Previewer(refs[-1])

    yield _start
    for ref in refs:
        ref.stop()


def assert_still_works(previewer: Previewer) -> None:
    assert previewer.ref.is_alive()
    job_id, thumbnail, reason = previewer.run(opener(GOOD_IMAGE), "next")
    assert (job_id, reason) == ("next", None)
    assert thumbnail is not None
    assert_colour(thumbnail, (250, 120, 10))


def test_images_and_videos_one_after_another(
    start: Callable[[PreviewConfig], Previewer], videos: Videos
) -> None:
    previewer = start(PreviewConfig())
    _, image, reason = previewer.run(opener(GOOD_IMAGE), 1)
    assert reason is None and image is not None
    _, video, reason = previewer.run(opener(videos.data("webm-vp8")), 2)
    assert reason is None and video is not None
    assert_colour(video, COLOURS["webm-vp8"])


class TamperedStream(io.BytesIO):
    """Like a vault stream whose data after the first 1 KiB fails authentication."""

    GOOD = 1024

    def read(self, size: int | None = -1) -> bytes:
        left = self.GOOD - self.tell()
        if left <= 0:
            raise TamperedError("blob 7: segment 1 failed authentication")
        return super().read(left if size is None or size < 0 else min(size, left))


def _broken_open() -> BinaryIO:
    raise RuntimeError("vault went away")


# name -> (config, function of the Videos fixture giving the source, expected reason start)
CASES: dict[str, tuple[PreviewConfig, Callable[[Videos], Callable[[], BinaryIO]], str]] = {
    "corrupt image": (
        PreviewConfig(),
        lambda v: opener(GOOD_IMAGE[:20] + b"garbage " * 500),
        "corrupt: ",
    ),
    "truncated image": (
        PreviewConfig(),
        lambda v: opener(GOOD_IMAGE[: len(GOOD_IMAGE) // 2]),
        "truncated: ",
    ),
    "decompression bomb": (
        PreviewConfig(),
        lambda v: opener(png_header_only(100_000, 100_000)),
        "bomb: ",
    ),
    "claims to be a video": (
        PreviewConfig(),
        lambda v: opener(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"junk" * 4000),
        "corrupt: ffmpeg could not decode",
    ),
    "no video stream": (PreviewConfig(), lambda v: opener(v.data("audio-only")), "no-video: "),
    "time limit too small": (
        PreviewConfig(video_time_limit=0.01),
        lambda v: opener(v.data("mp4")),
        "timeout: ",
    ),
    "memory limit too small": (
        PreviewConfig(video_memory_limit=32 * 1024 * 1024),
        lambda v: opener(v.data("mp4")),
        "memory: ",
    ),
    "ffmpeg missing": (
        PreviewConfig(ffmpeg_path="/nonexistent/ffmpeg"),
        lambda v: opener(v.data("mp4")),
        "ffmpeg-missing: ",
    ),
    "unsupported type": (PreviewConfig(), lambda v: opener(b"plain text\n" * 10), "unsupported: "),
    "disabled": (PreviewConfig(enabled=False), lambda v: opener(GOOD_IMAGE), "disabled: "),
    "stream tampered": (
        PreviewConfig(),
        lambda v: lambda: TamperedStream(GOOD_IMAGE),
        "tampered: blob 7",
    ),
    "opening fails": (PreviewConfig(), lambda v: _broken_open, "internal: RuntimeError"),
}


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_a_reason_and_the_actor_carries_on(
    start: Callable[[PreviewConfig], Previewer], videos: Videos, case: str
) -> None:
    config, source, expected = CASES[case]
    previewer = start(config)
    job_id, thumbnail, reason = previewer.run(source(videos), case)
    assert (job_id, thumbnail) == (case, None)
    assert reason is not None and reason.startswith(expected), reason
    assert "\n" not in reason
    if case != "disabled":
        assert_still_works(previewer)


@pytest.mark.usefixtures("no_leftovers")
def test_a_stalled_video_stream_times_out_and_the_actor_carries_on(
    start: Callable[[PreviewConfig], Previewer], videos: Videos
) -> None:
    # The source blocks forever after 4 KiB; closing it (which make_preview does) releases
    # the blocked read, as closing a real file would.
    stream = StallingStream(videos.data("mp4-moov-at-end"), stall_at=4096)
    previewer = start(PreviewConfig(video_time_limit=2))
    _, thumbnail, reason = previewer.run(lambda: stream)  # type: ignore[arg-type,return-value]
    assert thumbnail is None
    assert reason is not None and reason.startswith("timeout: ")
    assert stream.closed
    assert_still_works(previewer)


def test_a_failing_callback_does_not_stop_the_actor(
    start: Callable[[PreviewConfig], Previewer],
) -> None:
    previewer = start(PreviewConfig())

    def explode(*args: object) -> None:
        raise ValueError("host bug")

    previewer.ref.proxy().preview.defer("boom", opener(GOOD_IMAGE), explode)
    assert_still_works(previewer)
