"""What the mailbox client reports to its host (the asyncio transport), in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import RendezvousError


@dataclass(frozen=True, slots=True)
class Welcomed:
    """A connection to the server is up (``motd``: the server's message of the day, escaped)."""

    motd: str | None


@dataclass(frozen=True, slots=True)
class NameplateReady:
    """The allocating side holds ``nameplate`` and its mailbox: the code can be shown now."""

    nameplate: str


@dataclass(frozen=True, slots=True)
class PeerArrived:
    """The other side holds the mailbox (its first message arrived). Reported once."""


@dataclass(frozen=True, slots=True)
class NameplateReleased:
    """The server confirmed that this side let go of the nameplate."""


@dataclass(frozen=True, slots=True)
class Received:
    """The other side's signaling message number ``index``: in order, each exactly once."""

    index: int
    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PeerClosed:
    """The other side closed after its last message (all of them were reported before)."""


@dataclass(frozen=True, slots=True)
class Closed:
    """This side closed the mailbox with ``mood`` (``confirmed``: the server answered)."""

    mood: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Failed:
    """The rendezvous failed; nothing more will be reported."""

    error: RendezvousError


Event = (
    Welcomed | NameplateReady | PeerArrived | NameplateReleased | Received | PeerClosed | Closed
) | Failed
