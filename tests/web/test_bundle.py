"""The committed page scripts are exactly what web/ builds.

engine/web/static/ferry.js and sw.js are served as committed (a fresh clone needs only
Python); this rebuilds them from web/src with the pinned packages (web/package-lock.json,
`npm ci`) and compares byte for byte, so the served bundle can never drift from the
reviewed source. Skips with one line when node or npm is missing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .node import WEB, node_or_skip

STATIC = WEB.parent / "engine" / "web" / "static"
BUILT = ("ferry.js", "sw.js")


def test_the_committed_bundle_is_what_the_sources_build(tmp_path: Path) -> None:
    node = node_or_skip()
    env = {**os.environ, "FERRY_WEB_OUT": str(tmp_path)}
    result = subprocess.run(
        [node, "build.mjs"], cwd=WEB, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for name in BUILT:
        rebuilt, committed = (tmp_path / name).read_bytes(), (STATIC / name).read_bytes()
        assert rebuilt == committed, (
            f"engine/web/static/{name} is not what web/ builds: run `cd web && npm ci && "
            "node build.mjs` and commit the result"
        )
