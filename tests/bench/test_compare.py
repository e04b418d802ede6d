"""``ferry bench --compare``: matching by key, the noise rule, exit codes and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ferry.benchmarks import results
from ferry.benchmarks.compare import compare, judge
from ferry.benchmarks.suite import main

from .helpers import figure, run_result

KEY = "e2e/vault/16384/268435456/ratio"


def test_a_drop_beyond_both_spreads_with_disjoint_ranges_is_a_regression() -> None:
    change = judge(figure(KEY, 0.97, 0.99, 1.01), figure(KEY, 0.80, 0.82, 0.84))
    assert change.verdict == "regression"
    assert change.change == pytest.approx(0.82 / 0.99 - 1)


def test_a_drop_within_the_spread_of_the_runs_is_noise() -> None:
    # Medians 10% apart, but the old run alone scattered by 30%: not evidence of a change.
    old = figure(KEY, 0.85, 1.00, 1.15)
    new = figure(KEY, 0.88, 0.90, 0.92)
    assert judge(old, new).verdict == "same"


def test_overlapping_ranges_are_never_flagged() -> None:
    old = figure(KEY, 0.80, 1.00, 1.02)
    new = figure(KEY, 0.81, 0.85, 0.86)  # median -15%, but its max is above the old min
    assert judge(old, new).verdict == "same"


def test_single_runs_fall_back_to_the_minimum_noise() -> None:
    assert judge(figure(KEY, 1.0), figure(KEY, 0.97)).verdict == "same"  # -3% < 5%
    assert judge(figure(KEY, 1.0), figure(KEY, 0.90)).verdict == "regression"
    assert judge(figure(KEY, 1.0), figure(KEY, 0.90), min_noise=0.2).verdict == "same"


def test_an_improvement_is_reported_as_better_not_regression() -> None:
    assert judge(figure(KEY, 0.8, 0.81, 0.82), figure(KEY, 1.0, 1.01, 1.02)).verdict == "better"


def test_lower_is_better_figures_regress_when_they_grow() -> None:
    key = "e2e/vault/16384/268435456/receiver_rss_mb"
    old = figure(key, 88, 89, 90, unit="MB", better="lower")
    assert judge(old, figure(key, 130, 131, 132, unit="MB", better="lower")).verdict == (
        "regression"
    )
    assert judge(old, figure(key, 60, 61, 62, unit="MB", better="lower")).verdict == "better"


def test_figures_are_matched_by_key_and_missing_ones_reported() -> None:
    old = run_result(figure("a/ratio", 1.0), figure("b/ratio", 1.0))
    new = run_result(figure("b/ratio", 1.0), figure("c/ratio", 1.0))
    verdicts = {c.key: c.verdict for c in compare(old, new)}
    assert verdicts == {"a/ratio": "only in old", "b/ratio": "same", "c/ratio": "only in new"}


def _write(path: Path, *figures: object, **fields: object) -> Path:
    results.save(run_result(*figures, **fields), path)  # type: ignore[arg-type]
    return path


def test_the_command_exits_1_on_a_regression_and_0_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", figure(KEY, 0.97, 0.99, 1.01), figure("only/old", 1.0))
    worse = _write(tmp_path / "worse.json", figure(KEY, 0.80, 0.82, 0.84))
    same = _write(tmp_path / "same.json", figure(KEY, 0.96, 0.98, 1.00))
    assert main(["--compare", str(old), str(worse)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and KEY in out and "-17.2%" in out
    assert "only in old (1, not compared):\n  only/old" in out
    assert main(["--compare", str(old), str(same)]) == 0
    assert "REGRESSION" not in capsys.readouterr().out


def test_the_command_warns_when_the_machines_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", figure(KEY, 1.0))
    other = {"cpu": "Other CPU", "cores": 8, "python": "3.11.7", "aiortc": "1.16.0"}
    new = _write(tmp_path / "new.json", figure(KEY, 1.0), machine=other)
    assert main(["--compare", str(old), str(new)]) == 0
    assert "warning: different cpu" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        (json.dumps({"schema": 99, "figures": {}}), "schema 99"),
        (json.dumps({"hello": 1}), "not a ferry bench results file"),
        (json.dumps({"schema": 1, "figures": {"k": {"runs": []}}}), "malformed"),
    ],
)
def test_bad_files_are_a_clear_error_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    good = _write(tmp_path / "good.json", figure(KEY, 1.0))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert main(["--compare", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ferry bench: error:") and message in err and "bad.json" in err
