"""The JSON results document, the history file, and the figures a suite's raw data yields."""

from __future__ import annotations

import json
from pathlib import Path

from ferry.benchmarks import results
from ferry.benchmarks.ceiling import CeilingResult
from ferry.benchmarks.runner import Measurements
from ferry.benchmarks.transfer import FerryResult
from ferry.benchmarks.units import parse_size, size_label

from .helpers import figure, run_result

MIB = 1 << 20


def test_a_run_survives_a_json_round_trip(tmp_path: Path) -> None:
    original = run_result(
        figure("e2e/vault/16384/67108864/ratio", 0.97, 0.99, 1.02, kind="e2e", chunk=16384),
        figure("e2e/vault/16384/67108864/receiver_rss_mb", 89, 90, unit="MB", better="lower"),
        notes=["a note"],
        errors=["a failed step"],
        partial=True,
        seconds=12.5,
    )
    path = tmp_path / f"{original.file_stem()}.json"
    results.save(original, path)
    data = json.loads(path.read_text())
    assert data["schema"] == results.SCHEMA and data["partial"] is True
    assert data["figures"]["e2e/vault/16384/67108864/ratio"] == {
        "median": 0.99,
        "min": 0.97,
        "max": 1.02,
        "runs": [0.97, 0.99, 1.02],
        "unit": "x",
        "better": "higher",
        "params": {"kind": "e2e", "chunk": 16384},
    }
    loaded = results.load(path)
    assert loaded.figures == original.figures
    assert (loaded.notes, loaded.errors, loaded.partial, loaded.seconds) == (
        ["a note"],
        ["a failed step"],
        True,
        12.5,
    )
    assert path.name == "20261125T200000Z-0123456789ab-partial.json"
    assert not list(tmp_path.glob("*.tmp"))  # written through a rename


def test_history_appends_one_line_per_run_with_the_commit(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    results.append_history(history, run_result(figure("k/ratio", 0.9, 1.0, 1.1)))
    with open(history, "a") as handle:
        handle.write("garbage without a newline")  # a bad hand edit must not hide the rest
    results.append_history(history, run_result(figure("k/ratio", 1.0), commit="f" * 40 + "-dirty"))
    lines = history.read_text().splitlines()
    assert len(lines) == 3 and lines[1] == "garbage without a newline"
    entries = results.read_history(history)
    assert [e["commit"] for e in entries] == [
        "0123456789abcdef0123456789abcdef01234567",
        "f" * 40 + "-dirty",
    ]
    assert entries[0]["figures"] == {"k/ratio": [1.0, 0.9, 1.1]}
    assert entries[0]["machine"]["cpu"] == "Test CPU"


def _ceiling(rate: float, message_size: int = 16384) -> CeilingResult:
    return CeilingResult(
        mb_per_s=rate,
        seconds=1.0,
        setup_seconds=0.1,
        sender_peak_rss_mb=88.0,
        receiver_peak_rss_mb=86.0,
        loop="uvloop",
        message_size=message_size,
        size_bytes=64 * MIB,
        threshold=1 << 20,
        sender_start_rss_mb=80.0,
        receiver_start_rss_mb=80.0,
        sender_cpu_pct=98.0,
        receiver_cpu_pct=90.0,
        messages=4096,
        sender_waits=10,
    )


def _ferry(rate: float, dest: str, receiver_rss: float = 89.0) -> FerryResult:
    return FerryResult(rate, 1.0, 93.0, receiver_rss, dest, 64 * MIB, 16384)


def test_ferry_figures_are_paired_with_the_ceiling_of_the_same_repeat() -> None:
    measured = Measurements()
    size = 64 * MIB
    measured.ceilings[(16384, size, 1)] = _ceiling(10.0)
    measured.ceilings[(16384, size, 2)] = _ceiling(5.0)
    measured.transfers[("folder", 16384, size, 1)] = _ferry(9.0, "folder")
    measured.transfers[("vault", 16384, size, 1)] = _ferry(9.9, "vault")
    measured.transfers[("vault", 16384, size, 2)] = _ferry(5.0, "vault")
    figures = measured.figures().figures()
    ratio = figures[f"e2e/vault/16384/{size}/ratio"]
    assert sorted(ratio.runs) == [0.99, 1.0]  # per-repeat pairs, not a ratio of medians
    assert figures[f"e2e/folder/16384/{size}/ratio"].runs == (0.9,)
    assert figures[f"e2e/vault_over_folder/16384/{size}/ratio"].runs == (1.1,)
    assert figures[f"ceiling/16384/{size}/mb_per_s"].runs == (10.0, 5.0)
    rss = figures[f"e2e/vault/16384/{size}/receiver_rss_mb"]
    assert rss.better == "lower" and rss.unit == "MB"
    assert figures[f"e2e/vault/16384/{size}/sender_rss_mb"].median == 93.0


def test_memory_growth_is_the_largest_file_minus_the_smallest() -> None:
    measured = Measurements()
    measured.memory[("vault", 16384, 1 << 30, 1)] = _ferry(9.0, "vault", receiver_rss=90.0)
    measured.memory[("vault", 16384, 5 << 30, 1)] = _ferry(9.0, "vault", receiver_rss=95.5)
    figures = measured.figures().figures()
    growth = figures["memory/vault/16384/growth/receiver_rss_mb"]
    assert growth.median == 5.5 and growth.params["large"] == 5 << 30
    assert figures[f"memory/vault/16384/{5 << 30}/receiver_rss_mb"].median == 95.5


def test_sizes_parse_and_print_as_people_write_them() -> None:
    assert [parse_size(s) for s in ("16k", "64K", "2M", "1G", "262144", "256KiB")] == [
        16384,
        65536,
        2 * MIB,
        1 << 30,
        262144,
        262144,
    ]
    assert [size_label(s) for s in (262144, 64 * MIB, 5 << 30, 262048)] == [
        "256 KiB",
        "64 MiB",
        "5 GiB",
        "262048 B",
    ]
