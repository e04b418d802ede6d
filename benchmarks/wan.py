"""``ferry bench --wan [--quick]``: Ferry against kernel TCP on an emulated WAN link.

For each cell of round trip x loss x rate, one lab (:mod:`ferry.benchmarks.lab`) is built
and, in alternating order over at least three repeats, the same bytes cross it four ways:

- Ferry end to end: ``ferry send`` to ``ferry receive --out`` (two processes, one per
  namespace), wall time of the sender less the wall time of a 1 KiB send in the same
  repeat (process start-up, signaling, ICE, DTLS, SCTP: what does not depend on size);
- the raw aiortc ceiling with Ferry's transport tuning (:mod:`.lab.rtc_peer`);
- kernel TCP, BBR and CUBIC set per socket: a plain ``sendall`` bulk copy;
- the link's configured rate.

Figures live under ``wan/<rtt_ms>/<loss_percent>/<rate_mbit>/``: ``ferry_mb_per_s``,
``ceiling_mb_per_s``, ``tcp_bbr_mb_per_s``, ``tcp_cubic_mb_per_s``, ``link_mb_per_s``,
``ferry_over_link``, ``ferry_over_bbr``, ``ferry_over_cubic`` (ratios are per-repeat pairs),
and what says whether to trust them: the measured round trip and loss of the idle link,
how late the impairment stage released packets on average, and the longest time Ferry's
received file did not grow (``ferry_longest_gap_s``) and the ceiling's longest gap
between messages. MB = 10**6 bytes of payload; the link rate counts whole frames, so even a
perfect TCP flow moves at most 1448/1514 = 0.956 of it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferry.errors import FerryError

from .lab import LinkSpec, open_lab
from .lab.measure import ferry_transfer, probe, rtc_ceiling, tcp_bulk
from .results import FigureSet
from .transfer import make_random_file

MIB = 1 << 20
MESSAGE = 16 * 1024  # Ferry's default chunk: the ceiling sends the same messages

FULL_GRID = ((10, 50, 150), (0.0, 0.1, 1.0, 2.0), (50, 200))
QUICK_GRID = ((50,), (0.0, 0.1, 1.0), (50,))
METHODS = ("ferry", "ceiling", "tcp_bbr", "tcp_cubic")


@dataclass(frozen=True)
class Cell:
    rtt_ms: float
    loss_percent: float
    rate_mbit: float
    size: int

    @property
    def prefix(self) -> str:
        return f"wan/{self.rtt_ms:g}/{self.loss_percent:g}/{self.rate_mbit:g}"

    @property
    def spec(self) -> LinkSpec:
        return LinkSpec(self.rate_mbit, self.rtt_ms, self.loss_percent)

    def label(self) -> str:
        return (
            f"{self.rtt_ms:g} ms, {self.loss_percent:g}% loss, {self.rate_mbit:g} Mbit/s, "
            f"{self.size // MIB} MiB"
        )


def cell_size(rtt_ms: float, loss_percent: float, rate_mbit: float, quick: bool) -> int:
    """Bytes per transfer: long enough that start-up is a small part of a clean run, short
    enough that CUBIC under 1-2% loss (~0.3 MB/s) finishes in seconds, not minutes."""
    if loss_percent >= 1:
        mib = 4 if quick else 8
    elif loss_percent > 0:
        mib = 16 if quick else 32
    else:
        mib = 16 if quick else 48
    return mib * MIB * (2 if rate_mbit >= 200 and not quick else 1)


def parse_cells(text: str, quick: bool) -> list[Cell]:
    """``RTT/LOSS/RATE,...`` (``50/2/50,150/0/50``): chosen cells instead of the grid."""
    cells = []
    for item in text.split(","):
        rtt, loss, rate = (float(part) for part in item.strip().split("/"))
        if rtt < 0 or not 0 <= loss < 50 or rate <= 0:
            raise ValueError(f"not a cell: {item!r}")
        cells.append(Cell(rtt, loss, rate, cell_size(rtt, loss, rate, quick)))
    return cells


def grid(quick: bool) -> list[Cell]:
    rtts, losses, rates = QUICK_GRID if quick else FULL_GRID
    return [
        Cell(rtt, loss, rate, cell_size(rtt, loss, rate, quick))
        for rate in rates
        for rtt in rtts
        for loss in losses
    ]


def order(repeat: int) -> list[str]:
    """Methods in alternating order (ABBA over repeats): a slow spell of the shared machine
    does not always land on the same one."""
    return list(METHODS) if repeat % 2 == 0 else list(METHODS)[::-1]


@dataclass
class WanBench:
    """Runs the grid; ``figures`` fills as it goes, so an interrupted run keeps its cells."""

    quick: bool
    repeats: int = 3
    progress: Callable[[str], None] = print
    work_dir: str | None = None
    cells: list[Cell] | None = None
    """Instead of the profile's grid (``--cells``)."""
    figures: FigureSet = field(default_factory=FigureSet)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self) -> None:
        with self._files() as files:
            for cell in self._cells():
                try:
                    self._cell(cell, files)
                except (FerryError, RuntimeError, TimeoutError, OSError) as exc:  # LabError too
                    self.errors.append(f"{cell.prefix}: {exc}")
                    self.progress(f"  failed: {exc}")

    @contextlib.contextmanager
    def _files(self) -> Iterator[dict[int, str]]:
        root = tempfile.mkdtemp(prefix="ferry-wan-", dir=self.work_dir)
        os.chmod(root, 0o755)  # readable from the namespaces' processes (same user: root)
        try:
            files: dict[int, str] = {}
            for size in {*(cell.size for cell in self._cells()), 1024}:
                files[size] = str(make_random_file(Path(root), size)[0])
            files[-1] = root
            yield files
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _cells(self) -> list[Cell]:
        return self.cells if self.cells is not None else grid(self.quick)

    def _cell(self, cell: Cell, files: dict[int, str]) -> None:
        self.progress(f"wan {cell.label()}")
        add = self.figures.add
        params = {
            "kind": "wan",
            "rtt_ms": cell.rtt_ms,
            "loss_percent": cell.loss_percent,
            "rate_mbit": cell.rate_mbit,
            "size": cell.size,
        }
        p = cell.prefix
        with open_lab(cell.spec) as lab:
            link = cell.spec.link_mb_per_s
            idle = probe(lab)
            add(f"{p}/rtt_measured_ms", idle["rtt_median_ms"], "ms", better="lower", **params)
            for rep in range(self.repeats):
                rates: dict[str, float] = {}
                for method in order(rep):
                    rates[method] = self._measure(method, lab, cell, files)
                self.progress(
                    f"  run {rep + 1}: "
                    + ", ".join(f"{m} {rates[m]:.2f}" for m in METHODS)
                    + f" MB/s (link {link:.2f})"
                )
                add(f"{p}/link_mb_per_s", link, "MB/s", **params)
                for method in METHODS:
                    add(f"{p}/{method}_mb_per_s", rates[method], "MB/s", **params)
                add(f"{p}/ferry_over_link", rates["ferry"] / link, "x", **params)
                add(f"{p}/ferry_over_bbr", rates["ferry"] / rates["tcp_bbr"], "x", **params)
                add(f"{p}/ferry_over_cubic", rates["ferry"] / rates["tcp_cubic"], "x", **params)
            stats = lab.stats()
        fwd, back = stats.get("forward", {}), stats.get("backward", {})
        packets = fwd.get("packets", 0) + back.get("packets", 0)
        if packets:
            dropped = fwd.get("dropped", 0) + back.get("dropped", 0)
            add(f"{p}/loss_measured_percent", 100 * dropped / packets, "%", **params)
            late = statistics.fmean([fwd.get("late_mean_ms", 0.0), back.get("late_mean_ms", 0.0)])
            add(f"{p}/stage_late_ms", late, "ms", better="lower", **params)
        if stats.get("kernel_drops"):
            self.notes.append(f"{p}: the kernel dropped {stats['kernel_drops']} queued packets")

    def _measure(self, method: str, lab: Any, cell: Cell, files: dict[int, str]) -> float:
        add, p = self.figures.add, cell.prefix
        params = {"kind": "wan_detail", "size": cell.size}
        if method == "ferry":
            small = self._ferry(lab, files[1024], files[-1])
            big = self._ferry(lab, files[cell.size], files[-1])
            seconds = big["seconds"] - small["seconds"]
            add(f"{p}/ferry_setup_s", small["seconds"], "s", better="lower", **params)
            add(f"{p}/ferry_longest_gap_s", big["longest_gap"], "s", better="lower", **params)
            return cell.size / seconds / 1e6
        if method == "ceiling":
            result = rtc_ceiling(lab, cell.size, MESSAGE)
            gap = result["longest_gap"]
            add(f"{p}/ceiling_longest_gap_s", gap, "s", better="lower", **params)
            return float(result["mb_per_s"])
        congestion = method.removeprefix("tcp_")
        return float(tcp_bulk(lab, cell.size, congestion)["mb_per_s"])

    @staticmethod
    def _ferry(lab: Any, path: str, root: str) -> dict[str, Any]:
        out = tempfile.mkdtemp(prefix="out-", dir=root)
        os.chmod(out, 0o755)
        try:
            return ferry_transfer(lab, path, out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
