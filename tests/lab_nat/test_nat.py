"""Ferry across NATs, in a lab of network namespaces (engine/lab): two homes, each behind
its own masquerading router, and a public network with the mailbox server and coturn.
Real ``ferry send`` / ``ferry receive CODE`` processes in the homes, real files.

Needs root (namespaces, iptables), coturn and the mailbox server (``python3 run.py test``
installs them); elsewhere each test skips with one line saying what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.engine.digest import sha256_file
from ferry.engine.lab import Coturn, coturn_missing
from ferry.engine.lab.mailbox import MailboxProcess, mailbox_missing
from ferry.engine.lab.nat import NatLab, nat_lab
from ferry.engine.lab.netns import netns_missing

from ..integration.helpers import read_code, write_random

ROOT = Path(__file__).resolve().parents[2]
BOUND = 120  # against a hang only

pytestmark = pytest.mark.lab


class World:
    def __init__(self, lab: NatLab, tmp: Path) -> None:
        self.lab, self.tmp = lab, tmp
        prefix = lab.spaces.argv_in(lab.public, [])
        self.mailbox = MailboxProcess(tmp / "mailbox", lab.public_ip, 4000, prefix)
        self.coturn = Coturn(tmp / "coturn", listen_ip=lab.public_ip, port=3478, prefix=prefix)

    def ferry(self, home: str, *args: str, verbose: bool = False) -> subprocess.Popen[str]:
        cli = [sys.executable, "-m", "ferry.engine.cli", *(["-v"] if verbose else [])]
        return self.lab.spaces.popen(
            self.lab.homes[home],
            [*cli, *args, "--rendezvous", self.mailbox.url],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "FERRY_CONFIG_DIR": str(self.tmp / f"home-{home}")},
        )  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    for missing in (netns_missing(), coturn_missing(), mailbox_missing()):
        if missing:
            pytest.skip(f"the NAT lab {missing}")
    with nat_lab() as lab:
        world = World(lab, tmp_path)
        world.mailbox.start()
        world.coturn.start()
        try:
            yield world
        finally:
            world.coturn.stop()
            world.mailbox.stop()


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def _transfer(
    world: World, size: int, ice: list[str], *, between: object = None, verbose: bool = False
) -> tuple[str, str]:
    """``ferry send`` in home a, ``ferry receive CODE`` in home b; returns what each printed.
    ``between(world, sender)`` runs once the sender printed its code."""
    source = world.tmp / "payload.bin"
    write_random(source, size, seed=size)
    out = world.tmp / "inbox"
    sender = world.ferry("a", "send", str(source), *ice, verbose=verbose)
    try:
        code = read_code(sender)
        if callable(between):
            between(world, sender)
        receiver = world.ferry("b", "receive", code, "--out", str(out), *ice, verbose=verbose)
        status, received, errors = _finish(receiver)
    finally:
        sent_status, sent, sent_errors = _finish(sender)
    assert status == 0, errors
    assert sent_status == 0, sent_errors
    assert sha256_file(out / "payload.bin") == sha256_file(source)
    return sent, received


def _via(printed: str) -> str:
    lines = [line for line in printed.splitlines() if line.startswith(("sent ", "received "))]
    assert lines, printed
    return lines[-1].rsplit(" via ", 1)[1]


def test_both_homes_natted_with_udp_go_direct_through_stun(world: World) -> None:
    sent, received = _transfer(world, 4 << 20, ["--ice-server", world.coturn.stun_url])
    assert _via(sent).startswith("srflx, rtt ")
    assert _via(received).startswith("srflx, rtt ")


def test_udp_between_homes_dropped_goes_through_the_relay_over_udp(world: World) -> None:
    world.lab.block_udp_between_homes()
    ice = ["--ice-server", world.coturn.stun_url, "--ice-server", world.coturn.url("udp"),
           "--turn-secret", world.coturn.secret]  # fmt: skip
    sent, received = _transfer(world, 4 << 20, ice)
    assert _via(sent).startswith("relay (udp), rtt ")
    assert _via(received).startswith("relay (udp), rtt ")


def test_no_udp_at_all_goes_through_the_relay_over_tcp(world: World) -> None:
    world.lab.block_udp()
    ice = ["--ice-server", world.coturn.stun_url, "--ice-server", world.coturn.url("tcp"),
           "--turn-secret", world.coturn.secret]  # fmt: skip
    sent, received = _transfer(world, 4 << 20, ice)
    assert _via(sent).startswith("relay (tcp), rtt ")
    assert _via(received).startswith("relay (tcp), rtt ")


def test_the_mailbox_server_restarted_after_the_code_was_shown(world: World) -> None:
    """The waiting side loses the server's WebSocket, reconnects with backoff and keeps its
    nameplate and mailbox (the server's database survives); the joiner then pairs."""

    def restart(world: World, sender: object) -> None:
        world.mailbox.restart()

    sent, _ = _transfer(world, 1 << 20, ["--ice-server", world.coturn.stun_url], between=restart)
    assert _via(sent).startswith("srflx")


def test_the_mailbox_server_restarted_mid_handshake(world: World) -> None:
    """The restart lands while the pairing is in flight: the joiner has claimed the
    nameplate and added its first pairing message, the waiting side (frozen with SIGSTOP
    meanwhile) has not answered it yet. The server keeps what it stored; both sides lose
    their WebSocket, reconnect with backoff, read the mailbox's replay (their own messages
    echoed back are not stored twice, the other side's are taken once, in order), pair
    and move the file."""

    source = world.tmp / "payload.bin"
    write_random(source, 1 << 20, seed=3)
    out = world.tmp / "inbox"
    ice = ["--ice-server", world.coturn.stun_url]
    sender = world.ferry("a", "send", str(source), *ice, verbose=True)
    try:
        code = read_code(sender)
        os.kill(sender.pid, signal.SIGSTOP)  # the waiting side cannot answer
        try:
            receiver = world.ferry("b", "receive", code, "--out", str(out), *ice, verbose=True)
            # the joiner's first pairing message is in the server's database
            deadline = time.monotonic() + BOUND
            while not _pairing_started(world.mailbox.folder / "channel.sqlite"):
                assert receiver.poll() is None, _finish(receiver)
                assert time.monotonic() < deadline, "the joiner never wrote its first message"
                time.sleep(0.05)
            world.mailbox.restart()
        finally:
            os.kill(sender.pid, signal.SIGCONT)
        status, received, errors = _finish(receiver)
    finally:
        sent_status, sent, sent_errors = _finish(sender)
    assert status == 0, errors
    assert sent_status == 0, sent_errors
    assert sha256_file(out / "payload.bin") == sha256_file(source)
    assert _via(sent).startswith("srflx") and _via(received).startswith("srflx")
    for log in (sent_errors, errors):  # each side lost the server and came back
        assert "rendezvous: reconnecting to " in log, log


def _pairing_started(db: Path) -> bool:
    """Whether a side has added a numbered (pairing) message to a mailbox: with the waiting
    side frozen before its peer came, only the joiner can have."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = conn.execute("SELECT phase FROM messages WHERE phase = '0'").fetchall()
    except sqlite3.OperationalError:  # the server has not made its tables yet
        return False
    finally:
        conn.close()
    return bool(rows)


def test_a_link_cut_mid_transfer_for_10_s_reconnects_through_the_mailbox_and_resumes(
    world: World,
) -> None:
    """Home a's link goes down while bytes flow and stays down for 10 s, longer than the
    keepalive's timeout: both sides notice the peer gone, keep their mailbox, and once the
    link is back reconnect through it (paired again by identity), and the sender offers
    the rest of the file: the receiver resumes from what it staged."""
    outage = 10.0  # the scenario: longer than the keepalive's timeout (6 s)
    errors: list[BaseException] = []
    cut_at: list[int] = []

    def cut_when_flowing() -> None:
        try:
            staging = world.tmp / "inbox" / ".ferry-staging"
            deadline = time.monotonic() + BOUND
            while _staged(staging) < 8 << 20:  # waiting for bytes to flow (a condition, bounded)
                assert time.monotonic() < deadline, "no bytes arrived"
                time.sleep(0.05)
            world.lab.cut("a", up=False)
            cut_at.append(_staged(staging))
            time.sleep(outage)  # the outage itself: its length is the scenario, not a wait
            world.lab.cut("a", up=True)
        except BaseException as exc:
            errors.append(exc)

    def between(world: World, sender: object) -> None:
        threading.Thread(target=cut_when_flowing, daemon=True).start()

    sent, received = _transfer(
        world, 64 << 20, ["--ice-server", world.coturn.stun_url], between=between, verbose=True
    )
    assert not errors, errors
    (line,) = [line for line in sent.splitlines() if line.startswith("sent payload.bin: ")]
    assert line.startswith("sent payload.bin: 67,108,864 bytes"), line
    assert "received payload.bin: 67,108,864 bytes" in received  # the same Transfer, resumed
    resumed = int(re.search(r"resumed at byte ([0-9,]+)", line)[1].replace(",", ""))  # type: ignore[index]
    again = re.search(r"([0-9,]+) bytes sent again", line)
    resent = int(again[1].replace(",", "")) if again else 0
    assert cut_at and resumed >= cut_at[0] - (4 << 20), (resumed, cut_at)
    assert resent <= 4 << 20  # at most one credit window (EngineConfig.window) sent twice
    for printed in (sent, received):
        assert "reconnected via srflx" in printed, printed
    print(f"cut at {cut_at[0]:,} bytes staged; {line}")


def _staged(folder: Path) -> int:
    if not folder.exists():
        return 0
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def test_256_mib_cross_the_nats_byte_identical(world: World) -> None:
    """The issue's acceptance run: ``ferry send`` / ``ferry receive CODE`` between two homes
    that cannot reach each other directly, ``--rendezvous`` and ``--ice-server`` pointing
    into the public namespace; the summary names the path."""
    sent, received = _transfer(world, 256 << 20, ["--ice-server", world.coturn.stun_url])
    assert "received payload.bin: 268,435,456 bytes" in received
    assert _via(received).startswith("srflx, rtt ") and _via(sent).startswith("srflx, rtt ")
    print(received.strip().splitlines()[-1])  # the figures, in the test's output (-s)


def test_ferry_demo_lab_shows_the_code_and_the_path(tmp_path: Path) -> None:
    for missing in (netns_missing(), coturn_missing(), mailbox_missing()):
        if missing:
            pytest.skip(f"ferry demo --lab {missing}")
    done = subprocess.run(
        [sys.executable, "-m", "ferry.engine.cli", "demo", "--lab", "--size", "2m"],
        cwd=ROOT, capture_output=True, text=True, timeout=BOUND,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sender (home a) code: " in done.stdout
    assert "via srflx, rtt " in done.stdout and "byte-identical: yes" in done.stdout


def test_ferry_demo_lab_without_root_says_what_it_needs() -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to drop to another user (setpriv)")
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-m", "ferry.engine.cli", "demo", "--lab"],
        cwd=ROOT, capture_output=True, text=True, timeout=BOUND,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "ferry: error: ferry demo --lab needs root (network namespaces, iptables):"
        " try sudo ferry demo --lab"
    )
