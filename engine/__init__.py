"""Ferry's public API for host applications: the Engine, transfers, config and signaling."""

from protocol.errors import (
    ConfigError,
    FerryError,
    IntegrityError,
    PeerGone,
    ProtocolError,
    StorageError,
    SupervisionError,
    TamperedError,
    TransferCancelled,
    TransferRejected,
    WrongKeyError,
)

from .config import EngineConfig, parse_size
from .engine import Engine, IncomingOffer, Peer
from .signaling import Signaling, TcpSignaling, in_process_pair, parse_host_port
from .transfer import Transfer, TransferGroup, TransferProgress, TransferResult

__all__ = [
    "ConfigError",
    "Engine",
    "EngineConfig",
    "FerryError",
    "IncomingOffer",
    "IntegrityError",
    "Peer",
    "PeerGone",
    "ProtocolError",
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
