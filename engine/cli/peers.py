"""``ferry peers [list] | forget ID | id``: this installation's trusted peers, and its own id.

A trusted peer pairs with no code (``ferry send`` without ``--code``); peers are added by
``--trust-new`` after a pairing by code, and ``forget`` revokes one at its next pairing.
"""

from __future__ import annotations

import argparse

from ..pairing.identity_file import load_identity
from ..pairing.trust import TrustStore
from .output import EXIT_FAILED, EXIT_OK, error_line, printable


def add_peers_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    peers = commands.add_parser("peers", help="trusted peers (pair with no code), and own id")
    actions = peers.add_subparsers(dest="peers_command", metavar="COMMAND")
    actions.add_parser("list", help="list the trusted peers (the default)")
    forget = actions.add_parser("forget", help="stop trusting a peer")
    forget.add_argument("id", help="its peer id, or the start of it")
    actions.add_parser("id", help="this installation's own peer id")


def peers_command(args: argparse.Namespace) -> int:
    store = TrustStore()
    command = args.peers_command or "list"
    if command == "id":
        print(load_identity().peer_id)
        return EXIT_OK
    if command == "forget":
        peer_id = store.resolve(args.id)
        if not store.forget(peer_id):
            print(error_line(f"{peer_id} is not a trusted peer"))
            return EXIT_FAILED
        print(f"forgot {peer_id}")
        return EXIT_OK
    for peer in store.list():
        print(printable(f"{peer.peer_id}  {peer.added or '-':20}  {peer.name}".rstrip()))
    return EXIT_OK
