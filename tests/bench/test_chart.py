"""The PNG charts (matplotlib, the optional ``bench`` extra)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ferry.benchmarks import results
from ferry.benchmarks.chart import write_history_chart, write_run_chart

from .helpers import figure, run_result

pytest.importorskip("matplotlib")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIB = 1 << 20


def _assert_png(path: Path) -> None:
    from PIL import Image

    assert path.read_bytes()[:8] == PNG_MAGIC
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 400 and image.height > 300


def _result() -> results.RunResult:
    figures = []
    for chunk in (16384, 65536):
        common = {"chunk": chunk, "size": 64 * MIB}
        base = f"{chunk}/{64 * MIB}"
        figures.append(
            figure(f"ceiling/{base}/mb_per_s", 9, 10, 11, unit="MB/s", kind="ceiling", **common)
        )
        for dest in ("folder", "vault"):
            figures.append(
                figure(
                    f"e2e/{dest}/{base}/mb_per_s",
                    9,
                    9.5,
                    10,
                    unit="MB/s",
                    kind="e2e",
                    dest=dest,
                    **common,
                )
            )
            figures.append(
                figure(f"e2e/{dest}/{base}/ratio", 0.95, 0.97, 1.0, kind="e2e", dest=dest, **common)
            )
    figures.append(
        figure(
            "stage/sha256/67108864",
            1500,
            1400,
            unit="MB/s",
            kind="stage",
            stage="sha256",
            size=64 * MIB,
        )
    )
    figures.append(
        figure(
            "stage/encode/16384", 4500, 4400, unit="MB/s", kind="stage", stage="encode", size=16384
        )
    )
    return run_result(*figures)


def test_the_run_chart_is_a_valid_png(tmp_path: Path) -> None:
    path = tmp_path / "run.png"
    write_run_chart(_result(), path)
    _assert_png(path)


def test_the_history_chart_draws_figures_over_commits(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    results.append_history(history, _result())
    results.append_history(history, _result())
    path = tmp_path / "history.png"
    drawn = write_history_chart(results.read_history(history), path)
    assert drawn == 2 + 2  # vault ratio at 16 and 64 KiB, and the ceiling at both
    _assert_png(path)


def test_without_matplotlib_the_run_says_how_to_get_the_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ferry.benchmarks import suite

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    path = tmp_path / "run.png"
    suite._chart(_result(), path)
    assert not path.exists()
    assert "pip install 'ferry-engine[bench]'" in capsys.readouterr().out
