"""Received files go straight into the encrypted vault, previews beside them."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from ferry.actors.media import PreviewConfig, find_ffmpeg
from ferry.actors.storage.vault import Vault
from ferry.engine import TransferCancelled
from ferry.engine.digest import sha256_file
from ferry.engine.previews import PreviewReady

from .helpers import (
    connected_pair,
    files_under,
    incoming_transfers,
    run,
    until_empty,
    until_progress,
    write_random,
)

MIB = 1 << 20
KEY = b"k" * 32


def vault_receiver(tmp_path: Path, **options: object) -> dict[str, object]:
    return {"vault_dir": tmp_path / "vault", "vault_key": KEY, **options}


def test_files_arrive_encrypted_and_verified(tmp_path: Path) -> None:
    small, large = tmp_path / "small.txt", tmp_path / "large.bin"
    small.write_bytes(b"hello vault")
    digest = write_random(large, 3 * MIB + 5)

    async def scenario() -> list[str]:
        async with connected_pair(None, receiver=vault_receiver(tmp_path)) as (sender, _):
            results = [await sender.send(small), await sender.send(large)]
            return [r.stored_id for r in results]

    stored_ids = run(scenario())
    with Vault.open(tmp_path / "vault", key=KEY, create=False) as vault:
        records = {r.id: r for r in vault.list()}
        assert set(records) == set(stored_ids)
        assert {r.name: r.kind for r in records.values()} == {
            "small.txt": "inline",
            "large.bin": "blob",
        }
        vault.export(stored_ids[1], tmp_path / "exported.bin")
        assert vault.verify().ok
    assert sha256_file(tmp_path / "exported.bin") == digest


def _png_with_marker(marker: bytes) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("comment", marker.decode())
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 128, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_plaintext_never_reaches_the_disk(tmp_path: Path) -> None:
    marker = os.urandom(12).hex().encode()  # 24 ASCII bytes found nowhere else
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "image.png").write_bytes(_png_with_marker(marker))
    with open(sources / "big.bin", "wb") as out:
        for _ in range(64):
            out.write(os.urandom(32 * 1024) + marker)
    started = time.time()

    async def scenario() -> None:
        async with connected_pair(None, receiver=vault_receiver(tmp_path)) as (sender, receiver):
            received = incoming_transfers(receiver)
            await sender.send(sources / "image.png")
            image = await received.get()
            await sender.send(sources / "big.bin")
            ready = await asyncio.wait_for(image.preview(), 60)
            assert ready.preview_id is not None  # the previewer read the plaintext too

    run(scenario())
    places = [tmp_path / "vault", Path(tempfile.gettempdir())]
    for place in places:
        for root, _, names in os.walk(place):
            for name in names:
                path = Path(root, name)
                if path.is_relative_to(sources) or not path.is_file():
                    continue
                try:
                    if path.stat().st_mtime < started:
                        continue  # not written by this test
                    data = path.read_bytes()
                except OSError:
                    continue
                assert marker not in data, f"plaintext found in {path}"


def test_a_crashed_reassembler_continues_with_the_same_vault_writer(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    digest = write_random(source, 10 * MIB)
    options = vault_receiver(tmp_path, write_delay=0.01)

    async def scenario() -> str:
        async with connected_pair(None, receiver=options) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            await until_progress(incoming, 2 * MIB)
            receiver.inject_fault("reassembler", incoming)
            return (await outgoing).stored_id

    stored_id = run(scenario())
    with Vault.open(tmp_path / "vault", key=KEY, create=False) as vault:
        assert vault.stat(stored_id).sha256 == digest
        assert vault.verify(stored_id).ok


def test_a_cancelled_transfer_leaves_nothing_in_the_vault(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    write_random(source, 8 * MIB)
    options = vault_receiver(tmp_path, write_delay=0.05)

    async def scenario() -> None:
        async with connected_pair(None, receiver=options) as (sender, receiver):
            received = incoming_transfers(receiver)
            outgoing = sender.send(source)
            incoming = await received.get()
            await until_progress(incoming, 1)
            outgoing.cancel()
            with pytest.raises(TransferCancelled):
                await incoming
            await until_empty(tmp_path / "vault" / "staging")  # the abort reached the vault

    run(scenario())
    assert files_under(tmp_path / "vault" / "staging") == []
    with Vault.open(tmp_path / "vault", key=KEY, create=False) as vault:
        assert vault.list() == []
        assert vault.verify().ok


def _video(path: Path) -> None:
    subprocess.run(
        [find_ffmpeg(), "-v", "error", "-f", "lavfi", "-i",
         "color=c=blue:size=320x240:duration=2", "-pix_fmt", "yuv420p", "-y", str(path)],
        check=True,
    )  # fmt: skip


def test_previews_of_images_and_videos_and_bad_media(tmp_path: Path) -> None:
    Image.new("RGB", (1200, 600), (250, 20, 20)).save(tmp_path / "red.jpg", "JPEG")
    _video(tmp_path / "blue.mp4")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (tmp_path / "fake.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    (tmp_path / "notes.txt").write_bytes(b"not media")
    names = ["red.jpg", "blue.mp4", "broken.png", "fake.mp4", "notes.txt"]

    async def scenario() -> dict[str, object]:
        async with connected_pair(None, receiver=vault_receiver(tmp_path)) as (sender, receiver):
            received = incoming_transfers(receiver)
            for name in names:
                await sender.send(tmp_path / name)
            transfers = {t.name: t for t in [await received.get() for _ in names]}
            outcomes = {}
            for name in names[:4]:
                outcomes[name] = await asyncio.wait_for(transfers[name].preview(), 60)
            engine = receiver.engine
            red = await engine.vault.open_preview(outcomes["red.jpg"].file_id)
            blue = await engine.vault.open_preview(outcomes["blue.mp4"].file_id)
            outcomes["images"] = (red, blue)
            outcomes["records"] = await engine.vault.list()
            # The engine carries on after bad media: one more file arrives whole.
            again = await sender.send(tmp_path / "red.jpg")
            outcomes["again"] = again
            return outcomes

    outcomes = run(scenario())
    red, blue = outcomes["images"]  # type: ignore[misc]
    for preview, colour in ((red, (250, 20, 20)), (blue, (0, 0, 255))):
        image = Image.open(io.BytesIO(preview.data))
        assert image.format == "JPEG" and max(image.size) == 300
        mean = image.convert("RGB").resize((1, 1)).getpixel((0, 0))
        assert all(abs(a - b) < 40 for a, b in zip(mean, colour, strict=True)), mean
    assert (red.width, red.height) == (300, 150)  # aspect ratio kept
    assert outcomes["broken.png"].preview_id is None and outcomes["broken.png"].reason
    assert outcomes["fake.mp4"].preview_id is None and outcomes["fake.mp4"].reason
    records = {r.name: r for r in outcomes["records"]}  # type: ignore[attr-defined]
    assert records["broken.png"].preview_error and records["fake.mp4"].preview_error
    assert records["notes.txt"].preview_id is None and records["notes.txt"].preview_error is None
    assert outcomes["again"].size == (tmp_path / "red.jpg").stat().st_size


def test_a_missing_ffmpeg_costs_the_preview_not_the_file(tmp_path: Path) -> None:
    _video(tmp_path / "blue.mp4")
    options = vault_receiver(tmp_path, previews=PreviewConfig(ffmpeg_path="/nonexistent/ffmpeg"))

    async def scenario() -> object:
        async with connected_pair(None, receiver=options) as (sender, receiver):
            received = incoming_transfers(receiver)
            result = await sender.send(tmp_path / "blue.mp4")
            ready = await asyncio.wait_for((await received.get()).preview(), 60)
            assert result.size == (tmp_path / "blue.mp4").stat().st_size
            return ready

    ready = run(scenario())
    assert isinstance(ready, PreviewReady)
    assert ready.preview_id is None and ready.reason and "ffmpeg-missing" in ready.reason


@pytest.mark.parametrize("max_wait", [60.0, 0.2])
def test_previews_wait_while_files_arrive_but_not_forever(tmp_path: Path, max_wait: float) -> None:
    Image.new("RGB", (800, 600), (20, 200, 20)).save(tmp_path / "green.jpg", "JPEG")
    write_random(tmp_path / "big.bin", 8 * MIB)
    options = vault_receiver(tmp_path, write_delay=0.05, preview_max_wait=max_wait)
    order: list[str] = []

    async def scenario() -> None:
        async with connected_pair(None, receiver=options) as (sender, receiver):
            received = incoming_transfers(receiver)
            big = sender.send(tmp_path / "big.bin")
            arriving = await received.get()  # the big file is arriving (slowly: a slow disk)
            arriving.add_listener(
                lambda item: order.append("big") if hasattr(item, "sha256") else None
            )
            await sender.send(tmp_path / "green.jpg")  # the image arrives meanwhile
            image = await received.get()
            ready = await asyncio.wait_for(image.preview(), 60)
            order.append("preview")
            await big
            assert ready.preview_id is not None

    run(scenario())
    # With a long max_wait the preview waits for the big file; with a short one it does not.
    assert order == (["big", "preview"] if max_wait > 1 else ["preview", "big"])
