"""`ferry receive` lets in only the sender that paired: real processes, real sockets.

Each receiver and sender gets its own FERRY_CONFIG_DIR (its own identity and trust
store), as two installations would have.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.engine import AuthenticationError, Engine, EngineConfig, Identity, TcpSignaling
from ferry.engine.cli.output import EXIT_AUTH
from ferry.engine.digest import sha256_file

from .helpers import LOOPBACK, files_under, free_port, read_code, read_until, run, write_random

ROOT = Path(__file__).resolve().parents[2]


def _ferry(config: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ferry.engine.cli", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FERRY_CONFIG_DIR": str(config), **env},
    )  # fmt: skip


def _receiver(tmp: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    process = _ferry(
        tmp / "receiver-config",
        "receive", "--listen", f"127.0.0.1:{port}", "--out", str(out),
        "--ice-address", "127.0.0.1", *extra,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith("listening on")
    process.code = read_code(process)  # type: ignore[attr-defined]
    return process


def _send(
    tmp: Path, port: int, source: Path, *extra: str, **env: str
) -> subprocess.CompletedProcess[str]:
    process = _ferry(
        tmp / "sender-config",
        "send", str(source), "--connect", f"127.0.0.1:{port}", "--ice-address", "127.0.0.1",
        *extra, **env,
    )  # fmt: skip
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.kill()
    return process.communicate()


def test_a_wrong_code_fails_cleanly_burns_the_code_and_the_new_code_works(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    digest = write_random(source, 200_000)
    port = free_port()
    receiver = _receiver(tmp_path, port)
    try:
        first = receiver.code  # type: ignore[attr-defined]
        number, one, two = first.split("-")
        wrong = f"{number}-{'adroitness' if one != 'adroitness' else 'adviser'}-{two}"
        refused = _send(tmp_path, port, source, "--code", wrong)
        assert refused.returncode == EXIT_AUTH, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ferry: error: pairing failed"), lines
        assert "ask the receiver for the new code" in lines[0]
        # The receiver says so and makes a new code; the old one is gone.
        new = read_code(receiver)
        assert new != first
        assert files_under(tmp_path / "out") == []  # nothing written
        again = _send(tmp_path, port, source, "--code", first)
        assert again.returncode == EXIT_AUTH  # even the right old code: it was burnt
        third = read_code(receiver)  # and that try burnt the new one
        assert third not in {first, new}
        sent = _send(tmp_path, port, source, "--code", third, "--verify")
        assert sent.returncode == 0, sent.stderr
        verifier = [line for line in sent.stdout.splitlines() if line.startswith("verifier: ")]
        assert len(verifier) == 1 and len(verifier[0].split()[1].split("-")) == 4
    finally:
        _, errors = _stop(receiver)
    assert "tried a wrong code" in errors
    assert sha256_file(tmp_path / "out" / "a.bin") == digest


def test_an_old_client_sending_a_plain_offer_gets_nowhere(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    write_random(source, 50_000)
    port = free_port()
    receiver = _receiver(tmp_path, port)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as old:
            offer = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}
            old.sendall(json.dumps(offer).encode() + b"\n")
            reply = old.makefile("rb").readline()
        assert json.loads(reply)["type"] == "pair-abort"  # refused, with the reason why
        # No code was tried: the same code still lets the real sender in.
        sent = _send(tmp_path, port, source, "--code", receiver.code)  # type: ignore[attr-defined]
        assert sent.returncode == 0, sent.stderr
        assert receiver.poll() is None  # still serving
    finally:
        _, errors = _stop(receiver)
    assert "older Ferry without pairing" in errors
    assert files_under(tmp_path / "out") == ["a.bin"]


def test_a_silent_client_does_not_block_a_sender(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    digest = write_random(source, 300_000)
    port = free_port()
    # A long handshake deadline: the sender cannot be getting in because it expired.
    receiver = _receiver(tmp_path, port, "--handshake-timeout", "600")
    try:
        with socket.create_connection(("127.0.0.1", port)) as silent:
            code = receiver.code  # type: ignore[attr-defined]
            sent = _send(tmp_path, port, source, FERRY_CODE=code)  # from the environment
            assert sent.returncode == 0, sent.stderr
            silent.setblocking(False)
            try:
                silent.recv(1)
                still_open = False  # EOF: the receiver had dropped it
            except BlockingIOError:
                still_open = True
            assert still_open  # served beside it, not after it
    finally:
        _stop(receiver)
    assert sha256_file(tmp_path / "out" / "a.bin") == digest


def test_max_peers_closes_connections_beyond_the_limit(tmp_path: Path) -> None:
    port = free_port()
    receiver = _receiver(tmp_path, port, "--max-peers", "1", "--handshake-timeout", "600")
    try:
        with socket.create_connection(("127.0.0.1", port)) as holder:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as extra:
                told = extra.makefile("rb").read()  # closed at once: one peer at a time
            assert json.loads(told) == {"type": "pair-abort", "reason": "busy"}
            holder.setblocking(False)
            try:
                holder.recv(1)
                held = False
            except BlockingIOError:
                held = True
            assert held
    finally:
        _, errors = _stop(receiver)
    assert "already serving 1 peers" in errors


def test_trusted_peers_send_with_no_code_until_forgotten(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    write_random(source, 100_000)
    port = free_port()
    receiver = _receiver(tmp_path, port, "--trust-new")
    try:
        # No code and nobody trusted yet: the sender says what it needs.
        untrusted = _send(tmp_path, port, source)
        assert untrusted.returncode == 1 and "give the code" in untrusted.stderr
        paired = _send(tmp_path, port, source, "--code", receiver.code, "--trust-new")  # type: ignore[attr-defined]
        assert paired.returncode == 0, paired.stderr
        receiver_id = paired.stdout.split("trusted: ")[1].split()[0]
        sender_id = read_until(receiver, "trusted: ")[-1].removeprefix("trusted: ")
        (tmp_path / "a.bin").rename(tmp_path / "b.bin")
        again = _send(tmp_path, port, tmp_path / "b.bin")  # no code: trusted both ways
        assert again.returncode == 0, again.stderr
        listed = _ferry(tmp_path / "receiver-config", "peers", "list").communicate()[0]
        assert sender_id in listed
        forget = _ferry(tmp_path / "receiver-config", "peers", "forget", sender_id[:13])
        assert f"forgot {sender_id}" in forget.communicate()[0]
        (tmp_path / "b.bin").rename(tmp_path / "c.bin")
        refused = _send(tmp_path, port, tmp_path / "c.bin")  # the sender still trusts it
        assert refused.returncode == EXIT_AUTH
        assert "does not trust this device" in refused.stderr
        mine = _ferry(tmp_path / "receiver-config", "peers", "id").communicate()[0].strip()
        assert mine == receiver_id
    finally:
        _stop(receiver)
    assert files_under(tmp_path / "out") == ["a.bin", "b.bin"]


def test_a_relay_that_flips_a_byte_fails_both_sides_then_the_right_code_works(
    tmp_path: Path,
) -> None:
    from tests.engine.pairing_helpers import TamperingRelay

    source = tmp_path / "a.bin"
    digest = write_random(source, 100_000)
    port = free_port()
    receiver = _receiver(tmp_path, port)

    def flip(direction: str, index: int, line: bytes) -> list[bytes]:
        if direction == "to-waiter" and index == 1:  # the joiner's pair-reveal
            message = json.loads(line)
            mac = bytearray(message["mac"].encode())
            mac[5] = ord("A") if mac[5] != ord("A") else ord("B")
            message["mac"] = mac.decode()
            return [json.dumps(message).encode() + b"\n"]
        return [line]

    async def scenario() -> None:
        relay = TamperingRelay(port, flip)
        relay_port = await relay.start()
        config = EngineConfig(ice_addresses=LOOPBACK, config_dir=tmp_path / "sender-config")
        try:
            async with Engine(config) as engine:
                signaling = TcpSignaling("127.0.0.1", relay_port, listen=False)
                try:
                    await engine.connect(signaling, code=receiver.code)  # type: ignore[attr-defined]
                except AuthenticationError as exc:
                    assert exc.reason in {"wrong-secret", "tampered", "malformed"}
                else:
                    raise AssertionError("a tampered handshake paired")
                code = read_code(receiver)  # the tried code is burnt; a new one
                direct = TcpSignaling("127.0.0.1", port, listen=False)
                peer = await engine.connect(direct, code=code)
                result = await peer.send(source)
                assert bytes.fromhex(result.sha256) == digest
                assert result.peer_id == peer.peer_id and peer.peer_id is not None
                await peer.close()
        finally:
            await relay.close()

    try:
        run(scenario())
    finally:
        _, errors = _stop(receiver)
    assert "did not pair" in errors or "wrong code" in errors
    assert files_under(tmp_path / "out") == ["a.bin"]


def test_the_signaling_path_carries_only_sealed_records_after_pairing(tmp_path: Path) -> None:
    from tests.engine.pairing_helpers import TamperingRelay

    source = tmp_path / "a.bin"
    write_random(source, 20_000)
    port = free_port()
    receiver = _receiver(tmp_path, port, "--once")

    async def scenario() -> list[bytes]:
        relay = TamperingRelay(port)
        relay_port = await relay.start()
        config = EngineConfig(ice_addresses=LOOPBACK, config_dir=tmp_path / "sender-config")
        try:
            async with Engine(config) as engine:
                signaling = TcpSignaling("127.0.0.1", relay_port, listen=False)
                peer = await engine.connect(signaling, code=receiver.code)  # type: ignore[attr-defined]
                await peer.send(source)
                await peer.close()
        finally:
            await relay.close()
        return [line for _, line in relay.lines]

    try:
        lines = run(scenario())
        receiver.communicate(timeout=60)
    finally:
        _stop(receiver)
    types = [json.loads(line)["type"] for line in lines]
    assert types[:4] == ["pair-hello", "pair-pake", "pair-reveal", "sealed"]
    assert set(types[4:]) <= {"pair-confirm", "sealed"}
    carried = b"".join(lines)
    assert b"a=fingerprint" not in carried and b"127.0.0.1" not in carried
    assert b"candidate" not in carried and b"a.bin" not in carried


def test_a_client_that_never_pairs_is_dropped_at_the_handshake_deadline(tmp_path: Path) -> None:
    port = free_port()
    receiver = _receiver(tmp_path, port, "--handshake-timeout", "0.5")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as silent:
            told = silent.makefile("rb").read()  # up to EOF: closed once the deadline passed
        assert json.loads(told) == {"type": "pair-abort", "reason": "timeout"}
        assert receiver.stderr is not None
        said = receiver.stderr.readline()  # one line, as it gives up on that client
        assert receiver.poll() is None
    finally:
        _stop(receiver)
    assert said.startswith("ferry: error: a connection from 127.0.0.1:")
    assert "did not finish within 0.5s" in said


def _other_code(code: str) -> str:
    """A well-formed code that is surely not ``code`` (the attacker's guess)."""
    number, first, second = code.split("-")
    return f"{number}-{'adroitness' if first != 'adroitness' else 'adviser'}-{second}"


def test_a_man_in_the_middle_guessing_the_code_fails_both_sides(tmp_path: Path) -> None:
    """The path runs its own SPAKE2 with each side on a guessed code: both fail, nothing is
    written, the receiver burns that code, and its new code then works directly."""
    from ferry.engine.pairing import SecureSignaling
    from ferry.engine.signaling import TcpListener

    source = tmp_path / "a.bin"
    digest = write_random(source, 100_000)
    port = free_port()
    receiver = _receiver(tmp_path, port)
    guess = _other_code(receiver.code)  # type: ignore[attr-defined]

    async def scenario() -> list[BaseException]:
        attacker = Identity.generate()
        async with TcpListener("127.0.0.1", 0) as front:
            config = EngineConfig(ice_addresses=LOOPBACK, config_dir=tmp_path / "sender-config")
            async with Engine(config) as engine:

                async def middle() -> list[BaseException | None]:
                    towards_sender = SecureSignaling(
                        await front.accept(), role="waiter", identity=attacker, code=guess
                    )
                    towards_receiver = SecureSignaling(
                        TcpSignaling("127.0.0.1", port, listen=False),
                        role="joiner", identity=attacker, code=guess,
                    )  # fmt: skip
                    results = await asyncio.gather(
                        towards_sender.open(), towards_receiver.open(), return_exceptions=True
                    )
                    return list(results)

                relay = asyncio.create_task(middle())
                signaling = TcpSignaling("127.0.0.1", front.bound_port, listen=False)
                with pytest.raises(AuthenticationError) as sender_saw:
                    await engine.connect(signaling, code=receiver.code)  # type: ignore[attr-defined]
                attacker_saw = await relay
                fresh = read_code(receiver)  # the guessed-at code was burnt
                peer = await engine.connect(
                    TcpSignaling("127.0.0.1", port, listen=False), code=fresh
                )
                result = await peer.send(source)
                assert bytes.fromhex(result.sha256) == digest
                await peer.close()
        return [sender_saw.value, *attacker_saw]  # type: ignore[list-item]

    try:
        errors = run(scenario())
    finally:
        _, said = _stop(receiver)
    assert all(isinstance(e, AuthenticationError) for e in errors), errors
    assert {e.reason for e in errors} == {"wrong-secret"}  # type: ignore[attr-defined]
    assert "tried a wrong code" in said
    assert files_under(tmp_path / "out") == ["a.bin"]


def test_a_replayed_message_from_an_earlier_session_fails_and_keeps_the_code(
    tmp_path: Path,
) -> None:
    from tests.engine.pairing_helpers import TamperingRelay

    source = tmp_path / "a.bin"
    digest = write_random(source, 100_000)
    port = free_port()
    receiver = _receiver(tmp_path, port)
    recorded: dict[str, bytes] = {}

    def record(direction: str, index: int, line: bytes) -> list[bytes]:
        if direction == "to-waiter" and index == 1:
            recorded["reveal"] = line
        return [line]

    def replay(direction: str, index: int, line: bytes) -> list[bytes]:
        if direction == "to-waiter" and index == 1:
            return [recorded["reveal"]]  # the earlier session's pair-reveal instead
        return [line]

    async def attempt(relay: TamperingRelay, engine: Engine, code: str) -> AuthenticationError:
        relay_port = await relay.start()
        try:
            signaling = TcpSignaling("127.0.0.1", relay_port, listen=False)
            with pytest.raises(AuthenticationError) as caught:
                await engine.connect(signaling, code=code)
            return caught.value
        finally:
            await relay.close()

    async def scenario() -> tuple[AuthenticationError, AuthenticationError]:
        config = EngineConfig(ice_addresses=LOOPBACK, config_dir=tmp_path / "sender-config")
        async with Engine(config) as engine:
            # An earlier session the path watched (a mistyped code: it is burnt).
            earlier = await attempt(
                TamperingRelay(port, record), engine, _other_code(receiver.code)
            )  # type: ignore[attr-defined]
            code = read_code(receiver)
            replayed = await attempt(TamperingRelay(port, replay), engine, code)
            # The replay failed before the code was tried: the same code still works.
            peer = await engine.connect(TcpSignaling("127.0.0.1", port, listen=False), code=code)
            result = await peer.send(source)
            assert bytes.fromhex(result.sha256) == digest
            await peer.close()
            return earlier, replayed

    try:
        earlier, replayed = run(scenario())
    finally:
        _, said = _stop(receiver)
    assert earlier.reason == "wrong-secret"
    assert replayed.reason == "tampered" and replayed.by_peer
    assert "altered on the way" in said  # the receiver's own side of it
    assert files_under(tmp_path / "out") == ["a.bin"]
