"""The folder destination refuses what a sender may not do to the receiver's disk."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from ferry.actors.storage import destination as destination_module
from ferry.actors.storage.destination import STAGING_DIR, FolderDestination
from ferry.actors.storage.errors import StorageError
from ferry.actors.storage.journal import new_entry, staging_stem
from ferry.engine.outgoing import files_under
from ferry.protocol.frames import Offer


def offer(name: str, data: bytes = b"hello", resume_key: str = "key") -> Offer:
    return Offer(b"t" * 16, name, len(data), "application/octet-stream", 16384, resume_key, 7)


def receive(destination: FolderDestination, name: str, data: bytes = b"hello") -> str:
    staging = destination.open(offer(name, data), None)
    staging.write([data])
    assert staging.sha256() == hashlib.sha256(data).digest()
    return staging.commit()


@pytest.mark.parametrize(
    "name", [f"{STAGING_DIR}/r-x.json", f"{STAGING_DIR}/r-x.part", ".FERRY-STAGING/x"]
)
def test_the_staging_area_is_not_a_name_a_sender_may_use(tmp_path: Path, name: str) -> None:
    destination = FolderDestination(tmp_path)
    with pytest.raises(StorageError, match="receiver's own"):
        destination.open(offer(name), None)
    assert not (tmp_path / STAGING_DIR / "r-x.json").exists()


def test_a_journal_entry_past_the_file_size_is_ignored(tmp_path: Path) -> None:
    destination = FolderDestination(tmp_path)
    destination.staging_dir.mkdir()
    stem = staging_stem("key", b"t" * 16)
    (destination.staging_dir / f"{stem}.part").write_bytes(b"x" * 100)  # a planted prefix
    destination.journal.save(stem, new_entry("key", "a.txt", 5, 7, 100))
    staging = destination.open(offer("a.txt"), None)
    assert staging.written == 0  # from the start, not at the planted offset past the end
    staging.abort()


def test_no_folder_is_made_or_written_through_a_symlink_out_of_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "docs").symlink_to(outside)
    destination = FolderDestination(root)
    staging = destination.open(offer("docs/sub/x.txt"), None)
    staging.write([b"hello"])
    with pytest.raises(StorageError, match="symlink"):
        staging.commit()
    assert list(outside.iterdir()) == []  # not even the folder "sub"


def test_without_hard_links_an_existing_file_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system without hard links (FAT, some network mounts) cannot be had on demand:
    # os.link is made to fail as it fails there. Another program that creates the same
    # name just before the rename is played by a wrapper around os.replace.
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    real_replace = os.replace
    raced: list[Path] = []

    def racing_replace(source: str | Path, target: str | Path) -> None:
        if not os.path.exists(target):
            Path(target).write_bytes(b"another program's")
            raced.append(Path(target))
        real_replace(source, target)

    monkeypatch.setattr(destination_module.os, "link", no_links)
    monkeypatch.setattr(destination_module.os, "replace", racing_replace)
    destination = FolderDestination(tmp_path)
    (tmp_path / "report.txt").write_bytes(b"mine")
    assert receive(destination, "report.txt", b"theirs") == "report (1).txt"
    assert (tmp_path / "report.txt").read_bytes() == b"mine"
    assert (tmp_path / "report (1).txt").read_bytes() == b"theirs"
    for path in raced:  # whatever the other program wrote is still there
        assert path.read_bytes() == b"another program's"


def test_received_files_are_never_writable_by_others(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        destination = FolderDestination(tmp_path)
        staging = destination.open(offer("a.txt"), None)
        staging_mode = stat.S_IMODE(os.stat(staging.path).st_mode)
        staging.write([b"hello"])
        stored = staging.commit()
    finally:
        os.umask(old)
    assert staging_mode == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / stored).st_mode) == 0o644


def test_sending_a_folder_does_not_follow_symlinks(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("id_ed25519")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a")
    (tree / "sub" / "b.txt").write_text("b")
    (tree / "key").symlink_to(secret)
    (tree / "linked").symlink_to(tmp_path)
    names = [name for _, name in files_under(tree)]
    assert names == ["tree/a.txt", "tree/sub/b.txt"]
