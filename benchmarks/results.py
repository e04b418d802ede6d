"""The benchmark runner's results: figures, the JSON document, and the history file.

A *figure* is one measured quantity under a stable key (``e2e/vault/16384/268435456/ratio``)
with every run's value, summarised as median, min and max: the spread is what
``--compare`` uses to tell a change from noise. A *run document* is one ``ferry bench`` run:
its figures plus the machine, the settings and the commit. ``history.jsonl`` holds one line
per complete run (medians, min and max only), so a chart can follow figures over commits.

JSON is written to a temporary file and renamed, so a reader never sees half a document.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1
"""Bumped whenever a reader of the old layout would misread the new one."""

TOOL = "ferry bench"


class ResultsError(ValueError):
    """A results or history file that cannot be used, with a message for a person."""


@dataclass(frozen=True)
class Figure:
    """One measured quantity: every run's value and how to read it."""

    key: str
    unit: str
    runs: tuple[float, ...]
    better: str = "higher"
    """"higher" for throughput and ratios, "lower" for memory."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """What was measured, for tables and charts: kind, dest, chunk, size, ..."""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def max(self) -> float:
        return max(self.runs)

    @property
    def spread(self) -> float:
        """(max - min) / median: the run-to-run noise of this figure, 0 for a single run."""
        median = self.median
        return (self.max - self.min) / abs(median) if median else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "runs": list(self.runs),
            "unit": self.unit,
            "better": self.better,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, key: str, data: Mapping[str, Any]) -> Figure:
        try:
            runs = tuple(float(value) for value in data["runs"])
            unit, better = str(data["unit"]), str(data.get("better", "higher"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultsError(f"figure {key!r} is malformed ({exc!r})") from None
        if not runs or not all(math.isfinite(value) for value in runs):
            raise ResultsError(f"figure {key!r} has no finite runs")
        if better not in {"higher", "lower"}:
            raise ResultsError(f"figure {key!r}: 'better' must be higher or lower")
        return cls(key, unit, runs, better, dict(data.get("params") or {}))


class FigureSet:
    """Collects run values per key while a suite runs, then freezes them into figures."""

    def __init__(self) -> None:
        self._runs: dict[str, list[float]] = {}
        self._meta: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def add(
        self,
        key: str,
        value: float,
        unit: str,
        *,
        better: str = "higher",
        **params: Any,
    ) -> None:
        if not math.isfinite(value):
            return
        self._runs.setdefault(key, []).append(float(value))
        self._meta.setdefault(key, (unit, better, params))

    def figures(self) -> dict[str, Figure]:
        out = {}
        for key, runs in self._runs.items():
            unit, better, params = self._meta[key]
            out[key] = Figure(key, unit, tuple(runs), better, params)
        return out

    def __len__(self) -> int:
        return len(self._runs)


@dataclass
class RunResult:
    """One ``ferry bench`` run, as written to ``results/<timestamp>-<commit>.json``."""

    timestamp: str
    commit: str
    machine: dict[str, Any]
    settings: dict[str, Any]
    figures: dict[str, Figure]
    seconds: float = 0.0
    partial: bool = False
    """True when the run was interrupted: only the figures measured so far."""
    commit_date: str | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    schema: int = SCHEMA

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "tool": TOOL,
            "timestamp": self.timestamp,
            "commit": self.commit,
            "commit_date": self.commit_date,
            "partial": self.partial,
            "seconds": round(self.seconds, 3),
            "machine": self.machine,
            "settings": self.settings,
            "figures": {key: figure.to_json() for key, figure in sorted(self.figures.items())},
            "notes": self.notes,
            "errors": self.errors,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "results") -> RunResult:
        if not isinstance(data, dict) or "figures" not in data:
            raise ResultsError(f"{source}: not a ferry bench results file (no 'figures')")
        schema = data.get("schema")
        if schema != SCHEMA:
            raise ResultsError(
                f"{source}: results schema {schema!r}, this version reads schema {SCHEMA}"
            )
        figures_data = data["figures"]
        if not isinstance(figures_data, dict):
            raise ResultsError(f"{source}: 'figures' must be an object")
        try:
            figures = {key: Figure.from_json(key, value) for key, value in figures_data.items()}
        except ResultsError as exc:
            raise ResultsError(f"{source}: {exc}") from None
        return cls(
            timestamp=str(data.get("timestamp", "")),
            commit=str(data.get("commit", "unknown")),
            machine=dict(data.get("machine") or {}),
            settings=dict(data.get("settings") or {}),
            figures=figures,
            seconds=float(data.get("seconds") or 0.0),
            partial=bool(data.get("partial", False)),
            commit_date=data.get("commit_date"),
            notes=list(data.get("notes") or []),
            errors=list(data.get("errors") or []),
        )

    def file_stem(self) -> str:
        """``<timestamp>-<commit>``: sorts by time, names the code that was measured."""
        stamp = self.timestamp.replace("-", "").replace(":", "").split(".")[0]
        return f"{stamp}-{short_commit(self.commit)}" + ("-partial" if self.partial else "")


def short_commit(commit: str) -> str:
    """The first 12 hex digits, keeping a ``-dirty`` mark."""
    return commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file and a rename: whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(data.encode() if isinstance(data, str) else data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def save(result: RunResult, path: Path) -> None:
    write_atomic(path, json.dumps(result.to_json(), indent=1) + "\n")


def load(path: Path) -> RunResult:
    """Read a results file, or raise ResultsError saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    return RunResult.from_json(data, str(path))


# -- history --------------------------------------------------------------------------------


def history_entry(result: RunResult) -> dict[str, Any]:
    """One line of history.jsonl: enough to chart a figure over commits, nothing more."""
    return {
        "schema": SCHEMA,
        "timestamp": result.timestamp,
        "commit": result.commit,
        "commit_date": result.commit_date,
        "profile": result.settings.get("profile"),
        "machine": {k: result.machine.get(k) for k in ("cpu", "cores", "python", "aiortc")},
        "figures": {
            key: [round(f.median, 4), round(f.min, 4), round(f.max, 4)]
            for key, f in sorted(result.figures.items())
        },
    }


def append_history(path: Path, result: RunResult) -> None:
    """Append one line; a single ``write`` in append mode, so lines never interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(history_entry(result), separators=(",", ":")) + "\n"
    with open(path, "a+b") as out:
        out.seek(0, os.SEEK_END)
        if out.tell():  # a file edited by hand may lack its last newline
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":
                line = "\n" + line
        out.write(line.encode())


def read_history(path: Path) -> list[dict[str, Any]]:
    """Every well-formed line of the history file, oldest first (bad lines are skipped:
    one hand-edit must not hide the rest)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    return list(_parse_history(lines))


def _parse_history(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and entry.get("schema") == SCHEMA and "figures" in entry:
            yield entry
