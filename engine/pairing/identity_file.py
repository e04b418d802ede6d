"""This installation's long-term identity: an Ed25519 key made on first use, kept 0600.

The file is a standard PKCS#8 PEM (``openssl pkey -in identity.pem -text`` reads it). A
file that exists but cannot be read as a key is an error, never replaced: a new key would
be a new peer id, and every peer that trusts this one would stop recognising it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ferry.errors import ConfigError
from ferry.protocol.pairing import Identity

from .files import check_private, write_private
from .paths import IDENTITY_FILE, config_dir

logger = logging.getLogger(__name__)


def identity_path(folder: Path | None = None) -> Path:
    return (folder if folder is not None else config_dir()) / IDENTITY_FILE


def load_identity(path: Path | None = None, *, create: bool = True) -> Identity:
    """The identity stored at ``path`` (default: the user's config folder), made on first
    use when ``create``. Two processes starting at once end up with the same key."""
    path = Path(path) if path is not None else identity_path()
    if not path.exists():
        if not create:
            raise ConfigError(f"no Ferry identity at {path}")
        identity = Identity.generate()
        pem = identity.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if write_private(path, pem, exclusive=True):
            logger.info("created a new identity %s in %s", identity.peer_id, path)
            return identity
    return _read(path)


def _read(path: Path) -> Identity:
    check_private(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigError(
            f"the identity file {path} cannot be read as a key ({exc}); Ferry does not "
            "replace it: restore it, or move it away to start as a new peer"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"the identity file {path} holds a key that is not Ed25519")
    return Identity(key)
