"""The one error of pairing: :class:`AuthenticationError`, with a machine-readable reason.

Whatever goes wrong in a handshake or on a sealed channel (a wrong code, a message altered,
replayed, reordered, dropped or injected on the way, an identity that is not trusted, a
deadline missed) ends the attempt with this error on the side that noticed it, and, through
the ``pair-abort`` notice it sends, on the other side too. ``reason`` says which, so a host
can react (a waiting side makes a new code after ``wrong-secret``); ``by_peer`` says
whether the peer reported it.
"""

from __future__ import annotations

import enum

from ferry.errors import ConfigError, FerryError


class Reason(enum.StrEnum):
    """Why a pairing failed. These strings travel in ``pair-abort`` notices."""

    #: The key confirmation did not match: a wrong code or secret (or tampering).
    WRONG_SECRET = "wrong-secret"
    #: A message was altered, replayed, reordered, dropped or injected on the way.
    TAMPERED = "tampered"
    #: A message was not what the protocol allows (shape, field, type, size).
    MALFORMED = "malformed"
    #: A message arrived in a state that does not expect it.
    UNEXPECTED = "unexpected"
    #: The peer's identity proof verified, but its peer id is not trusted here.
    UNTRUSTED = "untrusted"
    #: The peer's identity proof (signature over the transcript) did not verify.
    BAD_PROOF = "bad-proof"
    #: The peer asked for a mode or version this side does not accept.
    MODE = "mode"
    #: The handshake did not finish before its deadline.
    TIMEOUT = "timeout"
    #: The connection closed before the handshake finished.
    INCOMPLETE = "incomplete"
    #: The waiting side serves as many peers as it may: it refused before pairing.
    BUSY = "busy"
    #: Anything else a peer reported (an unknown reason in its notice).
    OTHER = "other"


class AuthenticationError(FerryError):
    """Pairing failed: nothing from this peer can be trusted; the attempt is over."""

    code = "auth"

    def __init__(
        self, message: str, *, reason: Reason | str = Reason.TAMPERED, by_peer: bool = False
    ) -> None:
        super().__init__(message)
        self.reason = Reason(reason) if reason in Reason._value2member_map_ else Reason.OTHER
        self.by_peer = by_peer


class CodeError(ConfigError):
    """A code a person typed is not a Ferry code (shape, unknown word, words out of order)."""
