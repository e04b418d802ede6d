"""``ferry pending --out DIR``: list or discard unfinished transfers. The listing is shared
with ``ferry vault pending`` (a vault), which differs only in where the transfers are kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ferry.actors.storage.destination import FolderDestination
from ferry.actors.storage.journal import PendingTransfer

from .output import EXIT_FAILED, EXIT_OK, error_line


def add_pending_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pending = commands.add_parser("pending", help="unfinished transfers a re-send resumes")
    pending.add_argument("--out", required=True, type=Path, metavar="DIR")
    pending.add_argument("--discard", action="append", metavar="KEY", help="forget one")
    pending.add_argument("--discard-all", action="store_true", help="forget them all")


def pending_command(args: argparse.Namespace) -> int:
    """List unfinished transfers in an output folder, or forget some of them."""
    destination = FolderDestination(args.out)
    return show_or_discard(
        destination.pending(),
        destination.discard_pending,
        keys=args.discard,
        discard_all=args.discard_all,
    )


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
                print(error_line(f"no unfinished transfer with key {key}"), file=sys.stderr)
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
