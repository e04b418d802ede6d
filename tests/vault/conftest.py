"""Fixtures for the vault tests: real SQLCipher databases and real files in tmp folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.actors.storage.vault import Vault

from .vault_helpers import SMALL


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes several seconds (the 1 GiB memory test)")


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def vault(vault_dir: Path, key: bytes) -> Iterator[Vault]:
    with Vault.open(vault_dir, key=key, **SMALL) as opened:
        yield opened
