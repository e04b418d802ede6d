"""The JavaScript implementation (web/) behind a pipe, for cross-implementation tests.

Node is needed (and npm, once, to install web/'s pinned packages with ``npm ci``); without
them the tests skip with one line saying why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def node_or_skip() -> str:
    """Node, with web/'s pinned packages installed (``npm ci`` once when npm is here)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript side cannot run")
    if not (WEB / "node_modules" / "esbuild").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: web/'s packages cannot be installed")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True, text=True
        )
        if result.returncode != 0:
            pytest.skip(f"npm ci failed (no registry?): {result.stderr.strip()[-200:]}")
    return node


def to_json(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bin": bytes(value).hex()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if "$bin" in value:
            return bytes.fromhex(value["$bin"])
        return {k: from_json(v) for k, v in value.items()}
    return value


class Bridge:
    """One node process answering requests line by line (web/tools/bridge.mjs)."""

    def __init__(self) -> None:
        node = node_or_skip()
        self.process = subprocess.Popen(
            [node, str(WEB / "tools" / "bridge.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=WEB,
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the node bridge died")
        answer = json.loads(line)
        if "crash" in answer:
            raise RuntimeError(f"the JavaScript side crashed: {answer['crash']}")
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)
