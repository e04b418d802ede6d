"""The pairing options ``ferry send`` and ``ferry receive`` share, and where a code comes
from: ``--code``, else ``$FERRY_CODE`` (safer: other local users can read a command line in
the process list, not another user's environment)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ferry.protocol.pairing import Code, parse_code

if TYPE_CHECKING:
    from ..engine import Engine
    from ..peer import Peer

CODE_ENV = "FERRY_CODE"


def add_pairing_options(parser: argparse.ArgumentParser) -> None:
    """Options both ``send`` and ``receive`` take."""
    parser.add_argument(
        "--code",
        default=None,
        help=f"the code to pair with (default: ${CODE_ENV}; receive: a new random code)",
    )
    parser.add_argument(
        "--verify", action="store_true", help="show the verifier words both sides can compare"
    )
    parser.add_argument(
        "--trust-new",
        action="store_true",
        help="keep each peer paired by code as trusted: later it pairs with no code",
    )
    parser.add_argument(
        "--handshake-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a peer must finish pairing within this long (default 10)",
    )


def code_from(args: argparse.Namespace) -> Code | None:
    text = args.code if args.code is not None else os.environ.get(CODE_ENV) or None
    return parse_code(text) if text is not None else None


def announce(engine: Engine, peer: Peer, *, verify: bool, trust_new: bool) -> None:
    """The lines both commands print once a peer is paired (scripts read them): who, how,
    the verifier words with ``--verify``, and ``trusted:`` when ``--trust-new`` keeps it."""
    print(f"paired: {peer.peer_id} by {peer.pairing_mode}", flush=True)
    if verify:
        print(f"verifier: {peer.verifier} (peer {peer.peer_id})", flush=True)
    if trust_new and not peer.trusted and peer.peer_id is not None:
        engine.trust(peer.peer_id)
        print(f"trusted: {peer.peer_id}", flush=True)
