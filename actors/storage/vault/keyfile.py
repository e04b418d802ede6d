"""The key file (``vault.key``): the vault's database key, wrapped under the host's secret.

Why a wrapped key: the database is encrypted with a random 32-byte data key, and the key
file holds that data key encrypted (AES-256-GCM) under a key-encryption key derived from
the passphrase (scrypt) or given raw. So

- a wrong passphrase or key fails to unwrap the data key: :class:`WrongKeyError`, decided
  before the database is touched;
- a data key that unwraps but does not open the database means the database was changed
  outside Ferry: :class:`TamperedError`;
- changing the passphrase rewrites only this small file, atomically (temp file, fsync,
  rename): the database and the blobs are not re-encrypted.

Layout (89 bytes): magic ``FERRYKEY`` (8), version (1), kdf (1: 0 raw key, 1 scrypt),
scrypt log2(N), r, p (1 each), salt (16), nonce (12), wrapped data key (32 + 16 tag). The
associated data of the wrap is everything before the nonce, so the KDF settings and salt
cannot be changed without the unwrap failing.
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ferry.actors.storage.errors import TamperedError, WrongKeyError
from ferry.errors import ConfigError

from . import _faults
from ._fs import atomic_file, storage_error

MAGIC = b"FERRYKEY"
VERSION = 1
KDF_RAW = 0
KDF_SCRYPT = 1
PARAMS = struct.Struct(">8sBBBBB16s")
NONCE_BYTES = 12
KEY_BYTES = 32
FILE_BYTES = PARAMS.size + NONCE_BYTES + KEY_BYTES + 16
#: scrypt cost for new passphrases: N = 2**17, r = 8, p = 1 (128 MiB, about 0.7 s here),
#: the OWASP minimum. Stored in the file, so it can be raised later without breaking vaults.
SCRYPT_LOG2_N = 17
SCRYPT_R = 8
SCRYPT_P = 1


@dataclass(frozen=True, repr=False)
class Secret:
    """What the host unlocks the vault with: a passphrase or a raw 32-byte key."""

    passphrase: str | None = None
    key: bytes | None = None

    @classmethod
    def from_args(cls, passphrase: str | None, key: bytes | None) -> Secret:
        """Check that exactly one of passphrase and key is given, and that it is usable."""
        if (passphrase is None) == (key is None):
            raise ConfigError("give exactly one of a passphrase or a raw key to open the vault")
        if passphrase is not None:
            if not isinstance(passphrase, str) or not passphrase:
                raise ConfigError("the vault passphrase must be a non-empty string")
            return cls(passphrase=passphrase)
        if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
            raise ConfigError(f"a raw vault key must be exactly {KEY_BYTES} bytes")
        return cls(key=bytes(key))

    def __repr__(self) -> str:
        return "Secret(passphrase)" if self.passphrase is not None else "Secret(raw key)"


#: scrypt needs 128 * r * N bytes: a key file may ask for at most this (Ferry writes 128 MiB),
#: so an edited one cannot make an open exhaust memory before its MAC is even checked.
MAX_SCRYPT_MEMORY = 1 << 30
MAX_SCRYPT_P = 4


def _scrypt_within_bounds(log2_n: int, r: int, p: int) -> bool:
    return (
        10 <= log2_n <= 24
        and 1 <= r <= 32
        and 1 <= p <= MAX_SCRYPT_P
        and 128 * r * 2**log2_n <= MAX_SCRYPT_MEMORY
    )


def _wrapping_key(secret: Secret, kdf: int, log2_n: int, r: int, p: int, salt: bytes) -> bytes:
    if kdf == KDF_RAW:
        assert secret.key is not None
        return secret.key
    assert secret.passphrase is not None
    return Scrypt(salt=salt, length=KEY_BYTES, n=2**log2_n, r=r, p=p).derive(
        secret.passphrase.encode("utf-8")
    )


def write_keyfile(path: Path, data_key: bytes, secret: Secret) -> None:
    """Wrap ``data_key`` under ``secret`` and replace ``path`` atomically."""
    if secret.key is not None:
        params = PARAMS.pack(MAGIC, VERSION, KDF_RAW, 0, 0, 0, bytes(16))
        wrapping = secret.key
    else:
        salt = secrets.token_bytes(16)
        params = PARAMS.pack(MAGIC, VERSION, KDF_SCRYPT, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt)
        wrapping = _wrapping_key(secret, KDF_SCRYPT, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = AESGCM(wrapping).encrypt(nonce, data_key, params)
    with atomic_file(path, overwrite=True) as handle:
        handle.write(params + nonce + wrapped)
        _faults.point("keyfile-before-rename")


def read_keyfile(path: Path, secret: Secret) -> bytes:
    """Unwrap and return the data key; WrongKeyError when ``secret`` is not the right one."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise TamperedError(
            f"the vault's key file {path} is missing; without it the vault cannot be opened. "
            "Restore it from a backup"
        ) from None
    except OSError as exc:
        raise storage_error("read", path, exc) from exc
    if len(blob) != FILE_BYTES or not blob.startswith(MAGIC):
        raise TamperedError(f"the vault's key file {path} is damaged; restore it from a backup")
    _magic, version, kdf, log2_n, r, p, salt = PARAMS.unpack_from(blob)
    if version != VERSION or kdf not in (KDF_RAW, KDF_SCRYPT):
        raise TamperedError(
            f"the vault's key file {path} has unknown version {version} or kdf {kdf}; "
            "it was changed outside Ferry or written by a newer Ferry"
        )
    if kdf == KDF_SCRYPT and not _scrypt_within_bounds(log2_n, r, p):
        raise TamperedError(
            f"the vault's key file {path} asks for scrypt settings (N=2**{log2_n}, r={r}, "
            f"p={p}) beyond what Ferry ever writes; it was changed outside Ferry"
        )
    if kdf == KDF_SCRYPT and secret.passphrase is None:
        raise WrongKeyError(f"vault {path.parent} is locked with a passphrase, not a raw key")
    if kdf == KDF_RAW and secret.key is None:
        raise WrongKeyError(f"vault {path.parent} is locked with a raw key, not a passphrase")
    wrapping = _wrapping_key(secret, kdf, log2_n, r, p, salt)
    nonce = blob[PARAMS.size : PARAMS.size + NONCE_BYTES]
    try:
        return AESGCM(wrapping).decrypt(
            nonce, blob[PARAMS.size + NONCE_BYTES :], blob[: PARAMS.size]
        )
    except InvalidTag:
        what = "passphrase" if secret.passphrase is not None else "key"
        raise WrongKeyError(
            f"wrong {what} for vault {path.parent} (or its key file was changed); "
            f"check the {what} and try again"
        ) from None
