"""The benchmark suite: what to run, in which order, and the figures it yields.

A run is a list of steps planned up front (so progress can say "[3/12]" and estimate the
time left), each measuring one thing in fresh child processes: the stage micro-benchmarks,
the raw aiortc ceiling, a Ferry transfer. Repeats are interleaved and destinations
alternate (ABBA) so that a slow minute on a shared machine spreads over every
configuration instead of sinking one. Every Ferry transfer is paired with the ceiling
measured in the same repeat at the same message size and file size: the ratio of the pair
is the figure that survives the machine's 2x swings in absolute speed.

Two ceilings bracket each repeat's Ferry runs (their order alternates): aiortc as it is,
which SACKs every packet, and aiortc with the transport tuning Ferry gives its own
connections (delayed SACKs, ``actors.sctp_acks``; 4 MiB socket receive buffers since
2026-11-26, ``actors.udp_buffers``). Ferry against the first is what a user gains over
plain aiortc; against the second, like for like, it is what Ferry's own work costs.

A step that fails is recorded and the run goes on; Ctrl-C propagates (the children are
already killed by ``_procs``), and whatever was measured so far can still be summarised.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ferry.protocol.limits import CHUNK_FRAME_OVERHEAD, DEFAULT_MAX_MESSAGE_SIZE

from .ceiling import DEFAULT_LOOP, CeilingResult, MessageTooLarge, run_ceiling
from .results import FigureSet
from .stages import STAGE_NAMES, StageRuns, run_codec_stages, run_storage_stages
from .transfer import (
    FerryResult,
    dest_order,
    effective_chunk_size,
    make_random_file,
    run_ferry,
)
from .units import size_label

logger = logging.getLogger(__name__)

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
_PLANNING_RATE = 8e6
"""Bytes per second assumed for the first estimate of a run's length (the ceiling here)."""
_STEP_OVERHEAD_BYTES = 16 * MIB
"""What starting two processes and a WebRTC connection costs, in transfer-time terms."""


@dataclass(frozen=True)
class Settings:
    """What a run measures. Profiles are presets; the command line can override fields."""

    profile: str
    sizes: tuple[int, ...]
    chunk_sizes: tuple[int, ...]
    dests: tuple[str, ...] = ("folder", "vault")
    repeat: int = 3
    size_repeats: tuple[int, ...] | None = None
    """Runs per file size, beside ``sizes``; None: ``repeat`` for every size."""
    loop: str = DEFAULT_LOOP
    stages: bool = True
    e2e: bool = True
    acks_ceiling: bool = True
    """Also run the ceiling with Ferry's transport tuning (the like-for-like reference)."""
    memory: bool = False
    stage_runs: int = 3
    codec_budget: float = 0.5
    work_dir: str | None = None

    def repeats_for(self, size: int) -> int:
        if self.size_repeats is None:
            return self.repeat
        return dict(zip(self.sizes, self.size_repeats, strict=True)).get(size, self.repeat)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_chunk_sizes"] = [effective_chunk_size(c) for c in self.chunk_sizes]
        return data


PROFILES = {
    # 64 MiB x3, 256 MiB x2, 1 GiB x1 at three chunk sizes: 30-45 min on 2 shared cores.
    # One 1 GiB transfer takes about two minutes here, and each (size, chunk) runs three.
    "full": Settings(
        "full",
        (64 * MIB, 256 * MIB, GIB),
        (16 * KIB, 64 * KIB, 256 * KIB),
        size_repeats=(3, 2, 1),
    ),
    # A smoke run in under two minutes: one 64 MiB run of each at 16 and 64 KiB.
    "quick": Settings("quick", (64 * MIB,), (16 * KIB, 64 * KIB), repeat=1, codec_budget=0.1),
    # Memory does not grow with size: 1 GiB then 5 GiB into a vault, peak RSS of each.
    "large": Settings(
        "large",
        (GIB, 5 * GIB),
        (16 * KIB,),
        dests=("vault",),
        repeat=1,
        stages=False,
        e2e=False,
        memory=True,
    ),
}


