"""The ``ferry`` command's parser and dispatch; each command lives in its own module."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import sys
from collections.abc import Sequence

from ferry.errors import FerryError
from ferry.protocol.pairing import AuthenticationError, CodeError, Reason

from .output import EXIT_AUTH, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, error_line
from .receive import add_receive_command, receive_command
from .send import add_send_command, send_command

#: Help for the subcommands plugged in from outside the engine (entry points).
_PLUGIN_HELP = {"bench": "the benchmark suite against the raw aiortc ceiling"}


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="ferry: %(levelname)s: %(message)s", stream=sys.stderr)
    if verbosity < 2:  # aiortc and aioice are chatty about things Ferry already handles
        for name in ("aiortc", "aioice"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _network_options() -> argparse.ArgumentParser:
    """Options every command that connects to a peer takes."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--ice-address",
        action="append",
        metavar="ADDR",
        help="local address ICE may use (repeatable; default: $FERRY_ICE_ADDRESSES, "
        "else every interface aioice finds)",
    )
    parser.add_argument(
        "--ice-server",
        action="append",
        metavar="URL",
        help="a STUN or TURN server (repeatable): stun:HOST:PORT,"
        " turn:USER:PASS@HOST:PORT?transport=udp|tcp (default: $FERRY_ICE_SERVERS, else none)",
    )
    parser.add_argument(
        "--turn-secret",
        default=None,
        metavar="SECRET",
        help="coturn's static-auth-secret: TURN servers given without USER:PASS get"
        " time-limited credentials (default: $FERRY_TURN_SECRET)",
    )
    parser.add_argument(
        "--relay-only",
        action="store_true",
        help="send every byte through the TURN server (hides the peers' addresses)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up connecting after this long (default 30)",
    )
    return parser


def _plugin_commands() -> dict[str, importlib.metadata.EntryPoint]:
    """Subcommands registered under the ``ferry.commands`` entry point group.

    ``ferry bench`` is ``ferry.benchmarks.suite:main``: the engine never imports the
    benchmarks; each plugged-in command parses its own options.
    """
    return {ep.name: ep for ep in importlib.metadata.entry_points(group="ferry.commands")}


def build_parser() -> argparse.ArgumentParser:
    from .demo import add_demo_command
    from .peers import add_peers_command
    from .pending import add_pending_command
    from .vault import add_vault_commands
    from .web import add_web_command

    parser = argparse.ArgumentParser(
        prog="ferry", description="Peer-to-peer file transfer over WebRTC data channels."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    commands = parser.add_subparsers(dest="command", required=True)
    network = _network_options()
    add_receive_command(commands, network)
    add_send_command(commands, network)
    add_pending_command(commands)
    add_peers_command(commands)
    add_demo_command(commands)
    for name, entry in sorted(_plugin_commands().items()):
        help_text = _PLUGIN_HELP.get(name, f"the {entry.value} command")
        commands.add_parser(name, help=help_text, add_help=False)
    add_vault_commands(commands)
    add_web_command(commands)
    return parser


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
            from .vault import run_vault_command

            return run_vault_command(args)
        if args.command == "pending":
            from .pending import pending_command

            return pending_command(args)
        if args.command == "peers":
            from .peers import peers_command

            return peers_command(args)
        if args.command == "web":
            from .web import run_web_server

            return run_web_server(args)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(args)
        runner = receive_command if args.command == "receive" else send_command
        return asyncio.run(runner(args))
    except AuthenticationError as exc:
        message = exc.message
        if exc.reason is Reason.WRONG_SECRET:
            other = "receiver" if args.command == "send" else "sender"
            message += f"; each code works once: ask the {other} for the new code it shows"
        print(error_line(message), file=sys.stderr)
        return EXIT_FAILED if exc.reason is Reason.BUSY else EXIT_AUTH
    except CodeError as exc:
        print(error_line(exc.message), file=sys.stderr)
        return EXIT_USAGE
    except FerryError as exc:
        print(error_line(exc.message), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("ferry: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
