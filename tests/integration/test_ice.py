"""Ferry's ICE address setting: traffic stays on the addresses it names."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ferry.actors.transport.ice import ENV_VAR, parse_addresses
from ferry.engine import ConfigError, Engine, EngineConfig, in_process_pair

from .helpers import LOOPBACK, run


class Recording:
    """Wraps a signaling endpoint and keeps every message sent through it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[dict[str, Any]] = []

    async def open(self) -> None:
        await self.inner.open()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        await self.inner.send(message)

    async def receive(self) -> dict[str, Any]:
        return await self.inner.receive()

    async def close(self) -> None:
        await self.inner.close()


def _candidate_addresses(sdp: str) -> set[str]:
    return {line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate:")}


def test_both_peers_offer_only_loopback_candidates(tmp_path: Path) -> None:
    one, two = in_process_pair()
    offerer, answerer = Recording(one), Recording(two)

    async def scenario() -> None:
        # Unpaired, so the recordings show the SDP itself (paired, the path carries only
        # sealed records: tests/integration/test_pairing.py checks that).
        config = EngineConfig(
            output_dir=tmp_path, ice_addresses=LOOPBACK, unauthenticated_for_tests=True
        )
        async with Engine(config) as a, Engine(config) as b:
            listening = asyncio.create_task(b.listen(answerer))
            await a.connect(offerer)
            await listening

    run(scenario())
    offer = next(m for m in offerer.sent if m["type"] == "offer")
    answer = next(m for m in answerer.sent if m["type"] == "answer")
    assert _candidate_addresses(offer["sdp"]) == {"127.0.0.1"}
    assert _candidate_addresses(answer["sdp"]) == {"127.0.0.1"}


def test_environment_variable_sets_the_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "127.0.0.1, ::1")
    assert EngineConfig().ice_addresses == ("127.0.0.1", "::1")
    monkeypatch.delenv(ENV_VAR)
    assert EngineConfig().ice_addresses is None  # aioice's own choice


def test_addresses_are_checked() -> None:
    with pytest.raises(ConfigError, match="not an IP address"):
        parse_addresses(["127.0.0.1", "my-laptop"])
    assert parse_addresses("") is None
