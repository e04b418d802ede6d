"""PNG charts of a run and of the history, with matplotlib (the optional ``bench`` extra).

Figures are built with ``matplotlib.figure.Figure`` on an Agg canvas, never through pyplot:
no GUI backend is ever chosen, nothing global is left behind, and it works without a
display. Bars are medians, error bars span min to max.
"""

from __future__ import annotations

import fnmatch
import importlib.util
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from .results import Figure, RunResult, write_atomic
from .stages import STAGE_NAMES
from .units import size_label

INSTALL_HINT = (
    "matplotlib is not installed: pip install 'ferry-engine[bench]' (python3 run.py installs it)"
)
TARGET_RATIO = 0.95
_COLOURS = {
    "ceiling": "#7f7f7f",
    "ceiling+dsack": "#bcbd22",
    "folder": "#1f77b4",
    "vault": "#d62728",
    "folder, like for like": "#aec7e8",
    "vault, like for like": "#ff9896",
}


def chart_available() -> bool:
    """Whether matplotlib can be imported (it is the optional ``bench`` extra)."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):  # ValueError: sys.modules holds None for it
        return False


def _new_figure(panels: int, width: float = 11.0) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width, 3.6 * panels), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(panels, 1, squeeze=False)[:, 0]
    return fig, list(axes)


def _save(fig: Any, path: Path) -> None:
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    write_atomic(path, buffer.getvalue())


def _errors(figures: Sequence[Figure | None]) -> list[list[float]]:
    low = [f.median - f.min if f else 0.0 for f in figures]
    high = [f.max - f.median if f else 0.0 for f in figures]
    return [low, high]


def _grouped_bars(
    ax: Any, groups: list[str], series: dict[str, list[Figure | None]], ylabel: str
) -> None:
    width = 0.8 / max(1, len(series))
    for index, (name, figures) in enumerate(series.items()):
        xs = [g + (index - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [f.median if f else 0.0 for f in figures]
        ax.bar(
            xs,
            heights,
            width,
            yerr=_errors(figures),
            capsize=3,
            label=name,
            color=_COLOURS.get(name),
        )
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="y", alpha=0.3)


def _e2e_groups(figures: dict[str, Figure]) -> list[tuple[int, int]]:
    return sorted(
        {
            (f.params["chunk"], f.params["size"])
            for f in figures.values()
            if f.params.get("kind") in {"ceiling", "ceiling_acks", "e2e"}
        },
        key=lambda group: (group[1], group[0]),
    )


def _dests(figures: dict[str, Figure]) -> list[str]:
    return sorted(
        {f.params["dest"] for f in figures.values() if f.params.get("kind") == "e2e"},
        key=lambda d: (d != "folder", d),
    )


def _ratio_panel(ax: Any, figures: dict[str, Figure]) -> None:
    groups = _e2e_groups(figures)
    series: dict[str, list[Figure | None]] = {}
    for dest in _dests(figures):
        series[dest] = [figures.get(f"e2e/{dest}/{c}/{s}/ratio") for c, s in groups]
        like = [figures.get(f"e2e/{dest}/{c}/{s}/ratio_acks") for c, s in groups]
        if any(like):
            series[f"{dest}, like for like"] = like
    labels = [f"{size_label(c)}\n{size_label(s)}" for c, s in groups]
    _grouped_bars(ax, labels, series, "Ferry / ceiling")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(TARGET_RATIO, color="green", linestyle="--", linewidth=1, label="target 0.95")
    ax.set_title(
        "Ferry against the raw aiortc ceiling, and like for like against aiortc with the "
        "same transport tuning (paired)",
        fontsize="medium",
    )
    ax.legend(loc="lower right", fontsize="small")


def _rate_panel(ax: Any, figures: dict[str, Figure]) -> None:
    groups = _e2e_groups(figures)
    series = {"ceiling": [figures.get(f"ceiling/{c}/{s}/mb_per_s") for c, s in groups]}
    acks = [figures.get(f"ceiling_acks/{c}/{s}/mb_per_s") for c, s in groups]
    if any(acks):
        series["ceiling+dsack"] = acks
    for dest in _dests(figures):
        series[dest] = [figures.get(f"e2e/{dest}/{c}/{s}/mb_per_s") for c, s in groups]
    labels = [f"{size_label(c)}\n{size_label(s)}" for c, s in groups]
    _grouped_bars(ax, labels, series, "MB/s")
    ax.set_title("Throughput, chunk size and file size (MB = 10^6 bytes)")


def _stage_panel(ax: Any, figures: dict[str, Figure]) -> None:
    """Every stage alone, beside the network figures, on one log scale: the bottleneck."""
    stages = [f for f in figures.values() if f.params.get("kind") == "stage"]
    largest = max((f.params["size"] for f in stages if "vault" in f.params["stage"]), default=0)
    order = list(STAGE_NAMES)
    chosen = [
        f
        for f in stages
        if f.params["stage"] in {"encode", "decode"} or f.params["size"] == largest
    ]
    chosen.sort(key=lambda f: (order.index(f.params["stage"]), f.params["size"]))
    bars = [
        (f"{STAGE_NAMES[f.params['stage']]} {size_label(f.params['size'])}", f, "#9467bd")
        for f in chosen
    ]
    groups = _e2e_groups(figures)
    top_size = max((s for _, s in groups), default=0)
    for chunk, size in groups:
        if size != top_size:
            continue
        ceiling = figures.get(f"ceiling/{chunk}/{size}/mb_per_s")
        if ceiling:
            bars.append((f"aiortc ceiling {size_label(chunk)}", ceiling, _COLOURS["ceiling"]))
        for dest in _dests(figures):
            ferry = figures.get(f"e2e/{dest}/{chunk}/{size}/mb_per_s")
            if ferry:
                bars.append((f"Ferry {dest} {size_label(chunk)}", ferry, _COLOURS.get(dest)))
    ys = range(len(bars))
    ax.barh(
        list(ys),
        [f.median for _, f, _ in bars],
        xerr=_errors([f for _, f, _ in bars]),
        color=[colour for _, _, colour in bars],
        capsize=2,
    )
    ax.set_yticks(list(ys), [label for label, _, _ in bars], fontsize="small")
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("MB/s (log scale)")
    ax.set_title(f"Each stage alone against end to end ({size_label(top_size)} files)")
    ax.grid(axis="x", alpha=0.3)


def _memory_panel(ax: Any, figures: dict[str, Figure]) -> None:
    rates = sorted(
        (f for f in figures.values() if f.params.get("kind") == "memory"),
        key=lambda f: f.params["size"],
    )
    sizes = sorted({f.params["size"] for f in rates})
    labels = [size_label(s) for s in sizes]
    series: dict[str, list[Figure | None]] = {}
    for side in ("sender", "receiver"):
        series[side] = [
            next((f for f in rates if f.params["size"] == s and f.key.endswith(f"{side}_rss_mb")),
                 None)
            for s in sizes
        ]  # fmt: skip
    _grouped_bars(ax, labels, series, "peak RSS, MB")
    ax.set_title("Peak RSS against file size (flat means nothing holds a whole file)")


def _wan_panel(ax: Any, figures: dict[str, Figure]) -> None:
    cells = sorted(
        {
            (f.params["rate_mbit"], f.params["rtt_ms"], f.params["loss_percent"])
            for f in figures.values()
            if f.params.get("kind") == "wan"
        }
    )
    prefixes = [f"wan/{rtt:g}/{loss:g}/{rate:g}" for rate, rtt, loss in cells]
    series = {
        name: [figures.get(f"{p}/{key}_mb_per_s") for p in prefixes]
        for name, key in (
            ("Ferry", "ferry"),
            ("aiortc ceiling", "ceiling"),
            ("TCP BBR", "tcp_bbr"),
            ("TCP CUBIC", "tcp_cubic"),
            ("link", "link"),
        )
    }
    labels = [f"{rtt:g} ms\n{loss:g}%\n{rate:g} Mbit" for rate, rtt, loss in cells]
    _grouped_bars(ax, labels, series, "MB/s")
    ax.set_title("Emulated WAN: round trip, loss each way, rate (MB = 10^6 bytes)")


def write_run_chart(result: RunResult, path: Path) -> None:
    """The run's chart: ratios, throughput, stages, memory; only the panels with data."""
    figures = result.figures
    kinds = {f.params.get("kind") for f in figures.values()}
    panels = []
    if "e2e" in kinds:
        panels += [_ratio_panel, _rate_panel]
    if "stage" in kinds:
        panels.append(_stage_panel)
    if "memory" in kinds:
        panels.append(_memory_panel)
    if "wan" in kinds:
        panels.append(_wan_panel)
    if not panels:
        raise ValueError("nothing to chart: the run has no figures")
    fig, axes = _new_figure(len(panels))
    for panel, ax in zip(panels, axes, strict=True):
        panel(ax, figures)
    partial = " (PARTIAL)" if result.partial else ""
    fig.suptitle(
        f"ferry bench {result.settings.get('profile', '')}{partial}: {result.commit[:12]}, "
        f"{result.timestamp[:16]}, {result.machine.get('cpu', '?')} x"
        f"{result.machine.get('cores', '?')}"
    )
    _save(fig, path)


