"""Signaling through a magic-wormhole mailbox server: :class:`MailboxSignaling`.

The sans-IO :class:`~ferry.protocol.rendezvous.MailboxClient` decides what to say; this
module owns the WebSocket (the ``websockets`` package) and the time: it connects, feeds the
client every server message, writes its commands in order, and when the connection drops
reconnects after a random, growing delay (``Backoff``) taken on the clock it was given, for
as long as the server stays reachable within ``give_up_after`` seconds. The first
connection is not retried: a server that cannot be reached at all is a mistyped URL or no
network, and the user hears so at once.

Each :meth:`MailboxSignaling.send` becomes one mailbox message of its own phase, its body
the JSON of the dict; :meth:`MailboxSignaling.receive` returns the other side's, in order,
each once, across reconnects and server restarts. Everything runs on the event loop that
first uses the object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import Awaitable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.frames import CloseCode

from ferry.actors.clock import SYSTEM_CLOCK, Clock
from ferry.protocol.errors import PeerGone
from ferry.protocol.rendezvous import (
    APP_ID,
    PROTOCOL,
    UNREACHABLE,
    Backoff,
    Closed,
    Event,
    Failed,
    Limits,
    MailboxClient,
    NameplateReady,
    NameplateReleased,
    PeerArrived,
    PeerClosed,
    Received,
    RendezvousError,
    Welcomed,
)
from ferry.protocol.rendezvous.wire import encode_command

from .config import parse_rendezvous_url

logger = logging.getLogger(__name__)

#: After losing the server, keep trying this long. The reference server prunes a mailbox
#: nobody touched for 11 minutes; its authors promise clients 9 minutes away.
GIVE_UP_AFTER = 9 * 60.0

_PEER_CLOSED = object()  # receive(): the other side closed after its last message
_ENDED = object()  # receive(): this side closed, or the rendezvous failed


def _client_version() -> tuple[str, str]:
    from ferry import __version__

    return ("ferry", __version__)


class MailboxSignaling:
    """Ferry's signaling over a mailbox server; make one with :meth:`allocate` or :meth:`claim`.

    The waiting side calls :meth:`allocate`, then :meth:`bind` to learn the nameplate (the
    pairing layer makes the code ``<nameplate>-<word>-<word>`` from it and shows it), then
    :meth:`open`, which returns once the other side is in the mailbox. The joining side
    calls :meth:`claim` with the code's number and :meth:`open`, which raises
    :class:`RendezvousError` with code ``unknown-nameplate`` when nobody waits behind it and
    ``crowded`` when two other sides hold it. :meth:`close` takes a mood: "happy",
    "lonely" (the peer never came), "scary" (pairing failed: a wrong code or an attacker)
    or "errory".
    """

    #: The mailbox stays open for the peer's life and the connection to the server
    #: reconnects by itself: a lost WebRTC link reconnects through it (signaling/relink.py).
    outlives_link = True

    def __init__(
        self,
        url: str,
        *,
        nameplate: str | None = None,
        app_id: str = APP_ID,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        limits: Limits | None = None,
        backoff: Backoff | None = None,
        give_up_after: float = GIVE_UP_AFTER,
        connect_timeout: float = 10.0,
        close_timeout: float = 5.0,
    ) -> None:
        self.url = parse_rendezvous_url(url)
        self.side = secrets.token_hex(8)
        self._client = MailboxClient(
            self.side, app_id=app_id, client_version=_client_version(), limits=limits
        )
        if nameplate is None:
            self._client.allocate()
        else:
            self._client.claim(nameplate)  # a ConfigError here, before any I/O
        self._clock = clock or SYSTEM_CLOCK
        self._rng = rng or random.SystemRandom()
        self._backoff = backoff or Backoff()
        self._give_up_after = give_up_after
        self._connect_timeout = connect_timeout
        self._close_timeout = close_timeout
        self._runner: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[str] | None = None  # commands for the current connection
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._bound = asyncio.Event()
        self._peer = asyncio.Event()
        self._ended = asyncio.Event()
        self._wake = asyncio.Event()  # cuts a reconnect delay short (on close)
        self._attempt = 0
        #: Connections made after the first (each drop the transport recovered from).
        self.reconnects = 0
        self._lost_since: float | None = None
        self._motd_shown = False

    @classmethod
    def allocate(cls, url: str, **options: Any) -> MailboxSignaling:
        """The waiting side: the server allocates a nameplate (see :meth:`bind`)."""
        return cls(url, **options)

    @classmethod
    def claim(cls, url: str, nameplate: str, **options: Any) -> MailboxSignaling:
        """The joining side: claim the nameplate (the number of the code the user typed)."""
        return cls(url, nameplate=nameplate, **options)

    # -- queries ---------------------------------------------------------------------------

    @property
    def nameplate(self) -> str | None:
        return self._client.nameplate

    @property
    def mailbox(self) -> str | None:
        return self._client.mailbox

    @property
    def peer_present(self) -> bool:
        return self._client.peer_present

    @property
    def released(self) -> bool:
        """The server confirmed that this side released the nameplate."""
        return self._client.released

    @property
    def error(self) -> RendezvousError | None:
        return self._client.error

    # -- the Signaling interface -------------------------------------------------------------

    async def bind(self) -> str:
        """Connect and take the nameplate; returns it once the other side can join.

        The waiting side returns once the server has stored its first message (a code shown
        earlier could be typed faster than that); the joining side once it found the
        waiting side in the mailbox.
        """
        self._start()
        await self._until(self._bound)
        assert self._client.nameplate is not None
        return self._client.nameplate

    async def open(self) -> None:
        """Bind if needed, then wait until the other side holds the mailbox."""
        await self.bind()
        await self._until(self._peer)

    async def send(self, message: dict[str, Any]) -> None:
        if self._client.error is not None:
            raise self._client.error
        if self._client.finished or self._client.closing:
            raise PeerGone("signaling is closed")
        if self._runner is None:
            raise PeerGone("signaling is not open")
        self._act(self._client.send(message))

    async def receive(self) -> dict[str, Any]:
        """The other side's next message; PeerGone once it closed, or this side did."""
        if self._runner is None and not self._ended.is_set():
            raise PeerGone("signaling is not open")
        item = await self._inbox.get()
        if item is _PEER_CLOSED or item is _ENDED:
            self._inbox.put_nowait(item)  # stay ended for later readers
            if self._client.error is not None:
                raise self._client.error
            if item is _PEER_CLOSED:
                raise PeerGone("the other side closed the signaling (rendezvous mailbox)")
            raise PeerGone("signaling is closed")
        return item  # type: ignore[no-any-return]

    async def close(self, mood: str | None = None) -> None:
        """Say bye, release the nameplate, close the mailbox with ``mood``; idempotent.

        Without a mood: "happy" if the other side came, else "lonely". Waits for the
        server's answer at most ``close_timeout`` seconds (reconnecting if need be).
        """
        client = self._client
        if not client.finished and not client.closing:
            chosen = mood or ("happy" if client.peer_present else "lonely")
            self._act(client.close(chosen))
            self._wake.set()
        if self._runner is not None and not client.finished:
            await self._first(self._ended.wait(), self._clock.sleep(self._close_timeout))
            if not client.finished:
                logger.info("rendezvous: gave up closing the mailbox on %s", self.url)
                client.abandon()
                self._dispatch(client.take_events())
        await self._stop()

    # -- the connection loop -----------------------------------------------------------------

    def _start(self) -> None:
        if self._runner is None and not self._client.finished:
            self._runner = asyncio.get_running_loop().create_task(
                self._run(), name=f"ferry-rendezvous-{self.side}"
            )

    async def _run(self) -> None:
        first = True
        try:
            while self._client.wants_connection:
                try:
                    ws = await connect(
                        self.url,
                        open_timeout=self._connect_timeout,
                        max_size=self._client.limits.max_frame,
                        compression=None,
                        close_timeout=2.0,
                        # never through $HTTP(S)_PROXY: the server is named explicitly,
                        # and a loopback or lab server must not be sent to a proxy
                        proxy=None,
                    )
                except (OSError, TimeoutError, WebSocketException) as exc:
                    if first:
                        self._fail(f"cannot reach the rendezvous server {self.url}: {_why(exc)}")
                        return
                    logger.info("rendezvous: %s unreachable (%s)", self.url, _why(exc))
                else:
                    self.reconnects += 0 if first else 1
                    first = False
                    await self._serve(ws)
                if not self._client.wants_connection:
                    return
                if not await self._pause():
                    return
        finally:
            self._queue = None

    async def _pause(self) -> bool:
        """Wait before the next attempt; False when the server was away for too long."""
        now = self._clock.monotonic()
        if self._lost_since is None:
            self._lost_since = now
        elif now - self._lost_since > self._give_up_after:
            self._fail(
                f"lost the rendezvous server {self.url} for more than {self._give_up_after:.0f} s"
            )
            return False
        delay = self._backoff.delay(self._attempt, self._rng)
        self._attempt += 1
        logger.info("rendezvous: reconnecting to %s in %.1f s", self.url, delay)
        await self._first(self._clock.sleep(delay), self._wake.wait())
        self._wake.clear()  # a close wakes one attempt early, not every attempt after
        return True

    async def _serve(self, ws: ClientConnection) -> None:
        """One connection, from the client's first command to its loss."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queue = queue
        writer = asyncio.get_running_loop().create_task(self._write(ws, queue))
        try:
            self._act(self._client.connection_made())
            async for data in ws:
                self._act(self._client.receive(data))
                if self._client.link_useful:
                    self._attempt, self._lost_since = 0, None  # a good connection
                if not self._client.wants_connection:
                    break
            else:
                logger.info("rendezvous: %s closed the connection", self.url)
        except ConnectionClosed as exc:
            if exc.sent is not None and exc.sent.code == CloseCode.MESSAGE_TOO_BIG:
                self._act(
                    self._client.fail(
                        RendezvousError(
                            "the rendezvous server sent a message over"
                            f" {self._client.limits.max_frame} bytes",
                            code=PROTOCOL,
                        )
                    )
                )
            else:
                logger.info("rendezvous: lost the connection to %s (%s)", self.url, _why(exc))
        finally:
            try:
                if self._client.finished and ws.close_code is None:
                    # let the last commands (release, close) out before saying goodbye
                    await self._first(queue.join(), self._clock.sleep(self._close_timeout))
            finally:
                # the client forgets this connection before anything else can run, so a
                # send() from now on waits for the next one
                self._queue = None
                self._client.connection_lost()
                self._dispatch(self._client.take_events())
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
                await ws.close()

    async def _write(self, ws: ClientConnection, queue: asyncio.Queue[str]) -> None:
        while True:
            text = await queue.get()
            try:
                await ws.send(text)
            except ConnectionClosed:
                return  # the reader sees it too
            finally:
                queue.task_done()

    # -- plumbing ----------------------------------------------------------------------------

    def _act(self, commands: list[dict[str, Any]]) -> None:
        """Queue the client's commands for the current connection, then report its events."""
        if commands:
            assert self._queue is not None, "commands without a connection"
            for command in commands:
                self._queue.put_nowait(encode_command(command))
        self._dispatch(self._client.take_events())

    def _dispatch(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Received):
                self._inbox.put_nowait(event.message)
            elif isinstance(event, PeerArrived):
                self._peer.set()
                if not self._client.allocating_side:
                    self._bound.set()
            elif isinstance(event, NameplateReady):
                logger.info("rendezvous: holding nameplate %s on %s", event.nameplate, self.url)
                self._bound.set()
            elif isinstance(event, Welcomed):
                if event.motd and not self._motd_shown:
                    self._motd_shown = True
                    logger.info("rendezvous server %s says: %s", self.url, event.motd)
            elif isinstance(event, NameplateReleased):
                logger.debug("rendezvous: released nameplate %s", self._client.nameplate)
            elif isinstance(event, PeerClosed):
                self._inbox.put_nowait(_PEER_CLOSED)
            elif isinstance(event, Closed | Failed):
                if isinstance(event, Failed):
                    logger.info("rendezvous failed: %s", event.error.message)
                self._inbox.put_nowait(_ENDED)
                for flag in (self._bound, self._peer, self._ended, self._wake):
                    flag.set()

    def _fail(self, message: str) -> None:
        self._act(self._client.fail(RendezvousError(message, code=UNREACHABLE)))

    async def _until(self, flag: asyncio.Event) -> None:
        await flag.wait()
        if self._client.error is not None:
            raise self._client.error
        if self._client.finished:
            raise PeerGone("signaling is closed")

    async def _first(self, *waits: Awaitable[Any]) -> None:
        """Wait until the first of ``waits`` is done; cancel the others."""
        tasks = [asyncio.ensure_future(w) for w in waits]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _stop(self) -> None:
        """End the connection loop: it ends by itself once the client is finished (after
        letting its last commands out); otherwise, or if that takes too long, cancel it."""
        runner = self._runner
        if runner is not None:
            if self._client.finished:
                await self._first(asyncio.shield(runner), self._clock.sleep(self._close_timeout))
            if not runner.done():
                runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        if not self._ended.is_set():
            self._inbox.put_nowait(_ENDED)
            self._ended.set()


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "..."
