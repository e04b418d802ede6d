"""Fault-injection points for the crash-consistency tests.

A crash at an exact instruction (between two segments, after the rename, just before the
database commit) cannot be caused from outside the process, so the store calls
:func:`point` at each such place. In production ``hook`` is None and a point costs one
global lookup. Tests set ``hook`` to a function that kills the process (SIGKILL) or raises
``OSError`` when it sees the point it is after.

Points: ``segment`` (after each full segment is written to the staging file),
``staging-synced``, ``after-rename``, ``before-db-commit``, ``after-db-commit`` (store),
``delete-after-db`` (delete), ``keyfile-before-rename`` (rekey).
"""

from __future__ import annotations

from collections.abc import Callable

hook: Callable[[str], None] | None = None


def point(name: str) -> None:
    """Give a test the chance to crash or fail here."""
    if hook is not None:
        hook(name)
