"""Rendezvous by code through a magic-wormhole mailbox server: Ferry's :class:`MailboxSignaling`.

The code's number is the nameplate on the server; the words never reach it (they are the
pairing layer's PAKE password). docs/rendezvous.md says what Ferry sends and what the
server learns. ``--rendezvous URL`` / ``FERRY_RENDEZVOUS`` choose the server
(:func:`rendezvous_url`); the default is magic-wormhole's public one.
"""

from ferry.actors.clock import Clock, SystemClock
from ferry.protocol.rendezvous import APP_ID, Backoff, Limits, RendezvousError

from .config import (
    DEFAULT_RENDEZVOUS_URL,
    RENDEZVOUS_ENV,
    parse_rendezvous_url,
    rendezvous_url,
)
from .signaling import GIVE_UP_AFTER, MailboxSignaling

__all__ = [
    "APP_ID",
    "DEFAULT_RENDEZVOUS_URL",
    "GIVE_UP_AFTER",
    "RENDEZVOUS_ENV",
    "Backoff",
    "Clock",
    "Limits",
    "MailboxSignaling",
    "RendezvousError",
    "SystemClock",
    "parse_rendezvous_url",
    "rendezvous_url",
]
