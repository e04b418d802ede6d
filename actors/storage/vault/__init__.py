"""The Vault: received files encrypted at rest, committed atomically, verified on every read.

- :class:`Vault` (store.py): the plain, single-threaded object a host uses.
- :class:`VaultWriter` (writer.py): one incoming file, fed from any thread.
- :class:`VaultActor` (actor.py): the vault in its own pykka actor, for the pipeline.
- format.py, keyfile.py, index.py: the blob format, the key file, the SQLCipher index.

The on-disk format and the commit protocol are specified in docs/vault-format.md.
"""

from .records import PendingStore, Preview, Problem, StoredFile, VerifyReport
from .store import DEFAULT_INLINE_LIMIT, Vault
from .writer import VaultWriter

__all__ = [
    "DEFAULT_INLINE_LIMIT",
    "PendingStore",
    "Preview",
    "Problem",
    "StoredFile",
    "Vault",
    "VaultWriter",
    "VerifyReport",
]
