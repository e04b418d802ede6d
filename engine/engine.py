"""The Engine: what a host application creates to send and receive files.

::

    async with Engine(EngineConfig(output_dir="inbox")) as engine:
        peer = await engine.connect(TcpSignaling("127.0.0.1", 9000, listen=False))
        result = await peer.send("movie.mkv")            # a Transfer: await, cancel, progress

    # the other side
    async with Engine(EngineConfig(output_dir="inbox")) as engine:
        peer = await engine.listen(TcpSignaling("127.0.0.1", 9000, listen=True))
        async for offer in peer.offers():
            transfer = offer.accept()                     # or offer.reject("no thanks")

Everything here runs on the host's event loop. The Channel actor (aiortc, on its own loop
and thread) reports protocol events through a thread-safe callback, which the Peer moves
onto the host loop before touching any Transfer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import mimetypes
import os
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pykka

from ferry.actors import commands as cmd
from ferry.actors.channel import Channel
from ferry.actors.config import ChannelConfig
from ferry.actors.previewer import PreviewerActor
from ferry.actors.storage.destination import Destination, FolderDestination
from ferry.actors.storage.journal import PendingTransfer
from ferry.actors.storage.vault_destination import VaultDestination
from ferry.actors.supervisor import InjectFault, RestartPolicy, Supervisor
from ferry.actors.vault import VaultActor
from ferry.errors import ConfigError, FerryError
from ferry.protocol.errors import PeerGone, ProtocolError, TransferCancelled
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
from ferry.protocol.frames import Offer
from ferry.protocol.names import name_problem

from .config import EngineConfig
from .previews import PreviewScheduler
from .signaling import Signaling, SignalingFactory
from .transfer import Transfer, TransferGroup
from .vault_client import VaultClient

logger = logging.getLogger(__name__)

#: On close, how long the engine waits for previews still queued.
PREVIEW_DRAIN_SECONDS = 120.0
#: Pauses between reconnection attempts double up to this.
MAX_RECONNECT_DELAY = 8.0
#: Offers accepted before the host set ``Peer.on_offer`` that are kept for it.
UNWATCHED_OFFERS = 256


class Engine:
    """Owns the supervisor, the vault and previewer (if any) and the peers."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.destination: Destination | None = None
        self.supervisor: pykka.ActorRef[Any] | None = None
        self.vault_ref: pykka.ActorRef[Any] | None = None
        self.previewer: pykka.ActorRef[Any] | None = None
        self.previews: PreviewScheduler | None = None
        self.peers: set[Peer] = set()

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the actors in dependency order: supervisor, vault, previewer."""
        if self.supervisor is not None:
            return
        config = self.config
        policy = RestartPolicy(config.max_restarts, config.restart_window)
        self.supervisor = Supervisor.start(policy)
        if config.vault_dir is not None:
            try:
                self.vault_ref = await _in_thread(
                    lambda: VaultActor.start_ready(
                        config.vault_dir,
                        passphrase=config.vault_passphrase,
                        key=config.vault_key,
                        max_pending_age=config.staging_max_age,
                    )
                )
            except BaseException:
                await self.close()
                raise
            self.destination = VaultDestination(self.vault_ref)
            if config.previews is not None and config.previews.enabled:
                self.previewer = PreviewerActor.start(config.previews)
                self.previews = PreviewScheduler(
                    self.previewer,
                    self.vault_ref,
                    busy=lambda: any(peer.receiving for peer in self.peers),
                    max_wait=config.preview_max_wait,
                )
        elif config.output_dir is not None:
            self.destination = FolderDestination(config.output_dir, max_age=config.staging_max_age)

    async def pending(self) -> list[PendingTransfer]:
        """Unfinished incoming transfers a new offer of the same file would resume."""
        if self.destination is None:
            return []
        return await _in_thread(self.destination.pending)

    async def discard_pending(self, resume_key: str) -> bool:
        """Forget an unfinished incoming transfer and its staged bytes; False if none."""
        destination = self.destination
        if destination is None:
            return False
        return await _in_thread(lambda: destination.discard_pending(resume_key))

    @property
    def vault(self) -> VaultClient:
        """The engine's vault, for host code: list, stat, export, verify, previews..."""
        if self.vault_ref is None:
            raise ConfigError("this engine has no vault (set EngineConfig.vault_dir)")
        return VaultClient(self.vault_ref)

    async def close(self) -> None:
        """Close the peers, then stop the actors in reverse order (as Mopidy does).

        Previews still queued are made first (within ``PREVIEW_DRAIN_SECONDS``).
        """
        for peer in list(self.peers):
            await peer.close()
        if self.previews is not None:
            await self.previews.drain(timeout=PREVIEW_DRAIN_SECONDS)
            self.previews = None
        for name in ("previewer", "vault_ref", "supervisor"):
            ref = getattr(self, name)
            if ref is not None:
                setattr(self, name, None)
                with contextlib.suppress(pykka.ActorDeadError):
                    await _in_thread(ref.stop)

    async def connect(self, signaling: Signaling | SignalingFactory) -> Peer:
        """Reach a listening peer: we make the WebRTC offer.

        Given a factory (``lambda: TcpSignaling(host, port, listen=False)``) rather than one
        Signaling, the peer reconnects by itself when the link drops and resumes every file
        that was cut off (``EngineConfig.reconnect_attempts``).
        """
        peer = self._new_peer(signaling)
        await peer._open(offerer=True)
        return peer

    async def listen(self, signaling: Signaling) -> Peer:
        """Wait for a peer to connect through ``signaling``: we answer its offer."""
        peer = self._new_peer(signaling)
        await peer._open(offerer=False)
        return peer

    def _new_peer(self, signaling: Signaling) -> Peer:
        if self.supervisor is None:
            raise ConfigError("start the Engine first (use `async with Engine(...)`)")
        peer = Peer(self, signaling)
        self.peers.add(peer)
        return peer


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
    def size(self) -> int:
        return self.offer.size

    @property
    def mime_type(self) -> str:
        return self.offer.mime_type

    def accept(self) -> Transfer:
        if not self.answered:
            self.answered = True
            if self.peer.engine.destination is None:
                self.reject("this receiver has nowhere to store files (no folder or vault)")
                return self.transfer
            self.peer.receiving.add(self.offer.transfer_id)
            if self.peer.engine.previews is not None:
                self.peer.engine.previews.activity()
            self.peer.tell_channel(cmd.AnswerOffer(self.offer.transfer_id, accept=True))
        return self.transfer

    def reject(self, reason: str = "rejected by the user", code: str = "rejected") -> None:
        if not self.answered:
            self.answered = True
            answer = cmd.AnswerOffer(self.offer.transfer_id, False, code=code, message=reason)
            self.peer.tell_channel(answer)


