"""Whether an offered file fits, decided before ACCEPT: free space, a staging quota, per peer.

A receiver that accepts a file it has no room for fills the disk half way and fails every
other transfer with it; one that keeps every partial file a peer left behind (to resume it
later) lets that peer fill the disk with distinct resume keys. So each offer reserves the
bytes it still needs before it is accepted, and is REJECTed with a reason the sender can
print when:

- the disk would keep less than ``min_free`` bytes free once every accepted file is whole;
- staged bytes (files in flight plus partial files kept for a later resume) would pass the
  engine's ``quota``;
- the offering peer's files in flight would pass ``per_peer``.

Reservations are conservative: a file in flight counts for all it may still write, so near a
full disk an offer can be refused that would, in the end, have fitted.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ferry.actors.storage.journal import PendingTransfer
from ferry.protocol.frames import Offer

from .sizes import format_size

logger = logging.getLogger(__name__)

#: The code a REJECT for lack of room carries (the peer sees it with the reason).
NO_SPACE = "no-space"


def disk_free(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding ``path``."""
    return shutil.disk_usage(path).free


@dataclass
class _Reservation:
    peer: Hashable
    resume_key: str
    size: int


class StorageBudget:
    """Reserves room for each accepted file and refuses offers that would not fit."""

    def __init__(
        self,
        root: Path,
        *,
        min_free: int,
        quota: int | None = None,
        per_peer: int | None = None,
        free: Callable[[Path], int] = disk_free,
    ) -> None:
        self.root = Path(root)
        self.min_free = min_free
        self.quota = quota
        self.per_peer = per_peer
        self._free = free
        self._reserved: dict[bytes, _Reservation] = {}
        self._kept: dict[str, int] = {}  # resume key -> bytes staged and kept for a resume

    def note_pending(self, pending: Iterable[PendingTransfer]) -> None:
        """What partial files the destination keeps now (they count against the quota)."""
        self._kept = {item.resume_key: item.durable for item in pending}

    @property
    def staged(self) -> int:
        """Bytes counted against the quota: reserved in flight plus kept for a resume."""
        in_flight = {r.resume_key for r in self._reserved.values()}
        kept = sum(size for key, size in self._kept.items() if key not in in_flight)
        return kept + sum(r.size for r in self._reserved.values())

    def admit(self, peer: Hashable, transfer_id: bytes, offer: Offer) -> str | None:
        """Reserve room for ``offer``; the reason it does not fit, or None when it does."""
        if transfer_id in self._reserved:
            return None
        already = self._kept.get(offer.resume_key, 0) if offer.resume_key else 0
        needed = max(0, offer.size - already)
        reason = self._refusal(peer, offer, needed)
        if reason is not None:
            logger.info("refusing %s (%d bytes): %s", offer.name, offer.size, reason)
            return reason
        self._reserved[transfer_id] = _Reservation(peer, offer.resume_key, offer.size)
        return None

    def release(self, transfer_id: bytes) -> None:
        """The transfer ended (stored, failed or cancelled): its room is free again."""
        self._reserved.pop(transfer_id, None)

    def release_peer(self, peer: Hashable) -> None:
        for transfer_id in [t for t, r in self._reserved.items() if r.peer == peer]:
            del self._reserved[transfer_id]

    def _refusal(self, peer: Hashable, offer: Offer, needed: int) -> str | None:
        if self.per_peer is not None:
            mine = sum(r.size for r in self._reserved.values() if r.peer == peer)
            if mine + offer.size > self.per_peer:
                return (
                    f"this receiver takes at most {format_size(self.per_peer)} in flight "
                    f"from one peer ({format_size(mine)} already)"
                )
        if self.quota is not None and self.staged + needed > self.quota:
            return (
                f"this receiver's staging quota of {format_size(self.quota)} is full "
                f"({format_size(self.staged)} staged)"
            )
        try:
            free = self._free(self.root)
        except OSError as error:
            return f"this receiver cannot check its free space ({error.strerror or error})"
        owed = sum(r.size for r in self._reserved.values())  # may still be written
        if free - owed - needed < self.min_free:
            available = max(0, free - owed - self.min_free)
            return (
                f"not enough free space on this receiver: the file needs "
                f"{format_size(needed)}, {format_size(available)} is available"
            )
        return None
