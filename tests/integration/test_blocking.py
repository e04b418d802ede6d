"""The blocking API, for hosts without asyncio: two engines, plain threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ferry.engine import EngineConfig, TransferCancelled, in_process_pair
from ferry.engine.blocking import BlockingEngine
from ferry.engine.digest import sha256_file

from .helpers import LOOPBACK, SECRET, write_random


def test_blocking_send_and_receive(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    digest = write_random(source, 2_000_000)
    out = tmp_path / "out"
    out.mkdir()
    one, two = in_process_pair()
    receiver_config = EngineConfig(output_dir=out, ice_addresses=LOOPBACK)
    with (
        BlockingEngine(EngineConfig(ice_addresses=LOOPBACK)) as sending,
        BlockingEngine(receiver_config) as receiving,
    ):
        listened: dict[str, object] = {}
        listener = threading.Thread(
            target=lambda: listened.update(peer=receiving.listen(two, secret=SECRET))
        )
        listener.start()
        sender = sending.connect(one, secret=SECRET)
        listener.join(30)
        receiver = listened["peer"]

        [outgoing] = sender.send(str(source))
        offer = next(receiver.offers(timeout=30))  # type: ignore[attr-defined]
        assert (offer.name, offer.size) == ("a.bin", 2_000_000)
        incoming = offer.accept()
        assert outgoing.result(timeout=60).sha256 == digest.hex()
        assert incoming.result(timeout=60).path == out / "a.bin"

        [second] = sender.send(str(source))
        next(receiver.offers(timeout=30)).reject("enough")  # type: ignore[attr-defined]
        with pytest.raises(Exception, match="enough"):
            second.result(timeout=30)

        [third] = sender.send(str(source))
        third.cancel()
        with pytest.raises(TransferCancelled):
            third.result(timeout=30)
    assert sha256_file(out / "a.bin") == digest
