"""The ``ferry`` command line: receive, send, demo, and the vault commands.

Errors are one line on stderr and a non-zero exit status; progress bars go to stderr and
the figures to stdout, so ``ferry send ... > log`` keeps a clean record.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ferry.actors.storage.destination import FolderDestination
from ferry.errors import FerryError

from .cli_pending import show_or_discard
from .config import EngineConfig, parse_size
from .engine import Engine, IncomingOffer, Peer
from .previews import PreviewReady
from .signaling import TcpSignaling, parse_host_port
from .transfer import Transfer, TransferGroup, TransferProgress, TransferResult

logger = logging.getLogger("ferry")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="ferry: %(levelname)s: %(message)s", stream=sys.stderr)
    if verbosity < 2:  # aiortc and aioice are chatty about things Ferry already handles
        for name in ("aiortc", "aioice"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _common_network(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ice-address",
        action="append",
        metavar="ADDR",
        help="local address ICE may use (repeatable; default: $FERRY_ICE_ADDRESSES, "
        "else every interface aioice finds)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up connecting after this long (default 30)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ferry", description="Peer-to-peer file transfer over WebRTC data channels."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    commands = parser.add_subparsers(dest="command", required=True)

    receive = commands.add_parser("receive", help="wait for a sender and store what it sends")
    receive.add_argument("--listen", required=True, metavar="HOST:PORT")
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
    _common_network(receive)

    send = commands.add_parser("send", help="send files or folders to a receiver")
    send.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    send.add_argument("--connect", required=True, metavar="HOST:PORT")
    send.add_argument("--chunk-size", default="16k", help="16k (default), 64k, 256k")
    _common_network(send)

    pending = commands.add_parser("pending", help="unfinished transfers a re-send resumes")
    pending.add_argument("--out", required=True, type=Path, metavar="DIR")
    pending.add_argument("--discard", action="append", metavar="KEY", help="forget one")
    pending.add_argument("--discard-all", action="store_true", help="forget them all")

    demo = commands.add_parser("demo", help="a real transfer between two processes, locally")
    demo.add_argument("path", nargs="?", type=Path, help="file to send (default: generated)")
    demo.add_argument("--size", default="64m", help="size of the generated file (default 64m)")
    demo.add_argument("--chunk-size", default="16k")

    # Commands that other parts of the distribution plug in (entry points in the group
    # "ferry.commands": `ferry bench` is ferry.benchmarks.suite:main). Each parses its own
    # options, so the engine never imports them until one is run.
    for name, entry in sorted(_plugin_commands().items()):
        commands.add_parser(name, help=_PLUGIN_HELP.get(name, f"the {entry.value} command"),
                            add_help=False)  # fmt: skip

    from .cli_vault import add_vault_commands

    add_vault_commands(commands)
    return parser


# -- receive ------------------------------------------------------------------------------


async def receive(args: argparse.Namespace) -> int:
    host, port = parse_host_port(args.listen)
    destination: dict[str, object] = {"output_dir": args.out}
    if args.vault is not None:
        from .cli_vault import read_passphrase

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
        **({"max_file_size": parse_size(args.max_size)} if args.max_size else {}),
    )
    failures = 0
    async with Engine(config) as engine:
        while True:
            signaling = TcpSignaling(host, port, listen=True)
            await signaling.bind()
            print(f"listening on {host}:{signaling.bound_port}", flush=True)
            try:
                peer = await engine.listen(signaling)
            except FerryError as exc:
                print(f"ferry: error: {exc.message}", file=sys.stderr)
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
            print(_summary("received", item), flush=True)
        elif isinstance(item, PreviewReady):
            outcome = (
                f"{item.width}x{item.height} {item.mime}, preview id {item.preview_id}"
                if item.preview_id
                else f"none ({item.reason})"
            )
            print(f"preview of {transfer.name}: {outcome}", flush=True)
        elif isinstance(item, FerryError):
            failures += 1
            print(f"ferry: error: {transfer.name}: {item.message}", file=sys.stderr, flush=True)

    def on_offer(offer: IncomingOffer) -> None:
        offer.transfer.add_listener(lambda item: report(offer.transfer, item))

    peer.on_offer = on_offer
    await peer.wait_closed()
    await peer.close()
    return failures


def _summary(verb: str, result: TransferResult) -> str:
    rate = result.size / result.seconds / 1e6 if result.seconds > 0 else 0.0
    where = result.path or f"stored as {result.stored_id}"
    resumed = f", resumed at byte {result.resumed_from:,}" if result.resumed_from else ""
    return (
        f"{verb} {result.name}: {result.size:,} bytes in {result.seconds:.2f}s "
        f"({rate:.1f} MB/s{resumed}) sha256 {result.sha256} -> {where}"
    )


# -- send --------------------------------------------------------------------------------


async def send(args: argparse.Namespace) -> int:
    host, port = parse_host_port(args.connect)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise FerryError(f"no such file or folder: {', '.join(missing)}", code="config")
    config = EngineConfig(
        chunk_size=parse_size(args.chunk_size),
        ice_addresses=tuple(args.ice_address) if args.ice_address else None,
        connect_timeout=args.timeout,
    )
    async with Engine(config) as engine:
        # A factory, not one signaling: after a lost link the peer reconnects and resumes.
        peer = await engine.connect(lambda: TcpSignaling(host, port, listen=False))
        transfers: list[Transfer] = []
        for path in args.paths:
            sent = peer.send(path)
            transfers.extend(sent if isinstance(sent, TransferGroup) else [sent])
        ok = await _await_with_progress(transfers)
        await peer.close()
    return EXIT_OK if ok == len(transfers) else EXIT_FAILED


async def _await_with_progress(transfers: list[Transfer]) -> int:
    """Show a bar per active file, a line per finished one; return how many succeeded."""
    from tqdm import tqdm

    bars: dict[bytes, tqdm] = {}
    succeeded = 0

    def on_item(transfer: Transfer, item: object) -> None:
        nonlocal succeeded
        bar = bars.get(transfer.id)
        if isinstance(item, TransferProgress):
            if bar is None:
                bar = bars[transfer.id] = tqdm(
                    total=transfer.size,
                    desc=transfer.name[-30:],
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    leave=False,
                    file=sys.stderr,
                    disable=None,  # no bar when stderr is not a terminal
                )
            bar.update(item.done - bar.n)
            return
        if bar is not None:
            bar.close()
            del bars[transfer.id]
        if isinstance(item, TransferResult):
            succeeded += 1
            tqdm.write(_summary("sent", item), file=sys.stdout)
        elif isinstance(item, FerryError):
            tqdm.write(f"ferry: error: {transfer.name}: {item.message}", file=sys.stderr)

    for transfer in transfers:
        transfer.add_listener(lambda item, t=transfer: on_item(t, item))
    await asyncio.gather(*transfers, return_exceptions=True)
    return succeeded


# -- pending -----------------------------------------------------------------------------


def pending_command(args: argparse.Namespace) -> int:
    """List unfinished transfers in an output folder, or forget some of them."""
    destination = FolderDestination(args.out)
    return show_or_discard(
        destination.pending(),
        destination.discard_pending,
        keys=args.discard,
        discard_all=args.discard_all,
    )


# -- entry point -------------------------------------------------------------------------

_PLUGIN_HELP = {"bench": "the benchmark suite against the raw aiortc ceiling"}


def _plugin_commands() -> dict[str, importlib.metadata.EntryPoint]:
    """Subcommands registered under the ``ferry.commands`` entry point group."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group="ferry.commands")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    plugins = _plugin_commands()
    if args.command in plugins:
        _configure_logging(args.verbose)
        return int(plugins[args.command].load()(extra))
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    _configure_logging(args.verbose)
    try:
        if args.command == "vault":
            from .cli_vault import run_vault_command

            return run_vault_command(args)
        if args.command == "pending":
            return pending_command(args)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(args)
        runner = receive if args.command == "receive" else send
        return asyncio.run(runner(args))
    except FerryError as exc:
        print(f"ferry: error: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("ferry: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
