"""Measurements through a built lab: kernel TCP bulk copies and the link's delay and loss."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
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


_RTC = [sys.executable, "-m", "ferry.benchmarks.lab.rtc_peer"]


def _line(process: subprocess.Popen[str], key: str) -> Any:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"an aiortc peer exited before sending {key!r}")
    return json.loads(line)[key]


def _say(process: subprocess.Popen[str], obj: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps(obj) + "\n")
    process.stdin.flush()


def rtc_ceiling(lab: Lab, size: int, message: int, timeout: float = 600.0) -> dict[str, Any]:
    """aiortc alone, sender -> receiver namespace, with Ferry's transport tuning."""
    pipes: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    receiver = lab.popen(lab.receiver, [*_RTC, "receive", lab.receiver_ip, str(size)], **pipes)
    sender = lab.popen(lab.sender, [*_RTC, "send", lab.sender_ip, str(size), str(message)], **pipes)
    _say(receiver, {"offer": _line(sender, "offer")})
    _say(sender, {"answer": _line(receiver, "answer")})
    got = _line(receiver, "result")
    _say(sender, {"done": got})
    sent = _line(sender, "result")
    for process in (sender, receiver):
        process.wait(timeout=30)
    seconds = got["last_byte"] - sent["first_send"]
    return {
        "bytes": got["received"],
        "seconds": seconds,
        "mb_per_s": got["received"] / seconds / 1e6,
        "longest_gap": got["longest_gap"],
        "congestion": sent.get("congestion", {}),
    }


_FERRY = [sys.executable, "-m", "ferry.engine.cli"]
FERRY_PORT = 7070
_LISTEN_SECONDS = 60.0


@functools.cache
def _pairs_by_code() -> bool:
    """Whether this ``ferry`` pairs by code: ``ferry receive`` then prints ``code: ...``
    (after ``listening on``) and ``ferry send`` needs it as ``--code``."""
    shown = subprocess.run([*_FERRY, "send", "--help"], capture_output=True, text=True)
    return "--code" in shown.stdout


def _listening(receiver: subprocess.Popen[str]) -> str | None:
    """Wait for ``ferry receive`` to listen (and show its code, where it pairs by code)."""
    assert receiver.stdout is not None
    code = None
    listening = False
    want_code = _pairs_by_code()
    while not listening or (want_code and code is None):
        line = receiver.stdout.readline()
        if not line:
            raise RuntimeError(f"ferry receive exited ({receiver.wait()}) before listening")
        line = line.strip()
        if line.startswith("code:"):
            code = line.split(":", 1)[1].strip()
        elif line.startswith("listening on"):
            listening = True
    return code


def _tree_bytes(root: str) -> int:
    """Bytes under ``root``, the receiver's staging folder included."""
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            with contextlib.suppress(FileNotFoundError):  # renamed into place meanwhile
                total += os.stat(os.path.join(folder, name)).st_size
    return total


def ferry_transfer(
    lab: Lab,
    path: str,
    out_dir: str,
    timeout: float = 900.0,
    during: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """``ferry send PATH`` in the sender namespace to ``ferry receive --out`` in the
    receiver's; the wall time of the sending process, and the longest time the received
    file did not grow (polled every 20 ms). ``during(bytes received, monotonic time)`` is
    called at each poll (a benchmark cuts the link from it)."""
    env = {**os.environ, "FERRY_PASSPHRASE": ""}
    receiver = lab.popen(
        lab.receiver,
        [*_FERRY, "receive", "--listen", f"{lab.receiver_ip}:{FERRY_PORT}", "--out", out_dir,
         "--once", "--no-previews", "--ice-address", lab.receiver_ip],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    code = _listening(receiver)
    argv = [*_FERRY, "send", "--connect", f"{lab.receiver_ip}:{FERRY_PORT}",
            "--ice-address", lab.sender_ip]  # fmt: skip
    if code:
        argv += ["--code", code]
    started = time.monotonic()
    sender = lab.popen(
        lab.sender, [*argv, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    longest_gap, last_size, last_change = 0.0, -1, started
    while sender.poll() is None:
        time.sleep(0.02)
        now = time.monotonic()
        size = _tree_bytes(out_dir)
        if size != last_size:
            if last_size > 0:
                longest_gap = max(longest_gap, now - last_change)
            last_size, last_change = size, now
        if during is not None:
            during(size, now)
        if now - started > timeout:
            sender.kill()
            raise TimeoutError(f"ferry send took more than {timeout:.0f} s")
    seconds = time.monotonic() - started
    out, err = sender.communicate()
    if sender.returncode != 0:
        raise RuntimeError(f"ferry send failed ({sender.returncode}): {err.strip()[-500:]}")
    try:
        receiver.wait(timeout=30)
    except subprocess.TimeoutExpired:
        receiver.kill()
        receiver.wait()
    received, complaints = receiver.communicate()
    return {
        "seconds": seconds,
        "longest_gap": longest_gap,
        "output": out.strip(),
        "receiver_status": receiver.returncode,
        "receiver_output": received.strip(),
        "receiver_errors": complaints.strip(),
    }


def share_link(lab: Lab, seconds: float, congestion: str, warmup: float = 5.0) -> dict[str, Any]:
    """aiortc with Ferry's transport tuning and one kernel TCP flow (``congestion``) sharing
    the link: what each moved in the same ``seconds``, after ``warmup`` seconds."""
    huge = str(1 << 40)
    start = time.monotonic() + warmup + 3.0  # the WebRTC set-up comes first
    end = start + seconds
    pipes: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    receiver = lab.popen(
        lab.receiver, [*_RTC, "receive", lab.receiver_ip, huge, str(start), str(end)], **pipes
    )
    sender = lab.popen(lab.sender, [*_RTC, "send", lab.sender_ip, huge, "16384"], **pipes)
    _say(receiver, {"offer": _line(sender, "offer")})
    _say(sender, {"answer": _line(receiver, "answer")})
    server = lab.popen(
        lab.receiver, [*_TOOLS, "tcp-window", str(TCP_PORT), str(start), str(end)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _ready(server)
    client = lab.popen(
        lab.sender, [*_TOOLS, "tcp-send", lab.receiver_ip, str(TCP_PORT), huge, congestion],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    timeout = end - time.monotonic() + 30
    tcp = _json_line(server, timeout)
    ferry = _line(receiver, "result")
    for process in (sender, client):
        process.kill()
        process.wait()
    return {"ferry_mb_per_s": ferry["mb_per_s"], "tcp_mb_per_s": tcp["mb_per_s"]}
