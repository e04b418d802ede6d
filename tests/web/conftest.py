from __future__ import annotations

from collections.abc import Iterator

import pytest

from .node import Bridge


@pytest.fixture(scope="module")
def bridge() -> Iterator[Bridge]:
    js = Bridge()
    try:
        yield js
    finally:
        js.close()
