"""Resume keys bound to the two peers, so they neither leak nor travel.

A resume key names an unfinished file so that a later offer of the same file continues it.
Both ends key it with a secret of their own (derived from their long-term identity, so it
survives a restart, and never sent):

- the **sender** offers ``HMAC(sender secret, receiver's peer id || path)``: the receiver
  learns nothing about the path, and two receivers see unrelated keys for the same file;
- the **receiver** stages under ``HMAC(receiver secret, sender's peer id || offered key)``:
  the same key offered by another peer names other staging, so nobody resumes, truncates
  or cancels a transfer that another peer started, even knowing its key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

from ferry.actors.storage.destination import Destination, Staging
from ferry.actors.storage.journal import PendingTransfer
from ferry.protocol.frames import Offer
from ferry.protocol.pairing import Identity
from ferry.protocol.pairing.keys import hkdf

#: Hex digits of a resume key (128 bits), as before.
KEY_CHARS = 32
SENDER_LABEL = "resume keys sent"
RECEIVER_LABEL = "resume keys staged"


def local_secret(identity: Identity, label: str) -> bytes:
    """A 32-byte secret only this installation can compute, one per purpose."""
    return hkdf(identity.seed(), b"", label, 32)


def _mac(secret: bytes, peer_id: str, text: str) -> str:
    message = peer_id.encode("ascii") + b"\x00" + text.encode("utf-8", "surrogateescape")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_CHARS]


def sender_key(secret: bytes, receiver_id: str, path: str) -> str:
    """The resume key a sender offers for ``path`` to the peer ``receiver_id``."""
    return _mac(secret, receiver_id, path)


class PeerDestination:
    """One peer's view of the engine's destination: its offers' resume keys are bound to
    its authenticated peer id before anything is staged or looked up."""

    def __init__(self, inner: Destination, secret: bytes) -> None:
        self.inner = inner
        self._secret = secret
        #: Set once the peer is authenticated, before its first offer can arrive.
        self.peer_id = ""

    def bound(self, offer: Offer) -> Offer:
        if not offer.resume_key:
            return offer  # a sender that does not want resuming
        return replace(offer, resume_key=_mac(self._secret, self.peer_id, offer.resume_key))

    def open(self, offer: Offer, resume: int | None) -> Staging:
        return self.inner.open(self.bound(offer), resume)

    def discard(self, offer: Offer) -> None:
        self.inner.discard(self.bound(offer))

    def pending(self) -> list[PendingTransfer]:
        return self.inner.pending()

    def discard_pending(self, resume_key: str) -> bool:
        return self.inner.discard_pending(resume_key)
