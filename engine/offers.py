"""Offers from a peer: each one answered once, by the host or by ``accept_all``.

A host takes offers either from the async iterator :meth:`OfferInbox.offers` or through a
callback (``Peer.on_offer``). With ``accept_all`` the offer is accepted at once and the
callback only watches; offers that arrive before the host set one (the first may come right
after ``listen()`` returns) wait for it, up to ``UNWATCHED_OFFERS``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from ferry.actors import commands as cmd
from ferry.protocol.frames import Offer

from .budget import NO_SPACE
from .transfer import Transfer

if TYPE_CHECKING:
    from .peer import Peer

#: Offers accepted before the host set ``Peer.on_offer`` that are kept for it.
UNWATCHED_OFFERS = 256


class IncomingOffer:
    """A file a peer wants to send us: accept it or reject it."""

    def __init__(self, peer: Peer, offer: Offer, transfer: Transfer) -> None:
        self.peer = peer
        self.offer = offer
        self.transfer = transfer
        self.answered = False

    @property
    def name(self) -> str:
        return self.offer.name

    @property
    def peer_id(self) -> str | None:
        """Who offers it, proven by pairing (None only for unauthenticated test engines)."""
        return self.peer.peer_id

    @property
    def size(self) -> int:
        return self.offer.size

    @property
    def mime_type(self) -> str:
        return self.offer.mime_type

    def accept(self) -> Transfer:
        if not self.answered:
            self.answered = True
            engine = self.peer.engine
            if engine.destination is None or engine.budget is None:
                self._refuse("this receiver has nowhere to store files (no folder or vault)")
                return self.transfer
            # As it will be staged: resume key bound to this peer, as the kept files are.
            staged = self.peer.destination.bound(self.offer)
            refusal = engine.budget.admit(self.peer, self.offer.transfer_id, staged)
            if refusal is not None:
                self._refuse(refusal, code=NO_SPACE)
                return self.transfer
            self.peer.receiving.add(self.offer.transfer_id)
            if self.peer.engine.previews is not None:
                self.peer.engine.previews.activity()
            self.peer.tell_channel(cmd.AnswerOffer(self.offer.transfer_id, accept=True))
        return self.transfer

    def reject(self, reason: str = "rejected by the user", code: str = "rejected") -> None:
        if not self.answered:
            self.answered = True
            self._refuse(reason, code)

    def _refuse(self, reason: str, code: str = "rejected") -> None:
        answer = cmd.AnswerOffer(self.offer.transfer_id, False, code=code, message=reason)
        self.peer.tell_channel(answer)


class OfferInbox:
    """Where a peer's offers go: the host's callback, its iterator, or a short wait."""

    def __init__(self, accept_all: bool) -> None:
        self.accept_all = accept_all
        self._handler: Callable[[IncomingOffer], None] | None = None
        self._unwatched: deque[IncomingOffer] = deque(maxlen=UNWATCHED_OFFERS)
        self._queue: asyncio.Queue[IncomingOffer | None] = asyncio.Queue()

    @property
    def handler(self) -> Callable[[IncomingOffer], None] | None:
        return self._handler

    @handler.setter
    def handler(self, handler: Callable[[IncomingOffer], None] | None) -> None:
        self._handler = handler
        while handler is not None and self._unwatched:
            handler(self._unwatched.popleft())

    def deliver(self, incoming: IncomingOffer) -> None:
        if self.accept_all:
            incoming.accept()
        if self._handler is not None:
            self._handler(incoming)
        elif self.accept_all:
            self._unwatched.append(incoming)
        else:
            self._queue.put_nowait(incoming)

    def close(self) -> None:
        """No more offers: iterators end."""
        self._queue.put_nowait(None)

    async def offers(self) -> AsyncIterator[IncomingOffer]:
        while True:
            offer = await self._queue.get()
            if offer is None:
                self._queue.put_nowait(None)
                return
            yield offer