def settings_for(profile: str, **overrides: Any) -> Settings:
    """A profile's settings with the given fields replaced (None means "keep")."""
    base = PROFILES[profile]
    changes = {key: value for key, value in overrides.items() if value is not None}
    return replace(base, **changes) if changes else base


@dataclass
class Step:
    """One measurement; ``work`` returns a short line for the progress output."""

    label: str
    work: Callable[[], str]
    network_bytes: int = 0


@dataclass
class Measurements:
    """Everything measured so far, raw; :meth:`figures` turns it into figures."""

    stages: list[StageRuns] = field(default_factory=list)
    ceilings: dict[tuple[int, int, int], CeilingResult] = field(default_factory=dict)
    """(requested chunk, file size, repeat) -> the ceiling run paired with that repeat."""
    acks_ceilings: dict[tuple[int, int, int], CeilingResult] = field(default_factory=dict)
    """Same keys: the ceiling with Ferry's transport tuning on both peers."""
    transfers: dict[tuple[str, int, int, int], FerryResult] = field(default_factory=dict)
    """(dest, requested chunk, file size, repeat) -> Ferry end to end."""
    memory: dict[tuple[str, int, int, int], FerryResult] = field(default_factory=dict)
    """Same keys, for the large-file memory runs."""

    def figures(self) -> FigureSet:
        figures = FigureSet()
        self._stage_figures(figures)
        self._e2e_figures(figures)
        self._memory_figures(figures)
        return figures

    def _stage_figures(self, figures: FigureSet) -> None:
        for runs in self.stages:
            for rate in runs.mb_per_s():
                figures.add(
                    f"stage/{runs.stage}/{runs.size}",
                    rate,
                    "MB/s",
                    kind="stage",
                    stage=runs.stage,
                    size=runs.size,
                )

    def _e2e_figures(self, figures: FigureSet) -> None:
        for kind, ceilings in (("ceiling", self.ceilings), ("ceiling_acks", self.acks_ceilings)):
            for (chunk, size, rep), ceiling in sorted(ceilings.items()):
                common = {"kind": kind, "chunk": chunk, "size": size}
                common["effective_chunk"] = ceiling.message_size
                prefix = f"{kind}/{chunk}/{size}"
                figures.add(f"{prefix}/mb_per_s", ceiling.mb_per_s, "MB/s", **common)
                _rss(figures, prefix, ceiling.sender_peak_rss_mb, ceiling.receiver_peak_rss_mb,
                     common)  # fmt: skip
                raw = self.ceilings.get((chunk, size, rep))
                if kind == "ceiling_acks" and raw is not None:
                    # What delayed SACKs alone are worth to aiortc, paired in the repeat.
                    figures.add(f"{prefix}/over_raw", ceiling.mb_per_s / raw.mb_per_s, "x",
                                **common)  # fmt: skip
        for (dest, chunk, size, rep), result in sorted(self.transfers.items()):
            common = {"kind": "e2e", "dest": dest, "chunk": chunk, "size": size}
            common["effective_chunk"] = result.chunk_size
            prefix = f"e2e/{dest}/{chunk}/{size}"
            figures.add(f"{prefix}/mb_per_s", result.mb_per_s, "MB/s", **common)
            for suffix, ceilings in (("", self.ceilings), ("_acks", self.acks_ceilings)):
                ceiling = ceilings.get((chunk, size, rep))
                if ceiling is not None:
                    _against_ceiling(figures, prefix, suffix, result, ceiling, common)
            _rss(figures, prefix, result.sender_peak_rss_mb, result.receiver_peak_rss_mb, common)
            folder = self.transfers.get(("folder", chunk, size, rep))
            if dest == "vault" and folder is not None:
                figures.add(
                    f"e2e/vault_over_folder/{chunk}/{size}/ratio",
                    result.mb_per_s / folder.mb_per_s,
                    "x",
                    kind="vault_over_folder",
                    chunk=chunk,
                    size=size,
                )

    def _memory_figures(self, figures: FigureSet) -> None:
        for (dest, chunk, size, _), result in sorted(self.memory.items()):
            common = {"kind": "memory", "dest": dest, "chunk": chunk, "size": size}
            prefix = f"memory/{dest}/{chunk}/{size}"
            figures.add(f"{prefix}/mb_per_s", result.mb_per_s, "MB/s", **common)
            _rss(figures, prefix, result.sender_peak_rss_mb, result.receiver_peak_rss_mb, common)
        # Growth: the largest file's peak minus the smallest's, paired per repeat.
        groups: dict[tuple[str, int, int], dict[int, FerryResult]] = {}
        for (dest, chunk, size, rep), result in self.memory.items():
            groups.setdefault((dest, chunk, rep), {})[size] = result
        for (dest, chunk, _), by_size in sorted(groups.items()):
            if len(by_size) < 2:
                continue
            small, large = by_size[min(by_size)], by_size[max(by_size)]
            common = {"kind": "memory_growth", "dest": dest, "chunk": chunk}
            common.update(small=min(by_size), large=max(by_size))
            prefix = f"memory/{dest}/{chunk}/growth"
            for side in ("sender", "receiver"):
                growth = getattr(large, f"{side}_peak_rss_mb") - getattr(
                    small, f"{side}_peak_rss_mb"
                )
                figures.add(f"{prefix}/{side}_rss_mb", growth, "MB", better="lower", **common)


