"""``ferry send PATH...``: send files and folders, pairing first by a code.

Three ways to meet the receiver:

- ``ferry send PATH...``: take a code from the mailbox server (``--rendezvous``), print
  ``code: 7-crossover-clockwork`` and wait for ``ferry receive 7-crossover-clockwork``;
- ``ferry send PATH... --code CODE``: the code an inbox printed (``ferry receive --out DIR``);
- ``ferry send PATH... --connect HOST:PORT --code CODE``: straight to a ``ferry receive
  --listen`` on the LAN (with no code: as a trusted peer).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ferry.errors import ConfigError
from ferry.protocol.pairing import Code

from ..config import EngineConfig
from ..engine import Engine
from ..peer import Peer
from ..signaling import TcpSignaling, parse_host_port
from ..sizes import parse_size
from ..transfer import Transfer, TransferGroup
from .output import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_OK,
    await_with_progress,
    report_link,
)
from .pairing import add_pairing_options, announce, code_from
from .rendezvous import (
    add_rendezvous_option,
    meet,
    network_settings,
    server_url,
)
from .web import add_web_options, web_send


def add_send_command(
    commands: argparse._SubParsersAction, network: argparse.ArgumentParser
) -> None:  # type: ignore[type-arg]
    send = commands.add_parser(
        "send", parents=[network], help="send files or folders to a receiver"
    )
    send.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    send.add_argument(
        "--connect",
        default=None,
        metavar="HOST:PORT",
        help="a receiver on the LAN (ferry receive --listen), not through the mailbox server",
    )
    add_web_options(send)
    send.add_argument("--chunk-size", default="16k", help="16k (default), 64k, 256k")
    add_pairing_options(send)
    add_rendezvous_option(send)


async def send_command(args: argparse.Namespace) -> int:
    if args.web:
        config = EngineConfig(chunk_size=parse_size(args.chunk_size), **network_settings(args))
        return await web_send(args, config)
    if args.connect is None:
        return await send_by_rendezvous(
            args.paths,
            url=server_url(args),
            code=code_from(args),
            config=EngineConfig(
                chunk_size=parse_size(args.chunk_size),
                handshake_timeout=args.handshake_timeout,
                **network_settings(args),
            ),
            verify=args.verify,
            trust_new=args.trust_new,
        )
    return await send_files(
        args.paths,
        connect=args.connect,
        code=code_from(args),
        chunk_size=parse_size(args.chunk_size),
        ice_addresses=tuple(args.ice_address) if args.ice_address else None,
        timeout=args.timeout,
        handshake_timeout=args.handshake_timeout,
        verify=args.verify,
        trust_new=args.trust_new,
        network=network_settings(args),
    )


async def send_files(
    paths: Sequence[Path],
    *,
    connect: str,
    code: Code | None,
    chunk_size: int,
    ice_addresses: tuple[str, ...] | None,
    timeout: float,
    handshake_timeout: float = 10.0,
    verify: bool = False,
    trust_new: bool = False,
    network: dict[str, Any] | None = None,
) -> int:
    """Send every path to the receiver at ``connect``; exit status 0 only if all arrived.

    With no ``code``, pair as a trusted peer (both sides must keep each other as trusted).
    """
    host, port = parse_host_port(connect)
    _check_paths(paths)
    config = EngineConfig(
        chunk_size=chunk_size,
        handshake_timeout=handshake_timeout,
        **{"ice_addresses": ice_addresses, "connect_timeout": timeout, **(network or {})},
    )
    async with Engine(config) as engine:
        if code is None and not engine.trusted_ids():
            raise ConfigError(
                "give the code the receiver shows (--code, or $FERRY_CODE); without one only "
                "a trusted receiver can be reached, and this installation trusts none"
            )
        # A factory, not one signaling: after a lost link the peer reconnects (pairing again
        # by identity, with the same receiver) and resumes.
        pairing = {"code": code} if code is not None else {"trusted": True}
        peer = await engine.connect(lambda: TcpSignaling(host, port, listen=False), **pairing)
        return await _send_to(engine, peer, paths, verify=verify, trust_new=trust_new)


async def send_by_rendezvous(
    paths: Sequence[Path],
    *,
    url: str,
    code: Code | None,
    config: EngineConfig,
    verify: bool = False,
    trust_new: bool = False,
) -> int:
    """Meet the receiver through the mailbox server at ``url``: with no ``code``, take one
    and print it (``code: N-word-word``), then wait; with one, join the inbox that made it."""
    _check_paths(paths)
    async with Engine(config) as engine:
        peer = await meet(engine, url, code, again=": run ferry send again for a new one")
        if peer is None:
            return EXIT_AUTH
        return await _send_to(engine, peer, paths, verify=verify, trust_new=trust_new)


def _check_paths(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")


async def _send_to(
    engine: Engine, peer: Peer, paths: Sequence[Path], *, verify: bool, trust_new: bool
) -> int:
    """Send every path to the paired ``peer``; exit status 0 only if all arrived."""
    announce(engine, peer, verify=verify, trust_new=trust_new)
    peer.add_listener(report_link)
    transfers: list[Transfer] = []
    for path in paths:
        sent = peer.send(path)
        transfers.extend(sent if isinstance(sent, TransferGroup) else [sent])
    ok = await await_with_progress(transfers)
    await peer.close()
    sys.stdout.flush()
    return EXIT_OK if ok == len(transfers) else EXIT_FAILED
