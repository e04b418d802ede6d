"""The emulated link does what its spec says, and leaves nothing behind."""

from __future__ import annotations

import subprocess

import pytest

from ferry.benchmarks.lab import LinkSpec, open_lab
from ferry.benchmarks.lab.measure import probe, tcp_bulk
from ferry.benchmarks.lab.netns import PREFIX

pytestmark = pytest.mark.usefixtures("lab_ready")


def _our_namespaces() -> list[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in listed.splitlines() if line.startswith(PREFIX)]


def test_delay_and_loss_are_applied_per_direction_and_the_lab_is_torn_down() -> None:
    before = set(_our_namespaces())
    with open_lab(LinkSpec(rate_mbit=50, rtt_ms=40, loss_percent=10)) as lab:
        names = {lab.sender, lab.router, lab.receiver}
        assert names <= set(_our_namespaces())
        result = probe(lab, count=300, interval_ms=2)
        stats = lab.stats()
    # 20 ms each way, held in userspace: never early (how late is the benchmark's figure)
    assert result["rtt_min_ms"] >= 40
    # 10% each way drops 19% of round trips; 300 probes put 5%..35% far outside chance
    assert 5 < result["round_trip_loss_percent"] < 35
    assert stats["forward"]["dropped"] > 0 and stats["backward"]["dropped"] > 0
    assert stats["kernel_drops"] == 0
    assert not names & set(_our_namespaces())
    assert set(_our_namespaces()) == before


def test_teardown_happens_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError, match="boom"), open_lab(LinkSpec(50, 10)) as lab:
        names = {lab.sender, lab.router, lab.receiver}
        raise RuntimeError("boom")
    assert not names & set(_our_namespaces())


def test_kernel_tcp_crosses_a_clean_link_without_loss() -> None:
    """Nothing but tbf drops on a clean link (the rate TCP reaches is a benchmark figure)."""
    spec = LinkSpec(rate_mbit=50, rtt_ms=20)
    with open_lab(spec) as lab:
        result = tcp_bulk(lab, 16 << 20, "cubic")
        stats = lab.stats()
    assert result["bytes"] == 16 << 20
    assert stats["forward"]["dropped"] == 0 and stats["kernel_drops"] == 0