def _against_ceiling(
    figures: FigureSet,
    prefix: str,
    suffix: str,
    result: FerryResult,
    ceiling: CeilingResult,
    params: dict[str, Any],
) -> None:
    """Ferry's MB/s and CPU per byte against one ceiling of the same repeat."""
    figures.add(f"{prefix}/ratio{suffix}", result.mb_per_s / ceiling.mb_per_s, "x", **params)
    # CPU per byte against the ceiling's: what Ferry spends beyond aiortc. Steadier than
    # MB/s when other jobs take the cores, since both sides are CPU-bound.
    for side in ("sender", "receiver"):
        ferry_cpu = getattr(result, f"{side}_cpu_seconds") / max(result.size_bytes, 1)
        ceiling_cpu = getattr(ceiling, f"{side}_cpu_seconds") / ceiling.size_bytes
        if ceiling_cpu > 0:
            figures.add(
                f"{prefix}/{side}_cpu_ratio{suffix}",
                ferry_cpu / ceiling_cpu,
                "x",
                better="lower",
                **params,
            )


def _rss(
    figures: FigureSet, prefix: str, sender: float, receiver: float, params: dict[str, Any]
) -> None:
    figures.add(f"{prefix}/sender_rss_mb", sender, "MB", better="lower", **params)
    figures.add(f"{prefix}/receiver_rss_mb", receiver, "MB", better="lower", **params)


