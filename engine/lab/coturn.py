"""coturn (Debian's ``coturn``, the ``turnserver`` command) as Ferry's tests and the lab start
it: a generated configuration in a folder of the caller, the TURN REST API's shared secret
(time-limited credentials, engine/ice_servers.py), plain UDP and TCP only (no TLS), its log
read to the end so the pipe never fills, and its whole process group killed on stop.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ferry.errors import FerryError

from .server_process import start_server, stop_server

#: The last line coturn logs once its listeners and relay threads run.
_READY_MARKER = "Total General servers"


def coturn_missing() -> str | None:
    """Why coturn cannot run here, in one line; None when it can."""
    if shutil.which("turnserver") is None:
        return "needs coturn's turnserver (Debian package coturn)"
    return None


class Coturn:
    """One coturn on ``listen_ip``:``port``; relays from ``relay_ip`` (default the same)."""

    def __init__(
        self,
        folder: Path,
        *,
        listen_ip: str = "127.0.0.1",
        relay_ip: str | None = None,
        port: int = 3478,
        secret: str | None = None,
        prefix: Sequence[str] = (),
    ) -> None:
        """``prefix`` runs it elsewhere (``ip netns exec NS``)."""
        self.folder = folder
        self.listen_ip = listen_ip
        self.relay_ip = relay_ip or listen_ip
        self.port = port
        self.secret = secret or secrets.token_urlsafe(24)
        self.prefix = tuple(prefix)
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    def url(self, transport: str = "udp") -> str:
        """A TURN URL without credentials: give :attr:`secret` as the TURN secret."""
        return f"turn:{self.listen_ip}:{self.port}?transport={transport}"

    @property
    def stun_url(self) -> str:
        return f"stun:{self.listen_ip}:{self.port}"

    def _config(self) -> Path:
        loopback = self.listen_ip.startswith("127.")
        lines = [
            f"listening-ip={self.listen_ip}",
            f"relay-ip={self.relay_ip}",
            f"listening-port={self.port}",
            "min-port=49152",
            "max-port=49999",
            "use-auth-secret",
            f"static-auth-secret={self.secret}",
            "realm=ferry.lab",
            "fingerprint",
            "no-tls",
            "no-dtls",
            "no-cli",
            "no-multicast-peers",
            "log-file=stdout",
            "simple-log",
            f"pidfile={self.folder / 'turnserver.pid'}",
            f"userdb={self.folder / 'turndb.sqlite'}",
        ]
        if loopback:  # peers on 127.0.0.1: only for tests on one machine
            lines.append("allow-loopback-peers")
        path = self.folder / "turnserver.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self, timeout: float = 30.0) -> None:
        if self.process is not None:
            raise FerryError("coturn is running already")
        missing = coturn_missing()
        if missing:
            raise FerryError(missing)
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self._config()
        self.process = start_server(
            [*self.prefix, "turnserver", "-c", str(config)],
            ready_marker=_READY_MARKER, log=self.log, what="coturn", timeout=timeout,
        )  # fmt: skip

    def stop(self) -> None:
        process, self.process = self.process, None
        stop_server(process)

    def __enter__(self) -> Coturn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
