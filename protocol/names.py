"""Names from a peer are untrusted: only a safe relative path may ever be written.

A valid name is a relative POSIX path whose every component is a plain file name that is
also legal on Windows: no ``..`` or ``.``, no empty component, no absolute path or drive, no
backslash, no NUL or other control character, no reserved device name (``CON``, ``NUL``,
``COM1``...), no trailing dot or space, and bounded length and depth.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ProtocolError
from .limits import MAX_NAME_BYTES, MAX_NAME_COMPONENT_BYTES, MAX_NAME_DEPTH

_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in range(10)]
    + [f"LPT{i}" for i in range(10)]
    + ["COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"]
)
_FORBIDDEN_CHARS = frozenset('\\<>:"|?*')
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_unprintable(ch: str) -> bool:
    """Control, format (bidi overrides...), surrogate and line/paragraph separators."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def name_problem(name: object) -> str | None:
    """Return why ``name`` is not a safe relative path, or None when it is."""
    if not isinstance(name, str):
        return f"name must be a string, got {type(name).__name__}"
    if not name:
        return "name is empty"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "name is not valid UTF-8 (lone surrogate)"
    if len(encoded) > MAX_NAME_BYTES:
        return f"name is {len(encoded)} bytes, more than {MAX_NAME_BYTES}"
    if name.startswith("/") or _DRIVE.match(name):
        return f"name {name!r} is an absolute path"
    for ch in name:
        if is_unprintable(ch):
            return f"name {name!r} contains control character U+{ord(ch):04X}"
        if ch in _FORBIDDEN_CHARS:
            return f"name {name!r} contains forbidden character {ch!r}"
    parts = name.split("/")
    if len(parts) > MAX_NAME_DEPTH:
        return f"name {name!r} is {len(parts)} levels deep, more than {MAX_NAME_DEPTH}"
    for part in parts:
        if part in {"", ".", ".."}:
            return f"name {name!r} has an empty, '.' or '..' component"
        if len(part.encode("utf-8")) > MAX_NAME_COMPONENT_BYTES:
            return f"name {name!r} has a component longer than {MAX_NAME_COMPONENT_BYTES} bytes"
        if part[-1] in ". ":
            return f"name {name!r} has a component ending in a dot or space"
        if part.split(".")[0].upper().rstrip(" ") in _WINDOWS_DEVICES:
            return f"name {name!r} uses a reserved device name"
    return None


def check_name(name: object) -> str:
    """Return ``name`` if it is a safe relative path, else raise :class:`ProtocolError`."""
    problem = name_problem(name)
    if problem is not None:
        raise ProtocolError(problem, code="unsafe-name")
    assert isinstance(name, str)
    return name


def name_parts(name: str) -> list[str]:
    """Components of a name already checked by :func:`check_name`."""
    return name.split("/")
