"""STUN and TURN servers as a person writes them, checked, with coturn's time-limited
credentials.

Forms (``--ice-server``, repeatable; ``FERRY_ICE_SERVERS``, separated by commas or spaces;
``EngineConfig.ice_servers``):

- ``stun:HOST:PORT``
- ``turn:USER:PASS@HOST:PORT`` (``turns:`` too), optionally ``?transport=udp`` or ``tcp``
- ``turn:HOST:PORT`` with a shared secret (``--turn-secret``, ``FERRY_TURN_SECRET``): the
  TURN REST API scheme coturn checks with ``use-auth-secret`` / ``static-auth-secret``
  (draft-uberti-behave-turn-rest): user name ``EXPIRY:USER`` (EXPIRY in Unix seconds),
  password ``base64(HMAC-SHA1(secret, username))``. Made fresh for each connection.

HOST is a name, an IPv4 address or ``[IPv6]``; PORT defaults to 3478.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping

from ferry.actors.config import IceServer
from ferry.errors import ConfigError

ICE_SERVERS_ENV = "FERRY_ICE_SERVERS"
TURN_SECRET_ENV = "FERRY_TURN_SECRET"
DEFAULT_PORT = 3478
#: How long time-limited TURN credentials stay valid (coturn refuses them after).
CREDENTIAL_LIFETIME = 24 * 3600
#: The user part of a time-limited user name (coturn logs it; it authorises nothing).
CREDENTIAL_USER = "ferry"

_EXAMPLES = "stun:HOST:PORT or turn:USER:PASS@HOST:PORT?transport=udp|tcp"
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$")


def parse_ice_server(text: str) -> IceServer:
    """One server, checked; a ConfigError that shows the forms if it is not one."""
    raw = text.strip() if isinstance(text, str) else ""
    scheme, sep, rest = raw.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in ("stun", "stuns", "turn", "turns"):
        raise ConfigError(f"an ICE server is {_EXAMPLES}, not {text!r}")
    rest, _, query = rest.partition("?")
    username = credential = None
    if "@" in rest:
        userinfo, _, rest = rest.rpartition("@")
        if scheme.startswith("stun"):
            raise ConfigError(f"a STUN server takes no user name or password: {text!r}")
        username, colon, credential = userinfo.partition(":")
        if not username or not colon or not credential:
            raise ConfigError(f"write TURN credentials as USER:PASS@HOST:PORT, not {text!r}")
    match = _HOST.match(rest)
    if match is None:
        raise ConfigError(f"the ICE server {text!r} has no valid HOST[:PORT] ({_EXAMPLES})")
    host, port_text = match.group(1), match.group(2)
    port = int(port_text) if port_text else DEFAULT_PORT
    if not 1 <= port <= 65535:
        raise ConfigError(f"the ICE server {text!r} has a port outside 1-65535")
    transport = None
    if query:
        key, _, value = query.partition("=")
        if key != "transport" or value not in ("udp", "tcp") or scheme.startswith("stun"):
            raise ConfigError(
                f"the ICE server {text!r}: only TURN takes ?transport=udp or ?transport=tcp"
            )
        transport = value
    url = f"{scheme}:{host}:{port}" + (f"?transport={transport}" if transport else "")
    return IceServer(url, username, credential)


def ice_servers_from(
    options: Iterable[str] | None, environ: Mapping[str, str] | None = None
) -> tuple[IceServer, ...]:
    """``--ice-server`` values if any were given, else ``FERRY_ICE_SERVERS``, else none."""
    if options:
        return tuple(parse_ice_server(option) for option in options)
    env = (os.environ if environ is None else environ).get(ICE_SERVERS_ENV, "")
    try:
        return tuple(parse_ice_server(part) for part in re.split(r"[\s,]+", env) if part)
    except ConfigError as exc:
        raise ConfigError(f"{ICE_SERVERS_ENV}: {exc.message}") from None


def turn_credentials(
    secret: str, *, now: float | None = None, lifetime: int = CREDENTIAL_LIFETIME
) -> tuple[str, str]:
    """coturn's time-limited (TURN REST API) user name and password for ``secret``."""
    expiry = int(time.time() if now is None else now) + lifetime
    username = f"{expiry}:{CREDENTIAL_USER}"
    digest = hmac.new(secret.encode("utf-8"), username.encode("ascii"), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def resolve_ice_servers(
    servers: Iterable[IceServer | str],
    turn_secret: str | None,
    *,
    clock: Callable[[], float] = time.time,
) -> tuple[IceServer, ...]:
    """The servers for one connection: strings parsed, and each TURN server without a user
    name given fresh time-limited credentials from ``turn_secret`` (if there is one)."""
    resolved = []
    for server in servers:
        if isinstance(server, str):
            server = parse_ice_server(server)
        if server.url.startswith("turn") and server.username is None and turn_secret:
            username, password = turn_credentials(turn_secret, now=clock())
            server = IceServer(server.url, username, password)
        resolved.append(server)
    return tuple(resolved)
