"""Small builders for benchmark results, so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from ferry.benchmarks.results import Figure, RunResult

MACHINE = {"cpu": "Test CPU", "cores": 2, "python": "3.11.7", "aiortc": "1.16.0"}


def figure(
    key: str, *runs: float, unit: str = "x", better: str = "higher", **params: Any
) -> Figure:
    return Figure(key, unit, tuple(runs), better, params)


def run_result(*figures: Figure, **fields: Any) -> RunResult:
    defaults: dict[str, Any] = {
        "timestamp": "2026-11-25T20:00:00Z",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "machine": dict(MACHINE),
        "settings": {"profile": "quick", "loop": "uvloop"},
        "figures": {f.key: f for f in figures},
    }
    defaults.update(fields)
    return RunResult(**defaults)
