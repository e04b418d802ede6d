"""Peers paired in this process, trusted for a while without a code: so a link that drops
after a code pairing can be re-authenticated (trusted mode, by identity) when the peer
reconnects, although the code itself was single use.

Kept in memory only (a restart forgets it) and for ``ttl`` seconds after the last pairing
or the last link lost, whichever is later; the persistent trust store is for peers a
person chose to keep.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class SessionTrust:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._until: dict[str, float] = {}

    def add(self, peer_id: str) -> None:
        """``peer_id`` just paired (or its link just dropped): trusted for ``ttl`` more."""
        if self.ttl > 0:
            self._until[peer_id] = self._clock() + self.ttl

    def ids(self) -> frozenset[str]:
        now = self._clock()
        for peer_id in [p for p, until in self._until.items() if until <= now]:
            del self._until[peer_id]
        return frozenset(self._until)

    def __contains__(self, peer_id: object) -> bool:
        return peer_id in self.ids()

    def forget(self, peer_id: str) -> None:
        self._until.pop(peer_id, None)
