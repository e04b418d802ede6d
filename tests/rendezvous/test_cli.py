"""``ferry send`` / ``ferry receive CODE`` through a real local mailbox server: real processes,
real aiortc on 127.0.0.1, real files. Never the public server: every process is given the
local server's URL (``--rendezvous`` or ``$FERRY_RENDEZVOUS``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ferry.engine.cli.output import EXIT_AUTH, EXIT_FAILED
from ferry.engine.digest import sha256_file
from ferry.protocol.pairing import new_code
from ferry.protocol.rendezvous import APP_ID

from ..integration.helpers import read_code, write_random
from .servers import MailboxServer, nameplates, usage_results

ROOT = Path(__file__).resolve().parents[2]
#: Everything may take a while on a shared machine; this only bounds a hang.
BOUND = 120


def _ferry(home: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """A ``ferry`` process with its own installation folder (identity, trust store)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", *args, "--ice-address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_CONFIG_DIR": str(home), **env},
    )  # fmt: skip


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def test_send_prints_a_code_and_receive_code_gets_the_file(
    tmp_path: Path, server: MailboxServer
) -> None:
    source = tmp_path / "photo.bin"
    write_random(source, 300_000)
    out = tmp_path / "not" / "yet" / "there"  # made by receive
    sender = _ferry(tmp_path / "a", "send", str(source), "--rendezvous", server.url)
    try:
        code = read_code(sender)
        number, *words = code.split("-")
        assert number.isdigit() and len(words) == 2
        # the other side finds the server through the environment alone
        receiver = _ferry(
            tmp_path / "b", "receive", code, "--out", str(out), FERRY_RENDEZVOUS=server.url
        )
        status, printed, errors = _finish(receiver)
    finally:
        sent_status, sent, sent_errors = _finish(sender)
    assert status == 0, errors
    assert sent_status == 0, sent_errors
    assert sha256_file(out / "photo.bin") == sha256_file(source)
    assert any(line.startswith("received photo.bin: 300,000 bytes") for line in printed.split("\n"))
    assert any(line.startswith("sent photo.bin: 300,000 bytes") for line in sent.split("\n"))
    # the sender's goodbye is told from a lost link: nobody tries to reconnect
    assert "reconnecting" not in printed + sent and "link lost" not in printed + sent
    # both sides released the nameplate: the number is free for the next code
    assert number not in nameplates(server, APP_ID)


def test_an_inbox_prints_a_code_and_send_code_delivers_to_it(
    tmp_path: Path, server: MailboxServer
) -> None:
    source = tmp_path / "report.pdf"
    write_random(source, 50_000, seed=3)
    out = tmp_path / "inbox"
    receiver = _ferry(tmp_path / "b", "receive", "--out", str(out), "--rendezvous", server.url)
    try:
        code = read_code(receiver)
        sender = _ferry(
            tmp_path / "a", "send", str(source), "--code", code, "--rendezvous", server.url
        )
        sent_status, _, sent_errors = _finish(sender)
    finally:
        status, printed, errors = _finish(receiver)
    assert sent_status == 0, sent_errors
    assert status == 0, errors
    assert sha256_file(out / "report.pdf") == sha256_file(source)
    assert "received report.pdf" in printed


def test_a_wrong_code_fails_both_sides_with_one_clear_line(
    tmp_path: Path, server: MailboxServer
) -> None:
    source = tmp_path / "secret.txt"
    source.write_text("nobody else\n")
    out = tmp_path / "out"
    sender = _ferry(tmp_path / "a", "send", str(source), "--rendezvous", server.url)
    try:
        number, one, two = read_code(sender).split("-")
        wrong = f"{number}-{'adroitness' if one != 'adroitness' else 'adviser'}-{two}"
        receiver = _ferry(
            tmp_path / "b", "receive", wrong, "--out", str(out), "--rendezvous", server.url
        )
        status, _, errors = _finish(receiver)
    finally:
        sent_status, _, sent_errors = _finish(sender)
    assert status == EXIT_AUTH, errors
    lines = errors.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ferry: error: pairing failed"), lines
    assert "ask the sender for the new code" in lines[0]
    assert sent_status == EXIT_AUTH, sent_errors
    assert "someone tried a wrong code" in sent_errors
    assert not (out / "secret.txt").exists()
    assert usage_results(server, APP_ID) == ["scary"]  # both sides told the server why


def test_a_code_nobody_waits_behind_says_so(tmp_path: Path, server: MailboxServer) -> None:
    receiver = _ferry(
        tmp_path / "b", "receive", str(new_code(4242)), "--out", str(tmp_path / "o"),
        "--rendezvous", server.url,
    )  # fmt: skip
    status, _, errors = _finish(receiver)
    assert status == EXIT_FAILED, errors
    lines = errors.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ferry: error: "), lines
    assert "4242" in lines[0] and "nobody" in lines[0].lower(), lines
