"""``ferry vault ...``: each command through the same argparse wiring engine/cli/main.py uses,
with the passphrase from FERRY_PASSPHRASE; exit status and one-line errors."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.actors.storage.vault import Vault
from ferry.engine.cli.vault import add_vault_commands, read_passphrase, run_vault_command

from .vault_helpers import store_bytes

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "cli test passphrase"


def ferry(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="ferry")
    add_vault_commands(parser.add_subparsers(dest="command", required=True))
    return run_vault_command(parser.parse_args(list(argv)))


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A passphrase vault with a blob (with a preview) and an inline file."""
    root = tmp_path_factory.mktemp("cli") / "vault"
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        big = store_bytes(vault, os.urandom(200_000), name="videos/clip.mp4")
        small = store_bytes(vault, b"hello", name="notes.txt")
        vault.store_preview(big.id, b"\xff\xd8jpeg", "image/jpeg", 4, 3)
    return root, big, small


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("FERRY_PASSPHRASE", PASSPHRASE)


def test_list_export_preview_verify_delete(stored, tmp_path, capsys):
    root, big, small = stored
    assert ferry("vault", "list", "--vault", str(root)) == 0
    listing = capsys.readouterr().out
    assert big.id in listing and "videos/clip.mp4" in listing and small.id in listing

    assert ferry("vault", "export", big.id, str(tmp_path), "--vault", str(root)) == 0
    assert (tmp_path / "clip.mp4").stat().st_size == 200_000
    assert ferry("vault", "export", big.id, str(tmp_path), "--vault", str(root)) == 1
    assert "already exists" in capsys.readouterr().err

    assert ferry("vault", "preview", big.id, str(tmp_path), "--vault", str(root)) == 0
    assert (tmp_path / "clip.preview.jpg").read_bytes() == b"\xff\xd8jpeg"

    assert ferry("vault", "verify", "--vault", str(root)) == 0
    (root / "blobs" / big.id).write_bytes(b"garbage")
    assert ferry("vault", "verify", "--vault", str(root)) == 1
    out = capsys.readouterr()
    assert f"tampered: stored file {big.id}" in out.out and "1 problem" in out.err

    assert ferry("vault", "delete", big.id, "--vault", str(root)) == 0
    assert ferry("vault", "verify", small.id, "--vault", str(root)) == 0


def test_errors_are_one_line_with_status_1(stored, tmp_path, capsys, monkeypatch):
    root, _big, _small = stored
    assert ferry("vault", "export", "0" * 32, str(tmp_path), "--vault", str(root)) == 1
    assert ferry("vault", "list", "--vault", str(tmp_path / "nowhere")) == 1
    monkeypatch.setenv("FERRY_PASSPHRASE", "wrong")
    assert ferry("vault", "list", "--vault", str(root)) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    assert "no file with id" in errors[0]
    assert "not a Ferry vault" in errors[1]
    assert "wrong passphrase" in errors[2]
    assert not (tmp_path / "nowhere").exists()  # the CLI never creates a vault by accident


def test_read_passphrase_prefers_the_environment(monkeypatch):
    assert read_passphrase() == PASSPHRASE
    assert read_passphrase(confirm=True) == PASSPHRASE


def test_read_passphrase_without_environment_or_input_is_a_clear_error():
    env = {k: v for k, v in os.environ.items() if k != "FERRY_PASSPHRASE"}
    code = (
        "from ferry.engine.cli.vault import read_passphrase\n"
        "from ferry.errors import ConfigError\n"
        "try:\n    read_passphrase()\nexcept ConfigError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )
    assert "set FERRY_PASSPHRASE" in result.stdout
