"""``ferry demo --lab``: a transfer between two homes behind NATs, on this machine.

Builds the NAT lab (engine/lab: two home namespaces, each behind its own masquerading
router, and a public one with a mailbox server and coturn), runs ``ferry send`` in one home
and ``ferry receive CODE`` in the other, and shows the code, the path ICE found (through
the NATs by STUN: srflx) and the round trip. Needs root; everything it builds is removed
when it ends, however it ends.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ferry.errors import FerryError

from ..digest import sha256_file
from ..lab import Coturn, coturn_missing
from ..lab.mailbox import MailboxProcess, mailbox_missing
from ..lab.nat import nat_lab
from ..lab.netns import netns_missing
from ..sizes import parse_size
from .output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, error_line

_TIMEOUT = 600.0


def lab_missing() -> str | None:
    """What ``ferry demo --lab`` needs and this machine lacks, in one line; None if nothing."""
    for missing in (netns_missing(), coturn_missing(), mailbox_missing()):
        if missing:
            hint = ": try sudo ferry demo --lab" if "root" in missing else ""
            return f"ferry demo --lab {missing}{hint}"
    return None


def run_lab_demo(args: argparse.Namespace) -> int:
    missing = lab_missing()
    if missing:
        print(error_line(missing), file=sys.stderr)
        return EXIT_USAGE
    workdir = Path(tempfile.mkdtemp(prefix="ferry-demo-lab-"))
    source = workdir / "random.bin"
    size = parse_size(args.size)
    with open(source, "wb") as out:
        for offset in range(0, size, 1 << 20):
            out.write(os.urandom(min(1 << 20, size - offset)))
    with nat_lab() as lab:
        prefix = lab.spaces.argv_in(lab.public, [])
        mailbox = MailboxProcess(workdir / "mailbox", lab.public_ip, 4000, prefix)
        coturn = Coturn(workdir / "coturn", listen_ip=lab.public_ip, port=3478, prefix=prefix)
        mailbox.start()
        coturn.start()
        try:
            print(f"home a {lab.home_ip('a')} behind NAT {lab.router_wan('a')}; "
                  f"home b {lab.home_ip('b')} behind NAT {lab.router_wan('b')}")  # fmt: skip
            print(f"public {lab.public_ip}: mailbox {mailbox.url}, STUN/TURN {coturn.stun_url}")
            network = ["--rendezvous", mailbox.url, "--ice-server", coturn.stun_url]

            def ferry(home: str, *argv: str) -> subprocess.Popen[str]:
                return lab.spaces.popen(
                    lab.homes[home],
                    [sys.executable, "-m", "ferry.engine.cli", *argv, *network],
                    stdout=subprocess.PIPE, text=True,
                    env={**os.environ, "FERRY_CONFIG_DIR": str(workdir / f"home-{home}")},
                )  # fmt: skip

            sender = ferry("a", "send", str(source))
            assert sender.stdout is not None
            code_line = sender.stdout.readline().strip()
            if not code_line.startswith("code: "):
                raise FerryError(f"the sender did not print a code: {code_line!r}")
            print(f"sender (home a) {code_line}")
            receiver = ferry("b", "receive", code_line.removeprefix("code: "),
                             "--out", str(workdir / "inbox"))  # fmt: skip
            received, _ = receiver.communicate(timeout=_TIMEOUT)
            sent, _ = sender.communicate(timeout=_TIMEOUT)
        finally:
            coturn.stop()
            mailbox.stop()
    for line in sent.splitlines():
        print(f"sender: {line}")
    for line in received.splitlines():
        print(f"receiver: {line}")
    arrived = workdir / "inbox" / source.name
    if receiver.returncode != 0 or sender.returncode != 0 or not arrived.exists():
        print(error_line("the lab transfer failed"), file=sys.stderr)
        return EXIT_FAILED
    same = sha256_file(arrived) == sha256_file(source)
    print(f"byte-identical: {'yes' if same else 'NO'} ({workdir})")
    return EXIT_OK if same else EXIT_FAILED
