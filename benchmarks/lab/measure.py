"""Measurements through a built lab: kernel TCP bulk copies and the link's delay and loss."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from .netns import Lab

TCP_PORT = 5201
ECHO_PORT = 5202
_TOOLS = [sys.executable, "-m", "ferry.benchmarks.lab.tools"]


def _json_line(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, err = process.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"lab tool failed ({process.returncode}): {err.strip()[-500:]}")
    return json.loads(lines[-1])


def _ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "ready":
        raise RuntimeError(f"lab server did not start (said {line!r})")


def tcp_bulk(lab: Lab, size: int, congestion: str, timeout: float = 300.0) -> dict[str, Any]:
    """Copy ``size`` bytes sender -> receiver over kernel TCP with ``congestion``."""
    server = lab.popen(
        lab.receiver, [*_TOOLS, "tcp-serve", str(TCP_PORT), str(size)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _ready(server)
    client = lab.popen(
        lab.sender, [*_TOOLS, "tcp-send", lab.receiver_ip, str(TCP_PORT), str(size), congestion],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    result = _json_line(server, timeout)
    used = _json_line(client, 30)["congestion"]
    if used != congestion:
        raise RuntimeError(f"asked for TCP {congestion}, the socket used {used}")
    return result


def probe(lab: Lab, count: int = 200, interval_ms: float = 5.0) -> dict[str, Any]:
    """Round-trip time and loss of small UDP datagrams across the idle link."""
    server = lab.popen(
        lab.receiver, [*_TOOLS, "echo-serve", str(ECHO_PORT)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        _ready(server)
        client = lab.popen(
            lab.sender,
            [*_TOOLS, "echo-probe", lab.receiver_ip, str(ECHO_PORT), str(count), str(interval_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        return _json_line(client, 60)
    finally:
        server.kill()
        server.wait()
