"""The loopback HTTP server that hands a seekable stream to ffmpeg."""

from __future__ import annotations

import http.client
import io
import os
import subprocess
import sys
import urllib.parse

import pytest

from ferry.actors.media.serve import StreamServer

from .media import server_threads

DATA = bytes(range(256)) * 1000  # 256,000 bytes


def request(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_it_listens_on_loopback_only_at_a_secret_path() -> None:
    with StreamServer(io.BytesIO(DATA)) as server:
        parts = urllib.parse.urlsplit(server.url)
        assert parts.hostname == "127.0.0.1"
        assert len(parts.path) > 20  # "/" and a 128-bit token
        wrong = server.url[:-4] + "AAAA"
        assert request(wrong)[0] == 404
        assert request(server.url.rsplit("/", 1)[0] + "/")[0] == 404


def test_whole_body_and_ranges() -> None:
    with StreamServer(io.BytesIO(DATA)) as server:
        status, headers, body = request(server.url)
        assert (status, body) == (200, DATA)
        assert headers["Accept-Ranges"] == "bytes"

        status, headers, body = request(server.url, Range="bytes=1000-1999")
        assert (status, body) == (206, DATA[1000:2000])
        assert headers["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"

        status, headers, body = request(server.url, Range="bytes=250000-")  # how ffmpeg seeks
        assert (status, body) == (206, DATA[250000:])

        status, headers, body = request(server.url, Range="bytes=-10")
        assert (status, body) == (206, DATA[-10:])

        status, headers, body = request(server.url, Range=f"bytes={len(DATA)}-")
        assert status == 416
        assert headers["Content-Range"] == f"bytes */{len(DATA)}"

        status, headers, body = request(server.url, "HEAD")
        assert (status, headers["Content-Length"], body) == (200, str(len(DATA)), b"")


def test_closing_stops_listening_and_leaves_no_threads() -> None:
    source = io.BytesIO(DATA)
    server = StreamServer(source)
    assert request(server.url)[0] == 200
    server.close()
    with pytest.raises(ConnectionRefusedError):
        request(server.url)
    assert server_threads() == []
    assert not source.closed  # the caller owns the stream


class FailingStream(io.BytesIO):
    def readinto(self, buffer: object) -> int:  # type: ignore[override]
        if self.tell() >= 100_000:
            raise OSError("disk on fire")
        return super().readinto(buffer)  # type: ignore[arg-type]


def test_a_failing_stream_cuts_the_body_and_is_reported() -> None:
    with StreamServer(FailingStream(DATA)) as server:
        with pytest.raises(http.client.IncompleteRead):
            request(server.url)
        assert isinstance(server.source_error, OSError)
        assert "disk on fire" in str(server.source_error)


def test_an_unseekable_stream_is_refused() -> None:
    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

    with pytest.raises(ValueError, match="seekable"):
        StreamServer(Unseekable(DATA))


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0,
    reason="needs Linux and root, to connect as another user",
)
def test_another_local_user_cannot_fetch_the_stream_even_with_the_url() -> None:
    data = b"decrypted plaintext " * 100
    with StreamServer(io.BytesIO(data)) as server:
        # The URL (token included) is on ffmpeg's command line: assume the other user has it.
        fetch = (
            "import sys, urllib.request\n"
            "try:\n"
            "    print(len(urllib.request.urlopen(sys.argv[1], timeout=10).read()))\n"
            "except Exception as exc:\n"
            "    print('refused', type(exc).__name__)\n"
        )

        def as_nobody() -> None:
            os.setgid(65534)
            os.setuid(65534)

        other = subprocess.run(
            [sys.executable, "-c", fetch, server.url],
            capture_output=True, text=True, timeout=60, preexec_fn=as_nobody, cwd="/",
        )  # fmt: skip
        mine = subprocess.run(
            [sys.executable, "-c", fetch, server.url], capture_output=True, text=True, timeout=60
        )
    assert other.stdout.startswith("refused"), other
    assert mine.stdout.strip() == str(len(data))
