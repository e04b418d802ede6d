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
from ferry.protocol.pairing import (
    AuthenticationError,
    Code,
    CodeError,
    Identity,
    new_code,
    parse_code,
)
from ferry.protocol.rendezvous.errors import RendezvousError

from .config import EngineConfig
from .engine import Engine
from .offers import IncomingOffer
from .pairing import CodeSlot, TrustStore
from .peer import Peer
from .signaling import Signaling, TcpSignaling, in_process_pair, parse_host_port
from .sizes import parse_size
from .transfer import Transfer, TransferGroup, TransferProgress, TransferResult

__all__ = [
    "AuthenticationError",
    "Code",
    "CodeError",
    "CodeSlot",
    "ConfigError",
    "Engine",
    "EngineConfig",
    "FerryError",
    "Identity",
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
    "TrustStore",
    "WrongKeyError",
    "in_process_pair",
    "new_code",
    "parse_code",
    "parse_host_port",
    "parse_size",
]
