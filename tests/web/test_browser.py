"""A real browser is a Ferry peer: headless Chromium against real ``ferry`` processes.

Each case starts the reference mailbox server on 127.0.0.1, a ``ferry send --web`` or
``ferry receive --web`` process (which serves the page itself and prints the link), and
opens the link in Chromium; ICE is pinned to loopback on both sides. What crosses is
checked byte for byte and by SHA-256 on both sides; window.ferryState is the page's
contract.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import os
import queue
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from ferry.engine.web import PageServer, WebLink

from ..rendezvous.servers import MailboxServer
from .browser import CHROMIUM_FLAGS, chromium_or_skip

FINISHED = "['done', 'failed'].includes(window.ferryState.phase)"
MIB = 1 << 20


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailboxServer]:
    server = MailboxServer(tmp_path_factory.mktemp("mailbox"))
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        bypass_csp=True, accept_downloads=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


class Ferry:
    """A ``ferry ... --web`` process; ``link`` is what it printed on its own line."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "FERRY_ICE_ADDRESSES": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ferry.engine.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if re.match(r"https?://\S+#\S+$", line.strip()):
                self.link = line.strip()
                return
        raise AssertionError(f"no link printed: {self.finish()}")

    def finish(self) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, "".join(self.lines) + out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def processes() -> Iterator[list[Ferry]]:
    started: list[Ferry] = []
    try:
        yield started
    finally:
        for ferry in started:
            ferry.kill()


def finished_state(page: object) -> dict[str, object]:
    page.wait_for_function(FINISHED, timeout=120_000)  # type: ignore[attr-defined]
    return page.evaluate("window.ferryState")  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("size", [100_000, 64 * MIB], ids=["small", "64MiB"])
def test_ferry_send_to_the_browser(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path, size: int
) -> None:
    source = tmp_path / "from-ferry.bin"
    source.write_bytes(os.urandom(size))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    ferry = Ferry("send", str(source), "--web", "--rendezvous", mailbox.url)
    processes.append(ferry)
    assert WebLink.parse(ferry.link).action == "receive"
    with page.expect_download(timeout=60_000) as download:  # type: ignore[attr-defined]
        page.goto(ferry.link)  # type: ignore[attr-defined]
    state = finished_state(page)
    assert state["phase"] == "done", state
    assert (state["name"], state["bytes"], state["total"]) == ("from-ferry.bin", size, size)
    assert state["sha256"] == digest and state["error"] is None
    received = tmp_path / "received.bin"
    download.value.save_as(received)
    assert download.value.suggested_filename == "from-ferry.bin"
    assert received.read_bytes() == source.read_bytes()
    code, out, err = ferry.finish()
    assert code == 0, err
    assert f"sha256 {digest}" in out


@pytest.mark.parametrize("size", [100_000, 64 * MIB], ids=["small", "64MiB"])
def test_the_browser_sends_to_ferry_receive(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path, size: int
) -> None:
    source = tmp_path / "from-browser.bin"
    source.write_bytes(os.urandom(size))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ferry = Ferry(
        "receive", "--web", "--out", str(out_dir), "--no-previews", "--rendezvous", mailbox.url
    )
    processes.append(ferry)
    assert WebLink.parse(ferry.link).action == "send"
    page.goto(ferry.link)  # type: ignore[attr-defined]
    page.set_input_files("#file", str(source))  # type: ignore[attr-defined]
    state = finished_state(page)
    assert state["phase"] == "done", state
    assert state["sha256"] == digest and state["bytes"] == size
    code, out, err = ferry.finish()
    assert code == 0, err
    assert f"sha256 {digest}" in out
    assert (out_dir / "from-browser.bin").read_bytes() == source.read_bytes()


