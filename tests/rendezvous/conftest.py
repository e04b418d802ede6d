"""The real mailbox server, one per test, in the test's folder (see servers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from .servers import MailboxServer

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 40) -> T:
    """One scenario on a fresh event loop, with a hard upper bound."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailboxServer]:
    mailbox_server = MailboxServer(tmp_path)
    mailbox_server.start()
    try:
        yield mailbox_server
    finally:
        mailbox_server.kill()
