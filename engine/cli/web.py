"""The browser commands: ``ferry web`` serves the page; ``--web`` on send and receive.

    ferry web --listen HOST:PORT [--rendezvous URL]
    ferry send PATH... --web [--page URL] [--rendezvous URL]     # the browser receives
    ferry receive --web [--page URL] (--out DIR | --vault DIR)   # the browser sends

A ``--web`` command allocates a nameplate on the mailbox server, prints a link (on its own
line, then as a QR code for a phone) whose fragment carries the nameplate and a fresh
32-byte secret, and pairs with the page that opens it. Without ``--page`` it serves the
page itself on a local port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ferry.errors import ConfigError, FerryError

from ..config import EngineConfig
from ..engine import Engine
from ..rendezvous import rendezvous_url
from ..signaling import parse_host_port
from ..transfer import Transfer, TransferGroup
from .output import EXIT_FAILED, EXIT_OK, await_with_progress, error_line


def add_web_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    web = commands.add_parser("web", help="serve the browser page (a Ferry peer in a browser)")
    web.add_argument("--listen", required=True, metavar="HOST:PORT")
    web.add_argument("--rendezvous", metavar="URL", help="the mailbox server the page uses")


def add_web_options(parser: argparse.ArgumentParser) -> None:
    """``--web`` and ``--page`` for send and receive (``--rendezvous`` is theirs already:
    the same mailbox server serves codes and the page's links)."""
    parser.add_argument(
        "--web", action="store_true", help="pair with a browser: print a link (and a QR code)"
    )
    parser.add_argument("--page", metavar="URL", help="where the page is served (with --web)")


def run_web_server(args: argparse.Namespace) -> int:
    """``ferry web``: serve the page until interrupted."""
    from ferry.engine.web import PageServer

    host, port = parse_host_port(args.listen)
    url = rendezvous_url(args.rendezvous)
    with PageServer(host, port, rendezvous=url) as server:
        print(f"serving the Ferry page on {server.url} (mailbox server {url})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_forever())
    return EXIT_OK


async def _forever() -> None:
    await asyncio.Event().wait()


@contextlib.contextmanager
def _page(args: argparse.Namespace, rendezvous: str) -> Iterator[str]:
    """The page's address: ``--page``, or a server of our own for as long as we run."""
    from ferry.engine.web import PageServer
    from ferry.engine.web.link import check_page_url

    if args.page:
        yield check_page_url(args.page)
        return
    with PageServer("127.0.0.1", 0, rendezvous=rendezvous) as server:
        print(f"serving the page on {server.url}", flush=True)
        yield server.url


def show_link(link: object) -> None:
    """The link on its own line (to copy, or for a script), then as a QR code."""
    text = str(link)
    print(text, flush=True)
    try:
        import qrcode
    except ImportError:  # pragma: no cover - a dependency; a broken install still works
        return
    code = qrcode.QRCode(border=1)
    code.add_data(text)
    code.print_ascii(out=sys.stdout, invert=True)
    sys.stdout.flush()


async def web_send(args: argparse.Namespace, config: EngineConfig) -> int:
    """``ferry send PATH... --web``: the browser that opens the link receives."""
    from ferry.engine.web import WebPairing

    missing = [str(p) for p in args.paths if not Path(p).exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")
    rendezvous = rendezvous_url(args.rendezvous)
    with _page(args, rendezvous) as page:
        async with Engine(config) as engine:
            pairing = WebPairing(rendezvous, page, "receive")
            show_link(await pairing.link())
            peer = await pairing.connect(engine)
            transfers: list[Transfer] = []
            for path in args.paths:
                sent = peer.send(path)
                transfers.extend(sent if isinstance(sent, TransferGroup) else [sent])
            ok = await await_with_progress(transfers)
            await peer.close()
    return EXIT_OK if ok == len(transfers) else EXIT_FAILED


async def web_receive(args: argparse.Namespace, config: EngineConfig) -> int:
    """``ferry receive --web``: the browser that opens the link sends; one sender, then exit."""
    from ferry.engine.web import WebPairing

    from .receive import _serve

    rendezvous = rendezvous_url(args.rendezvous)
    with _page(args, rendezvous) as page:
        async with Engine(config) as engine:
            pairing = WebPairing(rendezvous, page, "send")
            show_link(await pairing.link())
            try:
                peer = await pairing.connect(engine)
            except FerryError as exc:
                print(error_line(exc.message), file=sys.stderr)
                return EXIT_FAILED
            unfinished: set[str] = set()
            broke = await _serve(peer, unfinished)
    return EXIT_OK if not unfinished and not broke else EXIT_FAILED
