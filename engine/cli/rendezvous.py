"""Meeting through a mailbox server on the command line: ``--rendezvous``, allocating a code,
claiming one.

Which side does what (docs/rendezvous.md): the side that prints the code *allocates* a
nameplate and is the pairing's waiter (``ferry send PATH``, or ``ferry receive --out DIR``
for an inbox); the side given the code *claims* its number and is the joiner (``ferry
receive CODE``, or ``ferry send PATH --code CODE``). The code's words never reach the server.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from ferry.protocol.pairing import AuthenticationError, Code, Reason, new_code

from ..ice_servers import TURN_SECRET_ENV, ice_servers_from
from ..rendezvous import RENDEZVOUS_ENV, MailboxSignaling, rendezvous_url
from .output import error_line

if TYPE_CHECKING:
    from ..engine import Engine
    from ..peer import Peer


def add_rendezvous_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rendezvous",
        default=None,
        metavar="URL",
        help=f"the mailbox server that joins the two sides by code (default: ${RENDEZVOUS_ENV},"
        " else magic-wormhole's public server)",
    )


def network_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The EngineConfig fields the network options give: local addresses, STUN/TURN servers
    (``--ice-server`` or ``$FERRY_ICE_SERVERS``), the TURN secret, relay only, the timeout."""
    return {
        "ice_addresses": tuple(args.ice_address) if args.ice_address else None,
        "ice_servers": ice_servers_from(args.ice_server),
        "turn_secret": args.turn_secret or os.environ.get(TURN_SECRET_ENV) or None,
        "relay_only": args.relay_only,
        "connect_timeout": args.timeout,
    }


def server_url(args: argparse.Namespace) -> str:
    """The mailbox server's URL: ``--rendezvous``, ``$FERRY_RENDEZVOUS``, or the default."""
    return rendezvous_url(args.rendezvous)


async def allocate_code(url: str) -> tuple[MailboxSignaling, Code]:
    """Take a nameplate on the server and make a fresh code on it.

    Returns once the server holds this side's first message, so a code shown from then on
    is sure to find this side when typed.
    """
    mailbox = MailboxSignaling.allocate(url)
    try:
        nameplate = await mailbox.bind()
    except BaseException:
        await mailbox.close("errory")
        raise
    return mailbox, new_code(nameplate)


def claim_code(url: str, code: Code) -> MailboxSignaling:
    """The mailbox behind ``code``'s number (its words stay here: the pairing's password)."""
    return MailboxSignaling.claim(url, code.nameplate)


async def meet(engine: Engine, url: str, code: Code | None, *, again: str = "") -> Peer | None:
    """Pair through the mailbox server at ``url``: join ``code``'s side, or with none take a
    code, print it (``code: N-word-word``) and wait. None when someone tried a wrong code
    on ours (said on stderr, with ``again``: what to run for a new one); the caller exits 3."""
    if code is not None:
        return await engine.connect(claim_code(url, code), code=code)
    mailbox, code = await allocate_code(url)
    print(f"code: {code}", flush=True)
    try:
        return await engine.listen(mailbox, code=code)
    except AuthenticationError as exc:
        if exc.reason is not Reason.WRONG_SECRET:
            raise
        message = f"{exc.message}; someone tried a wrong code, so it is used up{again}"
        print(error_line(message), file=sys.stderr, flush=True)
        return None
