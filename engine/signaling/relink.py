"""Reconnecting through a signaling path that outlives the link: :class:`Relinks`.

A rendezvous mailbox stays open for as long as the peer lives (the nameplate is released,
the mailbox is not), and its transport reconnects to the server by itself. So when the
WebRTC link between two peers drops, they do not need a new code or a new meeting place:
each further connection attempt runs its own pairing handshake (by identity, pinned to the
peer already proven: ``Pairing.reconnect``) and SDP exchange *inside* the first attempt's
sealed signaling, the "carrier". The server sees more ciphertext and nothing else; the
attempt number travels sealed too. This is magic-wormhole's dilation idea, where later
connections are negotiated over new phases of the same mailbox.

Who does what: the side that made the first offer (the joiner) numbers the attempts 1, 2,
3... and starts each one; the other side follows, always into the newest attempt it has
heard of. A message of an older attempt is dropped (that attempt was abandoned), and a
newer attempt supersedes the one in progress: its view stops delivering at once, so the
follower does not wait for a deadline before it joins the newer one. A follower that hears
of a new attempt while it still thinks its link is up learns from that that the link is
gone (its keepalive would tell it a few seconds later).

Carried messages, sealed inside the carrier::

    {"type": "relink", "attempt": N, "message": {...}}   # one message of attempt N
    {"type": "bye"}                                       # the peer closed: no more attempts

An older Ferry ignores ``relink`` messages (it reads the carrier only to hear ``bye``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from ferry.errors import FerryError
from ferry.protocol.errors import PeerGone

from .base import Signaling

logger = logging.getLogger(__name__)

RELINK = "relink"
#: Attempt numbers stay far below this (each attempt costs mailbox messages, which the
#: mailbox bounds); a larger one is a broken or hostile peer and is dropped.
MAX_ATTEMPT = 1 << 20
#: Messages one attempt may queue before its reader takes them (a pairing handshake and an
#: SDP are a handful); more is a broken peer, and that attempt fails.
MAX_QUEUED = 64


class NoAttempt(PeerGone):
    """The leader started no attempt in time: it is gone for good (a follower gives up)."""


class Relinks:
    """The attempts carried by one long-lived, paired ``carrier``; see the module docstring.

    ``leader``: this side starts the attempts (it made the first offer). ``on_attempt(n)``
    is called (on the loop) when the peer starts attempt ``n`` (follower only).
    """

    def __init__(
        self,
        carrier: Signaling,
        *,
        leader: bool,
        on_attempt: Callable[[int], None] | None = None,
    ) -> None:
        self.carrier = carrier
        self.leader = leader
        self._on_attempt = on_attempt
        self.attempt = 0  # the newest attempt started (leader) or heard of (follower)
        self._taken = 0  # follower: the newest attempt handed out by next_attempt()
        self._view: AttemptSignaling | None = None
        self._changed = asyncio.Event()  # a new attempt arrived, or the carrier ended
        #: Why the carrier ended (the peer said bye, closed, or the path failed), once it did.
        self.ended: FerryError | None = None
        self.said_bye = False
        self._done = asyncio.get_running_loop().create_future()

    # -- attempts ------------------------------------------------------------------------------

    def start_attempt(self) -> AttemptSignaling:
        """Leader: the signaling of a new attempt (numbered after every earlier one)."""
        assert self.leader, "only the leader starts attempts"
        self._check_open()
        self.attempt += 1
        return self._open_view(self.attempt)

    async def next_attempt(self, timeout: float) -> AttemptSignaling:
        """Follower: the signaling of the newest attempt the peer started that this side has
        not joined yet, waiting up to ``timeout`` seconds for one (PeerGone after that)."""
        assert not self.leader, "the leader starts attempts, it does not wait for them"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.attempt <= self._taken:
            self._check_open()
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                raise NoAttempt(f"the peer did not reconnect within {timeout:g}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        self._check_open()
        self._taken = self.attempt
        assert self._view is not None and self._view.attempt == self.attempt
        return self._view

    def _open_view(self, attempt: int) -> AttemptSignaling:
        if self._view is not None:
            self._view.supersede(attempt)
        self._view = AttemptSignaling(self, attempt)
        return self._view

    def _check_open(self) -> None:
        if self.ended is not None:
            raise PeerGone(f"no reconnect: {self.ended.message}")

    # -- the carrier -----------------------------------------------------------------------------

    async def run(self) -> FerryError:
        """Read the carrier until it ends; returns why it ended (also in :attr:`ended`)."""
        try:
            while True:
                message = await self.carrier.receive()
                kind = message.get("type")
                if kind == "bye":
                    self.said_bye = True
                    raise PeerGone("the peer closed the connection")
                if kind == RELINK:
                    self._route(message)
                # anything else: a later Ferry's message, or a stray SDP: ignored
        except FerryError as exc:
            self._end(exc)
        except asyncio.CancelledError:
            self._end(PeerGone("the connection was closed"))
            raise
        assert self.ended is not None
        return self.ended

    async def ended_within(self, timeout: float) -> FerryError | None:
        """Why the carrier ended, if it does within ``timeout`` seconds; else None."""
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(self._done), timeout)
        return None

    def _route(self, message: dict[str, Any]) -> None:
        attempt, inner = message.get("attempt"), message.get("message")
        if (
            not isinstance(attempt, int)
            or isinstance(attempt, bool)
            or not 0 < attempt < MAX_ATTEMPT
            or not isinstance(inner, dict)
        ):
            logger.info("dropping a malformed reconnect message from the peer")
            return
        if attempt > self.attempt:
            if self.leader:  # only this side starts attempts
                logger.info("dropping attempt %d the peer started: it follows", attempt)
                return
            self.attempt = attempt
            self._open_view(attempt)
            logger.info("the peer reconnects (attempt %d)", attempt)
            self._changed.set()
            if self._on_attempt is not None:
                self._on_attempt(attempt)
        view = self._view
        if attempt < self.attempt or view is None or view.attempt != attempt:
            return  # an attempt abandoned since: its last words are of no use
        view.deliver(inner)

    def _end(self, error: FerryError) -> None:
        if self.ended is None:
            self.ended = error
        if self._view is not None:
            self._view.supersede(None)
        self._changed.set()
        if not self._done.done():
            self._done.set_result(self.ended)


class AttemptSignaling:
    """One attempt's :class:`Signaling`: its messages go inside the carrier, numbered.

    ``close`` leaves the carrier open (it belongs to the peer, not to the attempt).
    """

    def __init__(self, relinks: Relinks, attempt: int) -> None:
        self._relinks = relinks
        self.attempt = attempt
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._gone: PeerGone | None = None
        self._wake = asyncio.Event()

    async def open(self) -> None:
        self._check()

    async def send(self, message: dict[str, Any]) -> None:
        self._check()
        await self._relinks.carrier.send(
            {"type": RELINK, "attempt": self.attempt, "message": message}
        )

    async def receive(self) -> dict[str, Any]:
        while True:
            self._check()  # a replaced attempt delivers nothing more, queued or not
            if not self._inbox.empty():
                return self._inbox.get_nowait()
            self._wake.clear()
            await self._wake.wait()

    async def close(self) -> None:
        self.supersede(None)

    def deliver(self, message: dict[str, Any]) -> None:
        if self._gone is not None:
            return
        if self._inbox.qsize() >= MAX_QUEUED:
            self.supersede(None, f"attempt {self.attempt}: more than {MAX_QUEUED} messages")
            return
        self._inbox.put_nowait(message)
        self._wake.set()

    def supersede(self, by: int | None, why: str | None = None) -> None:
        """No more messages of this attempt: a newer one began (``by``), or it is over."""
        if self._gone is None:
            if why is None:
                why = (
                    f"attempt {self.attempt} was replaced by attempt {by}"
                    if by is not None
                    else f"attempt {self.attempt} is over"
                )
            self._gone = PeerGone(why)
        self._wake.set()

    def _check(self) -> None:
        if self._gone is not None:
            raise self._gone
