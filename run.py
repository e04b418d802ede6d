#!/usr/bin/env python3
"""Set-up and entry point for a fresh clone: `python3 run.py demo` or `python3 run.py test`.

Builds `.venv` beside this file on first use (and again whenever pyproject.toml changes),
installs Ferry into it with its test and bench extras, then runs the command inside it.
Needs only Python 3.11+ and pip, so the README's two commands are the whole set-up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ferry-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")

BENCHMARKS = ("suite", "transfer", "ceiling", "previews", "resume", "vault", "codec", "web")

USAGE = """usage: python3 run.py COMMAND [ARGS...]

  demo [ARGS]   run `ferry demo` (a real transfer between two processes on loopback)
  test [ARGS]   run ruff and the test suite (ARGS go to pytest); as root, first installs
                the system packages some tests need (iptables, coturn) when missing
  bench [ARGS]  the benchmark suite, `ferry bench` ([--quick | --large], --compare OLD NEW)
  bench NAME    one benchmark: suite, transfer, ceiling, previews, resume, vault, codec or web
                (see benchmarks/README.md)
  ferry [ARGS]  run any `ferry` command inside the environment
"""


def _pyproject_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create the environment and (re)install when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 -- run.py may be started by an older python3
        sys.exit(f"Ferry needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    digest = _pyproject_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print(f"creating virtual environment in {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing Ferry with its test and bench extras (first run only)", file=sys.stderr)
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        check=True,
    )
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test,bench]"],
        check=True,
    )
    STAMP.write_text(digest)


def ensure_lab_extra() -> None:
    """The WAN lab's netfilterqueue, when it can be built here: it compiles against
    libnetfilter-queue-dev, which a machine without root may lack. Without it the lab's
    tests and `ferry bench --wan` skip, saying what to install; nothing else needs it."""
    python = str(BIN / "python")
    if not sys.platform.startswith("linux"):
        return
    if subprocess.run([python, "-c", "import netfilterqueue"], capture_output=True).returncode == 0:
        return
    header = Path("/usr/include/libnetfilter_queue/libnetfilter_queue.h")
    if not header.exists():
        return  # the lab's tests say what is missing
    print("installing the lab extra (netfilterqueue)", file=sys.stderr)
    built = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[lab]"],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        last = (built.stderr.strip().splitlines() or ["?"])[-1]
        print(f"the lab extra did not build ({last}); the lab's tests will skip", file=sys.stderr)


#: Programs some tests need from the system, and the Debian package of each. `test` installs
#: the missing ones when it runs as root with apt-get (as CI does); elsewhere those tests
#: skip with a one-line reason naming the package.
SYSTEM_PACKAGES = {
    "iptables": "iptables",  # NAT in the network lab (tests/lab)
    "turnserver": "coturn",  # the TURN relay in the network lab
    "ethtool": "ethtool",  # wire-size packets in the WAN lab (benchmarks/lab)
    # the headers the netfilterqueue package (the lab extra) builds against
    "/usr/include/libnetfilter_queue/libnetfilter_queue.h": "libnetfilter-queue-dev",
    "chromium": "chromium",  # the browser the page's tests drive (tests/web)
}


def _present(need: str) -> bool:
    """A program on PATH, or a file (a header a package builds against) that exists."""
    return Path(need).exists() if need.startswith("/") else shutil.which(need) is not None


def ensure_system_packages() -> None:
    """Install the missing system packages the tests need, when this can (root, apt-get)."""
    missing = sorted({pkg for need, pkg in SYSTEM_PACKAGES.items() if not _present(need)})
    if not missing:
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            f"not installing {', '.join(missing)} (needs root and apt-get): "
            "the tests that need them will skip",
            file=sys.stderr,
        )
        return
    print(f"installing {', '.join(missing)} from Debian's packages", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, env=env, check=False)
    installed = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        stdout=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    if installed.returncode != 0:
        print(f"could not install {', '.join(missing)}: those tests will skip", file=sys.stderr)


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in {"demo", "test", "bench", "ferry"}:
        print(USAGE, file=sys.stderr)
        return 2
    if command in {"test", "bench"}:
        # first: the lab extra's netfilterqueue builds against libnetfilter-queue-dev
        ensure_system_packages()
    ensure_venv()
    if command in {"test", "bench"}:
        ensure_lab_extra()
    python = str(BIN / "python")
    if command == "demo":
        return _run([str(BIN / "ferry"), "demo", *rest])
    if command == "ferry":
        return _run([str(BIN / "ferry"), *rest])
    if command == "bench":
        if not rest or rest[0].startswith("-"):  # the whole suite: `ferry bench [ARGS]`
            return _run([str(BIN / "ferry"), "bench", *rest])
        if rest[0] not in BENCHMARKS:
            print(f"usage: python3 run.py bench [{'|'.join(BENCHMARKS)}] [ARGS]", file=sys.stderr)
            return 2
        return _run([python, "-m", f"ferry.benchmarks.{rest[0]}", *rest[1:]])
    lint = _run([python, "-m", "ruff", "check", "."]) or _run(
        [python, "-m", "ruff", "format", "--check", "--quiet", "."]
    )
    if lint:
        return lint
    return _run([python, "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
