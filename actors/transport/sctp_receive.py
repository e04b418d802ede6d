"""The receiving side of aiortc's SCTP in time per packet that does not grow with the gaps.

aiortc 1.16 keeps the TSNs received above a hole in a set, and for every DATA packet
(``_mark_received``) sorts that whole set and rebuilds it, then sorts it again for every
SACK it sends (``_send_sack``). Without loss the set is empty and this costs nothing; with
1% random loss on a 50 Mbit/s, 50 ms path there is nearly always a hole with hundreds of
TSNs above it, and the receiver spends most of its time sorting: CPU, not the path, then
sets the rate. :class:`GapTracker` keeps the same set (aiortc and :mod:`.sctp_acks` read
it) plus its ranges, updated per packet in time proportional to the number of gap blocks
(a handful), and sends SACKs built from the ranges.

Installed per association by :func:`ferry.actors.transport.congestion.control_congestion`
(before the delayed-SACK policy wraps ``_send_sack``). If the set and the ranges ever
disagree (something else edited the set: FORWARD TSN, which Ferry's reliable channel never
causes), the SACK is built aiortc's way and the ranges are rebuilt from the set.
"""

from __future__ import annotations

import bisect
import logging
from typing import Any

logger = logging.getLogger(__name__)

_MODULO = 1 << 32
_HALF = 1 << 31


def _gt(a: int, b: int) -> bool:
    return a != b and (a - b) % _MODULO < _HALF


class GapTracker:
    """Received-TSN bookkeeping of one association (see the module docstring).

    Ranges are kept as ``starts``/``ends`` lists of TSN offsets from ``base`` (so sorting
    is plain integer order even across the 2**32 wrap), inclusive and non-adjacent.
    """

    def __init__(self, transport: Any, sack_chunk: type) -> None:
        self.transport = transport
        self._sack_chunk = sack_chunk
        self._original_send_sack = transport._send_sack
        self.base = 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.count = 0  # TSNs in the ranges: equals len(_sack_misordered) when in step
        self.rebuilds = 0

    def _key(self, tsn: int) -> int:
        return (tsn - self.base) % _MODULO

    def _rebase(self) -> None:
        """Ranges from the set, relative to the cumulative TSN (also after a wrap)."""
        transport = self.transport
        self.rebuilds += 1
        self.base = transport._last_received_tsn
        self.starts, self.ends, self.count = [], [], 0
        for key in sorted(self._key(tsn) for tsn in transport._sack_misordered):
            if self.ends and self.ends[-1] == key - 1:
                self.ends[-1] = key
            else:
                self.starts.append(key)
                self.ends.append(key)
            self.count += 1

    def mark_received(self, tsn: int) -> bool:
        """aiortc's ``_mark_received``: True for a duplicate."""
        transport = self.transport
        last = transport._last_received_tsn
        misordered = transport._sack_misordered
        if not _gt(tsn, last) or tsn in misordered:
            transport._sack_duplicates.append(tsn)
            return True
        if self.count != len(misordered) or self._key(last) >= _HALF // 2:
            self._rebase()
        if tsn == (last + 1) % _MODULO:
            last = tsn
            starts, ends = self.starts, self.ends
            if starts and starts[0] == self._key(last) + 1:  # the hole closed: absorb
                for key in range(starts[0], ends[0] + 1):
                    misordered.discard((self.base + key) % _MODULO)
                self.count -= ends[0] - starts[0] + 1
                last = (self.base + ends[0]) % _MODULO
                del starts[0], ends[0]
            transport._last_received_tsn = last
            if transport._sack_duplicates:
                transport._sack_duplicates = [d for d in transport._sack_duplicates if _gt(d, last)]
            return False
        misordered.add(tsn)
        self._insert(self._key(tsn))
        return False

    def _insert(self, key: int) -> None:
        starts, ends = self.starts, self.ends
        i = bisect.bisect_right(starts, key)
        joins_left = i > 0 and ends[i - 1] == key - 1
        joins_right = i < len(starts) and starts[i] == key + 1
        if joins_left and joins_right:
            ends[i - 1] = ends[i]
            del starts[i], ends[i]
        elif joins_left:
            ends[i - 1] = key
        elif joins_right:
            starts[i] = key
        else:
            starts.insert(i, key)
            ends.insert(i, key)
        self.count += 1

    async def send_sack(self) -> None:
        """aiortc's ``_send_sack``, with the gap blocks read off the ranges."""
        transport = self.transport
        if self.count != len(transport._sack_misordered):
            self._rebase()
        offset = self._key(transport._last_received_tsn)
        sack = self._sack_chunk()
        sack.cumulative_tsn = transport._last_received_tsn
        sack.advertised_rwnd = max(0, transport._advertised_rwnd)
        sack.duplicates = transport._sack_duplicates[:]
        sack.gaps = [
            (start - offset, end - offset)
            for start, end in zip(self.starts, self.ends, strict=True)
        ]
        await transport._send_chunk(sack)
        transport._sack_duplicates.clear()
        transport._sack_needed = False


_REQUIRED = (
    "_mark_received",
    "_send_sack",
    "_send_chunk",
    "_last_received_tsn",
    "_sack_misordered",
    "_sack_duplicates",
    "_sack_needed",
    "_advertised_rwnd",
)


def track_gaps(transport: Any) -> GapTracker | None:
    """Give one association the per-packet receive bookkeeping; None if it cannot."""
    existing = getattr(transport, "_ferry_gaps", None)
    if isinstance(existing, GapTracker):
        return existing
    missing = [name for name in _REQUIRED if not hasattr(transport, name)]
    try:
        from aiortc.rtcsctptransport import SackChunk
    except ImportError:
        missing.append("SackChunk")
    if missing:
        logger.info("this aiortc's SCTP lacks %s: it keeps its own receive path", missing)
        return None
    tracker = GapTracker(transport, SackChunk)
    transport._mark_received = tracker.mark_received
    transport._send_sack = tracker.send_sack
    transport._ferry_gaps = tracker
    return tracker
