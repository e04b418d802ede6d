"""``ferry send PATH... --connect HOST:PORT --code CODE``: send files and folders to a
receiver, pairing first with the code it shows (or, with no code, as a trusted peer)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ferry.errors import ConfigError
from ferry.protocol.pairing import Code

from ..config import EngineConfig
from ..engine import Engine
from ..signaling import TcpSignaling, parse_host_port
from ..sizes import parse_size
from ..transfer import Transfer, TransferGroup
from .output import EXIT_FAILED, EXIT_OK, await_with_progress
from .pairing import add_pairing_options, code_from
from .web import add_web_options, web_send


def add_send_command(
    commands: argparse._SubParsersAction, network: argparse.ArgumentParser
) -> None:  # type: ignore[type-arg]
    send = commands.add_parser(
        "send", parents=[network], help="send files or folders to a receiver"
    )
    send.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    send.add_argument("--connect", metavar="HOST:PORT", help="required unless --web")
    add_web_options(send)
    send.add_argument("--chunk-size", default="16k", help="16k (default), 64k, 256k")
    add_pairing_options(send)


async def send_command(args: argparse.Namespace) -> int:
    if args.web:
        config = EngineConfig(
            chunk_size=parse_size(args.chunk_size),
            ice_addresses=tuple(args.ice_address) if args.ice_address else None,
            connect_timeout=args.timeout,
        )
        return await web_send(args, config)
    if args.connect is None:
        raise ConfigError("--connect HOST:PORT is required (or --web: a browser receives)")
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
) -> int:
    """Send every path to the receiver at ``connect``; exit status 0 only if all arrived.

    With no ``code``, pair as a trusted peer (both sides must keep each other as trusted).
    """
    host, port = parse_host_port(connect)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")
    config = EngineConfig(
        chunk_size=chunk_size,
        ice_addresses=ice_addresses,
        connect_timeout=timeout,
        handshake_timeout=handshake_timeout,
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
        if verify:
            print(f"verifier: {peer.verifier} (peer {peer.peer_id})", flush=True)
        if trust_new and not peer.trusted and peer.peer_id is not None:
            engine.trust(peer.peer_id)
            print(f"trusted: {peer.peer_id}", flush=True)
        transfers: list[Transfer] = []
        for path in paths:
            sent = peer.send(path)
            transfers.extend(sent if isinstance(sent, TransferGroup) else [sent])
        ok = await await_with_progress(transfers)
        await peer.close()
    sys.stdout.flush()
    return EXIT_OK if ok == len(transfers) else EXIT_FAILED
