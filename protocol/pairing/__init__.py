"""Pairing, sans-IO: codes, SPAKE2, key confirmation, identity proofs and the sealed channel.

Before any SDP is used, the two sides run :class:`Handshake` over their signaling: SPAKE2
on a code, a 32-byte secret or (trusted mode) nothing, key confirmation, then each side's
long-term Ed25519 identity proven over the transcript; every later signaling message is
sealed (:class:`SealedChannel`). docs/pairing.md is the specification, with test vectors.
"""

from .channel import SealedChannel
from .codes import Code, new_code, parse_code, words_for
from .errors import AuthenticationError, CodeError, Reason
from .handshake import HANDSHAKE_TIMEOUT, SECRET_BYTES, Handshake, Mode, Output, Paired, Role, State
from .identity import Identity, parse_peer_id, peer_id_of

__all__ = [
    "HANDSHAKE_TIMEOUT",
    "SECRET_BYTES",
    "AuthenticationError",
    "Code",
    "CodeError",
    "Handshake",
    "Identity",
    "Mode",
    "Output",
    "Paired",
    "Reason",
    "Role",
    "SealedChannel",
    "State",
    "new_code",
    "parse_code",
    "parse_peer_id",
    "peer_id_of",
    "words_for",
]
