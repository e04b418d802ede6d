"""``ferry bench`` as a real program: a tiny end-to-end run, and a clean stop on Ctrl-C.

Every peer runs on 127.0.0.1 (the benchmark modules pass ``ice_addresses``). No assertion
here is about speed: these machines are shared.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ferry.benchmarks.chart import chart_available

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20


def bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "ferry.engine.cli", "bench", *args]


def test_a_tiny_run_writes_ratios_rss_a_chart_and_a_history_line(tmp_path: Path) -> None:
    out, history = tmp_path / "results", tmp_path / "history.jsonl"
    done = subprocess.run(
        bench("--sizes", "2M", "--repeat", "1", "--chunk-sizes", "16k", "--out", str(out),
              "--history", str(history)),
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[5/6] ferry vault 16 KiB 2 MiB run 1/1" in done.stderr  # progress, per step
    assert "[6/6] ceiling+dsack 16 KiB 2 MiB run 1/1" in done.stderr
    assert "/ceiling+dsack" in done.stdout
    (json_path,) = out.glob("*.json")
    data = json.loads(json_path.read_text())
    assert data["schema"] == 1 and data["partial"] is False and not data["errors"]
    assert data["machine"]["cores"] >= 1 and data["settings"]["sizes"] == [2 * MIB]
    figures = data["figures"]
    base = f"16384/{2 * MIB}"
    for dest in ("folder", "vault"):
        ratio = figures[f"e2e/{dest}/{base}/ratio"]
        assert ratio["median"] > 0 and ratio["runs"] == [ratio["median"]]
        assert figures[f"e2e/{dest}/{base}/sender_rss_mb"]["median"] > 10
        assert figures[f"e2e/{dest}/{base}/receiver_rss_mb"]["median"] > 10
        assert figures[f"e2e/{dest}/{base}/mb_per_s"]["params"]["effective_chunk"] == 16384
        assert figures[f"e2e/{dest}/{base}/ratio_acks"]["median"] > 0  # like for like
        assert figures[f"e2e/{dest}/{base}/receiver_cpu_ratio_acks"]["median"] > 0
    assert figures[f"ceiling/{base}/receiver_rss_mb"]["unit"] == "MB"
    assert figures[f"ceiling_acks/{base}/over_raw"]["median"] > 0
    assert figures[f"stage/vault_store/{2 * MIB}"]["median"] > 0
    assert figures["stage/encode/16384"]["unit"] == "MB/s"
    if chart_available():  # the `bench` extra; run.py installs it
        assert json_path.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert "pip install 'ferry-engine[bench]'" in done.stdout
    (entry,) = [json.loads(line) for line in history.read_text().splitlines()]
    assert entry["commit"] == data["commit"] and f"e2e/vault/{base}/ratio" in entry["figures"]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _peers(parent: psutil.Process) -> list[psutil.Process]:
    """The runner's benchmark children (multiprocessing's resource tracker is not one)."""
    peers = []
    for child in parent.children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                peers.append(child)
        except psutil.Error:
            pass
    return peers


def test_ctrl_c_stops_every_process_and_exits_130(tmp_path: Path) -> None:
    out, history, work = tmp_path / "results", tmp_path / "history.jsonl", tmp_path / "work"
    work.mkdir()
    runner = subprocess.Popen(
        bench("--quick", "--out", str(out), "--history", str(history), "--work-dir", str(work)),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: set[int] = set()
    try:
        parent = psutil.Process(runner.pid)
        deadline = time.monotonic() + 90
        # Wait for a transfer: two peers at once (the micro-benchmarks run one child).
        while time.monotonic() < deadline and runner.poll() is None:
            seen.update(child.pid for child in parent.children(recursive=True))
            if len(_peers(parent)) >= 2:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        seen.update(child.pid for child in parent.children(recursive=True))
        assert len(_peers(parent)) >= 2, "no transfer was running"
        runner.send_signal(signal.SIGINT)
        stdout, stderr = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.communicate()
    assert runner.returncode == 130, stderr
    assert "interrupted" in stderr
    # The peers are killed and reaped before the runner exits; multiprocessing's resource
    # tracker leaves by itself once its parent is gone: give it a moment.
    deadline = time.monotonic() + 10
    while [pid for pid in seen if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in seen if _alive(pid)]
    assert not list(work.iterdir())  # sources, received copies, stage files: all removed
    assert not history.exists()  # a partial run never reaches the history
    for path in out.glob("*.json"):  # if anything was measured, it says it is partial
        assert path.name.endswith("-partial.json")
        assert json.loads(path.read_text())["partial"] is True
        assert "PARTIAL (interrupted)" in stdout
    assert not list(out.glob("*.tmp"))
