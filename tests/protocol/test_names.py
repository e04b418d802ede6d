"""Names from a peer: only safe relative paths, which never leave the target folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from ferry.protocol import strategies as fs
from ferry.protocol.errors import ProtocolError
from ferry.protocol.names import check_name, name_problem


@given(fs.safe_names())
def test_a_safe_name_stays_inside_the_target_folder(name: str) -> None:
    root = Path("/srv/ferry-inbox")
    resolved = (root / name).resolve()
    assert resolved.is_relative_to(root) and resolved != root


@given(fs.unsafe_names())
def test_unsafe_names_are_refused(name: str) -> None:
    assert name_problem(name) is not None
    with pytest.raises(ProtocolError):
        check_name(name)


@pytest.mark.parametrize(
    "name", ["a.txt", "dir/sub/file.tar.gz", "über/naïve.jpg", ".hidden", "a..b", "x/...y"]
)
def test_ordinary_names_are_accepted(name: str) -> None:
    assert check_name(name) == name
