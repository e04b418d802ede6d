"""The WAN lab's tests need root and the lab's tools; without them they skip in one line."""

from __future__ import annotations

import pytest

from ferry.benchmarks.lab import lab_missing


@pytest.fixture
def lab_ready() -> None:
    missing = lab_missing()
    if missing:
        pytest.skip(missing)
