"""Rendezvous through a magic-wormhole mailbox server, sans-IO.

:class:`MailboxClient` is one side of the mailbox server protocol (JSON over a WebSocket):
server messages in, commands and events out, no sockets and no clocks. The asyncio
transport that drives it is ``ferry.engine.rendezvous``; what Ferry puts into a mailbox and
what the server learns is in docs/rendezvous.md.
"""

from .backoff import Backoff
from .client import TERMINAL, MailboxClient, Phase
from .errors import (
    CROWDED,
    PROTOCOL,
    REFUSED,
    SERVER_ERROR,
    UNKNOWN_NAMEPLATE,
    UNREACHABLE,
    RendezvousError,
)
from .events import (
    Closed,
    Event,
    Failed,
    NameplateReady,
    NameplateReleased,
    PeerArrived,
    PeerClosed,
    Received,
    Welcomed,
)
from .limits import APP_ID, MOODS, PHASE_BYE, PHASE_HELLO, Limits, check_nameplate

__all__ = [
    "APP_ID",
    "CROWDED",
    "MOODS",
    "PHASE_BYE",
    "PHASE_HELLO",
    "PROTOCOL",
    "REFUSED",
    "SERVER_ERROR",
    "TERMINAL",
    "UNKNOWN_NAMEPLATE",
    "UNREACHABLE",
    "Backoff",
    "Closed",
    "Event",
    "Failed",
    "Limits",
    "MailboxClient",
    "NameplateReady",
    "NameplateReleased",
    "PeerArrived",
    "PeerClosed",
    "Phase",
    "Received",
    "RendezvousError",
    "Welcomed",
    "check_nameplate",
]
