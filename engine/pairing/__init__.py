"""Pairing for hosts: this installation's identity, its trusted peers, and SecureSignaling.

The handshake itself is sans-IO in :mod:`ferry.protocol.pairing`; this package gives it
files and a connection: :func:`load_identity` (an Ed25519 key made on first use, 0600 in
the user's config folder), :class:`TrustStore` (the peers allowed to pair with no code) and
:class:`SecureSignaling` (any signaling, paired and then sealed).
"""

from ferry.actors.clock import Clock, SystemClock
from ferry.protocol.pairing import (
    AuthenticationError,
    Code,
    Identity,
    Mode,
    Paired,
    Role,
    new_code,
    parse_code,
)

from .codebook import CodeSlot
from .identity_file import identity_path, load_identity
from .paths import config_dir
from .secure import SecureSignaling
from .trust import TrustedPeer, TrustStore

__all__ = [
    "AuthenticationError",
    "Clock",
    "Code",
    "CodeSlot",
    "Identity",
    "Mode",
    "Paired",
    "Role",
    "SecureSignaling",
    "SystemClock",
    "TrustStore",
    "TrustedPeer",
    "config_dir",
    "identity_path",
    "load_identity",
    "new_code",
    "parse_code",
]
