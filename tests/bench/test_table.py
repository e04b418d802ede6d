"""The terminal tables."""

from __future__ import annotations

from ferry.benchmarks.table import render_run, render_table

from .helpers import figure, run_result

MIB = 1 << 20


def test_columns_are_aligned_to_their_widest_cell() -> None:
    text = render_table(["name", "MB/s"], [["ceiling", "9.1"], ["vault", "10.25"]])
    assert text.splitlines() == [
        "name      MB/s",
        "-------  -----",
        "ceiling    9.1",
        "vault    10.25",
    ]


def test_a_run_shows_stages_end_to_end_with_ratios_and_rss() -> None:
    size, e2e = 64 * MIB, {"kind": "e2e", "chunk": 16384, "size": 64 * MIB}
    result = run_result(
        figure(
            "stage/sha256/67108864",
            1500,
            1510,
            1490,
            unit="MB/s",
            kind="stage",
            stage="sha256",
            size=size,
        ),
        figure(
            f"ceiling/16384/{size}/mb_per_s",
            9.0,
            9.2,
            8.8,
            unit="MB/s",
            kind="ceiling",
            chunk=16384,
            size=size,
        ),
        figure(f"e2e/vault/16384/{size}/mb_per_s", 8.9, 9.0, 8.7, unit="MB/s", dest="vault", **e2e),
        figure(f"e2e/vault/16384/{size}/ratio", 0.97, 0.99, 1.01, dest="vault", **e2e),
        figure(f"e2e/vault/16384/{size}/ratio_acks", 0.81, 0.84, 0.88, dest="vault", **e2e),
        figure(
            f"ceiling_acks/16384/{size}/mb_per_s",
            11,
            12,
            13,
            unit="MB/s",
            kind="ceiling_acks",
            chunk=16384,
            size=size,
        ),
        figure(
            f"ceiling_acks/16384/{size}/over_raw",
            1.2,
            1.3,
            1.4,
            kind="ceiling_acks",
            chunk=16384,
            size=size,
        ),
        figure(
            f"e2e/vault/16384/{size}/receiver_rss_mb",
            89,
            90,
            91,
            unit="MB",
            better="lower",
            dest="vault",
            **e2e,
        ),
        notes=["256 KiB asks get 262048-byte chunks"],
    )
    text = render_run(result)
    assert "Test CPU, 2 cores" in text and "commit 0123456789ab" in text
    assert "SHA-256" in text and "1500 (1490-1510)" in text
    vault_row = next(line for line in text.splitlines() if " vault " in line)
    assert "16 KiB" in vault_row and "64 MiB" in vault_row
    assert "0.99 (0.97-1.01)" in vault_row and "90 (89-91)" in vault_row
    assert "0.84 (0.81-0.88)" in vault_row  # against the ceiling with delayed SACKs
    acks_row = next(line for line in text.splitlines() if " ceiling+dsack " in line)
    assert "12.0 (11.0-13.0)" in acks_row and "1.30 (1.20-1.40)" in acks_row
    assert "- 256 KiB asks get 262048-byte chunks" in text
