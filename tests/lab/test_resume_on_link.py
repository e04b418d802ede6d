"""A real link cut longer than the keepalive's timeout, half way through a transfer: the
sender notices, reconnects by itself and the receiver (``ferry receive --once``, which
waits for a sender whose link was lost) resumes where its staging stopped.

50 Mbit/s, 50 ms round trip, the router's interfaces down for 8 s (the keepalive gives up
after 6 s, so this is a lost link, not a stall SCTP rides out). The time lost is measured in
``ferry bench --wan-resume``, not here.
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest

from ferry.benchmarks.lab import LinkSpec, open_lab
from ferry.benchmarks.lab.measure import ferry_transfer
from ferry.benchmarks.wan_resume import LinkCut
from ferry.engine.digest import sha256_file
from ferry.protocol.receiver import DEFAULT_WINDOW

from ..integration.helpers import write_random

pytestmark = pytest.mark.usefixtures("lab_ready")

SIZE = 24 << 20
OUTAGE = 8.0


@pytest.mark.timeout(240)
def test_a_transfer_cut_off_by_a_lost_link_resumes_by_itself() -> None:
    root = tempfile.mkdtemp(prefix="ferry-lab-resume-")
    os.chmod(root, 0o755)  # read by processes in the namespaces
    source = os.path.join(root, "payload.bin")
    write_random(source, SIZE, seed=18)
    out = os.path.join(root, "inbox")
    os.mkdir(out)
    with open_lab(LinkSpec(rate_mbit=50, rtt_ms=50)) as lab:
        cut = LinkCut(lab, SIZE // 2, OUTAGE)
        result = ferry_transfer(lab, source, out, timeout=180, during=cut)
    assert cut.cut_at is not None and cut.restored_at is not None, "the link was cut"
    said = f"{result['receiver_output']}\n{result['receiver_errors']}"
    assert result["receiver_status"] == 0, said
    assert sha256_file(os.path.join(out, "payload.bin")) == sha256_file(source)
    resumed = re.search(r"resumed at byte ([\d,]+)", result["output"])
    assert resumed, result["output"]  # a resume, not a restart from byte 0
    resumed_from = int(resumed.group(1).replace(",", ""))
    assert 0 < resumed_from <= cut.arrived_before
    again = re.search(r"([\d,]+) bytes sent again", result["output"])
    sent_twice = int(again.group(1).replace(",", "")) if again else 0
    assert sent_twice <= DEFAULT_WINDOW  # at most one credit window crossed twice
