"""Serve the page: three fixed files from ``static/``, nothing else.

The standard library's threaded HTTP server, in a thread of its own, so ``ferry web`` and
the ``--web`` commands need no web framework. Only the listed files are served (no path is
ever joined onto the folder), with a content security policy that lets the page talk to
itself and to WebSocket servers (the mailbox server) only.
"""

from __future__ import annotations

import html
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

logger = logging.getLogger(__name__)

_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/ferry.js": ("ferry.js", "text/javascript; charset=utf-8"),
    "/sw.js": ("sw.js", "text/javascript; charset=utf-8"),
}
_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; frame-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_META = '<meta name="ferry-rendezvous" content="">'


def static_file(name: str) -> bytes:
    return resources.files("ferry.engine.web").joinpath("static", name).read_bytes()


class PageServer:
    """The page on ``host:port`` (port 0: any free port) until :meth:`close`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, rendezvous: str | None = None):
        index = static_file("index.html").decode("utf-8")
        if rendezvous:
            meta = f'<meta name="ferry-rendezvous" content="{html.escape(rendezvous, quote=True)}">'
            index = index.replace(_META, meta)
        self._files = {
            path: (index.encode("utf-8") if name == "index.html" else static_file(name), kind)
            for path, (name, kind) in _FILES.items()
        }
        self._httpd = ThreadingHTTPServer((host, port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="ferry-page-server", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self._httpd.server_address[0]
        shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{self.port}/"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> PageServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        files = self._files

        class Handler(BaseHTTPRequestHandler):
            server_version = "ferry"
            sys_version = ""

            def do_GET(self) -> None:
                self._answer(with_body=True)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def _answer(self, *, with_body: bool) -> None:
                path = self.path.split("?", 1)[0]
                found = files.get(path)
                if found is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body, kind = found
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Content-Security-Policy", _CSP)
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                logger.debug("page server: " + format, *args)

        return Handler