def write_history_chart(
    entries: list[dict[str, Any]],
    path: Path,
    pattern: str = "e2e/vault/*/ratio",
    context_pattern: str = "ceiling/*/mb_per_s",
) -> int:
    """Figures matching ``pattern`` (and ``context_pattern`` below) over the history's
    runs, oldest left; returns how many lines were drawn."""
    if not entries:
        raise ValueError("the history is empty")
    labels = [_history_label(entry) for entry in entries]
    fig, axes = _new_figure(2, width=max(8.0, 1.0 * len(entries) + 4))
    drawn = 0
    for ax, pat, ylabel in ((axes[0], pattern, pattern), (axes[1], context_pattern, "MB/s")):
        keys = sorted({k for e in entries for k in e["figures"] if fnmatch.fnmatch(k, pat)})
        for key in keys:
            xs, ys, low, high = [], [], [], []
            for x, entry in enumerate(entries):
                value = entry["figures"].get(key)
                if value:
                    median, vmin, vmax = value
                    xs.append(x)
                    ys.append(median)
                    low.append(median - vmin)
                    high.append(vmax - median)
            ax.errorbar(xs, ys, yerr=[low, high], marker="o", capsize=3, label=_short(key))
            drawn += 1
        if pat.endswith("ratio"):
            ax.axhline(TARGET_RATIO, color="green", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(entries)), labels, fontsize="small")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{pat} over commits (* = uncommitted changes)")
        ax.grid(alpha=0.3)
        if keys:
            ax.legend(fontsize="x-small", ncols=3)
    _save(fig, path)
    return drawn


def _history_label(entry: dict[str, Any]) -> str:
    """'1ffec88*\n11-25': short commit (* for uncommitted changes), month and day."""
    commit = str(entry.get("commit", "?"))
    dirty = "*" if commit.endswith("-dirty") else ""
    return f"{commit[:7]}{dirty}\n{str(entry.get('timestamp', ''))[5:10]}"


def _short(key: str) -> str:
    """'e2e/vault/16384/268435456/ratio' -> 'vault 16 KiB 256 MiB'."""
    parts = key.split("/")
    words = [p for p in parts[1:-1] if not p.isdigit()]
    words += [size_label(int(p)) for p in parts[1:-1] if p.isdigit()]
    return " ".join(words) or key
