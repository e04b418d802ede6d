"""Hand a seekable stream to ffmpeg over HTTP on 127.0.0.1, with Range support.

Why HTTP: the stream is plaintext decrypted from the vault and must never touch disk, so
no temporary file; a stdin pipe cannot seek, and an MP4 whose ``moov`` atom sits at the end
(no "faststart") is unreadable without seeking. ffmpeg's http protocol seeks with Range
requests, one connection per seek, so this small server answers them from the stream.

Exposure: it listens on 127.0.0.1 only, on a random port, for the lifetime of one preview,
and answers only one path: a random 128-bit token. The token is on ffmpeg's command line,
which every local user can read in /proc, so it is not enough on its own: on Linux the
server also refuses every connection from a socket another user owns (the kernel's socket
table says who owns each loopback connection), so only this user's processes get in.
Requests are served one block at a time under a lock (connections may overlap), and
:meth:`StreamServer.close` stops the listener, cuts every open connection and refuses
further reads of the stream.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import re
import secrets
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO

log = logging.getLogger(__name__)

_BLOCK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_JOIN_TIMEOUT = 2.0
THREAD_PREFIX = "ferry-preview-http"


class StreamServer:
    """Serve ``source`` (seekable, binary) at :attr:`url` until :meth:`close`.

    Use as a context manager. The stream is read with seek + readinto (or read), never as a
    whole, and is not closed here. The first exception the stream raised while serving is
    kept in :attr:`source_error`, so a caller can report it instead of ffmpeg's symptom.
    """

    def __init__(self, source: BinaryIO) -> None:
        if not source.seekable():
            raise ValueError("the stream to serve must be seekable")
        self.size = source.seek(0, 2)
        self.source_error: BaseException | None = None
        self._source = source
        self._token = secrets.token_urlsafe(16)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/{self._token}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{THREAD_PREFIX}-{port}",
            daemon=True,
        )
        self._thread.start()

    def __enter__(self) -> StreamServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving: no new connection, open ones cut, no further read of the stream."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.cut_connections()
        self._thread.join()
        stuck = self._server.join_handlers(_JOIN_TIMEOUT)
        if stuck:  # a read of the stream itself is blocked: nothing here can interrupt it
            log.warning("%d preview HTTP handler(s) still blocked reading the stream", stuck)

    def authorised(self, path: str) -> bool:
        return hmac.compare_digest(path.encode(), f"/{self._token}".encode())

    def read_at(self, offset: int, buffer: memoryview) -> int:
        """Fill ``buffer`` from ``offset``; 0 at the end, on a failure, or once closed."""
        while not self._lock.acquire(timeout=0.1):  # another handler may be stuck in a read
            if self._closed.is_set():
                return 0
        try:
            if self._closed.is_set():
                return 0
            self._source.seek(offset)
            readinto = getattr(self._source, "readinto", None)
            if readinto is not None:
                return readinto(buffer) or 0
            data = self._source.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        except Exception as exc:  # whatever the stream raises (a vault's TamperedError...)
            if self.source_error is None:
                self.source_error = exc
            log.warning("reading the stream for ffmpeg failed: %s", exc)
            return 0
        finally:
            self._lock.release()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() joins handlers itself, with a timeout

    def __init__(self, owner: StreamServer) -> None:
        self.owner = owner
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._guard = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: socket.socket, client_address: object) -> bool:  # type: ignore[override]
        owner = connection_owner(request)
        if owner is not None and owner != os.getuid():
            log.warning("refused a preview stream connection from user %d", owner)
            return False
        return True

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"{THREAD_PREFIX}-conn",
            daemon=True,
        )
        with self._guard:
            self._connections.add(request)
            self._handlers.add(thread)
        thread.start()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._guard:
            self._connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._guard:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> int:
        """Wait for handler threads; return how many are still running."""
        with self._guard:
            handlers = list(self._handlers)
        deadline = time.monotonic() + timeout
        for thread in handlers:
            thread.join(max(0.0, deadline - time.monotonic()))
        return sum(thread.is_alive() for thread in handlers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # an idle connection never holds a thread for long

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("preview http: " + format, *args)

    def _respond(self, *, send_body: bool) -> None:
        owner = self.server.owner
        self.close_connection = True
        if not owner.authorised(self.path):
            self._status_only(HTTPStatus.NOT_FOUND)
            return
        span = _parse_range(self.headers.get("Range"), owner.size)
        if span is None:
            self._status_only(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, f"bytes */{owner.size}")
            return
        start, end, partial = span
        log.debug("serving bytes %d-%d of %d", start, end, owner.size)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if partial else HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start))
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{owner.size}")
        self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self._send_body(start, end)

    def _send_body(self, start: int, end: int) -> None:
        buffer = memoryview(bytearray(_BLOCK))
        position = start
        try:
            while position < end:
                count = self.server.owner.read_at(position, buffer[: min(_BLOCK, end - position)])
                if count <= 0:
                    break  # closed, failed or shorter than announced: ffmpeg sees a cut body
                self.wfile.write(buffer[:count])
                position += count
        except OSError:  # ffmpeg closed the connection (it does so on every seek) or was killed
            pass

    def _status_only(self, status: HTTPStatus, content_range: str | None = None) -> None:
        self.send_response(status)
        if content_range is not None:
            self.send_header("Content-Range", content_range)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()


def connection_owner(connection: socket.socket) -> int | None:
    """The uid that owns the other end of a loopback TCP ``connection`` (Linux), else None.

    The client's socket is the one whose local address is our peer's and whose remote
    address is ours, in /proc/net/tcp; its ``uid`` column is the owner.
    """
    try:
        peer_host, peer_port = connection.getpeername()[:2]
        our_host, our_port = connection.getsockname()[:2]
        with open("/proc/net/tcp") as table:
            rows = table.read().splitlines()[1:]
    except (OSError, ValueError):
        return None
    wanted = (_proc_address(peer_host, peer_port), _proc_address(our_host, our_port))
    for row in rows:
        fields = row.split()
        if len(fields) > 7 and (fields[1], fields[2]) == wanted:
            return int(fields[7])
    return None


def _proc_address(host: str, port: int) -> str:
    """``127.0.0.1``, 8080 as /proc/net/tcp writes it: ``0100007F:1F90``."""
    packed = socket.inet_aton(host)
    return f"{int.from_bytes(packed, 'little'):08X}:{port:04X}"


def _parse_range(header: str | None, size: int) -> tuple[int, int, bool] | None:
    """(start, end exclusive, partial?) for a Range header; None when unsatisfiable.

    One range only; anything else (several ranges, other units) gets the whole body, which
    RFC 9110 allows.
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return 0, size, False
    first, last = match.groups()
    if first == "":  # suffix: the last N bytes
        length = min(int(last), size)
        return (size - length, size, True) if length > 0 else None
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or end <= start:
        return None
    return start, end, True