def test_a_wrong_link_says_so_in_the_page(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ferry = Ferry(
        "receive", "--web", "--out", str(out_dir), "--no-previews", "--rendezvous", mailbox.url
    )
    processes.append(ferry)
    link = WebLink.parse(ferry.link)
    wrong = WebLink(link.page, link.action, link.nameplate, bytes(32), link.rendezvous)
    page.goto(str(wrong))  # type: ignore[attr-defined]
    page.set_input_files("#file", str(_small_file(tmp_path)))  # type: ignore[attr-defined]
    state = finished_state(page)
    assert state["phase"] == "failed"
    assert "does not match" in str(state["error"])
    code, _, err = ferry.finish()
    assert code != 0 and "secret did not match" in err
    assert not any(out_dir.iterdir())


def test_a_used_link_says_nobody_waits(
    browser: object, page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    source = _small_file(tmp_path)
    ferry = Ferry("send", str(source), "--web", "--rendezvous", mailbox.url)
    processes.append(ferry)
    with page.expect_download():  # type: ignore[attr-defined]
        page.goto(ferry.link)  # type: ignore[attr-defined]
    assert finished_state(page)["phase"] == "done"
    code, _, err = ferry.finish()
    assert code == 0, err
    # the same link again (the page from a server of our own: the command's is gone), in
    # another browser context: the nameplate was released once the page came
    link = WebLink.parse(ferry.link)
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    try:
        with PageServer() as server:
            again = context.new_page()
            again.goto(
                str(WebLink(server.url, link.action, link.nameplate, link.secret, link.rendezvous))
            )
            state = finished_state(again)
    finally:
        context.close()
    assert state["phase"] == "failed"
    assert "Nobody is waiting behind this link" in str(state["error"])


def test_a_damaged_link_says_so(page: object, mailbox: MailboxServer) -> None:
    with PageServer(rendezvous=mailbox.url) as server:
        page.goto(server.url + "#receive-7-tooshort")  # type: ignore[attr-defined]
        state = finished_state(page)
    assert state["phase"] == "failed" and "needs a Ferry link" in str(state["error"])


def _small_file(folder: Path) -> Path:
    path = folder / "small.bin"
    path.write_bytes(b"ferry" * 100)
    return path


def test_a_folder_from_the_cli_arrives_as_several_downloads(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    folder = tmp_path / "album"
    folder.mkdir()
    contents = {f"photo{i}.bin": os.urandom(50_000 + i) for i in range(3)}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    ferry = Ferry("send", str(folder), "--web", "--rendezvous", mailbox.url)
    processes.append(ferry)
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))  # type: ignore[attr-defined]
    page.goto(ferry.link)  # type: ignore[attr-defined]
    code, _out, err = ferry.finish()  # the CLI ends once every file was confirmed
    assert code == 0, err
    page.wait_for_function("window.ferryFiles.length === 3")  # type: ignore[attr-defined]
    finished = page.evaluate("window.ferryFiles")  # type: ignore[attr-defined]
    assert sorted(f["name"] for f in finished) == [f"album/{name}" for name in sorted(contents)]
    got = {}
    for download in downloads:
        path = tmp_path / download.suggested_filename  # type: ignore[attr-defined]
        download.save_as(path)  # type: ignore[attr-defined]
        got[download.suggested_filename] = path.read_bytes()  # type: ignore[attr-defined]
    assert got == {f"album_{name}": data for name, data in contents.items()}


def test_the_browser_sends_into_a_vault(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    source = tmp_path / "secret-notes.bin"
    source.write_bytes(os.urandom(300_000))
    vault = tmp_path / "vault"
    os.environ["FERRY_PASSPHRASE"] = "correct horse battery staple"
    try:
        ferry = Ferry(
            "receive", "--web", "--vault", str(vault), "--no-previews", "--rendezvous", mailbox.url
        )
        processes.append(ferry)
        page.goto(ferry.link)  # type: ignore[attr-defined]
        page.set_input_files("#file", str(source))  # type: ignore[attr-defined]
        assert finished_state(page)["phase"] == "done"
        code, out, err = ferry.finish()
        assert code == 0, err
        stored_id = re.search(r"received secret-notes\.bin: .* -> stored as (\S+)", out).group(1)  # type: ignore[union-attr]
        exported = tmp_path / "exported.bin"
        subprocess.run(
            [sys.executable, "-m", "ferry.engine.cli", "vault", "export", stored_id,
             str(exported), "--vault", str(vault)],
            check=True, capture_output=True,
        )  # fmt: skip
    finally:
        del os.environ["FERRY_PASSPHRASE"]
    assert exported.read_bytes() == source.read_bytes()
    assert source.read_bytes()[:4096] not in b"".join(
        p.read_bytes() for p in vault.rglob("*") if p.is_file()
    )


def test_cancel_in_the_page_keeps_nothing_partial(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(64 * MIB))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ferry = Ferry(
        "receive", "--web", "--out", str(out_dir), "--no-previews", "--rendezvous", mailbox.url
    )
    processes.append(ferry)
    page.goto(ferry.link)  # type: ignore[attr-defined]
    page.set_input_files("#file", str(source))  # type: ignore[attr-defined]
    page.wait_for_function(f"window.ferryState.bytes > {MIB}")  # type: ignore[attr-defined]
    page.click("#cancel")  # type: ignore[attr-defined]
    state = finished_state(page)
    assert state["phase"] == "failed" and state["error"] == "cancelled"
    code, _out, err = ferry.finish()
    assert code != 0 and "cancel" in err
    assert [p for p in out_dir.rglob("*") if p.is_file()] == []  # nothing partial, not staged


def test_cancel_from_the_cli_fails_the_download(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(64 * MIB))
    ferry = Ferry("send", str(source), "--web", "--rendezvous", mailbox.url)
    processes.append(ferry)
    with page.expect_download(timeout=60_000) as download:  # type: ignore[attr-defined]
        page.goto(ferry.link)  # type: ignore[attr-defined]
    page.wait_for_function(f"window.ferryState.bytes > {MIB}")  # type: ignore[attr-defined]
    ferry.process.send_signal(signal.SIGINT)  # Ctrl-C
    state = finished_state(page)
    assert state["phase"] == "failed" and state["error"]
    assert download.value.failure() is not None  # the browser kept no complete file
    code, _, _ = ferry.finish()
    assert code == 130


def test_ferry_web_serves_the_page_that_send_page_points_to(
    page: object, mailbox: MailboxServer, processes: list[Ferry], tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", "web", "--listen", "127.0.0.1:0",
         "--rendezvous", mailbox.url],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        serving = server.stdout.readline()
        found = re.search(r"serving the Ferry page on (http://\S+)", serving)
        assert found, serving
        source = _small_file(tmp_path)
        ferry = Ferry(
            "send", str(source), "--web", "--page", found.group(1), "--rendezvous", mailbox.url
        )
        processes.append(ferry)
        assert ferry.link.startswith(found.group(1))
        assert not any("serving the page" in line for line in ferry.lines)  # --page: no server
        with page.expect_download() as download:  # type: ignore[attr-defined]
            page.goto(ferry.link)  # type: ignore[attr-defined]
        assert finished_state(page)["phase"] == "done"
        saved = tmp_path / "saved.bin"
        download.value.save_as(saved)
        assert saved.read_bytes() == source.read_bytes()
        assert ferry.finish()[0] == 0
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)


def _waiter_with_a_code(mailbox_url: str, source: Path, codes: queue.Queue[str]) -> object:
    """The waiting side of a typed code, in this process: allocate, show the code, pair in
    code mode, send ``source`` to whoever joins (the page), return its result."""
    from ferry.engine import Engine, EngineConfig
    from ferry.engine.rendezvous import MailboxSignaling
    from ferry.protocol.pairing import new_code

    async def run() -> object:
        mailbox = MailboxSignaling.allocate(mailbox_url)
        code = new_code(await mailbox.bind())
        codes.put(str(code))
        async with Engine(EngineConfig(ice_addresses=("127.0.0.1",))) as engine:
            peer = await engine.listen(mailbox, code=code)  # type: ignore[arg-type]
            result = await peer.send(source)  # type: ignore[misc]
            await peer.close()
            return result

    return asyncio.run(asyncio.wait_for(run(), 120))


def test_a_typed_code_pairs_the_page_with_spake2_on_the_code(
    page: object, mailbox: MailboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "by-code.bin"
    source.write_bytes(os.urandom(200_000))
    codes: queue.Queue[str] = queue.Queue()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sending = pool.submit(_waiter_with_a_code, mailbox.url, source, codes)
        code = codes.get(timeout=60)
        with PageServer(rendezvous=mailbox.url) as server:
            page.goto(server.url)  # type: ignore[attr-defined]
            page.fill("#code", "  " + code.upper().replace("-", " "))  # type: ignore[attr-defined]
            with page.expect_download() as download:  # type: ignore[attr-defined]
                page.click("#join")  # type: ignore[attr-defined]
            state = finished_state(page)
            verifier = page.text_content("#verifier")  # type: ignore[attr-defined]
        result = sending.result(timeout=60)
    assert state["phase"] == "done", state
    assert state["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert result.sha256 == state["sha256"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"Verifier: [a-z]+(-[a-z]+){3}", str(verifier))
    saved = tmp_path / "saved.bin"
    download.value.save_as(saved)
    assert saved.read_bytes() == source.read_bytes()


def test_a_mistyped_code_is_explained_before_anything_connects(
    page: object, mailbox: MailboxServer
) -> None:
    with PageServer(rendezvous=mailbox.url) as server:
        page.goto(server.url)  # type: ignore[attr-defined]
        page.fill("#code", "7-crossover-clockwrk")  # type: ignore[attr-defined]
        page.click("#join")  # type: ignore[attr-defined]
        page.wait_for_function("document.getElementById('code-error').textContent !== ''")  # type: ignore[attr-defined]
        message = page.text_content("#code-error")  # type: ignore[attr-defined]
        assert page.evaluate("window.ferryState.phase") == "waiting"  # type: ignore[attr-defined]
    assert message == '"clockwrk" (second word) is not a code word; did you mean "clockwork"?'


def _lying_sender(mailbox_url: str, page_url: str, source: Path, links: queue.Queue[str]) -> object:
    """``ferry send --web`` in this process, except that its EOF declares a SHA-256 one bit
    off what it sent. A fake, because a real sender cannot be made to: it hashes exactly
    the bytes it reads and sends. Returns what the transfer ended with."""
    from ferry.engine import Engine, EngineConfig
    from ferry.engine.web import WebPairing
    from ferry.errors import FerryError
    from ferry.protocol.connection import Connection

    honest = Connection.finish

    def lying(self: Connection, transfer_id: bytes, sha256: bytes) -> list[object]:
        return honest(self, transfer_id, bytes([sha256[0] ^ 1]) + sha256[1:])  # type: ignore[return-value]

    async def run() -> object:
        async with Engine(EngineConfig(ice_addresses=("127.0.0.1",))) as engine:
            pairing = WebPairing(mailbox_url, page_url, "receive")
            links.put(str(await pairing.link()))
            peer = await pairing.connect(engine)
            try:
                return await peer.send(source)  # type: ignore[misc]
            except FerryError as exc:
                return exc
            finally:
                await peer.close()

    with mock.patch.object(Connection, "finish", lying):
        return asyncio.run(asyncio.wait_for(run(), 120))


def test_a_file_whose_sha256_differs_from_the_senders_is_not_kept(
    page: object, mailbox: MailboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "declared-wrongly.bin"
    source.write_bytes(os.urandom(2 * MIB))
    links: queue.Queue[str] = queue.Queue()
    with (
        PageServer(rendezvous=mailbox.url) as server,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        sending = pool.submit(_lying_sender, mailbox.url, server.url, source, links)
        with page.expect_download(timeout=60_000) as download:  # type: ignore[attr-defined]
            page.goto(links.get(timeout=60))  # type: ignore[attr-defined]
        state = finished_state(page)
        result = sending.result(timeout=60)
    assert state["phase"] == "failed" and "SHA-256" in str(state["error"]), state
    assert download.value.failure() is not None  # the browser kept no complete file
    assert "integrity" in str(result) or "SHA-256" in str(result), result
