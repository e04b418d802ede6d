"""Without the ``previews`` extra Ferry still imports and runs; asking for previews then is
a clear error that names the extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# Pillow, ffmpeg-python and imageio-ffmpeg are installed here, so the child hides them: a
# None in sys.modules makes their import fail as if they were missing.
SCRIPT = textwrap.dedent(
    """
    import sys
    for name in ("PIL", "ffmpeg", "imageio_ffmpeg"):
        sys.modules[name] = None
    from ferry.engine import ConfigError, EngineConfig
    from ferry.engine.cli import build_parser
    build_parser()
    vault = sys.argv[1]
    try:
        EngineConfig(vault_dir=vault, vault_passphrase="p")
    except ConfigError as exc:
        print("refused:", exc)
    EngineConfig(vault_dir=vault, vault_passphrase="p", previews=None)
    EngineConfig(output_dir=vault)
    print("imported:", "PIL" in sys.modules and sys.modules["PIL"] is not None)
    """
)


def test_no_previews_extra_means_a_clear_error_only_when_previews_are_asked_for(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    refused, imported = result.stdout.splitlines()
    assert "pip install 'ferry-engine[previews]'" in refused
    assert "Pillow" in refused and "--no-previews" in refused
    assert imported == "imported: False"
