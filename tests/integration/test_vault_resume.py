"""Resume into the vault from a killed `ferry receive --vault`, and `ferry vault pending`.

(A dropped connection into a vault is in test_resume.py, beside the folder's.)

The vault keeps an unfinished store's durable prefix, already encrypted, with a pending row
in its database; the next offer of the same file continues it at that offset, whether it
comes over a reconnected link in the same process or to a receiver started again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.actors.storage.vault import Vault

from .helpers import (
    check_stored_in_vault,
    free_port,
    run,
    send_once,
    send_until_killed,
    start_receiver,
    write_random,
)

MIB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "resume test passphrase"


def _staged(vault_dir: Path) -> int:
    return sum(p.stat().st_size for p in (vault_dir / "staging").glob("*"))


def _vault_receiver(vault_dir: Path, port: int) -> subprocess.Popen[str]:
    where = ("--vault", str(vault_dir), "--no-previews")
    return start_receiver(port, *where, passphrase=PASSPHRASE)


@pytest.mark.parametrize("changed", [False, True], ids=["same-file", "changed-file"])
def test_a_killed_vault_receiver_resumes_from_its_database(tmp_path: Path, changed: bool) -> None:
    source = tmp_path / "big.bin"
    write_random(source, 32 * MIB, seed=12)
    vault_dir, port = tmp_path / "vault", free_port()
    first = _vault_receiver(vault_dir, port)
    try:
        # Past two checkpoints (every 4 MiB) before the kill.
        run(send_until_killed(source, port, first, lambda: _staged(vault_dir) >= 10 * MIB))
    finally:
        first.kill()
        first.communicate()
    with Vault.open(vault_dir, passphrase=PASSPHRASE, create=False) as vault:
        (pending,) = vault.pending()
        assert vault.list() == []
    assert pending.durable >= 4 * MIB and pending.path == "big.bin"
    if changed:  # a new version at the sender: same size, another modification time
        data = bytearray(source.read_bytes())
        data[-1] ^= 0xFF
        source.write_bytes(bytes(data))
        os.utime(source, ns=(0, pending.mtime_ms * 1_000_000 + 5_000_000))

    second = _vault_receiver(vault_dir, port)
    try:
        result = run(send_once(source, port, second.code))
        _, errors = second.communicate(timeout=60)
    finally:
        second.kill()
    assert second.returncode == 0, errors
    assert result.resumed_from == (0 if changed else pending.durable)
    assert result.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    check_stored_in_vault(vault_dir, source, passphrase=PASSPHRASE)
    if changed:
        assert "changed at the sender" in errors


def test_vault_pending_lists_and_discards_from_the_command_line(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    data = os.urandom(3 * MIB)
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as vault:
        for resume_key in ("first-key", "second-key"):
            writer = vault.begin(name=f"{resume_key}.bin", size=len(data), resume_key=resume_key)
            writer.write(data[: 2 * MIB + 500_000])
            vault.suspend(writer)

    def ferry_vault(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ferry.engine.cli", "vault", "pending", "--vault",
             str(vault_dir),
             *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "FERRY_PASSPHRASE": PASSPHRASE},
        )  # fmt: skip

    listed = ferry_vault()
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["first-key", "first-key.bin"],
        ["second-key", "second-key.bin"],
    ]
    assert "2,097,152 of 3,145,728 bytes" in lines[0]  # two whole 1 MiB segments
    assert ferry_vault("--discard", "first-key").returncode == 0
    missing = ferry_vault("--discard", "first-key")
    assert missing.returncode == 1 and "no unfinished transfer" in missing.stderr
    assert ferry_vault("--discard-all").returncode == 0
    assert ferry_vault().stdout.strip() == "no unfinished transfers"
    assert list((vault_dir / "staging").iterdir()) == []
