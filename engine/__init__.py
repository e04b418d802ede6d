"""Ferry's public API for host applications: the Engine, transfers, config and signaling."""

if __name__ != "ferry.engine":  # this folder imported by its own name, from a checkout
    raise ImportError("import ferry.engine, not engine: the folder is part of the ferry package")

from ferry.actors.storage.errors import StorageError, TamperedError, WrongKeyError
from ferry.actors.supervisor import SupervisionError
from ferry.errors import ConfigError, FerryError
from ferry.protocol.errors import (
    IntegrityError,
    PeerError,
    PeerGone,
    ProtocolError,
    TransferCancelled,
    TransferRejected,
)
from ferry.protocol.rendezvous.errors import RendezvousError

from .config import EngineConfig
from .engine import Engine
from .offers import IncomingOffer
from .peer import Peer
from .signaling import Signaling, TcpSignaling, in_process_pair, parse_host_port
from .sizes import parse_size
from .transfer import Transfer, TransferGroup, TransferProgress, TransferResult

__all__ = [
    "ConfigError",
    "Engine",
    "EngineConfig",
    "FerryError",
    "IncomingOffer",
    "IntegrityError",
    "Peer",
    "PeerError",
    "PeerGone",
    "ProtocolError",
    "RendezvousError",
    "Signaling",
    "StorageError",
    "SupervisionError",
    "TamperedError",
    "TcpSignaling",
    "Transfer",
    "TransferCancelled",
    "TransferGroup",
    "TransferProgress",
    "TransferRejected",
    "TransferResult",
    "WrongKeyError",
    "in_process_pair",
    "parse_host_port",
    "parse_size",
]
