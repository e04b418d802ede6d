"""What the command line prints: exit codes, one summary line per file, progress bars.

Errors are one line on stderr; progress bars go to stderr and the figures to stdout, so
``ferry send ... > log`` keeps a clean record.
"""

from __future__ import annotations

import asyncio
import sys

from ferry.errors import FerryError
from ferry.protocol.names import is_unprintable

from ..transfer import Transfer, TransferProgress, TransferResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Pairing failed: a wrong code, a peer not trusted, or someone tampering on the way.
EXIT_AUTH = 3


def printable(text: str) -> str:
    """``text`` with anything a terminal would act on (ESC, bidi overrides...) escaped.

    The protocol already refuses such characters in what a peer sends; this is the last
    line, for local names and messages too.
    """
    return "".join(ch if not is_unprintable(ch) else ascii(ch)[1:-1] for ch in text)


def error_line(message: str) -> str:
    return f"ferry: error: {printable(message)}"


def summary(verb: str, result: TransferResult) -> str:
    """``sent NAME: SIZE bytes in S s (R MB/s) sha256 HEX -> WHERE via PATH, rtt T``: one
    line per file; PATH is ICE's (host, srflx or relay) and T the round trip measured on it."""
    rate = result.size / result.seconds / 1e6 if result.seconds > 0 else 0.0
    where = result.path or f"stored as {result.stored_id}"
    resumed = f", resumed at byte {result.resumed_from:,}" if result.resumed_from else ""
    if result.resent:
        resumed += f", {result.resent:,} bytes sent again"
    via = f" via {result.route.describe()}" if result.route is not None else ""
    return printable(
        f"{verb} {result.name}: {result.size:,} bytes in {result.seconds:.2f}s "
        f"({rate:.1f} MB/s{resumed}) sha256 {result.sha256} -> {where}{via}"
    )


def report_link(event: object) -> None:
    """A peer's link went away or came back (``Peer.add_listener``): one line each, as the
    peer reconnects by itself (through the rendezvous mailbox, or the LAN address)."""
    from ..peer import Reconnected, Reconnecting

    if isinstance(event, Reconnecting):
        line = f"link lost ({event.error.message}); reconnecting, attempt {event.attempt}"
    elif isinstance(event, Reconnected):
        via = f" via {event.route.describe()}" if event.route is not None else ""
        line = f"reconnected{via} (attempt {event.attempt})"
    else:
        return
    print(printable(line), flush=True)


async def await_with_progress(transfers: list[Transfer]) -> int:
    """Show a bar per active file, a line per finished one; return how many succeeded."""
    from tqdm import tqdm

    bars: dict[bytes, tqdm] = {}
    succeeded = 0

    def on_item(transfer: Transfer, item: object) -> None:
        nonlocal succeeded
        bar = bars.get(transfer.id)
        if isinstance(item, TransferProgress):
            if bar is None:
                bar = bars[transfer.id] = tqdm(
                    total=transfer.size,
                    desc=transfer.name[-30:],
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    leave=False,
                    file=sys.stderr,
                    disable=None,  # no bar when stderr is not a terminal
                )
            bar.update(item.done - bar.n)
            return
        if bar is not None:
            bar.close()
            del bars[transfer.id]
        if isinstance(item, TransferResult):
            succeeded += 1
            tqdm.write(summary("sent", item), file=sys.stdout)
        elif isinstance(item, FerryError):
            tqdm.write(error_line(f"{transfer.name}: {item.message}"), file=sys.stderr)

    for transfer in transfers:
        transfer.add_listener(lambda item, t=transfer: on_item(t, item))
    await asyncio.gather(*transfers, return_exceptions=True)
    return succeeded
