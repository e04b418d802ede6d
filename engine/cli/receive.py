"""``ferry receive --listen HOST:PORT (--out DIR | --vault DIR)``: store what senders send."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ferry.errors import ConfigError, FerryError

from ..config import EngineConfig
from ..engine import Engine
from ..offers import IncomingOffer
from ..peer import Peer
from ..previews import PreviewReady
from ..signaling import TcpSignaling, parse_host_port
from ..sizes import parse_size
from ..transfer import Transfer, TransferResult
from .output import EXIT_FAILED, EXIT_OK, error_line, printable, summary
from .web import add_web_options, web_receive


def add_receive_command(
    commands: argparse._SubParsersAction, network: argparse.ArgumentParser
) -> None:  # type: ignore[type-arg]
    receive = commands.add_parser(
        "receive", parents=[network], help="wait for a sender and store what it sends"
    )
    receive.add_argument("--listen", metavar="HOST:PORT", help="required unless --web")
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


async def receive_command(args: argparse.Namespace) -> int:
    if not args.web and args.listen is None:
        raise ConfigError("--listen HOST:PORT is required (or --web: a browser sends)")
    host, port = parse_host_port(args.listen) if args.listen else ("", 0)
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
    config = EngineConfig(
        **destination,  # type: ignore[arg-type]
        accept_all=True,
        ice_addresses=tuple(args.ice_address) if args.ice_address else None,
        connect_timeout=args.timeout,
        **_limits(args),
    )
    if args.web:
        return await web_receive(args, config)
    failures = 0
    async with Engine(config) as engine:
        while True:
            signaling = TcpSignaling(host, port, listen=True)
            await signaling.bind()
            print(f"listening on {host}:{signaling.bound_port}", flush=True)
            try:
                peer = await engine.listen(signaling)
            except FerryError as exc:
                print(error_line(exc.message), file=sys.stderr)
                failures += 1
                if args.once:
                    return EXIT_FAILED
                continue
            failures += await _serve(peer)
            if args.once:
                return EXIT_OK if failures == 0 else EXIT_FAILED


async def _serve(peer: Peer) -> int:
    """Report each incoming file until the sender leaves; return how many failed."""
    failures = 0

    def report(transfer: Transfer, item: object) -> None:
        nonlocal failures
        if isinstance(item, TransferResult):
            print(summary("received", item), flush=True)
        elif isinstance(item, PreviewReady):
            outcome = (
                f"{item.width}x{item.height} {item.mime}, preview id {item.preview_id}"
                if item.preview_id
                else f"none ({item.reason})"
            )
            print(printable(f"preview of {transfer.name}: {outcome}"), flush=True)
        elif isinstance(item, FerryError):
            failures += 1
            print(error_line(f"{transfer.name}: {item.message}"), file=sys.stderr, flush=True)

    def on_offer(offer: IncomingOffer) -> None:
        offer.transfer.add_listener(lambda item: report(offer.transfer, item))

    peer.on_offer = on_offer
    await peer.wait_closed()
    await peer.close()
    return failures
