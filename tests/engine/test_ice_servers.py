"""STUN/TURN server options: the forms people write, coturn's time-limited credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.actors.config import IceServer
from ferry.engine import EngineConfig
from ferry.engine.ice_servers import (
    ICE_SERVERS_ENV,
    ice_servers_from,
    parse_ice_server,
    resolve_ice_servers,
    turn_credentials,
)
from ferry.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stun:10.0.0.1:3478", IceServer("stun:10.0.0.1:3478")),
        ("stun:stun.example.org", IceServer("stun:stun.example.org:3478")),
        ("turn:alice:s3cret@10.0.0.1:3478", IceServer("turn:10.0.0.1:3478", "alice", "s3cret")),
        (
            "turn:alice:pa:ss@relay.example:5349?transport=tcp",
            IceServer("turn:relay.example:5349?transport=tcp", "alice", "pa:ss"),
        ),
        ("turn:[fd00::1]:3478?transport=udp", IceServer("turn:[fd00::1]:3478?transport=udp")),
        ("  TURN:h:1  ", IceServer("turn:h:1")),
    ],
)
def test_the_forms_people_write(text: str, expected: IceServer) -> None:
    assert parse_ice_server(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.0.0.1:3478",
        "http://h:1",
        "stun:user:pw@h:1",
        "stun:h:1?transport=tcp",
        "turn:h:1?transport=sctp",
        "turn:h:1?proto=udp",
        "turn:alice@h:1",
        "turn::pw@h:1",
        "turn:h:70000",
        "turn:h:0",
        "turn:h h:1",
        "turn:",
    ],
)
def test_anything_else_is_a_config_error_that_shows_the_forms(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_ice_server(text)


@given(st.text(max_size=40))
def test_any_text_parses_or_is_a_config_error(text: str) -> None:
    try:
        server = parse_ice_server(text)
    except ConfigError:
        return
    assert server.url.split(":")[0] in ("stun", "stuns", "turn", "turns")
    assert "@" not in server.url  # credentials never stay in the URL aiortc logs


def test_the_environment_gives_servers_when_no_option_does() -> None:
    env = {ICE_SERVERS_ENV: "stun:10.0.0.1:3478, turn:u:p@10.0.0.1:3478?transport=tcp"}
    assert [s.url for s in ice_servers_from(None, env)] == [
        "stun:10.0.0.1:3478",
        "turn:10.0.0.1:3478?transport=tcp",
    ]
    assert ice_servers_from(["stun:10.0.0.2:1"], env) == (IceServer("stun:10.0.0.2:1"),)
    with pytest.raises(ConfigError, match=ICE_SERVERS_ENV):
        ice_servers_from(None, {ICE_SERVERS_ENV: "nonsense"})


def test_time_limited_credentials_are_coturns_rest_api_scheme() -> None:
    username, password = turn_credentials("north-wind", now=1_700_000_000, lifetime=3600)
    assert username == "1700003600:ferry"
    expected = hmac.new(b"north-wind", b"1700003600:ferry", hashlib.sha1).digest()
    assert base64.b64decode(password) == expected


def test_a_secret_fills_in_only_turn_servers_without_credentials() -> None:
    servers = resolve_ice_servers(
        ["stun:h:1", "turn:h:2", "turn:bob:pw@h:3"], "s", clock=lambda: 100.0
    )
    assert servers[0] == IceServer("stun:h:1")
    assert servers[1].username == f"{100 + 24 * 3600}:ferry" and servers[1].credential
    assert servers[2] == IceServer("turn:h:3", "bob", "pw")
    assert resolve_ice_servers(["turn:h:2"], None) == (IceServer("turn:h:2"),)


def test_engine_config_parses_strings_and_relay_only_needs_turn() -> None:
    config = EngineConfig(ice_servers=("turn:u:p@10.0.0.1:3478",), relay_only=True)
    assert config.ice_servers == (IceServer("turn:10.0.0.1:3478", "u", "p"),)
    with pytest.raises(ConfigError, match="TURN"):
        EngineConfig(ice_servers=("stun:10.0.0.1:3478",), relay_only=True)
    with pytest.raises(ConfigError):
        EngineConfig(ice_servers=("bogus",))
