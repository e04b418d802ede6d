"""Ferry: peer-to-peer file transfer over WebRTC data channels.

One import namespace over the project's folders (pyproject.toml maps them):

- ``ferry.protocol``: the wire protocol, sans-IO (frames, codec, session machines).
- ``ferry.actors``: the pipeline actors, and what they drive: ``storage`` (folder, journal,
  vault), ``media`` (previews) and ``transport`` (Ferry's tuning of aiortc and aioice).
- ``ferry.engine``: the host API (:class:`~ferry.engine.Engine`) and the ``ferry`` command.
- ``ferry.benchmarks``: ``ferry bench``.

The names below are the host API, imported on first use so that ``import ferry`` stays
cheap (aiortc is only loaded when an Engine is wanted).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "Engine": "ferry.engine",
    "EngineConfig": "ferry.engine",
    "IncomingOffer": "ferry.engine",
    "Peer": "ferry.engine",
    "Signaling": "ferry.engine",
    "TcpSignaling": "ferry.engine",
    "Transfer": "ferry.engine",
    "TransferGroup": "ferry.engine",
    "TransferProgress": "ferry.engine",
    "TransferResult": "ferry.engine",
    "in_process_pair": "ferry.engine",
    "new_code": "ferry.engine",
    "parse_code": "ferry.engine",
    "AuthenticationError": "ferry.engine",
    "Code": "ferry.engine",
    "CodeError": "ferry.engine",
    "CodeSlot": "ferry.engine",
    "Identity": "ferry.engine",
    "TrustStore": "ferry.engine",
    "ConfigError": "ferry.engine",
    "FerryError": "ferry.engine",
    "IntegrityError": "ferry.engine",
    "PeerError": "ferry.engine",
    "PeerGone": "ferry.engine",
    "ProtocolError": "ferry.engine",
    "RendezvousError": "ferry.engine",
    "StorageError": "ferry.engine",
    "SupervisionError": "ferry.engine",
    "TamperedError": "ferry.engine",
    "TransferCancelled": "ferry.engine",
    "TransferRejected": "ferry.engine",
    "WrongKeyError": "ferry.engine",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ferry' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
