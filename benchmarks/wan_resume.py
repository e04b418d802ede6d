"""``ferry bench --wan-resume``: a link cut for 10 s half way through a transfer.

Issue 18's "resume on a real link": on the emulated 50 Mbit/s, 50 ms link (no loss), ``ferry
send`` to ``ferry receive --listen`` of one file (1 GiB by default), the link cut (both of
the router's interfaces down) once half the file has arrived and restored 10 s later. The
sender notices the dead link by its keepalive, reconnects with backoff, pairs again by
identity, and the receiver resumes from its staging. In the same lab, alternating, the same
file crosses without a cut; figures under ``wan_resume/<rtt_ms>/<rate_mbit>/``:

- ``stall_after_restore_s``: from the link's return to the first byte arriving again
  (reconnecting, pairing, ICE, DTLS, the offer and the resume), the part of the time lost
  that does not depend on the machine's load;
- ``seconds_lost``: the cut run's wall time less the uncut run's less the outage itself
  (everything the cut cost beyond the 10 s, start-up after the resume included; on a
  shared machine the two runs' loads differ, so this one is noisy);
- ``resent_bytes``: bytes sent twice, as the sender counts them (what it had sent when
  the link was lost less where the receiver resumed: ``N bytes sent again`` in its
  summary); ``resent_over_window`` is that over the receiver's credit window, which the
  issue bounds at 1; ``resumed_from`` where the receiver resumed, and
  ``on_disk_at_cut`` what its staging held when the link went down;
- ``cut_mb_per_s`` and ``uncut_mb_per_s`` (the file over each run's wall time).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferry.protocol.receiver import DEFAULT_WINDOW

from .lab import LinkSpec, open_lab
from .lab.measure import ferry_transfer
from .results import FigureSet
from .transfer import make_random_file

MIB = 1 << 20
RESUMED = re.compile(r"resumed at byte ([\d,]+)")
SENT_AGAIN = re.compile(r"([\d,]+) bytes sent again")


@dataclass
class LinkCut:
    """Cuts the lab's link once ``at`` bytes have arrived, restores it ``seconds`` later;
    called from :func:`ferry_transfer`'s poll loop so the poll keeps its time."""

    lab: Any
    at: int
    seconds: float
    cut_at: float | None = None
    restored_at: float | None = None
    flowing_at: float | None = None  # the first poll after the restore with new bytes
    arrived_before: int = 0

    def __call__(self, received: int, now: float) -> None:
        if self.cut_at is None and received >= self.at:
            self.lab.set_forwarding(False)
            self.cut_at = now
        elif self.cut_at is not None and self.restored_at is None:
            self.arrived_before = max(self.arrived_before, received)
            if now - self.cut_at >= self.seconds:
                self.lab.set_forwarding(True)
                self.restored_at = now
        elif self.restored_at is not None and self.flowing_at is None:
            self.flowing_at = now if received > self.arrived_before else None


@dataclass
class WanResumeBench:
    size: int = 1 << 30
    repeats: int = 1
    rtt_ms: float = 50
    rate_mbit: float = 50
    cut_seconds: float = 10.0
    progress: Callable[[str], None] = print
    work_dir: str | None = None
    figures: FigureSet = field(default_factory=FigureSet)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self) -> None:
        spec = LinkSpec(self.rate_mbit, self.rtt_ms)
        prefix = f"wan_resume/{self.rtt_ms:g}/{self.rate_mbit:g}"
        params = {"kind": "wan_resume", "size": self.size, "cut_s": self.cut_seconds}
        root = tempfile.mkdtemp(prefix="ferry-wan-resume-", dir=self.work_dir)
        os.chmod(root, 0o755)  # the namespaces' processes read it (same user)
        try:
            source = str(make_random_file(Path(root), self.size)[0])
            self.progress(
                f"wan resume: {self.size // MIB} MiB over {self.rate_mbit:g} Mbit/s, "
                f"{self.rtt_ms:g} ms, cut for {self.cut_seconds:g} s half way"
            )
            with open_lab(spec) as lab:
                for rep in range(self.repeats):
                    runs = ("uncut", "cut") if rep % 2 == 0 else ("cut", "uncut")
                    got = {kind: self._once(lab, source, root, kind) for kind in runs}
                    self._record(prefix, params, got)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _once(self, lab: Any, source: str, root: str, kind: str) -> dict[str, Any]:
        out = tempfile.mkdtemp(prefix="out-", dir=root)
        os.chmod(out, 0o755)
        cut = LinkCut(lab, self.size // 2, self.cut_seconds) if kind == "cut" else None
        try:
            result = ferry_transfer(lab, source, out, timeout=1800.0, during=cut)
        finally:
            if cut is not None and cut.restored_at is None:
                lab.set_forwarding(True)  # never leave the link down for the next run
            shutil.rmtree(out, ignore_errors=True)
        result["cut"] = cut
        return result

    def _record(self, prefix: str, params: dict[str, Any], got: dict[str, Any]) -> None:
        add = self.figures.add
        cut, uncut = got["cut"], got["uncut"]
        link_cut: LinkCut = cut["cut"]
        if link_cut.cut_at is None:
            self.errors.append(f"{prefix}: the transfer ended before half of it arrived")
            return
        match = RESUMED.search(cut["output"])
        resumed_from = int(match.group(1).replace(",", "")) if match else 0
        again = SENT_AGAIN.search(cut["output"])
        resent = int(again.group(1).replace(",", "")) if again else 0
        lost = cut["seconds"] - uncut["seconds"] - self.cut_seconds
        add(f"{prefix}/seconds_lost", lost, "s", better="lower", **params)
        stall = None
        if link_cut.flowing_at is not None and link_cut.restored_at is not None:
            stall = link_cut.flowing_at - link_cut.restored_at
            add(f"{prefix}/stall_after_restore_s", stall, "s", better="lower", **params)
        add(f"{prefix}/resent_bytes", resent, "B", better="lower", **params)
        add(f"{prefix}/resent_over_window", resent / DEFAULT_WINDOW, "x", better="lower", **params)
        add(f"{prefix}/resumed_from", resumed_from, "B", **params)
        add(f"{prefix}/on_disk_at_cut", link_cut.arrived_before, "B", **params)
        add(f"{prefix}/cut_mb_per_s", self.size / cut["seconds"] / 1e6, "MB/s", **params)
        add(f"{prefix}/uncut_mb_per_s", self.size / uncut["seconds"] / 1e6, "MB/s", **params)
        if not match:
            self.notes.append(f"{prefix}: the sender did not say it resumed: {cut['output']!r}")
        waited = f"{stall:.1f} s" if stall is not None else "?"
        self.progress(
            f"  uncut {uncut['seconds']:.1f} s, cut {cut['seconds']:.1f} s: "
            f"{lost:.1f} s lost beyond the {self.cut_seconds:g} s outage, bytes flowing "
            f"again {waited} after the link came back; "
            f"{link_cut.arrived_before:,} bytes on disk at the cut, resumed at {resumed_from:,}, "
            f"{resent:,} bytes sent twice ({resent / DEFAULT_WINDOW:.2f} credit windows)"
        )
