"""Which mailbox server: ``--rendezvous URL``, else ``FERRY_RENDEZVOUS``, else the public one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from ferry.errors import ConfigError

#: magic-wormhole's public mailbox server, run by its project (the default of its own
#: ``wormhole`` command). Ferry's tests never contact it: they start a local server.
DEFAULT_RENDEZVOUS_URL = "wss://relay.magic-wormhole.io/v1"
#: The environment variable that chooses the server when no option does.
RENDEZVOUS_ENV = "FERRY_RENDEZVOUS"

_EXAMPLE = "ws://127.0.0.1:4000/v1 or wss://mailbox.example.org/v1"


def parse_rendezvous_url(text: str) -> str:
    """A mailbox server's WebSocket URL, checked; a ConfigError that shows a good one if not."""
    url = text.strip() if isinstance(text, str) else ""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host
        parts = None
    if parts is None or parts.scheme.lower() not in ("ws", "wss"):
        raise ConfigError(
            f"a rendezvous server is a ws:// or wss:// URL such as {_EXAMPLE}, not {text!r}"
        )
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"the rendezvous URL {text!r} has a port outside 1-65535") from None
    if not parts.hostname:
        raise ConfigError(f"the rendezvous URL {text!r} names no host (such as {_EXAMPLE})")
    if port == 0:
        raise ConfigError(f"the rendezvous URL {text!r} has port 0")
    if parts.path in ("", "/"):
        raise ConfigError(
            f"the rendezvous URL {text!r} lacks the protocol's path, which is /v1 on"
            f" magic-wormhole mailbox servers (such as {_EXAMPLE})"
        )
    if parts.fragment:
        raise ConfigError(f"the rendezvous URL {text!r} has a #fragment, which means nothing here")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ConfigError(f"the rendezvous URL {text!r} contains spaces or control characters")
    return url


def rendezvous_url(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The server to use: the option if given, else ``FERRY_RENDEZVOUS``, else the default."""
    if option:
        return parse_rendezvous_url(option)
    env = (os.environ if environ is None else environ).get(RENDEZVOUS_ENV, "").strip()
    if env:
        try:
            return parse_rendezvous_url(env)
        except ConfigError as exc:
            raise ConfigError(f"{RENDEZVOUS_ENV}: {exc.message}") from None
    return DEFAULT_RENDEZVOUS_URL
