"""Choosing the mailbox server: --rendezvous URL, FERRY_RENDEZVOUS, or the public default."""

from __future__ import annotations

import pytest

from ferry.engine.rendezvous import (
    DEFAULT_RENDEZVOUS_URL,
    RENDEZVOUS_ENV,
    MailboxSignaling,
    parse_rendezvous_url,
    rendezvous_url,
)
from ferry.errors import ConfigError


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:4000/v1",
        "wss://relay.magic-wormhole.io/v1",
        "ws://[::1]:4000/v1",
        "WSS://mailbox.example.org:443/wormhole/v1",
        "  ws://localhost:4000/v1  ",
    ],
)
def test_websocket_urls_are_accepted(url: str) -> None:
    assert parse_rendezvous_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:4000/v1", "ws:// or wss:// URL"),
        ("127.0.0.1:4000", "ws:// or wss:// URL"),
        ("", "ws:// or wss:// URL"),
        ("ws:///v1", "names no host"),
        ("ws://127.0.0.1:99999/v1", "port outside"),
        ("ws://127.0.0.1:port/v1", "port outside"),
        ("ws://[::1/v1", "ws:// or wss:// URL"),
        ("ws://127.0.0.1:0/v1", "port 0"),
        ("ws://127.0.0.1:4000", "/v1"),
        ("ws://127.0.0.1:4000/", "/v1"),
        ("ws://127.0.0.1:4000/v1#x", "fragment"),
        ("ws://127.0.0.1:4000/v1 extra", "spaces or control"),
        ("ws://127.0.0.1:4000/v\x1b1", "spaces or control"),
    ],
)
def test_bad_urls_are_config_errors_that_show_a_good_one(url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as caught:
        parse_rendezvous_url(url)
    assert caught.value.code == "config"


def test_the_option_wins_then_the_environment_then_the_default() -> None:
    env = {RENDEZVOUS_ENV: "ws://10.0.0.2:4000/v1"}
    assert rendezvous_url("ws://127.0.0.1:1/v1", env) == "ws://127.0.0.1:1/v1"
    assert rendezvous_url(None, env) == "ws://10.0.0.2:4000/v1"
    assert rendezvous_url(None, {}) == DEFAULT_RENDEZVOUS_URL
    assert rendezvous_url(None, {RENDEZVOUS_ENV: "  "}) == DEFAULT_RENDEZVOUS_URL


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=f"^{RENDEZVOUS_ENV}: "):
        rendezvous_url(None, {RENDEZVOUS_ENV: "nonsense"})


def test_the_default_is_the_public_server_over_tls() -> None:
    assert DEFAULT_RENDEZVOUS_URL.startswith("wss://")
    assert parse_rendezvous_url(DEFAULT_RENDEZVOUS_URL) == DEFAULT_RENDEZVOUS_URL


def test_a_bad_url_or_nameplate_fails_before_any_connection() -> None:
    with pytest.raises(ConfigError, match="ws:// or wss://"):
        MailboxSignaling.allocate("tcp://127.0.0.1:4000")
    with pytest.raises(ConfigError, match="not a nameplate"):
        MailboxSignaling.claim("ws://127.0.0.1:4000/v1", "7-crossover-clockwork")
