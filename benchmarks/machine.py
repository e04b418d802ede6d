"""What a benchmark ran on: CPU, cores, library versions and the commit.

Throughput on this kind of machine swings with the CPU, the event loop and the crypto
library, so every result carries these; ``ferry bench --compare`` warns when two results
come from different machines.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The folder holding the ``benchmarks`` package: a repository root in a checkout.
_HERE = Path(__file__).resolve().parent.parent


def checkout_root() -> Path | None:
    """The repository root when ``benchmarks`` runs from a git checkout, else None."""
    if (_HERE / ".git").exists() and (_HERE / "pyproject.toml").exists():
        return _HERE
    return None


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            key, _, value = line.partition(":")
            if key.strip() in {"model name", "Model", "Hardware", "cpu model"} and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cryptography_openssl() -> str:
    try:
        from cryptography.hazmat.backends.openssl import backend
    except ImportError:
        return "not installed"
    return str(backend.openssl_version_text())


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            # --no-optional-locks: never refresh the index (another git may be working here)
            ["git", "--no-optional-locks", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_id(root: Path | None = None) -> str:
    """``git rev-parse HEAD``, with ``-dirty`` when the tree has changes; "unknown" outside
    a checkout (an installed copy has no commit to name)."""
    root = root if root is not None else checkout_root()
    if root is None:
        return "unknown"
    head = _git(root, "rev-parse", "HEAD")
    if not head:
        return "unknown"
    status = _git(root, "status", "--porcelain")
    return f"{head}-dirty" if status else head


def commit_date(root: Path | None = None) -> str | None:
    """The committer date of HEAD (ISO 8601), to place a run on a time axis."""
    root = root if root is not None else checkout_root()
    return _git(root, "show", "-s", "--format=%cI", "HEAD") if root is not None else None


def memory_total_mb() -> float | None:
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024 / 1e6
    return None


def machine_info() -> dict[str, Any]:
    """Everything about this machine and its software that moves the figures."""
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(affinity) if affinity is not None else os.cpu_count(),
        "memory_mb": memory_total_mb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "aiortc": _version("aiortc"),
        "aioice": _version("aioice"),
        "uvloop": _version("uvloop"),
        "msgpack": _version("msgpack"),
        "cryptography": _version("cryptography"),
        "openssl_python": ssl.OPENSSL_VERSION,
        "openssl_cryptography": _cryptography_openssl(),
        "ferry": _version("ferry-engine"),
        "executable": sys.executable,
    }
