"""A connected peer: send files to it, take offers from it, reconnect when its link drops.

Everything here runs on the host's event loop. The Channel actor (aiortc, on its own loop
and thread) reports protocol events through a thread-safe callback, which the Peer moves
onto the host loop before touching any Transfer. Who does what:

- :class:`~ferry.engine.reconnect.ReconnectMachine` decides what follows a lost link;
- :class:`~ferry.engine.outgoing.SendQueue` holds the files to send and those to resume;
- :class:`~ferry.engine.offers.OfferInbox` hands the peer's offers to the host;
- :class:`~ferry.engine.signaling.relink.Relinks` carries the reconnects of a peer met
  through a signaling path that outlives the link (a rendezvous mailbox): both sides
  reconnect, the joiner leading, each attempt paired again by identity inside the first
  attempt's sealed signaling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pykka

from ferry.actors import commands as cmd
from ferry.actors.channel import Channel
from ferry.actors.config import ChannelConfig
from ferry.actors.link.path import PathInfo
from ferry.actors.supervisor import InjectFault
from ferry.errors import ConfigError, FerryError
from ferry.protocol.errors import PeerGone, ProtocolError, TransferCancelled, TransferRejected
from ferry.protocol.events import (
    Accepted,
    Cancelled,
    Completed,
    ConnectionFailed,
    Event,
    Failed,
    HandshakeComplete,
    OfferReceived,
    Progress,
)
from ferry.protocol.features import RELINK
from ferry.protocol.frames import Offer
from ferry.protocol.pairing import AuthenticationError, Reason

from .offers import IncomingOffer, OfferInbox
from .outgoing import SendQueue, describe_file, files_under
from .pairing.options import Pairing
from .pairing.secure import SecureSignaling
from .reconnect import MAX_RECONNECT_DELAY, GiveUp, LinkState, ReconnectMachine, Retry
from .resume_keys import RECEIVER_LABEL, SENDER_LABEL, PeerDestination, local_secret
from .signaling import Signaling, SignalingFactory
from .signaling.relink import NoAttempt, Relinks
from .transfer import Transfer, TransferGroup

if TYPE_CHECKING:
    from .engine import Engine

from .ice_servers import resolve_ice_servers

logger = logging.getLogger(__name__)

#: Through a rendezvous mailbox, a peer's goodbye (in the sealed signaling) comes a little
#: after its data channel closed; this long a wait tells a goodbye from a lost link.
BYE_GRACE = 1.0


@dataclass(frozen=True)
class Connected:
    """The first connection is up; ``route`` is the way the bytes go (ICE's pair kind and
    round trip, None when unknown). A listener added later gets it at once."""

    route: PathInfo | None
    peer_id: str | None = None


@dataclass(frozen=True)
class Reconnecting:
    """The link dropped; attempt ``attempt`` follows in ``delay`` seconds."""

    error: FerryError
    attempt: int
    delay: float
    peer_id: str | None = None


@dataclass(frozen=True)
class Reconnected:
    """A new connection is up; ``resumed`` cut-off files are offered again."""

    attempt: int
    resumed: int
    peer_id: str | None = None  # the same peer, proven again
    #: The way the bytes go now (it may differ from before: a relay instead of direct).
    route: PathInfo | None = None


PeerEvent = Connected | Reconnecting | Reconnected


class Peer:
    """One connected peer: send files to it, take offers from it."""

    def __init__(
        self,
        engine: Engine,
        signaling: Signaling | SignalingFactory,
        pairing: Pairing | None = None,
    ) -> None:
        self.engine = engine
        self.config = engine.config
        #: How this peer pairs (None: unauthenticated, tests only).
        self.pairing = pairing
        #: Who the peer is, proven by the pairing (None until paired, or unauthenticated).
        self.peer_id: str | None = None
        #: Four words both sides can compare (``--verify``); None until paired.
        self.verifier: str | None = None
        #: Whether the peer was already trusted here when it paired.
        self.trusted = False
        #: How it paired: "code", "secret" or "trusted" (None: unauthenticated).
        self.pairing_mode: str | None = None
        # With a factory (a fresh Signaling per call) the peer can reconnect by itself.
        self._factory: SignalingFactory | None = None
        if callable(signaling) and not hasattr(signaling, "receive"):
            self._factory = signaling
            signaling = signaling()
        self.signaling: Signaling = signaling  # type: ignore[assignment]
        # A signaling path that outlives the link (a rendezvous mailbox) carries the
        # reconnects of both sides once paired (signaling/relink.py).
        self._relinkable = (
            self._factory is None
            and pairing is not None
            and bool(getattr(signaling, "outlives_link", False))
        )
        self._relinks: Relinks | None = None
        self._carrier: Signaling | None = None  # the first attempt's, kept for the peer's life
        self._offerer = True
        self._cut_at: dict[bytes, int] = {}  # sent bytes of files cut off by a lost link
        self._cut_incoming: set[bytes] = set()  # incoming files the peer will offer again
        self._last_connection: Connected | Reconnected | None = None
        self._peer_features: tuple[str, ...] = ()  # what the peer's HELLO listed
        self.loop = asyncio.get_running_loop()
        self.transfers: dict[bytes, Transfer] = {}
        self.receiving: set[bytes] = set()  # accepted incoming transfers not yet ended
        self.error: FerryError | None = None
        #: Which way the bytes go and ICE's round trip, once connected (PathInfo).
        self.route: PathInfo | None = None
        self.link = ReconnectMachine(
            can_reconnect=self._factory is not None or self._relinkable,
            attempts=self.config.reconnect_attempts,
            first_delay=self.config.reconnect_delay,
        )
        self.outbox = SendQueue(self.config.max_concurrent)
        self.inbox = OfferInbox(self.config.accept_all)
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listeners: list[Callable[[PeerEvent], None]] = []
        self._generation = 0
        self._last_active = self.loop.time()
        self._said_bye = False  # the peer closed on purpose (it will not reconnect)
        self._closed_here = False
        self._closing: FerryError | None = None  # why this side is closing it, if it is
        identity = engine.identity
        self._resume_secret = local_secret(identity, SENDER_LABEL)
        self.destination = PeerDestination(
            engine.destination or _NoDestination(),  # type: ignore[arg-type]
            local_secret(identity, RECEIVER_LABEL),
        )
        self._channel_config = ChannelConfig(
            destination=self.destination,
            ice_addresses=self.config.ice_addresses,
            ice_servers=resolve_ice_servers(self.config.ice_servers, self.config.turn_secret),
            relay_only=self.config.relay_only,
            chunk_size=self.config.chunk_size,
            window=self.config.window,
            max_file_size=self.config.max_file_size,
            max_incoming=self.config.max_incoming_files,
            max_offers=self.config.max_offers_per_connection,
            buffer_threshold=self.config.buffer_threshold,
            loop=self.config.loop,
            delayed_acks=self.config.delayed_acks,
            congestion_control=self.config.congestion_control,
            write_delay=self.config.write_delay,
            keepalive_interval=self.config.keepalive_interval,
            keepalive_timeout=self.config.keepalive_timeout,
            extra_features=(RELINK,) if self._relinkable else (),
        )
        self._start_channel()

    def _start_channel(self) -> None:
        """A Channel (one peer connection) for this attempt; events of older ones are dropped."""
        self._generation += 1
        generation = self._generation
        self._handshake: asyncio.Future[None] = self.loop.create_future()
        self.channel = Channel.start(
            self._channel_config,
            lambda event: self._from_channel(event, generation),
            self.engine.supervisor,
        )

    # -- connecting ------------------------------------------------------------------------------

    async def _open(self, *, offerer: bool) -> None:
        self._offerer = offerer
        try:
            await self._connect_once(offerer=offerer)
        except BaseException:
            await self.close()
            raise
        self._publish(Connected(self.route, self.peer_id))
        if self._relinkable and RELINK not in self._peer_features:
            # the peer (the browser page, an older Ferry) cannot reconnect this way
            self._relinkable = self.link.can_reconnect = False
        if self._relinkable:
            self._carrier = self.signaling
            self._relinks = Relinks(self.signaling, leader=offerer, on_attempt=self._peer_relinks)
            self._spawn(self._watch_carrier(self._relinks))
        else:
            self._spawn(self._watch_signaling())
        if self.config.idle_timeout is not None:
            self._spawn(self._watch_idle(self.config.idle_timeout))

    async def _watch_idle(self, timeout: float) -> None:
        """Close the peer once nothing is in flight and nothing arrived for ``timeout``:
        an idle peer must not hold a listener's slot for ever."""
        while not self._closed.is_set():
            left = self._last_active + timeout - self.loop.time()
            if left > 0:
                await asyncio.sleep(left)
                continue
            if any(not t.done() for t in self.transfers.values()):
                self._last_active = self.loop.time()
                continue
            logger.info("closing the connection to %s: idle for %gs", self.peer_id, timeout)
            self._closing = PeerGone(f"closed after {timeout:g}s without a transfer")
            await self.close()
            return

    async def _connect_once(self, *, offerer: bool) -> None:
        if self.pairing is not None:
            pairing = self.pairing
            if self.peer_id is not None:  # a reconnect: the same peer, by its identity
                pairing = Pairing.reconnect(self.peer_id)
            self.signaling = self.engine._secure(self.signaling, pairing, offerer=offerer)
        # A listener may wait for its peer as long as it likes; the pairing that follows
        # has its own deadline (EngineConfig.handshake_timeout).
        await self.signaling.open()
        if isinstance(self.signaling, SecureSignaling):
            self._on_paired(self.signaling)
        try:
            await asyncio.wait_for(self._sdp_exchange(offerer), self.config.connect_timeout)
        except TimeoutError:
            raise PeerGone(
                f"no connection to the peer within {self.config.connect_timeout:g}s"
            ) from None
        self.route = await self._ask(cmd.DescribePath())
        if self.route is not None:
            logger.info("connected to %s via %s", self.peer_id, self.route.describe())

    def _on_paired(self, signaling: SecureSignaling) -> None:
        paired = signaling.paired
        assert paired is not None
        if self.peer_id is not None and paired.peer_id != self.peer_id:  # pinned: cannot be
            raise AuthenticationError(
                f"reconnected to {paired.peer_id}, not {self.peer_id}", reason=Reason.UNTRUSTED
            )
        self.peer_id, self.verifier, self.trusted = paired.peer_id, paired.verifier, paired.trusted
        self.pairing_mode = str(paired.mode)
        self.destination.peer_id = paired.peer_id  # before any offer can arrive
        self.engine._paired(paired.peer_id, paired.peer_key)

    async def _sdp_exchange(self, offerer: bool) -> None:
        if offerer:
            offer = await self._ask(cmd.CreateOffer())
            await self.signaling.send(offer)
            answer = await self._expect("answer")
            await self._ask(cmd.SetRemoteAnswer(answer["sdp"], "answer"))
        else:
            offer = await self._expect("offer")
            answer = await self._ask(cmd.AcceptRemoteOffer(offer["sdp"], "offer"))
            await self.signaling.send(answer)
        await self._handshake

    async def _ask(self, command: Any) -> Any:
        try:
            self.channel.tell(command)
        except pykka.ActorDeadError:
            raise PeerGone("the connection to the peer is gone") from None
        try:
            return await asyncio.wrap_future(command.reply)
        except FerryError:
            raise
        except Exception as exc:
            # aiortc refusing what the peer wrote (a malformed SDP) is the peer's fault, and
            # one clear error, never a crash of the host.
            raise ProtocolError(
                f"the peer's session description was refused: {type(exc).__name__}: {exc}"
            ) from None

    async def _expect(self, kind: str) -> dict[str, Any]:
        message = await self.signaling.receive()
        if message.get("type") != kind or not isinstance(message.get("sdp"), str):
            raise ProtocolError(
                f"expected an SDP {kind} from the peer, got {message.get('type')!r}"
            )
        return message

    async def _watch_signaling(self) -> None:
        """The signaling connection stays open: when it closes, the peer is gone."""
        signaling, channel = self.signaling, self.channel
        reason = "the peer disconnected"
        try:
            while (await signaling.receive()).get("type") != "bye":
                pass
            self._said_bye = True
        except FerryError as exc:
            reason = exc.message
        if not self._closed.is_set() and channel is self.channel:
            self.tell_channel(cmd.LinkLost(reason))

    async def _watch_carrier(self, relinks: Relinks) -> None:
        """The carrier of the reconnects ends only when the peer closes (or the path is
        lost for good): then no reconnect is possible, and the link is over too."""
        error = await relinks.run()
        self._said_bye = relinks.said_bye
        self.link.can_reconnect = False
        if not self._closed.is_set():
            self.tell_channel(cmd.LinkLost(error.message))

    def _peer_relinks(self, attempt: int) -> None:
        """The leading peer started a reconnect: its link is gone, so this one is too (the
        keepalive would say so in a few seconds); an attempt of ours in progress is over."""
        if not self._closed.is_set():
            self.tell_channel(cmd.LinkLost(f"the peer reconnects (attempt {attempt})"))

    # -- reconnecting -----------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[PeerEvent], None]) -> None:
        """Call ``listener`` (on the host loop) when the link drops and when it is back.

        Added once connected, it first gets the last :class:`Connected` or
        :class:`Reconnected` at once: the way the bytes go now."""
        self._listeners.append(listener)
        if self._last_connection is not None and not self._closed.is_set():
            listener(self._last_connection)

    def _publish(self, event: PeerEvent) -> None:
        if isinstance(event, Connected | Reconnected):
            self._last_connection = event
        for listener in self._listeners:
            listener(event)

    def _link_lost(self, error: FerryError) -> None:
        """The connection ended: reconnect (the machine decides) or close."""
        if self.link.state is LinkState.CLOSED:
            self._mark_closed(error)
            return
        if self.link.reconnecting:
            return  # the attempt in progress will see it
        decision = self.link.lost(error)
        if isinstance(decision, Retry):
            self._spawn(self._reconnect(decision))
        elif isinstance(decision, GiveUp):
            self._mark_closed(decision.error)

    async def _reconnect(self, retry: Retry | GiveUp | None) -> None:
        """Connect again with growing pauses, then offer the cut-off files again.

        The receiver resumes each from what it made durable, so only the rest is sent.
        """
        relinks = self._relinks
        if relinks is not None and isinstance(retry, Retry):
            # A peer that closes on purpose says bye through the carrier, which arrives
            # after its data channel closed: a moment's wait tells a goodbye from a loss.
            ended = await relinks.ended_within(BYE_GRACE)
            if not self.link.reconnecting:
                return  # closed meanwhile
            if ended is not None:
                retry = self.link.give_up(ended)
        while isinstance(retry, Retry):
            await self._drop_channel()
            logger.warning(
                "connection lost (%s); reconnecting in %.1fs (attempt %d of %d)",
                self.link.error.message if self.link.error else "?",
                retry.delay, retry.attempt, self.config.reconnect_attempts,
            )  # fmt: skip
            assert self.link.error is not None
            self._publish(Reconnecting(self.link.error, retry.attempt, retry.delay, self.peer_id))
            if relinks is None or relinks.leader:  # a follower goes when the leader does
                await asyncio.sleep(retry.delay)
            if not self.link.reconnecting:
                return  # closed meanwhile
            try:
                self.signaling = await self._next_signaling()
                self._start_channel()
                await self._connect_once(offerer=self._offerer)
            except FerryError as exc:
                if not self.link.reconnecting:
                    return  # closed meanwhile
                if relinks is not None and relinks.ended is not None:
                    retry = self.link.give_up(PeerGone(f"no reconnect: {relinks.ended.message}"))
                elif isinstance(exc, NoAttempt):  # the leader's every attempt would be over
                    retry = self.link.give_up(exc)
                else:
                    retry = self.link.attempt_failed(_retryable(exc))
                continue
            if self.link.state is not LinkState.CONNECTED:
                return  # lost again at once (another attempt is under way) or closed
            resumable = self.outbox.resumable()
            logger.info(
                "reconnected (attempt %d); offering %d files again", retry.attempt, len(resumable)
            )
            for transfer in self.transfers.values():
                if not transfer.done:
                    transfer.route = self.route  # the way the rest of it goes
            if relinks is None:
                self._spawn(self._watch_signaling())
            for request in resumable:
                self.tell_channel(request)
            self._publish(Reconnected(retry.attempt, len(resumable), self.peer_id, self.route))
            return
        if isinstance(retry, GiveUp):
            await self._drop_channel()
            self._mark_closed(retry.error)

    async def _next_signaling(self) -> Signaling:
        """The signaling of the next attempt: a fresh one from the factory, or an attempt
        carried by the first one (the leader starts it, the follower waits for it)."""
        relinks = self._relinks
        if relinks is None:
            assert self._factory is not None
            return self._factory()
        if relinks.leader:
            return relinks.start_attempt()
        config = self.config
        # the leader notices the loss (keepalive), waits at most the longest pause, and an
        # attempt of its own may first have to fail (pairing, then connecting)
        wait = (
            (config.keepalive_timeout or 0.0)
            + MAX_RECONNECT_DELAY
            + config.handshake_timeout
            + config.connect_timeout
        )
        return await relinks.next_attempt(wait)

    async def _drop_channel(self) -> None:
        await _in_thread(self._stop_channel)
        if self.signaling is not self._carrier:  # the carrier lives as long as the peer
            with contextlib.suppress(Exception):
                await self.signaling.close()

    # -- sending ---------------------------------------------------------------------------------

    def send(self, path: str | os.PathLike[str]) -> Transfer | TransferGroup:
        """Send a file (a :class:`Transfer`) or a folder (a :class:`TransferGroup`)."""
        source = Path(path).expanduser()
        if self.error is not None or self._closed.is_set():
            raise PeerGone(f"not connected: {self.error.message if self.error else 'closed'}")
        if source.is_dir():
            files = files_under(source)
            return TransferGroup(source.name, [self._send_file(p, n) for p, n in files])
        if not source.exists():
            raise ConfigError(f"{source}: no such file or folder")
        return self._send_file(source, source.name)

    def _send_file(self, path: Path, name: str) -> Transfer:
        request = describe_file(path, name, self._resume_secret, self.peer_id or "")
        transfer = Transfer(request.transfer_id, name, request.size, "send", self._cancel)
        transfer.peer_id = self.peer_id
        transfer.route = self.route
        self.transfers[request.transfer_id] = transfer
        self.outbox.add(request)
        self._spawn(self._start_when_free(transfer))
        return transfer

    async def _start_when_free(self, transfer: Transfer) -> None:
        async with self.outbox.slots:
            request = self.outbox.take(transfer.id)
            if request is None:
                return  # cancelled (or the peer went away) while it waited for a slot
            try:
                self.channel.tell(request)
            except pykka.ActorDeadError:
                transfer.fail(PeerGone("the connection to the peer is gone"))
                return
            timeout = self.config.offer_timeout
            timer = None
            if timeout is not None:
                timer = self.loop.call_later(timeout, self._unanswered, transfer, timeout)
            try:
                with contextlib.suppress(FerryError):
                    await transfer
            finally:
                if timer is not None:
                    timer.cancel()

    def _unanswered(self, transfer: Transfer, timeout: float) -> None:
        """A receiver that never answers an offer must not hold a sending slot for ever."""
        if transfer.done or transfer.accepted:
            return
        reason = f"the receiver did not answer the offer within {timeout:g} s"
        self.tell_channel(cmd.CancelTransfer(transfer.id, reason))
        transfer.fail(TransferRejected(reason, code="no-answer"))

    def _cancel(self, transfer_id: bytes, reason: str) -> None:
        if self.outbox.take(transfer_id) is not None:
            # Never offered: there is nothing to tell the peer.
            self.transfers[transfer_id].fail(TransferCancelled(f"cancelled: {reason}"))
            return
        self.tell_channel(cmd.CancelTransfer(transfer_id, reason))

    # -- receiving ------------------------------------------------------------------------------

    async def offers(self) -> AsyncIterator[IncomingOffer]:
        """Offers from the peer, until it disconnects."""
        async for offer in self.inbox.offers():
            yield offer

    @property
    def on_offer(self) -> Callable[[IncomingOffer], None] | None:
        """Called with each offer as it arrives (with ``accept_all``, to watch what arrives).

        Offers accepted before a handler was set (the last ``UNWATCHED_OFFERS``) are passed
        to it as soon as it is set, so setting it after ``listen()`` returns misses none.
        """
        return self.inbox.handler

    @on_offer.setter
    def on_offer(self, handler: Callable[[IncomingOffer], None] | None) -> None:
        self.inbox.handler = handler

    # -- lifecycle ------------------------------------------------------------------------------

    async def wait_closed(self) -> FerryError | None:
        """Wait until the connection ends; returns the error that ended it, if any."""
        await self._closed.wait()
        return self.error

    async def close(self) -> None:
        self._closed_here = not self._closed.is_set()  # the host closed it, not a lost link
        self.link.close()
        self.engine.peers.discard(self)
        if not self._closed.is_set() or self._carrier is not None:
            with contextlib.suppress(Exception):
                bye_to = self._carrier or self.signaling
                await asyncio.wait_for(bye_to.send({"type": "bye"}), 1)
        if not self._closed.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ask(cmd.Close()), 5)
        await _in_thread(self._stop_channel)
        for signaling in dict.fromkeys((self.signaling, self._carrier)):
            if signaling is not None:
                with contextlib.suppress(Exception):
                    await signaling.close()
        self._mark_closed(self.error or PeerGone("the connection was closed"))
        for task in list(self._tasks):
            task.cancel()

    def _stop_channel(self) -> None:
        with contextlib.suppress(pykka.ActorDeadError):
            self.channel.stop(timeout=10)

    def tell_channel(self, message: Any) -> None:
        """Tell the Channel; once it is gone the peer's events have already said so."""
        with contextlib.suppress(pykka.ActorDeadError):
            self.channel.tell(message)

    def inject_fault(self, kind: str, transfer: Transfer | None = None) -> None:
        """Test hook: crash the ``kind`` actor ("channel", "chunker", "reassembler")."""
        if kind == "channel":
            self.tell_channel(InjectFault())
        else:
            assert transfer is not None, "chunker and reassembler faults need a transfer"
            self.tell_channel(cmd.CrashChild(transfer.id, kind))

    # -- events from the Channel --------------------------------------------------------------

    def _from_channel(self, event: Event, generation: int) -> None:
        """Called on the Channel's thread: hop onto the host loop."""
        with contextlib.suppress(RuntimeError):  # the host loop has closed: nobody listens
            self.loop.call_soon_threadsafe(self._on_event, event, generation)

    def _on_event(self, event: Event, generation: int) -> None:
        if generation != self._generation:
            return  # the last words of a connection already replaced
        self._last_active = self.loop.time()
        if isinstance(event, HandshakeComplete):
            self._peer_features = event.peer.features
            if self.link.state in {LinkState.CONNECTING, LinkState.RECONNECTING}:
                self.link.connected()
            if not self._handshake.done():
                self._handshake.set_result(None)
            return
        if isinstance(event, ConnectionFailed):
            if not self._handshake.done():  # still connecting: that attempt failed
                self._handshake.set_exception(event.error)
                self._handshake.exception()
            else:
                self._link_lost(event.error)
            return
        if isinstance(event, OfferReceived):
            self._on_offer(event.offer)
            return
        transfer = self.transfers.get(getattr(event, "transfer_id", b""))
        if transfer is None:
            return
        if isinstance(event, Progress):
            transfer.report_progress(event.done)
            return
        if isinstance(event, Accepted):
            transfer.resumed_from = event.offset
            transfer.accepted = True
            cut_at = self._cut_at.pop(transfer.id, None)
            if cut_at is not None:  # resumed after a lost link: what is sent twice
                transfer.resent += max(0, cut_at - event.offset)
            return
        if isinstance(event, Completed):
            path = None
            if transfer.direction == "receive" and self.config.output_dir is not None:
                path = Path(self.config.output_dir) / event.stored_id
            transfer.finish(sha256=event.sha256, stored_id=event.stored_id, path=path)
        elif isinstance(event, Cancelled):
            who = "the peer" if event.by_peer else "this side"
            transfer.fail(TransferCancelled(f"cancelled by {who}: {event.reason}"))
        elif isinstance(event, Failed):
            if self._resumable(event.error):
                if transfer.direction == "send":
                    self.outbox.cut_off(transfer.id)  # offered again once reconnected
                    self._cut_at[transfer.id] = transfer.progress.done
                else:  # its sender offers it again once reconnected: it stays pending
                    self._cut_incoming.add(transfer.id)
                return
            transfer.fail(event.error)
        else:
            return  # CreditGranted, EofReceived, DataReceived: nothing for the host
        self._ended(transfer, event)

    def _resumable(self, error: FerryError) -> bool:
        """A file cut off by a lost link is sent again if the peer may reconnect."""
        return (
            self.link.can_reconnect
            and self.link.state is not LinkState.CLOSED
            and isinstance(error, PeerGone)
        )

    def _ended(self, transfer: Transfer, event: Event) -> None:
        """A transfer is over: its room is free again; a received file may get its preview."""
        self.receiving.discard(transfer.id)
        if transfer.direction == "receive" and self.engine.budget is not None:
            self.engine.budget.release(transfer.id)
            self._spawn(self.engine.refresh_budget())  # a partial file may have been kept
        previews = self.engine.previews
        if previews is None or transfer.direction != "receive":
            return
        if isinstance(event, Completed):
            previews.request(transfer, event.stored_id)
        else:
            previews.activity()

    def _on_offer(self, offer: Offer) -> None:
        earlier = self.transfers.get(offer.transfer_id)
        if (
            earlier is not None
            and offer.transfer_id in self._cut_incoming
            and (offer.name, offer.size) == (earlier.name, earlier.size)
        ):
            # the same file, offered again after a reconnect: accepted before, it goes on
            # (from what this side staged) under the same Transfer the host holds
            self._cut_incoming.discard(offer.transfer_id)
            IncomingOffer(self, offer, earlier).accept()
            return
        if earlier is not None and offer.transfer_id in self._cut_incoming:
            # another file under the id of one cut off: that one is not coming back
            self._cut_incoming.discard(offer.transfer_id)
            self.receiving.discard(offer.transfer_id)
            if self.engine.budget is not None:
                self.engine.budget.release(offer.transfer_id)
            earlier.fail(PeerGone("the peer offered another file in its place"))
        transfer = Transfer(offer.transfer_id, offer.name, offer.size, "receive", self._cancel)
        transfer.peer_id = self.peer_id
        transfer.route = self.route
        self.transfers[offer.transfer_id] = transfer
        self.inbox.deliver(IncomingOffer(self, offer, transfer))

    def _mark_closed(self, error: FerryError) -> None:
        if self._closed.is_set():
            return
        self.error = error = self._closing or error
        self._closed.set()
        if self.peer_id is not None:
            # Only a peer whose link was lost may come back without a code, for a while; one
            # that said goodbye, or that this side closed, pairs afresh next time.
            lost = isinstance(error, PeerGone) and not self._said_bye and not self._closed_here
            if lost:
                self.engine.session_trust.add(self.peer_id)
            else:
                self.engine.session_trust.forget(self.peer_id)
        if not self._handshake.done():
            self._handshake.set_exception(error)
            self._handshake.exception()
        self.inbox.close()
        for transfer in self.transfers.values():
            transfer.fail(error)
        self.receiving.clear()
        self.outbox.clear()
        if self.engine.budget is not None:
            self.engine.budget.release_peer(self)
            self._spawn(self.engine.refresh_budget())
        if self.engine.previews is not None:
            self.engine.previews.poke()

    def _spawn(self, coroutine: Any) -> None:
        task = self.loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _NoDestination:
    """Stands in when the engine has no output folder; offers are rejected before use."""

    def open(self, offer: Offer, resume: int | None) -> Any:
        raise ConfigError("this engine has no output folder to receive into")

    def discard(self, offer: Offer) -> None:
        return None


def _retryable(error: FerryError) -> FerryError:
    """A reconnect's pairing that timed out or was cut short met no peer, which is worth
    another attempt; one the peer refused (a wrong identity, a bad proof) is not."""
    if isinstance(error, AuthenticationError) and error.reason in (
        Reason.TIMEOUT,
        Reason.INCOMPLETE,
    ):
        return PeerGone(error.message)
    return error


async def _in_thread(function: Callable[[], Any]) -> Any:
    """Run a blocking call (an actor start or stop) without blocking the host loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function)
