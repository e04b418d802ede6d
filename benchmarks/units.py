"""Sizes as people write them (``64M``, ``16k``) and as tables show them (``64 MiB``)."""

from __future__ import annotations

from collections.abc import Sequence

from ferry.engine.sizes import parse_size

__all__ = ["names_list", "parse_size", "size_label", "sizes_list"]


def size_label(size: int) -> str:
    """262144 -> '256 KiB', 67108864 -> '64 MiB', 262048 -> '262048 B'."""
    for unit, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} B"


def sizes_list(text: str) -> list[int]:
    return [parse_size(part) for part in text.split(",") if part.strip()]


def names_list(text: str, allowed: Sequence[str]) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ValueError(f"unknown: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return names
