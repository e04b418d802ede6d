"""Listing and discarding unfinished transfers: shared by ``ferry pending`` (a folder) and
``ferry vault pending`` (a vault), which differ only in where the transfers are kept.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from ferry.actors.storage.journal import PendingTransfer

EXIT_OK = 0
EXIT_FAILED = 1


def show_or_discard(
    entries: Sequence[PendingTransfer],
    discard: Callable[[str], bool],
    *,
    keys: Sequence[str] | None,
    discard_all: bool,
) -> int:
    """Forget the transfers with ``keys`` (or all); with neither, list them. Exit status."""
    keys = [entry.resume_key for entry in entries] if discard_all else keys or []
    if keys:
        for key in keys:
            if not discard(key):
                print(f"ferry: error: no unfinished transfer with key {key}", file=sys.stderr)
                return EXIT_FAILED
            print(f"discarded {key}")
        return EXIT_OK
    if not entries:
        print("no unfinished transfers")
    for entry in entries:
        age = time.time() - entry.updated
        print(
            f"{entry.resume_key}  {entry.name}  {entry.durable:,} of {entry.size:,} bytes "
            f"({entry.durable / max(entry.size, 1):.0%}), last progress {age / 60:.0f} min ago"
        )
    return EXIT_OK
