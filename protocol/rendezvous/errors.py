"""The one error of the rendezvous layer, and how server-controlled text is made safe to show.

Everything a mailbox server says is untrusted: its ``error`` messages, its welcome text and
anything malformed become a :class:`RendezvousError` whose ``code`` says which case it was,
and any text the server wrote is escaped and cut short before it reaches a message.
"""

from __future__ import annotations

from ferry.errors import FerryError

#: The server has no nameplate of that number for Ferry (a mistyped or used-up code).
UNKNOWN_NAMEPLATE = "unknown-nameplate"
#: Two other sides already hold the nameplate or mailbox.
CROWDED = "crowded"
#: The server cannot be reached, or was lost for longer than the reconnect limit.
UNREACHABLE = "rendezvous-unreachable"
#: The server's welcome says it refuses service (``--signal-error`` on the server).
REFUSED = "rendezvous-refused"
#: The server answered a command with ``error``.
SERVER_ERROR = "rendezvous-server-error"
#: The server (or a side in the mailbox) sent something malformed or out of order.
PROTOCOL = "rendezvous-protocol"

_MAX_SHOWN = 200


def shown(text: object, limit: int = _MAX_SHOWN) -> str:
    """Server-written text, made safe for a terminal: escaped non-printables, cut at ``limit``."""
    raw = text if isinstance(text, str) else repr(text)
    cut = raw[:limit]
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return safe + ("..." if len(raw) > limit else "")


class RendezvousError(FerryError):
    """The rendezvous (mailbox) server refused, failed, vanished or broke its protocol."""

    code = SERVER_ERROR
