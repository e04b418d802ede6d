"""Errors of local storage: the output folder, the journal and the vault."""

from __future__ import annotations

from ferry.errors import FerryError


class StorageError(FerryError):
    """The local disk or vault refused a write or read."""

    code = "storage"


class TamperedError(FerryError):
    """Stored data failed authentication: it was changed outside Ferry."""

    code = "tampered"


class WrongKeyError(FerryError):
    """The vault could not be opened with the passphrase or key given."""

    code = "wrong-key"
