"""Where Ferry keeps a user's pairing files: its identity and its trusted peers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

IDENTITY_FILE = "identity.pem"
TRUST_FILE = "trusted-peers.json"


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$FERRY_CONFIG_DIR, else $XDG_CONFIG_HOME/ferry, else ~/.config/ferry."""
    env = os.environ if environ is None else environ
    if env.get("FERRY_CONFIG_DIR"):
        return Path(env["FERRY_CONFIG_DIR"]).expanduser()
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "ferry"
    return Path("~/.config/ferry").expanduser()
