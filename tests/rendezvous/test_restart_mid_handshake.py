"""The mailbox server restarted while two engines are pairing, on 127.0.0.1.

The waiting side reaches the server through a proxy whose server-to-client direction the
test holds back (the only artificial part: it stands in for a slow or stalled side, as the
NAT lab's SIGSTOP does), so the joiner's first pairing message is stored but not yet
answered when the server is killed and started again on its database. Both sides lose
their WebSocket, reconnect with backoff, read the replay, pair and move a real file over
aiortc; the server stored every message once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ferry.engine import Engine, EngineConfig, Identity
from ferry.engine.digest import sha256_file
from ferry.engine.rendezvous import MailboxSignaling
from ferry.protocol.pairing import new_code, parse_code
from ferry.protocol.rendezvous import APP_ID

from ..integration.helpers import LOOPBACK, incoming_transfers, write_random
from .conftest import run
from .servers import MailboxServer, Proxy, stored_messages


def test_a_restart_between_the_joiners_first_message_and_the_answer(
    tmp_path: Path, server: MailboxServer
) -> None:
    source = tmp_path / "notes.bin"
    write_random(source, 2 << 20, seed=21)
    out = tmp_path / "out"
    out.mkdir()

    async def scenario() -> list[tuple[str, str]]:
        proxy = Proxy(server.port)
        await proxy.start()
        sending = Engine(EngineConfig(ice_addresses=LOOPBACK, identity=Identity.generate()))
        receiving = Engine(
            EngineConfig(
                output_dir=out, accept_all=True, ice_addresses=LOOPBACK,
                identity=Identity.generate(),
            )
        )  # fmt: skip
        try:
            async with sending, receiving:
                waiting = MailboxSignaling.allocate(proxy.url())
                code = new_code(await waiting.bind())
                proxy.downstream.clear()  # the waiting side hears nothing more for now
                listening = asyncio.create_task(sending.listen(waiting, code=code))
                typed = parse_code(str(code))
                joining = asyncio.create_task(
                    receiving.connect(
                        MailboxSignaling.claim(server.url, typed.nameplate), code=typed
                    )
                )
                waiter_side = waiting.side
                while not [  # a condition, bounded by run()'s timeout
                    m for m in stored_messages(server, APP_ID)
                    if m.side != waiter_side and m.phase == "0"
                ]:  # fmt: skip
                    await asyncio.sleep(0.02)
                server.kill()
                server.start()  # on the same database: the mailbox and its messages stay
                proxy.cut()
                proxy.downstream.set()
                sender, receiver = await asyncio.gather(listening, joining)
                arrivals = incoming_transfers(receiver)
                sent = await sender.send(source)
                received = await (await arrivals.get())
                assert sent.sha256 == received.sha256
                keys = [(m.side, m.phase) for m in stored_messages(server, APP_ID)]
                assert waiting.reconnects >= 1
                await sender.close()
                await receiver.close()
                return keys
        finally:
            await proxy.close()

    keys = run(scenario(), timeout=90)
    assert sha256_file(out / "notes.bin") == sha256_file(source)
    assert len(keys) == len(set(keys)), keys  # nothing stored twice
    assert len({side for side, _ in keys}) == 2
