"""Video thumbnails: one frame from ffmpeg, run in a sandbox, then the image step.

Two short ffmpeg runs share one time budget: the first reads the container's header for the
duration, the second decodes the frame at :func:`frame_time` and writes it, already scaled
to fit, as PNG on stdout. Nothing is written to disk: a path is opened by ffmpeg directly,
a stream is served to it over loopback HTTP (see :mod:`.serve`).

ffmpeg parses hostile bytes, so beyond the time and memory limits (:mod:`.sandbox`) every
run forces the demuxer that :mod:`.detect` chose and whitelists it and the one protocol
needed (``file``, or ``http,tcp``): an "MP4" cannot turn out to be an HLS playlist that
makes ffmpeg fetch other files or URLs into the thumbnail.
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import ffmpeg as ffmpeg_python

from ferry.errors import FerryError

from . import sandbox
from .config import DEFAULT_MAX_SIZE, DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, Thumbnail
from .detect import HEAD_SIZE, VIDEO_DEMUXERS, detect_media, read_head
from .errors import PreviewError
from .ffmpeg_binary import find_ffmpeg
from .images import image_thumbnail
from .serve import StreamServer

log = logging.getLogger(__name__)

#: Clips at least this long are shown at :data:`FRAME_AT`; shorter ones at 10 %.
SHORT_CLIP = 10.0
FRAME_AT = 1.0

_MAX_FRAME_BYTES = 16 * 1024 * 1024  # a PNG that fits max_size is far smaller
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_MEMORY_SIGNS = (
    "Cannot allocate memory",
    "Resource temporarily unavailable",  # pthread_create under RLIMIT_DATA
    "pthread_create",
    "out of memory",
    "Out of memory",
)
_NO_VIDEO_SIGNS = ("matches no streams", "does not contain any stream")
_CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL})

Source = str | os.PathLike[str] | BinaryIO


def frame_time(duration: float | None) -> float:
    """Where to take the frame: 1 s in, or 10 % in for a clip shorter than 10 s.

    Continuous at 10 s; an unknown duration gets 1 s (and a retry at 0 if that is past
    the end).
    """
    if duration is None or duration >= SHORT_CLIP:
        return FRAME_AT
    return max(0.0, duration * FRAME_AT / SHORT_CLIP)


def video_thumbnail(
    source: Source,
    *,
    max_size: tuple[int, int] = DEFAULT_MAX_SIZE,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    ffmpeg: str | os.PathLike[str] | None = None,
    container: str | None = None,
    image_format: str = "JPEG",
) -> Thumbnail:
    """Make a thumbnail that fits ``max_size`` from one frame of a video.

    ``source`` is a filesystem path, or a seekable binary stream (never closed here).
    ``container`` is the ffmpeg demuxer :func:`~.detect.detect_media` named; it is sniffed
    when not given. ``time_limit`` (seconds, wall clock) covers all of the work;
    ``memory_limit`` (bytes) applies to each ffmpeg run. ``ffmpeg`` is the binary to use
    (default: see :func:`~.ffmpeg_binary.find_ffmpeg`). Raises :class:`PreviewError`.
    """
    if not sandbox.SUPPORTED:
        raise PreviewError(
            "unsupported-platform",
            "video previews need a POSIX system to limit ffmpeg's time and memory",
        )
    if container is not None and container not in VIDEO_DEMUXERS:
        raise ValueError(f"container must be one of {sorted(VIDEO_DEMUXERS)}, not {container!r}")
    executable = find_ffmpeg(ffmpeg)
    demuxer = container or _sniff(source)
    job = _Job(executable, demuxer, time_limit, memory_limit)
    with _input_url(source) as (url, protocols, server):
        try:
            png = job.frame(url, protocols, max_size)
        except PreviewError:
            if server is not None and server.source_error is not None:
                raise _source_failure(server.source_error) from None
            raise
    return image_thumbnail(
        io.BytesIO(png), max_size=max_size, image_format=image_format, formats=("PNG",)
    )


class _Job:
    """The ffmpeg runs for one thumbnail, sharing one deadline."""

    def __init__(self, executable: str, demuxer: str, time_limit: float, memory: int) -> None:
        self.executable = executable
        self.demuxer = demuxer
        self.time_limit = time_limit
        self.memory = memory
        self.deadline = time.monotonic() + time_limit
        self.url = ""

    def frame(self, url: str, protocols: str, max_size: tuple[int, int]) -> bytes:
        self.url = url
        duration = self._duration(protocols)
        at = frame_time(duration)
        log.debug("duration %s s: taking the frame at %.3f s", duration, at)
        png = self._extract(protocols, at, max_size)
        if not png and at > 0:  # the duration was unknown or wrong: past the end
            png = self._extract(protocols, 0.0, max_size)
        if not png:
            raise PreviewError("no-frame", "ffmpeg decoded no picture from the video")
        return png

    def _input(self, protocols: str, **options: object) -> Any:
        return ffmpeg_python.input(
            self.url,
            f=self.demuxer,
            format_whitelist=self.demuxer,
            protocol_whitelist=protocols,
            threads=1,  # previews share the machine with transfers
            **options,
        )["V:0"]  # the first real video stream (not cover art)

    def _duration(self, protocols: str) -> float | None:
        """Read the container header (decoding nothing) for the duration ffmpeg reports."""
        command = (
            self._input(protocols)
            .output("-", format="null", t=0)
            .compile(cmd=[self.executable, "-nostdin", "-hide_banner", "-nostats"])
        )
        outcome = self._run(command, max_stdout=0)
        if outcome.returncode != 0:
            raise self._failure(outcome)
        match = _DURATION.search(outcome.stderr)
        if match is None:
            return None
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)

    def _extract(self, protocols: str, at: float, max_size: tuple[int, int]) -> bytes:
        width, height = max_size
        command = (
            self._input(protocols, ss=f"{at:.3f}")
            .filter("scale", "iw*sar", "ih")  # square pixels (anamorphic video)
            .filter("setsar", "1")
            .filter(  # fit the box, never enlarge
                "scale",
                w=f"min({width},iw)",
                h=f"min({height},ih)",
                force_original_aspect_ratio="decrease",
            )
            .output("pipe:1", format="image2pipe", vcodec="png", **{"frames:v": 1})
            .compile(cmd=[self.executable, "-nostdin", "-hide_banner", "-loglevel", "error"])
        )
        outcome = self._run(command, max_stdout=_MAX_FRAME_BYTES)
        if outcome.returncode != 0 or outcome.stdout_overflow:
            raise self._failure(outcome)
        return outcome.stdout

    def _run(self, command: list[str], *, max_stdout: int) -> sandbox.Outcome:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout()
        log.debug("running %s", " ".join(command).replace(self.url, "<input>"))
        outcome = sandbox.run_limited(
            command, time_limit=remaining, memory_limit=self.memory, max_stdout=max_stdout
        )
        return sandbox.Outcome(
            outcome.returncode,
            outcome.stdout,
            outcome.stderr.replace(self.url, "<input>"),  # the token stays out of logs
            outcome.timed_out,
            outcome.stdout_overflow,
        )

    def _timeout(self) -> PreviewError:
        return PreviewError(
            "timeout",
            f"ffmpeg did not finish within {self.time_limit:g} s, so it was stopped; the "
            "video may be damaged or its data stalled (raise the preview video_time_limit "
            "if such videos are expected)",
        )

    def _failure(self, outcome: sandbox.Outcome) -> PreviewError:
        """Turn a failed run into the most specific reason its exit and stderr support."""
        code, stderr = outcome.returncode, outcome.stderr
        detail = _last_line(stderr)
        mib = self.memory // (1024 * 1024)
        if outcome.timed_out:
            return self._timeout()
        if code == -signal.SIGXCPU:
            return self._timeout()
        if outcome.stdout_overflow:
            return PreviewError("corrupt", "ffmpeg wrote far more than one thumbnail frame")
        if code == sandbox.EXEC_FAILED and "cannot run" in stderr:
            return PreviewError("ffmpeg-missing", f"ffmpeg could not be started ({detail})")
        memory_line = next((line for line in stderr.splitlines() if _is_memory_sign(line)), None)
        if memory_line is not None:
            return PreviewError(
                "memory",
                f"ffmpeg ran out of its {mib} MiB memory limit ({memory_line.strip()[:300]}); "
                "raise the preview video_memory_limit if such videos are expected",
            )
        if code is not None and code < 0 and -code in _CRASH_SIGNALS:
            # Under RLIMIT_DATA an allocation that fails where ffmpeg does not check for it
            # ends in a crash; that, not a hostile file, is by far the likelier cause.
            return PreviewError(
                "memory",
                f"ffmpeg crashed ({signal.Signals(-code).name}) under its {mib} MiB memory "
                "limit: the video probably needs more (raise the preview video_memory_limit) "
                "or is malformed",
            )
        if any(sign in stderr for sign in _NO_VIDEO_SIGNS):
            return PreviewError("no-video", "the file has no video stream to take a frame from")
        return PreviewError("corrupt", f"ffmpeg could not decode the video ({detail})")


@contextmanager
def _input_url(source: Source) -> Iterator[tuple[str, str, StreamServer | None]]:
    """(url, protocol whitelist, server or None) for ffmpeg to read ``source`` from."""
    if isinstance(source, str | os.PathLike):
        # "file:" stops ffmpeg reading a protocol out of the name ("subfile:", "http:"...).
        yield "file:" + os.path.abspath(os.fspath(source)), "file", None
        return
    with StreamServer(source) as server:
        yield server.url, "http,tcp", server


def _sniff(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            head = read_head(file, HEAD_SIZE)
    else:
        source.seek(0)
        head = read_head(source, HEAD_SIZE)
        source.seek(0)
    kind = detect_media(head)
    if kind is None or not kind.is_video:
        raise PreviewError("unsupported", "the file is not a video container Ferry previews")
    return kind.format


def _source_failure(error: BaseException) -> Exception:
    """The stream's own error (a vault's TamperedError...) says more than ffmpeg's symptom."""
    if isinstance(error, FerryError):
        return error
    return PreviewError("source", f"reading the file for ffmpeg failed ({error})")


def _is_memory_sign(line: str) -> bool:
    return any(sign in line for sign in _MEMORY_SIGNS)


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"
