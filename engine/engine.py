"""The Engine: what a host application creates to send and receive files.

::

    # the side that waits makes a code, and a person carries it to the other side
    code = ferry.new_code()                               # e.g. 7-crossover-clockwork
    async with Engine(EngineConfig(output_dir="inbox")) as engine:
        peer = await engine.listen(TcpSignaling("0.0.0.0", 9000, listen=True), code=code)
        async for offer in peer.offers():
            transfer = offer.accept()                     # or offer.reject("no thanks")

    # the other side
    async with Engine() as engine:
        peer = await engine.connect(TcpSignaling("192.168.1.20", 9000, listen=False),
                                    code="7-crossover-clockwork")
        result = await peer.send("movie.mkv")            # a Transfer: await, cancel, progress

Every connection pairs first (docs/pairing.md): by a code, a 32-byte ``secret`` a host
shares out of band, or ``trusted=True`` with a peer kept in the trust store
(:meth:`Engine.trust`); only then does any SDP cross, sealed. There is no unauthenticated
connection unless a test sets ``EngineConfig.unauthenticated_for_tests``.

The Engine owns the actors every peer shares (supervisor, vault, previewer) and starts
and stops them in order; each connection is a :class:`~ferry.engine.peer.Peer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import pykka

from ferry.actors.previewer import PreviewerActor
from ferry.actors.storage.destination import Destination, FolderDestination
from ferry.actors.storage.journal import PendingTransfer
from ferry.actors.storage.vault_destination import VaultDestination
from ferry.actors.supervisor import RestartPolicy, Supervisor
from ferry.actors.vault import VaultActor
from ferry.errors import ConfigError, FerryError
from ferry.protocol.pairing import Code, Identity, Role

from .budget import StorageBudget
from .config import EngineConfig
from .pairing.codebook import CodeSlot
from .pairing.identity_file import identity_path, load_identity
from .pairing.options import Pairing
from .pairing.paths import TRUST_FILE, config_dir
from .pairing.secure import SecureSignaling
from .pairing.session import SessionTrust
from .pairing.trust import TrustedPeer, TrustStore
from .peer import Peer
from .previews import PreviewScheduler
from .signaling import Signaling, SignalingFactory
from .vault_client import VaultClient

logger = logging.getLogger(__name__)

#: On close, how long the engine waits for previews still queued.
PREVIEW_DRAIN_SECONDS = 120.0


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
        #: Room for incoming files, checked before each ACCEPT (None: nowhere to store).
        self.budget: StorageBudget | None = None
        folder = self.config.config_dir or config_dir()
        self._identity = self.config.identity
        self._identity_path = identity_path(folder)
        #: Peers kept as trusted (``ferry peers``): they pair with no code.
        self.trust_store = TrustStore(folder / TRUST_FILE)
        #: Peers paired in this process, which may reconnect without a code for a while.
        self.session_trust = SessionTrust(self.config.session_trust_seconds)
        self._peer_keys: dict[str, bytes] = {}  # public keys of peers paired here

    @property
    def identity(self) -> Identity:
        """This engine's long-term identity (loaded, or made, on first use)."""
        if self._identity is None:
            self._identity = load_identity(self._identity_path)
        return self._identity

    @property
    def peer_id(self) -> str:
        """How peers know this engine: its identity's peer id."""
        return self.identity.peer_id

    def trust(self, peer_id: str, name: str = "") -> TrustedPeer:
        """Keep ``peer_id`` as trusted: from now on it pairs with no code (``trusted=True``)."""
        key = self._peer_keys.get(peer_id)
        return self.trust_store.add(peer_id, name=name, key=key)

    def forget(self, peer_id: str) -> bool:
        """Stop trusting ``peer_id`` (also for this session's reconnects); False if it was
        not trusted."""
        self.session_trust.forget(peer_id)
        return self.trust_store.forget(peer_id)

    def trusted_ids(self) -> frozenset[str]:
        """Everyone this engine lets pair with no code now."""
        return self.session_trust.ids() | self.config.trusted_peers | self.trust_store.ids()

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
        root = config.vault_dir if config.vault_dir is not None else config.output_dir
        if root is not None:
            self.budget = StorageBudget(
                root,
                min_free=config.min_free_space,
                quota=config.staging_quota,
                per_peer=config.max_bytes_per_peer,
            )
            await self.refresh_budget()

    async def refresh_budget(self) -> None:
        """Count the partial files kept for a resume against the staging quota again."""
        if self.budget is None or self.destination is None:
            return
        try:
            self.budget.note_pending(await self.pending())
        except (FerryError, pykka.ActorDeadError, OSError) as error:  # closing, or a bad disk
            logger.debug("could not count the kept partial files: %s", error)

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

    async def connect(
        self,
        signaling: Signaling | SignalingFactory,
        *,
        code: Code | str | None = None,
        secret: bytes | None = None,
        trusted: bool = False,
    ) -> Peer:
        """Reach a listening peer, pair with it, then make the WebRTC offer.

        Pair one way: ``code`` (what the listening side showed), ``secret`` (32 bytes both
        hosts know) or ``trusted=True`` (both sides keep each other as trusted). A failed
        pairing raises :class:`~ferry.protocol.pairing.AuthenticationError`.

        Given a factory (``lambda: TcpSignaling(host, port, listen=False)``) rather than one
        Signaling, the peer reconnects by itself when the link drops and resumes every file
        that was cut off (``EngineConfig.reconnect_attempts``); a reconnect pairs again by
        identity, with the same peer only, so the single-use code is not needed again.
        """
        pairing = Pairing.from_args(joining=True, code=code, secret=secret, trusted=trusted)
        peer = self._new_peer(signaling, pairing)
        await peer._open(offerer=True)
        return peer

    async def listen(
        self,
        signaling: Signaling,
        *,
        code: Code | str | None = None,
        secret: bytes | None = None,
        trusted: bool = False,
        codes: CodeSlot | None = None,
    ) -> Peer:
        """Wait for a peer to connect through ``signaling``, pair, then answer its offer.

        Accepts a joiner that pairs by ``code`` (or by the shared ``codes`` of a listener
        serving several at once), by ``secret``, or, always, by a trusted identity;
        ``trusted=True`` alone lets only trusted peers in.
        """
        pairing = Pairing.from_args(
            joining=False, code=code, secret=secret, trusted=trusted, codes=codes
        )
        peer = self._new_peer(signaling, pairing)
        await peer._open(offerer=False)
        return peer

    def _new_peer(self, signaling: Signaling | SignalingFactory, pairing: Pairing | None) -> Peer:
        if self.supervisor is None:
            raise ConfigError("start the Engine first (use `async with Engine(...)`)")
        if pairing is None and not self.config.unauthenticated_for_tests:
            raise ConfigError(
                "pair every connection: give code=, secret= or trusted=True (see docs/pairing.md)"
            )
        if pairing is None:
            logger.warning("UNAUTHENTICATED connection (unauthenticated_for_tests): tests only")
        peer = Peer(self, signaling, pairing)
        self.peers.add(peer)
        return peer

    def _secure(self, inner: Signaling, pairing: Pairing, *, offerer: bool) -> SecureSignaling:
        """``inner``, paired as ``pairing`` says and sealed."""
        trust = frozenset({pairing.pinned}) if pairing.pinned is not None else self.trusted_ids()
        joining = offerer
        return SecureSignaling(
            inner,
            role=Role.JOINER if joining else Role.WAITER,
            identity=self.identity,
            code=pairing.code,
            codes=pairing.codes,
            secret=pairing.secret,
            trusted_mode=pairing.trusted or pairing.pinned is not None or not joining,
            trust=trust,
            timeout=self.config.handshake_timeout,
        )

    def _paired(self, peer_id: str, key: bytes) -> None:
        """A peer proved its identity: it may reconnect without a code for a while."""
        self._peer_keys[peer_id] = key
        self.session_trust.add(peer_id)


async def _in_thread(function: Callable[[], Any]) -> Any:
    """Run a blocking call (an actor start or stop) without blocking the host loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function)
