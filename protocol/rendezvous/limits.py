"""Ferry's constants on a mailbox server: its app id, phases, moods, and the bounds it keeps.

A mailbox server keeps one namespace of nameplates and mailboxes per app id, so Ferry
clients meet only Ferry clients. The app id carries the version of what Ferry puts into a
mailbox (phases and bodies, see docs/rendezvous.md): a client speaking an incompatible
version must use another app id, and then never meets this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ferry.errors import ConfigError

#: Ferry's app id on mailbox servers. Ferry has no domain of its own; like magic-wormhole's
#: ``lothar.com/wormhole/text-or-file-xfer`` it names who owns it (the PyPI distribution
#: ``ferry-engine``), what it is for, and the version of its mailbox messages.
APP_ID = "ferry-engine/transfer/v1"

#: The first message each side adds to a freshly opened mailbox (body ``{}``): it tells the
#: other side this one holds the mailbox, so the nameplate can be released, and it tells a
#: side that claimed a nameplate whether anybody was waiting behind it.
PHASE_HELLO = "hello"
#: The last message a side adds before it closes (body ``{"messages": N}``, the number of
#: signaling messages it sent), so the other side learns that no more will come.
PHASE_BYE = "bye"

#: What a side may tell the server about how it went, when it closes the mailbox.
MOODS = ("happy", "lonely", "scary", "errory")

#: What the server accepts as a nameplate (it drops the connection on anything else).
NAMEPLATE_RE = re.compile(r"^[0-9]{1,40}$")
#: Mailbox ids are the server's random strings (13 base32 letters on the reference server).
MAILBOX_RE = re.compile(r"^[A-Za-z0-9_.~-]{1,64}$")
#: A side is a random lowercase hex string (Ferry makes 16 digits).
SIDE_RE = re.compile(r"^[0-9a-z]{1,64}$")
#: Signaling messages are numbered ``0``, ``1``, ... per side, no leading zeros.
NUMBERED_PHASE_RE = re.compile(r"^(0|[1-9][0-9]{0,8})$")
#: Other phases a later Ferry may add are ignored (within a bound), if they look like these.
OTHER_PHASE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Limits:
    """Bounds on what one mailbox may cost this side, in both directions.

    Signaling carries a handful of small messages (a PAKE message, an SDP offer and answer
    of a few KiB each, sealed), so these are generous; the same bounds apply to what this
    side sends, so a Ferry client never makes its peer fail.
    """

    #: Bytes of one message body (the UTF-8 JSON of one signaling message).
    max_body: int = 64 * 1024
    #: Signaling messages per side and mailbox.
    max_messages: int = 256
    #: Bytes of all the bodies one side adds to a mailbox.
    max_side_bytes: int = 1 << 20
    #: Messages of phases this version does not know, accepted and ignored per mailbox.
    max_ignored: int = 16

    def __post_init__(self) -> None:
        if self.max_body < 1024 or self.max_messages < 1 or self.max_ignored < 0:
            raise ConfigError("rendezvous limits: max_body >= 1024 and max_messages >= 1")
        if self.max_side_bytes < self.max_body:
            raise ConfigError("rendezvous limits: max_side_bytes must be >= max_body")

    @property
    def max_frame(self) -> int:
        """Largest WebSocket message taken from the server: a hex body plus its envelope
        (an ``error`` echoes our own largest command in ``orig``)."""
        return 2 * self.max_body + 16 * 1024


def check_nameplate(nameplate: str) -> str:
    """A nameplate as the server takes it (decimal digits), or a :class:`ConfigError`."""
    if not isinstance(nameplate, str) or NAMEPLATE_RE.match(nameplate) is None:
        raise ConfigError(
            f"not a nameplate: {nameplate!r} (the number at the start of a code, such as 7)"
        )
    return nameplate
