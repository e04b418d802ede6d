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

from .budget import StorageBudget
from .config import EngineConfig
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

    def _new_peer(self, signaling: Signaling | SignalingFactory) -> Peer:
        if self.supervisor is None:
            raise ConfigError("start the Engine first (use `async with Engine(...)`)")
        peer = Peer(self, signaling)
        self.peers.add(peer)
        return peer


async def _in_thread(function: Callable[[], Any]) -> Any:
    """Run a blocking call (an actor start or stop) without blocking the host loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function)
