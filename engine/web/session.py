"""The CLI side of a web pairing: hold a nameplate, make the link, pair as the waiter.

The page is always the joiner (it opens the link) and makes the WebRTC offer; this side
allocates the nameplate, shows the link once the mailbox server holds it, and answers with
:class:`~ferry.engine.pairing.SecureSignaling` in secret mode, a fresh identity each time
(the page has none to trust). The Engine then listens on it as on any signaling.
"""

from __future__ import annotations

from ferry.protocol.pairing import Identity

from ..engine import Engine
from ..pairing import SecureSignaling
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
        signaling = SecureSignaling(
            self.mailbox, role="waiter", identity=Identity.generate(), secret=self.secret
        )
        return await engine.listen(signaling)  # type: ignore[arg-type]

    async def close(self) -> None:
        await self.mailbox.close()
