"""Each connection says which way its bytes go (ICE's pair: host, srflx, relay) and the
round trip measured on it; through a real coturn on 127.0.0.1 with ``relay_only`` the
path is the relay, over UDP and over TCP, with time-limited credentials from a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.engine.cli.output import summary
from ferry.engine.lab import Coturn, coturn_missing

from .helpers import connected_pair, run, write_random


def test_a_loopback_connection_is_host_with_a_measured_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    digest = write_random(source, 100_000)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> tuple[object, object, str]:
        async with connected_pair(out) as (sender, receiver):
            result = await sender.send(source)
            return sender.route, receiver.route, summary("sent", result)

    sent, received, line = run(scenario())
    assert (out / "a.bin").read_bytes() == source.read_bytes() and digest
    for route in (sent, received):
        assert route is not None and route.kind == "host", route  # type: ignore[attr-defined]
        assert route.rtt is not None and route.rtt > 0  # type: ignore[attr-defined]
    assert " via host, rtt " in line and line.endswith(" ms")


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_relay_only_goes_through_coturn(tmp_path: Path, transport: str) -> None:
    missing = coturn_missing()
    if missing:
        pytest.skip(f"the TURN relay test {missing}")
    source = tmp_path / "a.bin"
    write_random(source, 2 << 20, seed=7)
    out = tmp_path / "out"
    out.mkdir()
    with Coturn(tmp_path / "coturn", port=_free_port()) as coturn:
        network = {
            "ice_servers": (coturn.url(transport),),
            "turn_secret": coturn.secret,
            "relay_only": True,
        }

        async def scenario() -> tuple[object, object]:
            async with connected_pair(out, sender=network, receiver=network) as (sender, receiver):
                await sender.send(source)
                return sender.route, receiver.route

        routes = run(scenario())
    assert (out / "a.bin").read_bytes() == source.read_bytes()
    for route in routes:
        assert route is not None and route.kind == "relay", route  # type: ignore[attr-defined]
        assert route.local == "relay"  # type: ignore[attr-defined]
        assert route.transport == transport  # type: ignore[attr-defined]
        assert route.describe().startswith(f"relay ({transport}), rtt ")  # type: ignore[attr-defined]


def _free_port() -> int:
    from .helpers import free_port

    return free_port()
