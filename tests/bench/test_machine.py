"""Machine information recorded with every run."""

from __future__ import annotations

import re
from pathlib import Path

from ferry.benchmarks.machine import checkout_root, commit_id, machine_info


def test_machine_info_names_the_cpu_cores_and_versions() -> None:
    info = machine_info()
    for field in (
        "cpu",
        "cores",
        "python",
        "aiortc",
        "uvloop",
        "cryptography",
        "openssl_python",
        "openssl_cryptography",
    ):
        assert info[field], field
    assert isinstance(info["cores"], int) and info["cores"] >= 1
    assert re.fullmatch(r"\d+\.\d+\.\d+", info["python"])
    assert info["openssl_python"].startswith("OpenSSL")
    assert "OpenSSL" in info["openssl_cryptography"]


def test_the_commit_is_the_checkouts_head_or_unknown(tmp_path: Path) -> None:
    root = checkout_root()
    if root is not None:
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", commit_id(root))
    assert commit_id(tmp_path) == "unknown"  # not a repository
