"""``ferry bench``: run the benchmark suite, compare two runs, chart the history.

    ferry bench [--quick | --large] [--out DIR] [--history FILE | --no-history]
    ferry bench --wan [--quick] [--repeat N] [--cells RTT/LOSS/RATE,...]
    ferry bench --wan-resume [--sizes 1G] [--repeat N]
    ferry bench --compare OLD.json NEW.json [--noise 0.05]
    ferry bench --history-chart [--history FILE] [--out DIR]

Also ``python3 run.py bench suite ...`` and ``python -m benchmarks.suite ...``.

A run prints one progress line per step to stderr, the tables to stdout, and writes
``<out>/<timestamp>-<commit>.json`` and ``.png``; a complete run is appended to the history
file (one line per run, committed with the code, so a chart can follow it over commits).
Ctrl-C (or SIGTERM) stops at once: the children are killed with their process groups, the
figures measured so far are written as ``...-partial.json`` (marked ``"partial": true``, never
appended to the history), and the exit status is 130.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import results
from .ceiling import LOOPS
from .chart import INSTALL_HINT, chart_available, write_history_chart, write_run_chart
from .compare import DEFAULT_MIN_NOISE, run_compare
from .machine import checkout_root, commit_date, commit_id, machine_info
from .results import ResultsError, RunResult, short_commit
from .runner import Settings, Suite, settings_for
from .table import render_run
from .transfer import DESTS
from .units import names_list, sizes_list

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def default_paths() -> tuple[Path, Path]:
    """(results folder, history file): the checkout's ``benchmarks/`` when run from one,
    else ``./ferry-bench/`` (an installed copy has no repository to write into)."""
    root = checkout_root()
    if root is not None:
        return root / "benchmarks" / "results", root / "benchmarks" / "history.jsonl"
    here = Path.cwd() / "ferry-bench"
    return here, here / "history.jsonl"


def _sizes(text: str) -> list[int]:
    try:
        sizes = sizes_list(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not sizes or any(size < 1 << 20 or size % (1 << 20) for size in sizes):
        raise argparse.ArgumentTypeError("sizes must be whole MiB, at least 1M (e.g. 64M,1G)")
    return sizes


def _chunks(text: str) -> list[int]:
    try:
        chunks = sizes_list(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not chunks or any(chunk < 16 << 10 for chunk in chunks):
        raise argparse.ArgumentTypeError("chunk sizes must be at least 16k (e.g. 16k,64k,256k)")
    return chunks


def _dests(text: str) -> list[str]:
    try:
        return names_list(text, DESTS)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser(prog: str = "ferry bench") -> argparse.ArgumentParser:
    results_dir, history = default_paths()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Ferry's benchmark suite: stage micro-benchmarks, the raw aiortc "
        "ceiling and Ferry end to end, side by side in one run.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick", action="store_true", help="a subset in under two minutes (64 MiB, 16/64 KiB)"
    )
    mode.add_argument(
        "--large",
        action="store_true",
        help="the memory run: 1 GiB and 5 GiB into a vault, peak RSS of each (~15 min)",
    )
    mode.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("OLD.json", "NEW.json"),
        help="print the change per figure; exit 1 if one regressed beyond the noise",
    )
    mode.add_argument(
        "--history-chart",
        action="store_true",
        help="chart the history file's figures over commits (history.png in --out)",
    )
    parser.add_argument(
        "--wan",
        action="store_true",
        help="Ferry against kernel TCP on an emulated WAN link (root; with --quick: "
        "50 ms x {0, 0.1, 1%%} loss x 50 Mbit/s, under 5 min)",
    )
    mode.add_argument(
        "--wan-resume",
        action="store_true",
        help="a 50 Mbit/s, 50 ms link cut for 10 s half way through a 1 GiB transfer "
        "(--sizes: another size): time lost and bytes re-sent (root; ~8 min)",
    )
    parser.add_argument(
        "--cells",
        help="--wan: these cells instead of the grid, RTT_MS/LOSS_PERCENT/RATE_MBIT,... "
        "(e.g. 50/2/50,150/0/50)",
    )
    parser.add_argument("--out", type=Path, default=results_dir, help=f"default {results_dir}")
    parser.add_argument("--history", type=Path, default=history, help=f"default {history}")
    parser.add_argument("--no-history", action="store_true", help="do not append this run")
    parser.add_argument("--no-chart", action="store_true", help="write no PNG")
    parser.add_argument(
        "--noise",
        type=float,
        default=DEFAULT_MIN_NOISE,
        help="--compare: the least relative change that can count (default 0.05)",
    )
    parser.add_argument(
        "--keys",
        default="e2e/vault/*/ratio",
        help="--history-chart: which figures to draw (a glob, default e2e/vault/*/ratio)",
    )
    tune = parser.add_argument_group("overriding the profile")
    tune.add_argument("--sizes", type=_sizes, help="file sizes, e.g. 64M,256M,1G")
    tune.add_argument("--chunk-sizes", type=_chunks, help="e.g. 16k,64k,256k")
    tune.add_argument("--dests", type=_dests, help=f"from {', '.join(DESTS)}")
    tune.add_argument(
        "--repeat",
        type=_positive,
        help="runs per figure at every size (full: 3 at 64 MiB, 2 at 256 MiB, 1 at 1 GiB)",
    )
    tune.add_argument("--loop", choices=LOOPS, help="event loop of every peer")
    tune.add_argument("--no-stages", action="store_true", help="skip the micro-benchmarks")
    tune.add_argument(
        "--no-dsack-ceiling",
        action="store_true",
        help="skip the like-for-like ceiling (aiortc with Ferry's delayed SACKs)",
    )
    tune.add_argument("--work-dir", help="where source files and received copies go (temp)")
    return parser


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def settings_from(args: argparse.Namespace) -> tuple[Settings, list[str]]:
    """The profile's settings with the command line's overrides, and which were overridden."""
    profile = "quick" if args.quick else "large" if args.large else "full"
    settings = settings_for(
        profile,
        sizes=tuple(args.sizes) if args.sizes else None,
        chunk_sizes=tuple(args.chunk_sizes) if args.chunk_sizes else None,
        dests=tuple(args.dests) if args.dests else None,
        repeat=args.repeat,
        loop=args.loop,
        stages=False if args.no_stages else None,
        acks_ceiling=False if args.no_dsack_ceiling else None,
        work_dir=args.work_dir,
    )
    if args.repeat is not None or args.sizes:  # the per-size schedule no longer applies
        settings = dataclasses.replace(settings, size_repeats=None)
    overridden = [
        name
        for name in ("sizes", "chunk_sizes", "dests", "repeat", "loop")
        if getattr(args, name) is not None
    ]
    overridden += ["stages"] if args.no_stages else []
    return settings, overridden + (["acks_ceiling"] if args.no_dsack_ceiling else [])


def run_suite(args: argparse.Namespace) -> int:
    """Run the suite, then report; Ctrl-C keeps what was measured, marked partial."""
    settings, overridden = settings_from(args)
    started_at = datetime.datetime.now(datetime.UTC)
    machine = machine_info()
    commit = commit_id()
    custom = " (custom)" if overridden else ""
    _progress(
        f"ferry bench {settings.profile}{custom}: commit {short_commit(commit)}, "
        f"{machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, "
        f"aiortc {machine['aiortc']}"
    )
    suite = Suite(settings, _progress)
    started = time.monotonic()
    interrupted = _interruptible(suite.run, "every benchmark process has been stopped")
    result = RunResult(
        timestamp=started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        commit=commit,
        commit_date=commit_date(),
        machine=machine,
        settings={**settings.to_json(), "overridden": overridden},
        figures=suite.measured.figures().figures(),
        seconds=time.monotonic() - started,
        partial=interrupted,
        notes=suite.notes,
        errors=suite.errors,
    )
    return _report(result, args, interrupted)


def _interruptible(run: Callable[[], None], cleaned_up: str) -> bool:
    """Run ``run``; True if SIGINT or SIGTERM stopped it (its own clean-up has run then).

    SIGINT too: a shell starts background jobs with SIGINT ignored, and Python then never
    raises KeyboardInterrupt; the runner promises a clean stop on Ctrl-C wherever it runs.
    """
    previous = {
        signum: signal.signal(signum, _raise_interrupt)
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        run()
    except KeyboardInterrupt:
        _progress(f"interrupted: {cleaned_up}")
        return True
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return False


def run_wan(args: argparse.Namespace) -> int:
    """The WAN grid (benchmarks.wan); same results file, history and chart as the suite."""
    from .wan import WanBench, parse_cells

    try:
        cells = parse_cells(args.cells, args.quick) if args.cells else None
    except ValueError as exc:
        print(f"ferry bench --wan: error: --cells: {exc}", file=sys.stderr)
        return EXIT_USAGE
    bench = WanBench(
        quick=args.quick,
        repeats=args.repeat or 3,
        progress=_progress,
        work_dir=args.work_dir,
        cells=cells,
    )
    profile = "wan-quick" if args.quick else "wan"
    return _run_in_lab(args, "--wan", profile, bench, ["cells"] if cells else [])


def run_wan_resume(args: argparse.Namespace) -> int:
    """A link cut half way through a transfer (benchmarks.wan_resume)."""
    from .wan_resume import WanResumeBench

    bench = WanResumeBench(progress=_progress, work_dir=args.work_dir, repeats=args.repeat or 1)
    if args.sizes:
        bench.size = args.sizes[0]
    args.no_chart = True  # a handful of figures of different units: the table says it all
    return _run_in_lab(args, "--wan-resume", "wan-resume", bench, ["sizes"] if args.sizes else [])


def _run_in_lab(
    args: argparse.Namespace, flag: str, profile: str, bench: Any, overridden: list[str]
) -> int:
    """Run a benchmark of the emulated link (root and the lab's tools), then report it like
    the suite: ``bench`` has ``run()``, ``repeats``, ``figures``, ``notes`` and ``errors``."""
    from .lab import lab_missing

    missing = lab_missing()
    if missing:
        print(f"ferry bench {flag}: error: {missing}", file=sys.stderr)
        return EXIT_FAILED
    started_at = datetime.datetime.now(datetime.UTC)
    machine = machine_info()
    commit = commit_id()
    _progress(f"ferry bench {profile}: commit {short_commit(commit)}, {machine['cpu']}")
    started = time.monotonic()
    interrupted = _interruptible(bench.run, "every lab has been torn down")
    result = RunResult(
        timestamp=started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        commit=commit,
        commit_date=commit_date(),
        machine=machine,
        settings={"profile": profile, "repeat": bench.repeats, "overridden": overridden},
        figures=bench.figures.figures(),
        seconds=time.monotonic() - started,
        partial=interrupted,
        notes=bench.notes,
        errors=bench.errors,
    )
    return _report(result, args, interrupted)


def _report(result: RunResult, args: argparse.Namespace, interrupted: bool) -> int:
    if interrupted and not result.figures:
        _progress("nothing was measured: no results written")
        return EXIT_INTERRUPTED
    json_path = args.out / f"{result.file_stem()}.json"
    results.save(result, json_path)  # first: whatever fails below, the figures are kept
    print(render_run(result), flush=True)
    print()
    print(f"results: {json_path}")
    if interrupted:
        print("partial run: not appended to the history, no chart")
        return EXIT_INTERRUPTED
    if not args.no_chart:
        _chart(result, args.out / f"{result.file_stem()}.png")
    if not args.no_history:
        results.append_history(args.history, result)
        print(f"history: appended to {args.history}")
    print(f"took {result.seconds / 60:.1f} min")
    return EXIT_FAILED if result.errors else EXIT_OK


def _chart(result: RunResult, path: Path) -> None:
    if not chart_available():
        print(f"chart: not written, {INSTALL_HINT}")
        return
    try:
        write_run_chart(result, path)
    except Exception as exc:  # a chart is a convenience: never lose a run over it
        print(f"chart: not written ({exc!r})")
        return
    print(f"chart: {path}")


def history_chart(args: argparse.Namespace) -> int:
    if not chart_available():
        print(f"ferry bench: error: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_FAILED
    entries = results.read_history(args.history)
    if not entries:
        print(f"ferry bench: error: {args.history} has no runs yet", file=sys.stderr)
        return EXIT_FAILED
    path = args.out / "history.png"
    lines = write_history_chart(entries, path, pattern=args.keys)
    print(f"history chart: {path} ({len(entries)} runs, {lines} figures)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, prog: str = "ferry bench") -> int:
    """Entry point of ``ferry bench``; returns the exit status."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        if args.compare:
            return run_compare(args.compare[0], args.compare[1], args.noise)
        if args.history_chart:
            return history_chart(args)
        if args.wan:
            if args.large:
                parser.error("--wan runs with --quick or alone, not with --large")
            return run_wan(args)
        if args.wan_resume:
            return run_wan_resume(args)
        return run_suite(args)
    except ResultsError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # between steps, or while writing the report
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    # Run through the package name so spawned peers pickle and import the same module.
    from ferry.benchmarks.suite import main as _main

    sys.exit(_main(prog="python -m benchmarks.suite"))
