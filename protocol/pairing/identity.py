"""Long-term identities: an Ed25519 key pair per installation, named by its peer id.

A peer id is a readable encoding of a hash of the public key, as Syncthing's device ids
are: the first 30 bytes of SHA-256(public key) in base32 (RFC 4648, no padding), 48
characters in eight groups of six (``MFRGGZ-DFMZTW-...``). 240 bits: nobody can make a
second key with the same id. Ids are compared as whole strings; :func:`parse_peer_id` accepts
any case, with or without the dashes.
"""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ferry.errors import ConfigError

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
SEED_BYTES = 32
PEER_ID_HASH_BYTES = 30
_GROUP = 6
_PEER_ID = re.compile(r"^[A-Z2-7]{48}$")


def peer_id_of(public_key: bytes) -> str:
    """The peer id of a raw 32-byte Ed25519 public key."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError("an Ed25519 public key has 32 bytes")
    digest = hashlib.sha256(public_key).digest()[:PEER_ID_HASH_BYTES]
    text = base64.b32encode(digest).decode("ascii")
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def parse_peer_id(text: str) -> str:
    """A peer id as a person may type it, in its one canonical form (or :class:`ConfigError`)."""
    compact = re.sub(r"[\s\-]", "", str(text)).upper()
    if not _PEER_ID.match(compact):
        raise ConfigError(
            f"{str(text)[:80]!r} is not a peer id (48 letters A-Z and digits 2-7, "
            "in groups of six such as ABCDEF-GHIJKL-...)"
        )
    return "-".join(compact[i : i + _GROUP] for i in range(0, len(compact), _GROUP))


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``data``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


class Identity:
    """An Ed25519 private key with its public key and peer id."""

    __slots__ = ("_key", "peer_id", "public_key")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.peer_id = peer_id_of(self.public_key)

    @classmethod
    def generate(cls) -> Identity:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Identity:
        """From the 32-byte private seed (RFC 8032), as test vectors give it."""
        if len(seed) != SEED_BYTES:
            raise ConfigError("an Ed25519 private key seed has 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return self._key

    def seed(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"Identity({self.peer_id})"
