"""Sizes as people write them: ``16k``, ``64KiB``, ``1m``, ``65536`` (binary units)."""

from __future__ import annotations

import re

from ferry.errors import ConfigError

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str | int) -> int:
    """Bytes from ``16k``, ``64KiB``, ``1m``, ``65536``; a ConfigError names what is wrong."""
    if isinstance(text, int):
        return text
    match = _SIZE.match(text)
    if match is None:
        raise ConfigError(f"not a size: {text!r} (examples: 16k, 64KiB, 1m, 65536)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def format_size(size: int) -> str:
    """A size for people, in binary units to one decimal: 1536 -> '1.5 KiB'."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit:
            return f"{size / unit:.1f} {name}"
    return f"{size} B"
