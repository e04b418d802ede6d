"""What a mailbox server learns from a whole Ferry transfer: only the pairing's public
messages, then ciphertext. Two real engines in this process meet through the real local
server by code and move a real file over aiortc on 127.0.0.1; the test then reads the
server's own database while the session is still open (it deletes the mailbox on close).
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

from ferry.engine import Engine, EngineConfig, Identity
from ferry.engine.rendezvous import MailboxSignaling
from ferry.protocol.pairing import new_code, parse_code
from ferry.protocol.rendezvous import APP_ID

from ..integration.helpers import LOOPBACK, incoming_transfers, write_random
from .conftest import run
from .servers import MailboxServer, stored_messages, usage_results

#: The pairing's messages in clear, and their fields (docs/pairing.md): random-looking
#: group elements, a commitment and MACs, nothing a person or a network chose.
CLEAR = {
    "pair-hello": {"type", "v", "mode", "commit"},
    "pair-pake": {"type", "pake"},
    "pair-reveal": {"type", "pake", "mac"},
    "pair-confirm": {"type", "mac"},
}


def test_the_server_holds_only_pairing_messages_then_ciphertext(
    tmp_path: Path, server: MailboxServer
) -> None:
    name = "tax-return-2026-confidential.bin"
    source = tmp_path / name
    write_random(source, 200_000)
    out = tmp_path / "out"
    out.mkdir()
    sending_identity, receiving_identity = Identity.generate(), Identity.generate()

    async def scenario() -> list[tuple[str, str, bytes]]:
        sending = Engine(EngineConfig(ice_addresses=LOOPBACK, identity=sending_identity))
        receiving = Engine(
            EngineConfig(
                output_dir=out, accept_all=True, ice_addresses=LOOPBACK, identity=receiving_identity
            )
        )
        async with sending, receiving:
            waiting = MailboxSignaling.allocate(server.url)
            code = new_code(await waiting.bind())
            listening = asyncio.create_task(sending.listen(waiting, code=code))
            typed = parse_code(str(code))  # a code is spent by the side that uses it
            joined = await receiving.connect(
                MailboxSignaling.claim(server.url, typed.nameplate), code=typed
            )
            arrivals = incoming_transfers(joined)
            sender = await listening
            sent = await sender.send(source)
            received = await (await arrivals.get())
            assert sent.sha256 == received.sha256
            held = [(m.side, m.phase, m.body) for m in stored_messages(server, APP_ID)]
            await sender.close()
            await joined.close()
        return held

    held = run(scenario(), timeout=90)
    assert (out / name).read_bytes() == source.read_bytes()

    sides = {side for side, _, _ in held}
    assert len(sides) == 2
    sealed_per_side = dict.fromkeys(sides, 0)
    forbidden = [
        name.encode(), b"sdp", b"candidate", b"fingerprint", b"127.0.0.1", b"a=",
        sending_identity.peer_id.encode(), receiving_identity.peer_id.encode(),
    ]  # fmt: skip
    for side, phase, body in held:
        for secret in forbidden:
            assert secret not in body, (phase, secret)
        if phase == "hello":
            assert json.loads(body) == {}
            continue
        assert phase.isdigit(), phase  # no other phase carries anything
        message = json.loads(body)
        kind = message["type"]
        if kind == "sealed":
            assert set(message) == {"type", "seq", "box"}
            assert len(base64.b64decode(message["box"])) >= 16
            sealed_per_side[side] += 1
            continue
        assert kind in CLEAR, message
        assert set(message) == CLEAR[kind], message
    # each side's identity proof, then the offer or answer: all sealed
    assert all(count >= 2 for count in sealed_per_side.values()), sealed_per_side
    assert usage_results(server, APP_ID) == ["happy"]
