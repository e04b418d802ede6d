"""The settings a host gives an :class:`~engine.Engine`, checked once, up front."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ferry.actors.config import IceServer
from ferry.actors.media.config import PreviewConfig, missing_extra
from ferry.actors.transport.ice import addresses_from_environment, parse_addresses
from ferry.errors import ConfigError
from ferry.protocol.connection import DEFAULT_MAX_INCOMING
from ferry.protocol.keepalive import DEFAULT_INTERVAL as KEEPALIVE_INTERVAL
from ferry.protocol.keepalive import DEFAULT_TIMEOUT as KEEPALIVE_TIMEOUT
from ferry.protocol.limits import BASE_CHUNK_SIZE, DEFAULT_CHUNK_SIZE, MAX_FILE_SIZE
from ferry.protocol.pairing import Identity, parse_peer_id
from ferry.protocol.receiver import DEFAULT_WINDOW

from .ice_servers import parse_ice_server


@dataclass(frozen=True)
class EngineConfig:
    """What an Engine needs: ``output_dir`` or ``vault_dir`` to receive, nothing to send."""

    output_dir: Path | None = None
    #: Receive into an encrypted vault instead of a folder (with a passphrase or a raw key).
    vault_dir: Path | None = None
    vault_passphrase: str | None = field(default=None, repr=False)
    vault_key: bytes | None = field(default=None, repr=False)
    #: Thumbnails of received images and videos, stored in the vault (None: no previews).
    previews: PreviewConfig | None = field(default_factory=PreviewConfig)
    #: Unfinished transfers nobody resumed for this long are removed (seconds; None: never).
    staging_max_age: float | None = 7 * 24 * 3600.0
    #: Previews wait while files are arriving, but never longer than this many seconds.
    preview_max_wait: float = 30.0
    #: Preferred chunk size for files we send; larger than 16 KiB only if the peer agrees.
    chunk_size: int = DEFAULT_CHUNK_SIZE
    #: Credit a receiver grants beyond what its disk has taken (bounds its memory).
    window: int = DEFAULT_WINDOW
    #: Largest file this engine accepts from a peer.
    max_file_size: int = MAX_FILE_SIZE
    #: Staged bytes (files in flight plus partial files kept for a resume) the receiver
    #: allows in all before it REJECTs offers (None: only the free-space check).
    staging_quota: int | None = None
    #: Bytes the receiver keeps free on its disk: an offer that would leave less is REJECTed.
    min_free_space: int = 128 << 20
    #: Bytes in flight from one peer at once (None: no limit beyond the quota).
    max_bytes_per_peer: int | None = None
    #: Files one peer may have offered and not finished at once; more get REJECT "busy"
    #: (each one in flight holds a Reassembler thread and a staging file).
    max_incoming_files: int = DEFAULT_MAX_INCOMING
    #: Files one peer may offer on one connection in all (None: no limit).
    max_offers_per_connection: int | None = None
    #: A sender gives up on an offer the receiver has not answered in this many seconds
    #: (None: wait for ever, e.g. while a person decides).
    offer_timeout: float | None = 300.0
    #: Transfers in flight at once on one peer; more are queued.
    max_concurrent: int = 8
    #: Local addresses ICE may use; None means FERRY_ICE_ADDRESSES, else aioice's choice.
    ice_addresses: tuple[str, ...] | None = None
    #: STUN/TURN servers (``stun:HOST:PORT``, ``turn:USER:PASS@HOST:PORT?transport=tcp``, or
    #: IceServer values; engine/ice_servers.py); empty keeps all traffic between the peers.
    ice_servers: tuple[IceServer | str, ...] = ()
    #: coturn's shared secret (``static-auth-secret``): TURN servers given without a user
    #: name get time-limited credentials made from it for each connection.
    turn_secret: str | None = field(default=None, repr=False)
    #: Only relayed candidates: every byte goes through the TURN server (hides addresses).
    relay_only: bool = False
    buffer_threshold: int = 1 << 20
    #: Event loop for the Channel thread: "auto" (uvloop if installed), "uvloop", "asyncio".
    loop: str = "auto"
    #: SCTP SACKs for every second packet (RFC 4960) instead of aiortc's one per packet:
    #: 1.24-1.42x aiortc's throughput here, on less CPU (actors/transport/sctp_acks.py).
    delayed_acks: bool = True
    #: A BBR-style congestion controller for our SCTP sender (actors/transport/congestion.py):
    #: 0.06 -> 0.49-0.75 of kernel TCP BBR at 1% loss on a 50 ms link; False keeps aiortc's.
    congestion_control: bool = True
    max_restarts: int = 3
    restart_window: float = 10.0
    connect_timeout: float = 30.0
    #: A peer reached through a signaling factory reconnects this many times after a lost
    #: link (0: never), waiting reconnect_delay, then twice as long each time (up to 8 s).
    reconnect_attempts: int = 5
    reconnect_delay: float = 0.5
    #: Accept every incoming offer without asking (the CLI receiver does).
    accept_all: bool = False
    #: This engine's long-term identity (pairing, resume keys). None: the installation's,
    #: ``identity.pem`` in ``config_dir`` (made on first use, 0600).
    identity: Identity | None = field(default=None, repr=False)
    #: Where the identity and the trusted-peers file live; None: $FERRY_CONFIG_DIR, else
    #: $XDG_CONFIG_HOME/ferry, else ~/.config/ferry.
    config_dir: Path | None = None
    #: Peer ids a host trusts besides the trust store (it authenticated them itself).
    trusted_peers: frozenset[str] = frozenset()
    #: A pairing handshake must finish within this many seconds (a listener's slot for a
    #: client that sends nothing is freed after it).
    handshake_timeout: float = 10.0
    #: A peer paired in this process may reconnect without a code for this long after it
    #: paired or its link dropped (the code was single use); 0: never.
    session_trust_seconds: float = 600.0
    #: Close a peer with no transfer in flight and nothing received for this long (None: never).
    idle_timeout: float | None = None
    #: PING the peer over the data channel this often, and drop it after this long with no
    #: frame from it (protocol/keepalive.py): a dead peer is noticed in seconds, whatever
    #: the signaling says. None: no keepalive (older peers never get one anyway).
    keepalive_interval: float = KEEPALIVE_INTERVAL
    keepalive_timeout: float | None = KEEPALIVE_TIMEOUT
    #: A listener serves at most this many peers at once (pairing or connected).
    max_peers: int = 16
    #: DANGER, tests only: connect and listen without pairing when no code, secret or trust
    #: is given. Anyone on the signaling path can then read and change everything. The
    #: command line never sets it.
    unauthenticated_for_tests: bool = False
    #: Test hook: seconds each receiver write sleeps, to play a slow disk.
    write_delay: float = 0.0

    def __post_init__(self) -> None:
        servers = tuple(
            parse_ice_server(server) if isinstance(server, str) else server
            for server in self.ice_servers
        )
        object.__setattr__(self, "ice_servers", servers)
        if self.relay_only and not any(s.url.startswith("turn") for s in servers):  # type: ignore[union-attr]
            raise ConfigError("relay_only needs a TURN server (--ice-server turn:...)")
        if self.keepalive_timeout is not None and not (
            self.keepalive_interval > 0 and self.keepalive_timeout >= 2 * self.keepalive_interval
        ):
            raise ConfigError("keepalive_timeout must be at least twice keepalive_interval (> 0)")
        if self.output_dir is not None:
            path = Path(self.output_dir).expanduser()
            object.__setattr__(self, "output_dir", path)
            if not path.is_dir():
                raise ConfigError(f"output folder {path} does not exist or is not a folder")
            if not os.access(path, os.W_OK | os.X_OK):
                raise ConfigError(f"output folder {path} is not writable")
        if self.vault_dir is not None:
            object.__setattr__(self, "vault_dir", Path(self.vault_dir).expanduser())
            if self.output_dir is not None:
                raise ConfigError("receive into an output folder or a vault, not both")
            if (self.vault_passphrase is None) == (self.vault_key is None):
                raise ConfigError("a vault needs exactly one of a passphrase or a raw key")
            if self.previews is not None and self.previews.enabled:
                problem = missing_extra()
                if problem is not None:
                    raise ConfigError(problem)
        if self.chunk_size < BASE_CHUNK_SIZE:
            raise ConfigError(f"chunk size must be at least {BASE_CHUNK_SIZE} bytes (16k)")
        if self.window < self.chunk_size:
            raise ConfigError("the window must hold at least one chunk")
        if not 0 < self.max_file_size <= MAX_FILE_SIZE:
            raise ConfigError(f"max file size must be 1..{MAX_FILE_SIZE}")
        if self.reconnect_attempts < 0 or self.reconnect_delay < 0:
            raise ConfigError("reconnect_attempts and reconnect_delay must not be negative")
        for name in ("staging_quota", "max_bytes_per_peer"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1 byte (or None: no limit)")
        if self.max_incoming_files < 1:
            raise ConfigError("max_incoming_files must be at least 1")
        if self.max_offers_per_connection is not None and self.max_offers_per_connection < 1:
            raise ConfigError("max_offers_per_connection must be at least 1 (or None)")
        if self.offer_timeout is not None and self.offer_timeout <= 0:
            raise ConfigError("offer_timeout must be positive (or None: wait for ever)")
        if self.min_free_space < 0:
            raise ConfigError("min_free_space must not be negative")
        if self.max_concurrent < 1:
            raise ConfigError("max_concurrent must be at least 1")
        if self.loop not in {"auto", "uvloop", "asyncio"}:
            raise ConfigError(f"loop must be auto, uvloop or asyncio, not {self.loop!r}")
        if self.identity is not None and not isinstance(self.identity, Identity):
            raise ConfigError("identity must be a ferry.protocol.pairing.Identity")
        if self.config_dir is not None:
            object.__setattr__(self, "config_dir", Path(self.config_dir).expanduser())
        trusted = frozenset(parse_peer_id(p) for p in self.trusted_peers)
        object.__setattr__(self, "trusted_peers", trusted)
        if not self.handshake_timeout > 0:
            raise ConfigError("handshake_timeout must be positive")
        if self.session_trust_seconds < 0:
            raise ConfigError("session_trust_seconds must not be negative")
        if self.idle_timeout is not None and not self.idle_timeout > 0:
            raise ConfigError("idle_timeout must be positive (or None: never)")
        if self.max_peers < 1:
            raise ConfigError("max_peers must be at least 1")
        addresses = parse_addresses(self.ice_addresses)
        if addresses is None:
            addresses = addresses_from_environment()
        object.__setattr__(self, "ice_addresses", addresses)
