"""The ``ferry`` command line, run as a real program."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

from ferry.engine.digest import sha256_file

from .helpers import free_port, read_code, write_random

ROOT = Path(__file__).resolve().parents[2]


def ferry(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ferry.engine.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ferry: error:"), result.stderr
    assert expected in lines[0]


def test_send_and_receive_between_two_processes(tmp_path: Path) -> None:
    sources = [tmp_path / "a.bin", tmp_path / "b.bin"]
    digests = [write_random(path, 300_000 + i) for i, path in enumerate(sources)]
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ferry.engine.cli",
            "receive",
            "--listen",
            f"127.0.0.1:{port}",
            "--out",
            str(out),
            "--once",
            "--ice-address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert receiver.stdout is not None
    assert receiver.stdout.readline().startswith("listening on")
    code = read_code(receiver)
    sent = ferry(
        "send",
        *map(str, sources),
        "--connect",
        f"127.0.0.1:{port}",
        "--code",
        code,
        "--ice-address",
        "127.0.0.1",
        "--chunk-size",
        "64k",
    )
    received, errors = receiver.communicate(timeout=60)
    assert sent.returncode == 0, sent.stderr
    assert receiver.returncode == 0, errors
    for path, digest in zip(sources, digests, strict=True):
        assert f"sent {path.name}: " in sent.stdout and digest.hex() in sent.stdout
        assert f"received {path.name}: " in received
        assert sha256_file(out / path.name) == digest


def test_send_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    one_line_error(
        ferry("send", str(tmp_path / "nope.bin"), "--connect", "127.0.0.1:9"),
        "no such file or folder",
    )


def test_send_with_nobody_listening_is_a_one_line_error(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"x")
    result = ferry(
        "send", str(source), "--connect", f"127.0.0.1:{free_port()}", "--ice-address", "127.0.0.1",
        "--code", "7-crossover-clockwork",
    )  # fmt: skip
    one_line_error(result, "cannot reach a receiver")


def test_send_with_no_code_and_no_trusted_peer_says_what_to_give(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"x")
    result = ferry("send", str(source), "--connect", f"127.0.0.1:{free_port()}")
    one_line_error(result, "give the code the receiver shows")


def test_receive_on_a_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ferry("receive", "--listen", f"127.0.0.1:{port}", "--out", str(tmp_path))
    one_line_error(result, "already in use")


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")  # --out DIR is made when missing, but not inside a file
    one_line_error(
        ferry("receive", "--listen", "127.0.0.1:0", "--out", str(blocker / "inbox")),
        "cannot make the output folder",
    )
    one_line_error(ferry("receive", "--listen", "nonsense", "--out", str(tmp_path)), "HOST:PORT")
    source = tmp_path / "a.bin"
    source.write_bytes(b"x")
    one_line_error(
        ferry("send", str(source), "--connect", "127.0.0.1:9", "--chunk-size", "1k"),
        "chunk size must be at least",
    )
    one_line_error(
        ferry("send", str(source), "--connect", "127.0.0.1:9", "--ice-address", "localhost"),
        "is not an IP address",
    )


def test_demo_runs_a_verified_transfer_into_a_vault_with_previews() -> None:
    result = ferry("demo", "--size", "2m")
    assert result.returncode == 0, result.stderr
    assert "SHA-256 verified on both sides" in result.stdout
    workdir = Path(result.stdout.split("clean up: rm -r ")[1].split()[0])
    try:
        previews = sorted(p.name for p in workdir.glob("preview-of-*.jpg"))
        assert previews == ["preview-of-clip.jpg", "preview-of-picture.jpg"]
        assert (workdir / "vault" / "vault.db").is_file()
        assert not (workdir / "to-send" / "random.bin").exists()  # the big input is removed
    finally:
        shutil.rmtree(workdir)
