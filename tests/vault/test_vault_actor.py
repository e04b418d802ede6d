"""VaultActor: the vault on its own thread, fed by a writer on another (as the Reassembler
will), with open errors (wrong key) raised to the caller rather than lost in a log."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from ferry.actors.storage.errors import WrongKeyError
from ferry.actors.vault import VaultActor
from ferry.errors import ConfigError

from .vault_helpers import SMALL


@pytest.fixture
def actor(vault_dir, key):
    ref = VaultActor.start_ready(vault_dir, key=key, **SMALL)
    yield ref.proxy()
    ref.stop()


def test_store_from_another_thread_through_the_actor(actor):
    content = os.urandom(5000)
    writer = actor.begin(name="in/coming.bin", size=len(content), peer="bob").get()

    def reassembler() -> None:  # its own thread, like the Reassembler actor
        for start in range(0, len(content), 512):
            writer.write(content[start : start + 512])
        writer.sync()

    thread = threading.Thread(target=reassembler)
    thread.start()
    thread.join()
    stored = actor.commit(writer, hashlib.sha256(content).digest()).get()
    assert actor.list().get() == [stored]
    assert stored.peer == "bob"
    with actor.open(stored.id).get() as reader:  # readable from this thread
        assert reader.read() == content
    assert actor.verify().get().ok
    actor.delete(stored.id).get()
    assert actor.list().get() == []


def test_errors_come_back_to_the_caller_and_the_actor_lives_on(actor):
    with pytest.raises(ConfigError, match="no file with id"):
        actor.stat("0" * 32).get()
    writer = actor.begin(name="x.bin", size=10).get()
    actor.abort(writer).get()
    assert actor.list().get() == []


def test_wrong_key_is_raised_by_start_ready(vault_dir, key):
    VaultActor.start_ready(vault_dir, key=key).stop()
    with pytest.raises(WrongKeyError):
        VaultActor.start_ready(vault_dir, key=os.urandom(32))