class Suite:
    """Plans and runs the steps of one ``ferry bench`` run."""

    def __init__(self, settings: Settings, progress: Callable[[str], None]) -> None:
        self.settings = settings
        self.progress = progress
        self.measured = Measurements()
        self.notes: list[str] = []
        self.errors: list[str] = []
        self._skipped_chunks: dict[int, str] = {}
        self._sources: dict[int, tuple[Path, str]] = {}
        self._source_dir: Path | None = None
        self.steps_done = 0

    # -- planning ---------------------------------------------------------------------------

    def plan(self) -> list[Step]:
        s = self.settings
        for chunk in s.chunk_sizes:
            if effective_chunk_size(chunk) != chunk:
                effective = effective_chunk_size(chunk)
                note = (
                    f"{size_label(chunk)} asks get {effective}-byte chunks (aiortc's "
                    f"{size_label(DEFAULT_MAX_MESSAGE_SIZE)} message limit less the "
                    f"{CHUNK_FRAME_OVERHEAD}-byte CHUNK header); the ceiling runs "
                    f"{effective}-byte messages too"
                )
                if note not in self.notes:
                    self.notes.append(note)
        steps: list[Step] = []
        if s.stages:
            steps.extend(self._stage_steps())
        if s.e2e:
            steps.extend(self._e2e_steps())
        if s.memory:
            steps.extend(self._memory_steps())
        return steps

    def _stage_steps(self) -> Iterator[Step]:
        s = self.settings
        chunks = sorted({effective_chunk_size(c) for c in s.chunk_sizes})
        names = ", ".join(size_label(c) for c in chunks)
        yield Step(f"stages: CHUNK encode/decode at {names}", lambda: self._codec(chunks))
        for size in sorted(set(s.sizes)):
            yield Step(
                f"stages: SHA-256, disk, vault store/read on {size_label(size)} x{s.stage_runs}",
                lambda size=size: self._storage(size),
            )

    def _e2e_steps(self) -> Iterator[Step]:
        s = self.settings
        for size in s.sizes:
            repeats = s.repeats_for(size)
            for rep in range(1, repeats + 1):
                for chunk in s.chunk_sizes:
                    where = f"{size_label(chunk)} {size_label(size)} run {rep}/{repeats}"
                    ceilings = [
                        Step(
                            f"{'ceiling+dsack' if acks else 'ceiling'} {where}",
                            lambda c=chunk, z=size, r=rep, a=acks: self._ceiling(c, z, r, acks=a),
                            size,
                        )
                        for acks in ((False, True) if s.acks_ceiling else (False,))
                    ]
                    if rep % 2 == 0:
                        ceilings.reverse()
                    yield ceilings[0]
                    for dest in dest_order(s.dests, rep):
                        yield Step(
                            f"ferry {dest} {where}",
                            lambda d=dest, c=chunk, z=size, r=rep: self._ferry(d, c, z, r),
                            size,
                        )
                    yield from ceilings[1:]

    def _memory_steps(self) -> Iterator[Step]:
        s = self.settings
        for rep in range(1, s.repeat + 1):
            for size in s.sizes:
                for chunk in s.chunk_sizes:
                    for dest in s.dests:
                        yield Step(
                            f"memory: ferry {dest} {size_label(chunk)} {size_label(size)}"
                            f" run {rep}/{s.repeat}",
                            lambda d=dest, c=chunk, z=size, r=rep: self._ferry(
                                d, c, z, r, memory=True
                            ),
                            size,
                        )

    # -- running ----------------------------------------------------------------------------

    def run(self) -> None:
        """Run every step; KeyboardInterrupt propagates, the measurements so far remain."""
        steps = self.plan()
        # Time left is estimated from the transfers (the micro-benchmarks come first and
        # take seconds): their remaining bytes at the pace the transfers have kept so far.
        weight = [step.network_bytes + _STEP_OVERHEAD_BYTES if step.network_bytes else 0
                  for step in steps]  # fmt: skip
        self.progress(
            f"{len(steps)} steps; the transfers about {_minutes(sum(weight) / _PLANNING_RATE)}"
            f" at {_PLANNING_RATE / 1e6:.0f} MB/s"
        )
        transfer_seconds, done_weight = 0.0, 0
        with self._source_folder():
            for index, step in enumerate(steps, 1):
                self.progress(f"[{index}/{len(steps)}] {step.label}")
                step_started = time.monotonic()
                try:
                    outcome = step.work()
                except Exception as exc:  # one failed step must not end a 40-minute run
                    logger.debug("step failed", exc_info=True)
                    self.errors.append(f"{step.label}: {exc}")
                    outcome = f"FAILED: {exc}"
                self.steps_done = index
                seconds = time.monotonic() - step_started
                if weight[index - 1]:
                    transfer_seconds += seconds
                    done_weight += weight[index - 1]
                left_weight = sum(weight[index:])
                tail = ""
                if left_weight:
                    pace = transfer_seconds / done_weight if done_weight else 1 / _PLANNING_RATE
                    tail = f"; about {_minutes(left_weight * pace)} left"
                self.progress(f"    {outcome} ({seconds:.0f} s{tail})")

    @contextlib.contextmanager
    def _source_folder(self) -> Iterator[None]:
        with tempfile.TemporaryDirectory(
            prefix="ferry-bench-src-", dir=self.settings.work_dir
        ) as folder:
            self._source_dir = Path(folder)
            try:
                yield
            finally:
                self._sources.clear()
                self._source_dir = None

    def _source(self, size: int) -> tuple[Path, str]:
        """The random source file of ``size`` bytes; one at a time, to spare the disk."""
        if size not in self._sources:
            for path, _ in self._sources.values():
                path.unlink(missing_ok=True)
            self._sources.clear()
            assert self._source_dir is not None
            self.progress(f"    writing a {size_label(size)} random source file")
            self._sources[size] = make_random_file(self._source_dir, size)
        return self._sources[size]

    def _codec(self, chunks: list[int]) -> str:
        runs = run_codec_stages(chunks, self.settings.codec_budget)
        self.measured.stages.extend(runs)
        return ", ".join(
            f"{STAGE_NAMES[r.stage]} {size_label(r.size)} {_median(r.mb_per_s()):,.0f} MB/s"
            for r in runs
        )

    def _storage(self, size: int) -> str:
        runs = run_storage_stages(size, self.settings.stage_runs, self.settings.work_dir)
        self.measured.stages.extend(runs)
        return ", ".join(f"{r.stage} {_median(r.mb_per_s()):,.0f}" for r in runs) + " MB/s"

    def _ceiling(self, chunk: int, size: int, rep: int, *, acks: bool = False) -> str:
        if chunk in self._skipped_chunks:
            return f"skipped: {self._skipped_chunks[chunk]}"
        message_size = effective_chunk_size(chunk)
        try:
            result = run_ceiling(size // MIB, message_size, self.settings.loop, delayed_acks=acks)
        except MessageTooLarge as exc:
            reason = f"the receiver refuses {message_size}-byte messages ({exc})"
            self._skipped_chunks[chunk] = reason
            self.notes.append(f"{size_label(chunk)} skipped: {reason}")
            return f"skipped: {reason}"
        store = self.measured.acks_ceilings if acks else self.measured.ceilings
        store[(chunk, size, rep)] = result
        return (
            f"{result.mb_per_s:.1f} MB/s, RSS {result.sender_peak_rss_mb:.0f}/"
            f"{result.receiver_peak_rss_mb:.0f} MB"
        )

    def _ferry(self, dest: str, chunk: int, size: int, rep: int, *, memory: bool = False) -> str:
        if chunk in self._skipped_chunks:
            return f"skipped: {self._skipped_chunks[chunk]}"
        source, sha256 = self._source(size)
        result = run_ferry(
            [source], [sha256], chunk, self.settings.loop, dest, self.settings.work_dir
        )
        expected = effective_chunk_size(chunk)
        if result.chunk_size and result.chunk_size != expected:
            note = (
                f"{size_label(chunk)} asked, {result.chunk_size}-byte chunks agreed "
                f"(the ceiling ran {expected}-byte messages)"
            )
            if note not in self.notes:
                self.notes.append(note)
        store = self.measured.memory if memory else self.measured.transfers
        store[(dest, chunk, size, rep)] = result
        line = f"{result.mb_per_s:.1f} MB/s"
        for name, ceilings in (
            ("", self.measured.ceilings),
            ("+dsack", self.measured.acks_ceilings),
        ):
            ceiling = None if memory else ceilings.get((chunk, size, rep))
            if ceiling is not None:
                line += f", {result.mb_per_s / ceiling.mb_per_s:.2f} of the ceiling{name}"
        return (
            f"{line}, RSS {result.sender_peak_rss_mb:.0f}/{result.receiver_peak_rss_mb:.0f} MB"
            f" ({result.chunk_size}-byte chunks)"
        )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
