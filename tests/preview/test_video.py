"""Video thumbnails from real clips made with the real ffmpeg, good and hostile.

Every test here also checks (fixture ``no_leftovers``) that no ffmpeg process, preview HTTP
server thread or temporary file is left behind.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import time
from pathlib import Path

import pytest

from ferry.actors.media import PreviewError, frame_time, video_thumbnail
from ferry.actors.storage.errors import TamperedError

from .conftest import COLOURS, Videos
from .media import (
    StallingStream,
    assert_colour,
    assert_jpeg,
    decoded,
    server_threads,
    top_level_boxes,
)

pytestmark = pytest.mark.usefixtures("no_leftovers")

SOLID = ["mp4", "webm-vp8", "webm-vp9", "mov", "avi", "mpegts", "flv", "mpeg-ps", "asf"]
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


@pytest.mark.parametrize("name", SOLID)
def test_each_container_from_a_path(videos: Videos, name: str) -> None:
    result = video_thumbnail(videos.path(name))
    assert_jpeg(result)
    assert (result.width, result.height) == (160, 120)  # never enlarged
    assert_colour(result, COLOURS[name])


@pytest.mark.parametrize("name", SOLID)
def test_each_container_from_a_seekable_stream(videos: Videos, name: str) -> None:
    with io.FileIO(videos.path(name)) as raw:  # a raw stream, like the vault's
        result = video_thumbnail(raw)  # type: ignore[arg-type]
        assert not raw.closed
    assert_jpeg(result)
    assert_colour(result, COLOURS[name])


def test_an_mp4_with_its_index_at_the_end_from_a_stream(
    videos: Videos, caplog: pytest.LogCaptureFixture
) -> None:
    path = videos.path("mp4-moov-at-end")
    boxes = top_level_boxes(path)
    assert boxes.index(b"mdat") < boxes.index(b"moov")  # no faststart: ffmpeg must seek
    caplog.set_level(logging.DEBUG, logger="ferry.actors.media.serve")
    with io.FileIO(path) as raw:
        result = video_thumbnail(raw)  # type: ignore[arg-type]
    assert_jpeg(result)
    assert_colour(result, COLOURS["mp4-moov-at-end"])
    starts = [int(m.group(1)) for m in re.finditer(r"serving bytes (\d+)-", caplog.text)]
    assert max(starts) > path.stat().st_size // 2  # ffmpeg asked for the index by Range


def test_a_bigger_video_is_scaled_down_keeping_its_aspect(videos: Videos) -> None:
    result = video_thumbnail(videos.path("wide"))  # 320x180 testsrc
    assert_jpeg(result)
    assert result.width == 300
    assert abs(result.height - 300 * 180 / 320) <= 1
    assert decoded(result).getextrema()[0] != (0, 0)  # a picture, not a blank frame


def test_non_square_pixels_are_shown_at_their_display_aspect(videos: Videos) -> None:
    result = video_thumbnail(videos.path("anamorphic"))  # 160x120 stored, 320x120 shown
    assert result.width == 300
    assert abs(result.height - 300 * 120 / 320) <= 1


def test_max_size_and_webp_output(videos: Videos) -> None:
    result = video_thumbnail(videos.path("mp4"), max_size=(80, 80), image_format="WEBP")
    assert result.mime == "image/webp"
    assert decoded(result).format == "WEBP"
    assert (result.width, result.height) == (80, 60)
    assert_colour(result, COLOURS["mp4"])


def test_frame_time_rule() -> None:
    assert frame_time(None) == 1.0
    assert frame_time(30.0) == 1.0
    assert frame_time(10.0) == 1.0
    assert frame_time(2.0) == pytest.approx(0.2)
    assert frame_time(0.0) == 0.0


def test_a_short_clip_is_shown_at_a_tenth_of_its_length(videos: Videos) -> None:
    # 2 s: red at 0 s, green from 0.1 s, blue from 0.5 s. 10 % in = 0.2 s = green.
    assert_colour(video_thumbnail(videos.path("timeline-short")), GREEN, tolerance=40)


def test_a_long_clip_is_shown_one_second_in(videos: Videos) -> None:
    # 30 s: red until 0.5 s, green until 2 s, blue after. 1 s in = green (10 % would be blue).
    assert_colour(video_thumbnail(videos.path("timeline-long")), GREEN, tolerance=40)


def test_a_clip_without_a_recorded_duration(videos: Videos, ffmpeg_exe: str) -> None:
    path = videos.path("no-duration")  # 0.5 s WebM written to a pipe
    described = subprocess.run(
        [ffmpeg_exe, "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    assert "Duration: N/A" in described
    # 1 s in is past the end; the previewer retries at the start.
    assert_colour(video_thumbnail(path), COLOURS["webm-vp8"])


def test_a_proxy_in_the_environment_is_not_used(
    videos: Videos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ffmpeg honours http_proxy: the plaintext must go straight to 127.0.0.1, never a proxy.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with io.FileIO(videos.path("mp4")) as raw:
        assert_colour(video_thumbnail(raw), COLOURS["mp4"])  # type: ignore[arg-type]


# ---- hostile and broken input --------------------------------------------------------


def _fake_mp4() -> bytes:
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"not a video at all " * 2000


def test_a_file_that_claims_to_be_a_video_but_is_not(tmp_path: Path) -> None:
    path = tmp_path / "holiday.mp4"
    path.write_bytes(_fake_mp4())
    for source in (path, io.BytesIO(_fake_mp4())):
        with pytest.raises(PreviewError) as caught:
            video_thumbnail(source)
        assert caught.value.reason == "corrupt"
        assert "ffmpeg could not decode" in caught.value.message


def test_a_file_without_a_video_stream(videos: Videos) -> None:
    with pytest.raises(PreviewError) as caught:
        video_thumbnail(videos.path("audio-only"))
    assert caught.value.reason == "no-video"


def test_a_stream_that_stalls_forever_hits_the_time_limit(videos: Videos) -> None:
    # The stream hands over its first 4 KiB, then every read blocks (a stuck disk): ffmpeg
    # waits for bytes that never come, and the wall-clock limit must stop it.
    stream = StallingStream(videos.data("mp4-moov-at-end"), stall_at=4096)
    try:
        with pytest.raises(PreviewError) as caught:
            video_thumbnail(stream, time_limit=2)  # type: ignore[arg-type]
        assert caught.value.reason == "timeout"
        assert "2 s" in caught.value.message
        assert stream.stalled.is_set()
    finally:
        stream.release()
    _wait_for(lambda: not server_threads())  # the blocked handler ends once released


def test_a_time_limit_too_small_for_the_decode(videos: Videos) -> None:
    # A valid clip, but far less time than two ffmpeg runs need.
    with pytest.raises(PreviewError) as caught:
        video_thumbnail(videos.path("mp4"), time_limit=0.01)
    assert caught.value.reason == "timeout"


def test_a_decode_that_needs_more_memory_than_allowed(videos: Videos) -> None:
    # 32 MiB of data memory cannot hold ffmpeg's thread stacks and decoder buffers; some
    # allocation fails (an error message) or ffmpeg crashes on it: both are "memory".
    with pytest.raises(PreviewError) as caught:
        video_thumbnail(videos.path("mp4"), memory_limit=32 * 1024 * 1024)
    assert caught.value.reason == "memory"
    assert "32 MiB" in caught.value.message


def test_a_missing_ffmpeg_binary(videos: Videos) -> None:
    with pytest.raises(PreviewError) as caught:
        video_thumbnail(videos.path("mp4"), ffmpeg="/nonexistent/bin/ffmpeg")
    assert caught.value.reason == "ffmpeg-missing"
    assert "/nonexistent/bin/ffmpeg" in caught.value.message


def test_only_the_known_demuxers_can_be_asked_for(videos: Videos) -> None:
    with pytest.raises(ValueError, match="container"):
        video_thumbnail(videos.path("mp4"), container="hls")


class TamperedAfter(io.BytesIO):
    """Like a vault stream whose segments after the first 64 KiB fail authentication."""

    GOOD = 64 * 1024

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.tell() >= self.GOOD:
            raise TamperedError("segment 3 failed authentication")
        return super().readinto(memoryview(buffer)[: self.GOOD - self.tell()])


def test_the_streams_own_error_is_reported_not_ffmpegs_symptom(videos: Videos) -> None:
    with pytest.raises(TamperedError, match="segment 3"):
        video_thumbnail(TamperedAfter(videos.data("mp4-moov-at-end")))


def _wait_for(condition: object, limit: float = 30.0) -> None:
    end = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.05)
