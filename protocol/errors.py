"""Every error Ferry raises on purpose, in one hierarchy.

Each carries a short machine-readable ``code`` (the same codes travel in ERROR and REJECT
frames) and a message meant for a person: what happened and what they can do about it.
"""

from __future__ import annotations


class FerryError(Exception):
    """Base of every error Ferry raises on purpose."""

    code = "internal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


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


class TamperedError(FerryError):
    """Stored data failed authentication: it was changed outside Ferry."""

    code = "tampered"


class WrongKeyError(FerryError):
    """The vault could not be opened with the passphrase or key given."""

    code = "wrong-key"


class TransferCancelled(FerryError):
    """A transfer was cancelled by this side or by the peer."""

    code = "cancelled"


class TransferRejected(FerryError):
    """The receiver refused an offer."""

    code = "rejected"


class PeerGone(FerryError):
    """The connection to the peer was lost before the transfer finished."""

    code = "peer-gone"


class StorageError(FerryError):
    """The local disk or vault refused a write or read."""

    code = "storage"


class ConfigError(FerryError):
    """A local setting or argument is invalid (bad path, bad size, bad address)."""

    code = "config"


class SupervisionError(FerryError):
    """An actor kept failing past its restart budget."""

    code = "actor-failed"


_BY_CODE: dict[str, type[FerryError]] = {
    cls.code: cls
    for cls in (
        ProtocolError,
        IntegrityError,
        TamperedError,
        TransferCancelled,
        TransferRejected,
        PeerGone,
        StorageError,
        SupervisionError,
    )
}


def error_from_code(code: str, message: str) -> FerryError:
    """Rebuild the exception a peer described in an ERROR or REJECT frame."""
    cls = _BY_CODE.get(code, FerryError)
    return cls(f"peer reported: {message}" if message else "peer reported an error", code=code)
