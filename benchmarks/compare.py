"""``ferry bench --compare OLD.json NEW.json``: what changed, and what is beyond the noise.

Figures are matched by key. A change counts only when it is larger than the noise the two
runs themselves show, and then the verdict is REGRESSION (worse) or better:

- noise = the larger of the two runs' relative spreads ((max - min) / median), and at
  least ``min_noise`` (5% by default: with a single run there is no spread to go by, and
  on a shared 2-core machine a few percent come and go from one minute to the next);
- the medians differ by more than that noise, **and** the two runs' ranges do not
  overlap (for a higher-is-better figure: the new max is below the old min).

Requiring both keeps a repeat-3 run from flagging a figure whose runs merely scatter: two
ranges of three runs each miss each other by chance in about 1 case in 20 per direction,
and the median condition cuts that further. The exit status is 1 when any regression is
flagged, so a CI script can fail on it; unreadable files raise ResultsError (exit 2).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import results
from .results import Figure, RunResult, short_commit
from .table import render_table

DEFAULT_MIN_NOISE = 0.05


@dataclass(frozen=True)
class Change:
    """One figure in both runs (or in one only), and the verdict."""

    key: str
    old: Figure | None
    new: Figure | None
    verdict: str
    """"regression", "better", "same", "only in old" or "only in new"."""
    change: float | None = None
    """(new median - old median) / |old median|."""
    noise: float | None = None


def judge(old: Figure, new: Figure, min_noise: float = DEFAULT_MIN_NOISE) -> Change:
    """Compare one figure across two runs (see the module docstring for the rule)."""
    change = (new.median - old.median) / abs(old.median) if old.median else 0.0
    noise = max(min_noise, old.spread, new.spread)
    higher = new.better == "higher"
    worse = change < 0 if higher else change > 0
    if higher:
        apart = new.max < old.min if worse else new.min > old.max
    else:
        apart = new.min > old.max if worse else new.max < old.min
    verdict = "same"
    if abs(change) > noise and apart:
        verdict = "regression" if worse else "better"
    return Change(old.key, old, new, verdict, change, noise)


def compare(old: RunResult, new: RunResult, min_noise: float = DEFAULT_MIN_NOISE) -> list[Change]:
    """Every figure of either run, in key order, with its verdict."""
    changes = []
    for key in sorted(set(old.figures) | set(new.figures)):
        before, after = old.figures.get(key), new.figures.get(key)
        if before is None:
            changes.append(Change(key, None, after, "only in new"))
        elif after is None:
            changes.append(Change(key, before, None, "only in old"))
        else:
            changes.append(judge(before, after, min_noise))
    return changes


def _range(figure: Figure | None) -> str:
    if figure is None:
        return "-"
    digits = 2 if figure.unit == "x" else 1

    def fmt(value: float) -> str:
        return f"{value:,.{digits}f}"

    if len(figure.runs) == 1:
        return fmt(figure.median)
    return f"{fmt(figure.median)} ({fmt(figure.min)}-{fmt(figure.max)})"


def _warnings(old: RunResult, new: RunResult) -> list[str]:
    warnings = []
    for which, run in (("OLD", old), ("NEW", new)):
        if run.partial:
            warnings.append(f"{which} is a partial (interrupted) run")
    for field in ("cpu", "cores", "python", "aiortc"):
        if old.machine.get(field) != new.machine.get(field):
            warnings.append(
                f"different {field}: {old.machine.get(field)!r} -> {new.machine.get(field)!r}"
                " (absolute MB/s are not comparable; ratios mostly are)"
            )
    if old.settings.get("loop") != new.settings.get("loop"):
        warnings.append(f"different event loop: {old.settings.get('loop')} -> "
                        f"{new.settings.get('loop')}")  # fmt: skip
    return warnings


def _describe(run: RunResult) -> str:
    profile = str(run.settings.get("profile", "?"))
    profile += " custom" if run.settings.get("overridden") else ""
    return f"{short_commit(run.commit)} {run.timestamp} ({profile})"


def render_comparison(old: RunResult, new: RunResult, changes: list[Change]) -> str:
    """A table of every figure in both runs, then the figures in one only, then a summary."""
    rows = []
    for c in changes:
        if c.old is None or c.new is None:
            continue
        flag = {"regression": "REGRESSION", "better": "better"}.get(c.verdict, "")
        rows.append(
            [
                c.key,
                c.new.unit,
                _range(c.old),
                _range(c.new),
                f"{c.change:+.1%}" if c.change is not None else "",
                f"{c.noise:.0%}" if c.noise is not None else "",
                flag,
            ]
        )
    headers = ["figure", "unit", "old median (min-max)", "new median (min-max)", "change"]
    parts = [f"old: {_describe(old)}\nnew: {_describe(new)}"]
    parts += [f"warning: {w}" for w in _warnings(old, new)]
    if rows:
        parts.append(render_table([*headers, "noise", ""], rows, "<<>>>><"))
    only = [c for c in changes if c.old is None or c.new is None]
    for side in ("only in old", "only in new"):
        keys = [c.key for c in only if c.verdict == side]
        if keys:
            listed = textwrap.fill(
                ", ".join(keys), 100, initial_indent="  ", subsequent_indent="  "
            )
            parts.append(f"{side} ({len(keys)}, not compared):\n{listed}")
    regressions = sum(c.verdict == "regression" for c in changes)
    better = sum(c.verdict == "better" for c in changes)
    parts.append(
        f"{len(rows)} figures compared: {regressions} regression(s), {better} better, "
        f"{len(rows) - regressions - better} within noise; {len(only)} in one run only"
    )
    return "\n".join(parts)


def run_compare(old_path: Path, new_path: Path, min_noise: float = DEFAULT_MIN_NOISE) -> int:
    """Print the comparison; 1 if a regression is flagged, else 0.

    Raises ResultsError for a missing, unreadable or foreign file.
    """
    old, new = results.load(old_path), results.load(new_path)
    changes = compare(old, new, min_noise)
    print(render_comparison(old, new, changes))
    return 1 if any(c.verdict == "regression" for c in changes) else 0
