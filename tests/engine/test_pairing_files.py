"""The identity file and the trusted-peers store: private, atomic, and honest about damage."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from ferry.engine.pairing import TrustStore, config_dir, identity_path, load_identity
from ferry.errors import ConfigError
from ferry.protocol.pairing import Identity


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_config_folder_follows_the_environment(tmp_path: Path) -> None:
    assert (
        config_dir({"FERRY_CONFIG_DIR": str(tmp_path / "f"), "XDG_CONFIG_HOME": "x"})
        == tmp_path / "f"
    )
    assert config_dir({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "ferry"
    assert config_dir({}) == Path("~/.config/ferry").expanduser()


def test_an_identity_is_made_once_0600_and_read_back(tmp_path: Path) -> None:
    path = identity_path(tmp_path / "cfg")
    first = load_identity(path)
    assert path.exists() and _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert b"BEGIN PRIVATE KEY" in path.read_bytes()
    assert load_identity(path).peer_id == first.peer_id
    assert [p.name for p in path.parent.iterdir()] == ["identity.pem"]  # no temp files left


def test_a_missing_identity_is_not_made_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no Ferry identity"):
        load_identity(tmp_path / "identity.pem", create=False)


def test_a_damaged_identity_is_an_error_and_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "identity.pem"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="does not replace it"):
        load_identity(path)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\ngarbage")


def test_an_identity_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "identity.pem"
    load_identity(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_identity(path)


def _load(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(load_identity(Path(path)).peer_id)


def test_two_processes_starting_at_once_share_one_identity(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    queue = context.Queue()
    path = str(tmp_path / "cfg" / "identity.pem")
    workers = [context.Process(target=_load, args=(path, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    ids = {queue.get(timeout=5) for _ in workers}
    assert len(ids) == 1


# -- trusted peers -----------------------------------------------------------------------------


def test_add_list_forget(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "cfg" / "trusted-peers.json")
    assert store.list() == [] and store.ids() == frozenset()
    a, b = Identity.generate(), Identity.generate()
    store.add(a.peer_id, name="laptop\x1b[31m", key=a.public_key)
    store.add(b.peer_id.lower().replace("-", ""))
    assert a.peer_id in store and b.peer_id in store
    assert [p.peer_id for p in store.list()] == [a.peer_id, b.peer_id]
    assert store.get(a.peer_id).name == "laptop[31m"  # type: ignore[union-attr]
    assert store.get(a.peer_id).key == a.public_key  # type: ignore[union-attr]
    assert _mode(store.path) == 0o600
    assert store.resolve(b.peer_id[:9]) == b.peer_id
    assert store.forget(a.peer_id) and not store.forget(a.peer_id)
    assert a.peer_id not in store and b.peer_id in store
    assert TrustStore(store.path).ids() == {b.peer_id}


def test_adding_again_keeps_the_first_date_and_updates_the_name(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "t.json")
    peer = Identity.generate()
    first = store.add(peer.peer_id, name="old")
    second = store.add(peer.peer_id, name="new")
    assert second.added == first.added and second.name == "new"
    assert len(store.list()) == 1


def test_a_key_that_is_not_the_ids_is_refused(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "t.json")
    with pytest.raises(ConfigError, match="does not belong"):
        store.add(Identity.generate().peer_id, key=Identity.generate().public_key)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"version": 2, "peers": []}',
        b'{"version": 1, "peers": {}}',
        b'{"version": 1, "peers": [{"id": "nope"}]}',
        b'{"version": 1, "peers": [{"name": "x"}]}',
    ],
)
def test_a_damaged_store_is_a_clear_error_and_is_never_overwritten(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "trusted-peers.json"
    path.write_bytes(content)
    path.chmod(0o600)
    store = TrustStore(path)
    for action in (store.list, store.ids, lambda: store.add(Identity.generate().peer_id)):
        with pytest.raises(ConfigError, match="damaged") as caught:
            action()
        assert str(path) in caught.value.message
    assert path.read_bytes() == content


def test_ambiguous_or_unknown_prefixes_are_errors(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "t.json")
    with pytest.raises(ConfigError, match="no trusted peer"):
        store.resolve("ABC")
    with pytest.raises(ConfigError, match="no peer id"):
        store.resolve(" ")


def _add_many(path: str, start: int) -> None:
    store = TrustStore(Path(path))
    for i in range(start, start + 10):
        store.add(Identity.from_seed(i.to_bytes(32, "big")).peer_id)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    path = str(tmp_path / "t.json")
    workers = [context.Process(target=_add_many, args=(path, n * 100)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(TrustStore(Path(path)).list()) == 30
    assert {p.name for p in tmp_path.iterdir()} == {"t.json", "t.json.lock"}
    assert json.loads(Path(path).read_text())["version"] == 1
    assert os.stat(path).st_mode & 0o077 == 0
