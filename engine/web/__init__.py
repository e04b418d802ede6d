"""The browser as a Ferry peer: the page's server, links, and the CLI side of a web pairing.

The page itself (``static/``) is built from ``web/`` (JavaScript) and committed; serving it
needs nothing but Python. A link carries the mailbox nameplate and a 32-byte secret in its
fragment, which browsers never send to a server.
"""

from __future__ import annotations

from .link import WebLink, make_secret
from .server import PageServer
from .session import WebPairing

__all__ = ["PageServer", "WebLink", "WebPairing", "make_secret"]
