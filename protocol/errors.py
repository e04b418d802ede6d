"""The errors of the protocol layer: bad frames, failed transfers, a lost peer.

:func:`error_from_code` turns what a peer wrote in an ERROR frame into an exception. Only
the outcomes a peer can honestly report about a transfer (cancelled, rejected, a checksum
that did not match) keep their type; anything else becomes :class:`PeerError`, so nothing a
peer sends can pass for a local condition such as :class:`PeerGone`.
"""

from __future__ import annotations

from ferry.errors import FerryError


class ProtocolError(FerryError):
    """A frame that is malformed, oversized, unknown or arrives out of order."""

    code = "protocol"


class LocalProtocolError(FerryError):
    """This side tried to do something the protocol forbids (a bug in the caller).

    Raised before any state changes, so the session stays usable.
    """

    code = "local-protocol"


class IntegrityError(FerryError):
    """The received bytes do not match the declared size or SHA-256."""

    code = "integrity"


class TransferCancelled(FerryError):
    """A transfer was cancelled by this side or by the peer."""

    code = "cancelled"


class TransferRejected(FerryError):
    """The receiver refused an offer."""

    code = "rejected"


class PeerGone(FerryError):
    """The connection to the peer was lost before the transfer finished.

    Only this side decides that: a peer's ERROR frame never becomes a PeerGone.
    """

    code = "peer-gone"


class PeerError(FerryError):
    """The peer ended a transfer or the connection for a reason of its own (its disk, its
    vault, its supervisor...); ``code`` is the code it sent."""

    code = "peer-error"


_BY_CODE: dict[str, type[FerryError]] = {
    cls.code: cls for cls in (IntegrityError, TransferCancelled, TransferRejected)
}


def error_from_code(code: str, message: str) -> FerryError:
    """The exception for what a peer described in an ERROR frame."""
    cls = _BY_CODE.get(code, PeerError)
    return cls(f"peer reported: {message}" if message else "peer reported an error", code=code)