class Peer:
    """One connected peer: send files to it, take offers from it."""

    def __init__(self, engine: Engine, signaling: Signaling | SignalingFactory) -> None:
        self.engine = engine
        self.config = engine.config
        # With a factory (a fresh Signaling per call) the peer can reconnect by itself.
        self._factory: SignalingFactory | None = None
        if callable(signaling) and not hasattr(signaling, "receive"):
            self._factory = signaling
            signaling = signaling()
        self.signaling: Signaling = signaling  # type: ignore[assignment]
        self.loop = asyncio.get_running_loop()
        self.transfers: dict[bytes, Transfer] = {}
        self.receiving: set[bytes] = set()  # accepted incoming transfers not yet ended
        self.error: FerryError | None = None
        self._on_offer_handler: Callable[[IncomingOffer], None] | None = None
        # With accept_all, offers that arrive before the host sets ``on_offer`` (the first
        # may come right after listen() returns) wait here for it.
        self._unwatched: deque[IncomingOffer] = deque(maxlen=UNWATCHED_OFFERS)
        self._offers: asyncio.Queue[IncomingOffer | None] = asyncio.Queue()
        self._closed = asyncio.Event()
        self._closing = False
        self._slots = asyncio.Semaphore(self.config.max_concurrent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._queued: dict[bytes, cmd.SendFile] = {}  # waiting for a free slot
        self._requests: dict[bytes, cmd.SendFile] = {}  # every file sent, to offer again
        self._to_resume: set[bytes] = set()  # cut off by a lost link: offered again later
        self._reconnecting = False
        self._generation = 0
        self._channel_config = ChannelConfig(
            destination=engine.destination or _NoDestination(),
            ice_addresses=self.config.ice_addresses,
            ice_servers=self.config.ice_servers,
            chunk_size=self.config.chunk_size,
            window=self.config.window,
            max_file_size=self.config.max_file_size,
            buffer_threshold=self.config.buffer_threshold,
            loop=self.config.loop,
            delayed_acks=self.config.delayed_acks,
            write_delay=self.config.write_delay,
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
        try:
            await self._connect_once(offerer=offerer)
        except BaseException:
            await self.close()
            raise
        self._spawn(self._watch_signaling())

    async def _connect_once(self, *, offerer: bool) -> None:
        await self.signaling.open()  # a listener may wait for its peer as long as it likes
        try:
            await asyncio.wait_for(self._handshake_steps(offerer), self.config.connect_timeout)
        except TimeoutError:
            raise PeerGone(
                f"no connection to the peer within {self.config.connect_timeout:g}s"
            ) from None

    async def _handshake_steps(self, offerer: bool) -> None:
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
        return await asyncio.wrap_future(command.reply)

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
        except FerryError as exc:
            reason = exc.message
        if not self._closed.is_set() and channel is self.channel:
            self.tell_channel(cmd.LinkLost(reason))

    # -- reconnecting -----------------------------------------------------------------------------

    def _may_reconnect(self, error: FerryError) -> bool:
        """A lost link (not a misbehaving peer, not our own close) is worth another try."""
        return (
            self._factory is not None
            and not self._closing
            and self.config.reconnect_attempts > 0
            and isinstance(error, PeerGone)
        )

    async def _reconnect(self, error: FerryError) -> None:
        """Connect again with growing pauses, then offer the cut-off files again.

        The receiver resumes each from what it made durable, so only the rest is sent.
        """
        delay = self.config.reconnect_delay
        for attempt in range(1, self.config.reconnect_attempts + 1):
            await self._drop_channel()
            logger.warning(
                "connection lost (%s); reconnecting in %.1fs (attempt %d of %d)",
                error.message, delay, attempt, self.config.reconnect_attempts,
            )  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY)
            if self._closing:
                return
            assert self._factory is not None
            self.signaling = self._factory()
            self._start_channel()
            try:
                await self._connect_once(offerer=True)
            except FerryError as exc:
                error = exc
                continue
            self._reconnecting = False
            logger.info(
                "reconnected (attempt %d); offering %d files again", attempt, len(self._to_resume)
            )
            self._spawn(self._watch_signaling())
            for transfer_id in sorted(self._to_resume):
                self.tell_channel(self._requests[transfer_id])
            self._to_resume.clear()
            return
        self._reconnecting = False
        await self._drop_channel()
        attempts = self.config.reconnect_attempts
        self._mark_closed(PeerGone(f"gave up after {attempts} reconnection attempts: {error}"))

    async def _drop_channel(self) -> None:
        await _in_thread(self._stop_channel)
        with contextlib.suppress(Exception):
            await self.signaling.close()

    # -- sending ---------------------------------------------------------------------------------

    def send(self, path: str | os.PathLike[str]) -> Transfer | TransferGroup:
        """Send a file (a :class:`Transfer`) or a folder (a :class:`TransferGroup`)."""
        source = Path(path).expanduser()
        if self.error is not None or self._closed.is_set():
            raise PeerGone(f"not connected: {self.error.message if self.error else 'closed'}")
        if source.is_dir():
            files = _files_under(source)
            return TransferGroup(source.name, [self._send_file(p, n) for p, n in files])
        if not source.exists():
            raise ConfigError(f"{source}: no such file or folder")
        return self._send_file(source, source.name)

    def _send_file(self, path: Path, name: str) -> Transfer:
        problem = name_problem(name)
        if problem is not None:
            raise ConfigError(f"cannot send {path}: {problem}")
        try:
            stat = path.stat()
            with open(path, "rb"):  # readable now, or a clear error now
                pass
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        if not path.is_file():
            raise ConfigError(f"{path} is not a regular file")
        transfer_id = secrets.token_bytes(16)
        request = cmd.SendFile(
            transfer_id=transfer_id,
            path=str(path.resolve()),
            name=name,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            resume_key=hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32],
        )
        transfer = Transfer(transfer_id, name, stat.st_size, "send", self._cancel)
        self.transfers[transfer_id] = transfer
        self._queued[transfer_id] = request
        self._requests[transfer_id] = request
        self._spawn(self._start_when_free(transfer, request))
        return transfer

    async def _start_when_free(self, transfer: Transfer, request: cmd.SendFile) -> None:
        async with self._slots:
            if self._queued.pop(transfer.id, None) is None:
                return  # cancelled (or the peer went away) while it waited for a slot
            try:
                self.channel.tell(request)
            except pykka.ActorDeadError:
                transfer.fail(PeerGone("the connection to the peer is gone"))
                return
            with contextlib.suppress(FerryError):
                await transfer

    def _cancel(self, transfer_id: bytes, reason: str) -> None:
        if self._queued.pop(transfer_id, None) is not None:
            # Never offered: there is nothing to tell the peer.
            self.transfers[transfer_id].fail(TransferCancelled(f"cancelled: {reason}"))
            return
        self.tell_channel(cmd.CancelTransfer(transfer_id, reason))

    # -- receiving ------------------------------------------------------------------------------

    async def offers(self) -> AsyncIterator[IncomingOffer]:
        """Offers from the peer, until it disconnects."""
        while True:
            offer = await self._offers.get()
            if offer is None:
                self._offers.put_nowait(None)
                return
            yield offer

    # -- lifecycle ------------------------------------------------------------------------------

    async def wait_closed(self) -> FerryError | None:
        """Wait until the connection ends; returns the error that ended it, if any."""
        await self._closed.wait()
        return self.error

    async def close(self) -> None:
        self._closing = True
        self.engine.peers.discard(self)
        if not self._closed.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.signaling.send({"type": "bye"}), 1)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ask(cmd.Close()), 5)
        await _in_thread(self._stop_channel)
        with contextlib.suppress(Exception):
            await self.signaling.close()
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
        if isinstance(event, HandshakeComplete):
            if not self._handshake.done():
                self._handshake.set_result(None)
            return
        if isinstance(event, ConnectionFailed):
            if not self._handshake.done():  # still connecting: that attempt failed
                self._handshake.set_exception(event.error)
                self._handshake.exception()
            elif self._may_reconnect(event.error):
                if not self._reconnecting:
                    self._reconnecting = True
                    self._spawn(self._reconnect(event.error))
            else:
                self._mark_closed(event.error)
            return
        if isinstance(event, OfferReceived):
            self._on_offer(event)
            return
        transfer = self.transfers.get(getattr(event, "transfer_id", b""))
        if transfer is None:
            return
        if isinstance(event, Progress):
            transfer.report_progress(event.done)
            return
        if isinstance(event, Accepted):
            transfer.resumed_from = event.offset
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
            if transfer.direction == "send" and self._may_reconnect(event.error):
                self._to_resume.add(transfer.id)  # offered again once reconnected
                return
            transfer.fail(event.error)
        else:
            return  # Accepted, CreditGranted, EofReceived: nothing for the host
        self._ended(transfer, event)

    def _ended(self, transfer: Transfer, event: Event) -> None:
        """A transfer is over: a received file may now get its preview."""
        self.receiving.discard(transfer.id)
        previews = self.engine.previews
        if previews is None or transfer.direction != "receive":
            return
        if isinstance(event, Completed):
            previews.request(transfer, event.stored_id)
        else:
            previews.activity()

    @property
    def on_offer(self) -> Callable[[IncomingOffer], None] | None:
        """Called with each offer as it arrives (with ``accept_all``, to watch what arrives).

        Offers accepted before a handler was set (the last ``UNWATCHED_OFFERS``) are passed
        to it as soon as it is set, so setting it after ``listen()`` returns misses none.
        """
        return self._on_offer_handler

    @on_offer.setter
    def on_offer(self, handler: Callable[[IncomingOffer], None] | None) -> None:
        self._on_offer_handler = handler
        while handler is not None and self._unwatched:
            handler(self._unwatched.popleft())

    def _on_offer(self, event: OfferReceived) -> None:
        offer = event.offer
        transfer = Transfer(offer.transfer_id, offer.name, offer.size, "receive", self._cancel)
        self.transfers[offer.transfer_id] = transfer
        incoming = IncomingOffer(self, offer, transfer)
        if self.config.accept_all:
            incoming.accept()
        if self._on_offer_handler is not None:
            self._on_offer_handler(incoming)
        elif self.config.accept_all:
            self._unwatched.append(incoming)
        else:
            self._offers.put_nowait(incoming)

    def _mark_closed(self, error: FerryError) -> None:
        if self._closed.is_set():
            return
        self.error = error
        self._closed.set()
        if not self._handshake.done():
            self._handshake.set_exception(error)
            self._handshake.exception()
        self._offers.put_nowait(None)
        for transfer in self.transfers.values():
            transfer.fail(error)
        self.receiving.clear()
        self._queued.clear()
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


async def _in_thread(function: Callable[[], Any]) -> Any:
    """Run a blocking call (an actor start or stop) without blocking the host loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function)


def _files_under(folder: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``folder``, with names relative to its parent."""
    files: list[tuple[Path, str]] = []
    errors: list[OSError] = []
    for directory, subdirs, names in os.walk(folder, onerror=errors.append):
        subdirs.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file():
                files.append((path, path.relative_to(folder.parent).as_posix()))
    if errors:
        error = errors[0]
        raise ConfigError(f"cannot read folder {error.filename}: {error.strerror}")
    return files
