"""``ferry bench --wan``: its grid, keys, order and table (the measuring is tests/lab's)."""

from __future__ import annotations

import pytest

from ferry.benchmarks.results import FigureSet, RunResult
from ferry.benchmarks.table import render_run
from ferry.benchmarks.wan import METHODS, grid, order, parse_cells


def test_the_quick_grid_is_the_issues_three_cells() -> None:
    cells = grid(quick=True)
    assert [c.prefix for c in cells] == ["wan/50/0/50", "wan/50/0.1/50", "wan/50/1/50"]


def test_the_full_grid_covers_every_round_trip_loss_and_rate() -> None:
    prefixes = {c.prefix for c in grid(quick=False)}
    assert len(prefixes) == 3 * 4 * 2
    assert "wan/150/2/200" in prefixes and "wan/10/0.1/50" in prefixes


def test_methods_alternate_between_repeats() -> None:
    assert order(0) == list(METHODS)
    assert order(1) == list(reversed(METHODS))


def test_cells_parse_and_bad_ones_are_refused() -> None:
    assert [c.prefix for c in parse_cells("50/2/50, 150/0/50", quick=True)] == [
        "wan/50/2/50",
        "wan/150/0/50",
    ]
    for bad in ("50/2", "50/-1/50", "50/2/0", "a/b/c"):
        with pytest.raises(ValueError):
            parse_cells(bad, quick=True)


def test_the_table_shows_a_row_per_cell_with_the_ratios() -> None:
    figures = FigureSet()
    params = {"kind": "wan", "rtt_ms": 50, "loss_percent": 0.1, "rate_mbit": 50, "size": 1 << 24}
    for name, value in (("ferry_mb_per_s", 4.0), ("tcp_bbr_mb_per_s", 5.0)):
        figures.add(f"wan/50/0.1/50/{name}", value, "MB/s", **params)
    figures.add("wan/50/0.1/50/ferry_over_bbr", 0.8, "x", **params)
    result = RunResult("2026-12-07T00:00:00Z", "abc", {}, {"profile": "wan"}, figures.figures())
    text = render_run(result)
    row = next(line for line in text.splitlines() if line.startswith("50 ms"))
    assert "0.1%" in row and "4.00" in row and "0.80" in row
