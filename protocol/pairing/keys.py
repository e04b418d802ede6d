"""The key schedule: password, transcript hash, HKDF labels, confirmation and proof payloads.

Everything a second implementation must reproduce byte for byte lives here (and in
docs/pairing.md, with test vectors):

- password = mode || 0x00 || secret  (secret: the code's text, the 32 raw bytes, or empty)
- SPAKE2_Symmetric (python-spake2, Ed25519 group) with idSymmetric = PROTOCOL
- th = SHA-256(lp(PROTOCOL) || lp(mode) || lp(pake_waiter) || lp(pake_joiner)),
  lp(x) = 4-byte big-endian length of x, then x
- every key = HKDF-SHA256(ikm = SPAKE2 key, salt = th, info = PROTOCOL + " " + label)
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PROTOCOL = b"ferry-pairing-v1"
VERSION = 1
KEY_BYTES = 32
IV_BYTES = 12
MAC_BYTES = 32
VERIFIER_BYTES = 4
PAKE_BYTES = 33  # b"S" + a 32-byte Ed25519 point


def password(mode: str, secret: bytes) -> bytes:
    """What SPAKE2 runs on: the mode and its secret, so a mode can never pass for another."""
    return mode.encode("ascii") + b"\x00" + secret


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def transcript_hash(mode: str, pake_waiter: bytes, pake_joiner: bytes) -> bytes:
    """SHA-256 over the protocol name, the mode and both PAKE messages, in role order."""
    parts = (PROTOCOL, mode.encode("ascii"), pake_waiter, pake_joiner)
    return hashlib.sha256(b"".join(_lp(p) for p in parts)).digest()


def hkdf(ikm: bytes, salt: bytes, label: str, length: int) -> bytes:
    info = PROTOCOL + b" " + label.encode("ascii")
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True, repr=False)
class SessionKeys:
    """Every secret one handshake derives; ``repr`` shows none of them."""

    transcript: bytes
    confirm_waiter: bytes
    confirm_joiner: bytes
    seal_waiter: bytes  # AES-256-GCM key for records the waiter sends
    iv_waiter: bytes
    seal_joiner: bytes  # ... and for records the joiner sends
    iv_joiner: bytes
    verifier: bytes
    exporter: bytes

    def __repr__(self) -> str:
        return "SessionKeys(...)"

    def confirm_key(self, role: str) -> bytes:
        return self.confirm_waiter if role == "waiter" else self.confirm_joiner

    def sending(self, role: str) -> tuple[bytes, bytes]:
        """(key, iv) for the records ``role`` sends."""
        if role == "waiter":
            return self.seal_waiter, self.iv_waiter
        return self.seal_joiner, self.iv_joiner


LABELS: dict[str, int] = {
    "confirm waiter": MAC_BYTES,
    "confirm joiner": MAC_BYTES,
    "seal waiter": KEY_BYTES,
    "iv waiter": IV_BYTES,
    "seal joiner": KEY_BYTES,
    "iv joiner": IV_BYTES,
    "verifier": VERIFIER_BYTES,
    "exporter": KEY_BYTES,
}


def derive(spake_key: bytes, transcript: bytes) -> SessionKeys:
    """All session keys from the SPAKE2 key and the transcript hash."""
    values = {label: hkdf(spake_key, transcript, label, n) for label, n in LABELS.items()}
    return SessionKeys(
        transcript=transcript,
        confirm_waiter=values["confirm waiter"],
        confirm_joiner=values["confirm joiner"],
        seal_waiter=values["seal waiter"],
        iv_waiter=values["iv waiter"],
        seal_joiner=values["seal joiner"],
        iv_joiner=values["iv joiner"],
        verifier=values["verifier"],
        exporter=values["exporter"],
    )


def confirm_mac(keys: SessionKeys, role: str) -> bytes:
    """The key confirmation ``role`` sends: HMAC-SHA256(its confirm key, th)."""
    return hmac.new(keys.confirm_key(role), keys.transcript, hashlib.sha256).digest()


def proof_payload(role: str, transcript: bytes) -> bytes:
    """What a side signs with its long-term key: the protocol, its role and th."""
    return PROTOCOL + b" identity " + role.encode("ascii") + b"\x00" + transcript


def commitment(pake_joiner: bytes) -> bytes:
    """The joiner's commitment to its PAKE message, sent before it sees the waiter's."""
    return hashlib.sha256(pake_joiner).digest()


def export(exporter: bytes, label: str, length: int = KEY_BYTES) -> bytes:
    """A secret for another purpose, bound to this session: HKDF(exporter, "", label)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"", info=label.encode("utf-8")
    ).derive(exporter)
