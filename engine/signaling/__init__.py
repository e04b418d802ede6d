"""Signaling: how two engines find each other and set up WebRTC (see :mod:`.base`)."""

from .base import MAX_SIGNAL_BYTES, Signaling, SignalingFactory, parse_host_port
from .in_process import in_process_pair
from .tcp import TcpListener, TcpSignaling

__all__ = [
    "MAX_SIGNAL_BYTES",
    "Signaling",
    "SignalingFactory",
    "TcpListener",
    "TcpSignaling",
    "in_process_pair",
    "parse_host_port",
]
