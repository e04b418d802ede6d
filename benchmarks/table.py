"""The run's figures as aligned plain-text tables for the terminal.

Plain text on purpose: it reads the same in a terminal, a CI log and a pasted issue.
Every value is "median (min-max)" of the runs; Ferry/ceiling ratios are the medians of
per-run pairs, not a ratio of medians.
"""

from __future__ import annotations

from collections.abc import Sequence

from .results import Figure, RunResult, short_commit
from .stages import STAGE_NAMES
from .units import size_label


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """Columns padded to their widest cell; ``align`` has one "<" or ">" per column
    (default: first column left, the rest right)."""
    align = align or "<" + ">" * (len(headers) - 1)
    widths = [len(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.ljust(width) if how == "<" else cell.rjust(width)
            for cell, width, how in zip(cells, widths, align, strict=True)
        )
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def cell(figure: Figure | None, digits: int | None = None) -> str:
    """ "median (min-max)", or the median alone for a single run; "-" when missing."""
    if figure is None:
        return "-"

    def fmt(value: float) -> str:
        return f"{value:.{digits}f}" if digits is not None else _num(value)

    if len(figure.runs) == 1:
        return fmt(figure.median)
    return f"{fmt(figure.median)} ({fmt(figure.min)}-{fmt(figure.max)})"


def _header(result: RunResult) -> str:
    m, s = result.machine, result.settings
    state = " PARTIAL (interrupted)" if result.partial else ""
    custom = f" (custom: {', '.join(s['overridden'])})" if s.get("overridden") else ""
    return (
        f"ferry bench {s.get('profile', '?')}{custom}{state}: commit "
        f"{short_commit(result.commit)}, {result.timestamp}\n"
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores; Python {m.get('python', '?')}, "
        f"aiortc {m.get('aiortc', '?')}, uvloop {m.get('uvloop', '?')}, "
        f"{m.get('openssl_cryptography', '?')}; loop {s.get('loop', '?')}\n"
        "MB = 10^6 bytes; every value is median (min-max) of the runs"
    )


def _stages(figures: dict[str, Figure]) -> str | None:
    rows = []
    order = list(STAGE_NAMES)
    stage_figs = [f for f in figures.values() if f.params.get("kind") == "stage"]
    stage_figs.sort(key=lambda f: (order.index(f.params["stage"]), f.params["size"]))
    for figure in stage_figs:
        stage, size = figure.params["stage"], figure.params["size"]
        rows.append([STAGE_NAMES.get(stage, stage), size_label(size), cell(figure, 0)])
    if not rows:
        return None
    return "Stages alone (MB/s)\n" + render_table(["stage", "size", "MB/s"], rows, "<>>")


def _e2e(figures: dict[str, Figure]) -> str | None:
    groups = sorted(
        {
            (f.params["chunk"], f.params["size"])
            for f in figures.values()
            if f.params.get("kind") in {"ceiling", "ceiling_acks", "e2e"}
        },
        key=lambda group: (group[1], group[0]),
    )
    dests = sorted(
        {f.params["dest"] for f in figures.values() if f.params.get("kind") == "e2e"},
        key=lambda d: (d != "folder", d),
    )
    rows = []
    for chunk, size in groups:
        base = f"{chunk}/{size}"
        for what in ["ceiling", "ceiling+dsack", *dests]:
            prefix = {"ceiling": f"ceiling/{base}", "ceiling+dsack": f"ceiling_acks/{base}"}.get(
                what, f"e2e/{what}/{base}"
            )
            rate = figures.get(f"{prefix}/mb_per_s")
            if rate is None:
                continue
            over_raw = figures.get(f"{prefix}/over_raw")  # the ceiling+dsack row
            rows.append(
                [
                    size_label(chunk),
                    size_label(size),
                    what,
                    cell(rate),
                    cell(over_raw or figures.get(f"{prefix}/ratio"), 2)
                    if what != "ceiling"
                    else "",
                    cell(figures.get(f"{prefix}/ratio_acks"), 2)
                    if prefix.startswith("e2e")
                    else "",
                    _cpu(figures, prefix),
                    cell(figures.get(f"{prefix}/sender_rss_mb"), 0),
                    cell(figures.get(f"{prefix}/receiver_rss_mb"), 0),
                    str(len(rate.runs)),
                ]
            )
        pair = figures.get(f"e2e/vault_over_folder/{base}/ratio")
        if pair is not None:
            rows.append(
                ["", "", "vault/folder", "", cell(pair, 2), "", "", "", "", str(len(pair.runs))]
            )
    if not rows:
        return None
    headers = ["chunk", "file", "", "MB/s", "/ceiling", "/ceiling+dsack", "CPU/byte snd, rcv"]
    headers += ["RSS snd MB", "RSS rcv MB", "runs"]
    return (
        "End to end, two processes. ceiling: aiortc as it is (a SACK per packet); "
        "ceiling+dsack: aiortc with Ferry's delayed SACKs\nand 4 MiB socket buffers, like "
        "for like. Ratios are medians of per-run pairs; CPU/byte is Ferry's against\n"
        "ceiling+dsack's (the raw ceiling's when that was not run)\n"
        + render_table(headers, rows, "<<<>>>>>>>")
    )


def _cpu(figures: dict[str, Figure], prefix: str) -> str:
    """ "1.04, 1.31": CPU time per byte of each side against the ceiling's (medians)."""
    for suffix in ("_acks", ""):
        sides = [
            figures.get(f"{prefix}/{side}_cpu_ratio{suffix}") for side in ("sender", "receiver")
        ]
        if all(sides):
            return ", ".join(f"{figure.median:.2f}" for figure in sides if figure)
    return ""


def _memory(figures: dict[str, Figure]) -> str | None:
    rows = []
    for figure in sorted(figures.values(), key=lambda f: f.key):
        if figure.params.get("kind") != "memory" or not figure.key.endswith("/mb_per_s"):
            continue
        prefix = figure.key.removesuffix("/mb_per_s")
        rows.append(
            [
                size_label(figure.params["size"]),
                figure.params["dest"],
                size_label(figure.params["chunk"]),
                cell(figure),
                cell(figures.get(f"{prefix}/sender_rss_mb"), 0),
                cell(figures.get(f"{prefix}/receiver_rss_mb"), 0),
            ]
        )
    if not rows:
        return None
    rows.sort(key=lambda row: (row[1], row[2]))
    lines = [
        "Memory against file size (peak RSS, MB)",
        render_table(["file", "dest", "chunk", "MB/s", "RSS snd MB", "RSS rcv MB"], rows, "<<<>>>"),
    ]
    for figure in sorted(figures.values(), key=lambda f: f.key):
        if figure.params.get("kind") == "memory_growth":
            side = figure.key.rsplit("/", 1)[1].split("_")[0]
            p = figure.params
            lines.append(
                f"{side} peak RSS, {size_label(p['large'])} minus {size_label(p['small'])} "
                f"({p['dest']}, {size_label(p['chunk'])}): {figure.median:+.1f} MB"
            )
    return "\n".join(lines)


def _wan(figures: dict[str, Figure]) -> str | None:
    cells = sorted(
        {
            (f.params["rate_mbit"], f.params["rtt_ms"], f.params["loss_percent"], f.params["size"])
            for f in figures.values()
            if f.params.get("kind") == "wan"
        }
    )
    rows = []
    for rate, rtt, loss, size in cells:
        p = f"wan/{rtt:g}/{loss:g}/{rate:g}"

        def get(name: str, digits: int = 2, p: str = p, spread: bool = False) -> str:
            figure = figures.get(f"{p}/{name}")
            if figure is None or spread:
                return cell(figure, digits)
            if name.endswith("gap_s"):  # a stall in any run counts
                return f"{figure.max:.{digits}f}"
            return f"{figure.median:.{digits}f}"  # the width of a terminal: medians only

        rows.append(
            [f"{rtt:g} ms", f"{loss:g}%", f"{rate:g}", size_label(size)]
            + [get(f"{m}_mb_per_s") for m in ("ferry", "ceiling", "tcp_bbr", "tcp_cubic")]
            + [get("link_mb_per_s"), get("ferry_over_link", spread=True)]
            + [get("ferry_over_bbr", spread=True), get("ferry_over_cubic", spread=True)]
            + [get("ferry_longest_gap_s"), get("ceiling_longest_gap_s")]
            + [get("rtt_measured_ms", 1), get("loss_measured_percent"), get("stage_late_ms")]
        )
    if not rows:
        return None
    headers = ["rtt", "loss", "Mbit", "file", "Ferry", "ceiling", "TCP BBR", "TCP CUBIC", "link"]
    headers += ["F/link", "F/BBR", "F/CUBIC", "gap F s", "gap ceil s", "rtt ms", "loss %"]
    headers += ["late ms"]
    return (
        "Emulated WAN (MB/s: medians; ratios: median (min-max) of per-run pairs; gap: the "
        "longest time\nnothing arrived, worst run; rtt and loss as "
        "measured on the link; late: the\nimpairment stage's mean lateness)\n"
        + render_table(headers, rows, "<<<<" + ">" * 13)
    )


def render_run(result: RunResult) -> str:
    """The whole run: a header with the machine, then one table per kind of figure."""
    parts = [_header(result)]
    for section in (_stages, _e2e, _memory, _wan):
        text = section(result.figures)
        if text:
            parts.append(text)
    if not result.figures:
        parts.append("(no figures measured)")
    if result.notes:
        parts.append("Notes\n" + "\n".join(f"- {note}" for note in result.notes))
    if result.errors:
        parts.append("Failed steps\n" + "\n".join(f"- {error}" for error in result.errors))
    return "\n\n".join(parts)
