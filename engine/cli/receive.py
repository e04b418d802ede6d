"""``ferry receive [CODE] (--out DIR | --vault DIR)``: store what senders send.

Through the mailbox server (``--rendezvous``): ``ferry receive CODE`` joins the sender that
printed CODE; ``ferry receive --out DIR`` with no code is an inbox: it takes a code from the
server, prints ``code: N-word-word`` and waits for ``ferry send PATH --code CODE``. Either
way it serves that one sender, then exits.

On the LAN, ``ferry receive --listen HOST:PORT`` prints ``listening on HOST:PORT``, then
``code: N-word-word`` (each line flushed as it is made): a sender gives that code
(``ferry send --connect --code``), or pairs with no code if both sides keep each other as
trusted. A code is single use: after each sender that used it,
and after each wrong guess, a new ``code:`` line follows. Several senders are served at
once, each pairing under its own deadline; there is no way to receive without pairing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ferry.errors import ConfigError, FerryError
from ferry.protocol.errors import PeerGone, ProtocolError
from ferry.protocol.pairing import AuthenticationError, Reason, parse_code

from ..config import EngineConfig
from ..engine import Engine
from ..listener import Listener
from ..offers import IncomingOffer
from ..pairing.codebook import CodeSlot
from ..peer import Peer
from ..previews import PreviewReady
from ..signaling import TcpListener, parse_host_port
from ..sizes import parse_size
from ..transfer import Transfer, TransferResult
from .output import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_OK,
    error_line,
    printable,
    report_link,
    summary,
)
from .pairing import add_pairing_options, announce, code_from
from .rendezvous import (
    add_rendezvous_option,
    meet,
    network_settings,
    server_url,
)
from .web import add_web_options, web_receive


def add_receive_command(
    commands: argparse._SubParsersAction, network: argparse.ArgumentParser
) -> None:  # type: ignore[type-arg]
    receive = commands.add_parser(
        "receive", parents=[network], help="wait for senders and store what they send"
    )
    receive.add_argument(
        "code_text",
        nargs="?",
        default=None,
        metavar="CODE",
        help="the code the sender printed (with none: print a code for a sender to use)",
    )
    receive.add_argument(
        "--listen",
        default=None,
        metavar="HOST:PORT",
        help="serve senders on the LAN here (ferry send --connect), not through the mailbox server",
    )
    add_web_options(receive)
    where = receive.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR", help="store plain files here")
    where.add_argument(
        "--vault",
        type=Path,
        metavar="DIR",
        help="store into this encrypted vault (passphrase: $FERRY_PASSPHRASE or a prompt)",
    )
    receive.add_argument("--no-previews", action="store_true", help="make no thumbnails")
    receive.add_argument("--once", action="store_true", help="exit after one sender")
    receive.add_argument("--max-size", default=None, help="refuse files larger than this")
    receive.add_argument(
        "--max-peers", type=int, default=16, help="senders served at once (default 16)"
    )
    receive.add_argument(
        "--idle-timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="close a sender that sends nothing for this long (default 300)",
    )
    add_pairing_options(receive)
    add_rendezvous_option(receive)
    receive.add_argument(
        "--staging-quota",
        default=None,
        metavar="SIZE",
        help="refuse files once this much is staged (in flight or kept for a resume)",
    )
    receive.add_argument(
        "--min-free",
        default=None,
        metavar="SIZE",
        help="refuse files that would leave less than this free on disk (default 128m)",
    )
    receive.add_argument(
        "--max-per-peer", default=None, metavar="SIZE", help="bytes in flight from one sender"
    )


def _limits(args: argparse.Namespace) -> dict[str, int]:
    """The size limits given on the command line, as EngineConfig fields."""
    fields = {
        "max_size": "max_file_size",
        "staging_quota": "staging_quota",
        "min_free": "min_free_space",
        "max_per_peer": "max_bytes_per_peer",
    }
    return {
        field: parse_size(getattr(args, flag))
        for flag, field in fields.items()
        if getattr(args, flag) is not None
    }


def _config(args: argparse.Namespace) -> EngineConfig:
    if args.out is not None:
        try:  # a folder that does not exist yet is made, as croc and wormhole do
            args.out.expanduser().mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FerryError(f"cannot make the output folder {args.out}: {exc.strerror}") from None
    destination: dict[str, object] = {"output_dir": args.out}
    if args.vault is not None:
        from .vault import read_passphrase

        creating = not (args.vault / "vault.key").exists()
        destination = {
            "vault_dir": args.vault,
            "vault_passphrase": read_passphrase(confirm=creating),
        }
    if args.no_previews:
        destination["previews"] = None
    return EngineConfig(
        **destination,  # type: ignore[arg-type]
        accept_all=True,
        **network_settings(args),
        handshake_timeout=args.handshake_timeout,
        idle_timeout=args.idle_timeout,
        max_peers=args.max_peers,
        **_limits(args),
    )


async def receive_command(args: argparse.Namespace) -> int:
    if args.web:
        return await web_receive(args, _config(args))
    if args.listen is None:
        return await _receive_by_rendezvous(args)
    if args.code_text is not None:
        raise ConfigError("give the code with --code when listening (--listen) on the LAN")
    host, port = parse_host_port(args.listen)
    fixed = code_from(args)
    config = _config(args)
    unfinished: set[str] = set()  # files that failed and have not arrived since
    broke = False  # a sender broke the protocol
    auth_failed = False

    async with Engine(config) as engine, TcpListener(host, port) as sockets:
        print(f"listening on {host}:{sockets.bound_port}", flush=True)
        codes = CodeSlot(lambda code: print(f"code: {code}", flush=True), fixed=fixed)

        async def serve(peer: Peer) -> None:
            nonlocal broke
            announce(engine, peer, verify=args.verify, trust_new=args.trust_new)
            broke = await _serve(peer, unfinished) or broke
            print(f"left: {peer.peer_id}", flush=True)  # its staging is suspended by now

        def failed(where: str, error: FerryError) -> None:
            nonlocal auth_failed
            if isinstance(error, AuthenticationError) and error.reason is Reason.WRONG_SECRET:
                message = f"a sender at {where} tried a wrong code; that code is used up"
            else:
                message = f"a connection from {where} did not pair: {error.message}"
            print(error_line(message), file=sys.stderr, flush=True)
            if codes.exhausted and fixed is not None:
                auth_failed = True
                listener.stop()  # the one code given is gone: nothing more can pair by code

        listener = Listener(engine, sockets, codes, serve=serve, failed=failed, once=args.once)
        await listener.run()
    if auth_failed:
        return EXIT_AUTH
    return EXIT_OK if not unfinished and not broke else EXIT_FAILED


async def _receive_by_rendezvous(args: argparse.Namespace) -> int:
    """One sender through the mailbox server: join its code, or print ours and wait."""
    if args.code_text is not None and args.code is not None:
        raise ConfigError("give the code once: as CODE or with --code, not both")
    code = parse_code(args.code_text) if args.code_text is not None else code_from(args)
    url = server_url(args)
    config = _config(args)
    async with Engine(config) as engine:
        peer = await meet(engine, url, code)
        if peer is None:
            return EXIT_AUTH
        announce(engine, peer, verify=args.verify, trust_new=args.trust_new)
        unfinished: set[str] = set()
        broke = await _serve(peer, unfinished)
    return EXIT_OK if not unfinished and not broke else EXIT_FAILED


async def _serve(peer: Peer, unfinished: set[str]) -> bool:
    """Report each incoming file until the sender leaves. The names of files that failed go
    into ``unfinished``, and out again when one arrives later (a file cut off by a lost link
    resumes when the sender reconnects, on this connection or the next). True if the sender
    broke the protocol."""

    def report(transfer: Transfer, item: object) -> None:
        if isinstance(item, TransferResult):
            unfinished.discard(transfer.name)
            print(summary("received", item), flush=True)
        elif isinstance(item, PreviewReady):
            outcome = (
                f"{item.width}x{item.height} {item.mime}, preview id {item.preview_id}"
                if item.preview_id
                else f"none ({item.reason})"
            )
            print(printable(f"preview of {transfer.name}: {outcome}"), flush=True)
        elif isinstance(item, PeerGone) and peer.peer_id in peer.engine.session_trust:
            unfinished.add(transfer.name)
            kept = f"ferry: {transfer.name}: {item.message}; kept for a resume when it reconnects"
            print(printable(kept), file=sys.stderr, flush=True)
        elif isinstance(item, FerryError):
            unfinished.add(transfer.name)
            print(error_line(f"{transfer.name}: {item.message}"), file=sys.stderr, flush=True)

    def on_offer(offer: IncomingOffer) -> None:
        offer.transfer.add_listener(lambda item: report(offer.transfer, item))

    peer.on_offer = on_offer
    peer.add_listener(report_link)
    error = await peer.wait_closed()
    broke = isinstance(error, ProtocolError)
    if broke:  # the peer broke the protocol: say so, once
        who = f"sender {peer.peer_id}" if peer.peer_id else "the sender"
        print(error_line(f"{who} broke the protocol: {error.message}"), file=sys.stderr)
    await peer.close()
    return broke
