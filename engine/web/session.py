"""The CLI side of a web pairing: hold a nameplate, make the link, pair as the waiter.

The page is always the joiner (it opens the link) and makes the WebRTC offer; this side
allocates the nameplate, shows the link once the mailbox server holds it, and listens on
the mailbox with the link's secret: the Engine pairs (secret mode, the engine's own
identity; the page brings a fresh one each time) and answers the page's offer.
"""

from __future__ import annotations

from ..engine import Engine
from ..peer import Peer
from ..rendezvous import MailboxSignaling
from .link import WebLink, make_secret


class WebPairing:
    """One link, for one page: :meth:`link` first (show it), then :meth:`connect`."""

    def __init__(self, rendezvous: str, page: str, action: str) -> None:
        self.rendezvous = rendezvous
        self.page = page
        self.action = action  # what the page does: "send" or "receive"
        self.secret = make_secret()
        self.mailbox = MailboxSignaling.allocate(rendezvous)

    async def link(self) -> WebLink:
        nameplate = await self.mailbox.bind()
        return WebLink(self.page, self.action, nameplate, self.secret, self.rendezvous)

    async def connect(self, engine: Engine) -> Peer:
        """Wait for the page, pair, and connect (the page offers, this side answers)."""
        return await engine.listen(self.mailbox, secret=self.secret)  # type: ignore[arg-type]

    async def close(self) -> None:
        await self.mailbox.close()
