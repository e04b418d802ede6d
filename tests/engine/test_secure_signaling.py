"""SecureSignaling over real signaling: in-process and TCP on 127.0.0.1, with a relay in
between that tampers, replays, drops, injects, or runs its own SPAKE2 with each side.

In every attack both sides end with AuthenticationError, and a correct pairing afterwards
works. The relay's record shows the path carried no plaintext after the handshake."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ferry.actors.clock import ManualClock
from ferry.engine.pairing import SecureSignaling, TrustStore
from ferry.engine.signaling import TcpSignaling, in_process_pair
from ferry.errors import ConfigError
from ferry.protocol.errors import LocalProtocolError, PeerGone
from ferry.protocol.pairing import AuthenticationError, Identity, Reason, parse_code

from .pairing_helpers import TamperingRelay, advance_until_done

T = TypeVar("T")
W_ID, J_ID, M_ID = Identity.generate(), Identity.generate(), Identity.generate()
CODE = "12-crossover-clockwork"
OFFER = {
    "type": "offer",
    "sdp": "v=0\r\nc=IN IP4 192.0.2.55\r\na=fingerprint:sha-256 AB:CD:EF:01\r\n",
}


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def pair_and_talk(waiter: SecureSignaling, joiner: SecureSignaling) -> dict[str, Any]:
    await asyncio.gather(waiter.open(), joiner.open())
    await joiner.send(OFFER)
    received = await waiter.receive()
    await waiter.send({"type": "answer", "sdp": "v=0\r\n"})
    answer = await joiner.receive()
    assert answer["type"] == "answer"
    return received


async def outcomes(*coroutines: Coroutine[Any, Any, Any]) -> list[BaseException | None]:
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    return [r if isinstance(r, BaseException) else None for r in results]


def test_in_process_pairing_by_code_then_sealed_messages() -> None:
    async def main() -> None:
        a, b = in_process_pair()
        waiter = SecureSignaling(a, role="waiter", identity=W_ID, code=CODE)
        joiner = SecureSignaling(b, role="joiner", identity=J_ID, code=CODE)
        assert await pair_and_talk(waiter, joiner) == OFFER
        assert waiter.paired is not None and joiner.paired is not None
        assert waiter.paired.peer_id == J_ID.peer_id and joiner.paired.peer_id == W_ID.peer_id
        assert waiter.paired.verifier == joiner.paired.verifier
        await joiner.close()
        with pytest.raises(PeerGone):
            await waiter.receive()
        await waiter.close()

    run(main())


def test_sending_before_pairing_is_a_local_error() -> None:
    async def main() -> None:
        a, _ = in_process_pair()
        waiter = SecureSignaling(a, role="waiter", identity=W_ID, code=CODE)
        with pytest.raises(LocalProtocolError):
            await waiter.send(OFFER)

    run(main())


def test_trusted_peers_pair_with_no_code_and_forget_revokes(tmp_path: Path) -> None:
    waiter_store, joiner_store = TrustStore(tmp_path / "w.json"), TrustStore(tmp_path / "j.json")
    waiter_store.add(J_ID.peer_id, name="joiner")
    joiner_store.add(W_ID.peer_id, name="waiter")

    def pair() -> list[BaseException | None]:
        async def main() -> list[BaseException | None]:
            a, b = in_process_pair()
            waiter = SecureSignaling(
                a,
                role="waiter",
                identity=W_ID,
                code=parse_code(CODE),
                trusted_mode=True,
                trust=waiter_store,
            )
            joiner = SecureSignaling(
                b, role="joiner", identity=J_ID, trusted_mode=True, trust=joiner_store
            )
            result = await outcomes(waiter.open(), joiner.open())
            if result == [None, None]:
                assert waiter.paired is not None and waiter.paired.trusted
            await asyncio.gather(waiter.close(), joiner.close())
            return result

        return run(main())

    assert pair() == [None, None]
    assert waiter_store.forget(J_ID.peer_id)
    errors = pair()
    assert all(isinstance(e, AuthenticationError) for e in errors)
    assert errors[0].reason is Reason.UNTRUSTED  # type: ignore[union-attr]
    assert errors[1].reason is Reason.UNTRUSTED and errors[1].by_peer  # type: ignore[union-attr]


def test_a_stranger_with_no_code_is_refused(tmp_path: Path) -> None:
    async def main() -> list[BaseException | None]:
        a, b = in_process_pair()
        waiter = SecureSignaling(
            a, role="waiter", identity=W_ID, code=CODE, trusted_mode=True, trust=set()
        )
        stranger = SecureSignaling(
            b, role="joiner", identity=M_ID, trusted_mode=True, trust={W_ID.peer_id}
        )
        return await outcomes(waiter.open(), stranger.open())

    errors = run(main())
    assert all(isinstance(e, AuthenticationError) for e in errors)


# -- over TCP, through a relay -------------------------------------------------------------------


async def tcp_pair(
    tamper: Any = None, *, joiner_code: str = CODE, clock: ManualClock | None = None
) -> tuple[list[BaseException | None], TamperingRelay, list[dict[str, Any]]]:
    inner_waiter = TcpSignaling("127.0.0.1", 0, listen=True)
    await inner_waiter.bind()
    relay = TamperingRelay(inner_waiter.bound_port, tamper)
    port = await relay.start()
    kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    waiter = SecureSignaling(inner_waiter, role="waiter", identity=W_ID, code=CODE, **kwargs)
    joiner = SecureSignaling(
        TcpSignaling("127.0.0.1", port, listen=False),
        role="joiner",
        identity=J_ID,
        code=joiner_code,
        **kwargs,
    )
    received: list[dict[str, Any]] = []

    async def waiter_side() -> None:
        await waiter.open()
        received.append(await waiter.receive())
        await waiter.send({"type": "answer", "sdp": "v=0\r\n"})

    async def joiner_side() -> None:
        await joiner.open()
        await joiner.send(OFFER)
        received.append(await joiner.receive())

    tasks = [asyncio.ensure_future(waiter_side()), asyncio.ensure_future(joiner_side())]
    try:
        if clock is not None:
            await advance_until_done(clock, *tasks)
        result = await outcomes(*tasks)
    finally:
        await asyncio.gather(waiter.close(), joiner.close(), return_exceptions=True)
        await relay.close()
    return result, relay, received


def _flip_in_value(line: bytes) -> bytes:
    """Change one character inside the message's last base64 value (a real change)."""
    message = json.loads(line)
    name = next(k for k in ("box", "pake", "mac", "commit") if k in message)
    value = message[name]
    position = len(value) // 2
    message[name] = (
        value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]
    )
    return json.dumps(message).encode() + b"\n"


def test_an_honest_relay_carries_only_ciphertext_after_the_pake() -> None:
    result, relay, received = run(tcp_pair())
    assert result == [None, None]
    assert received[0] == OFFER
    carried = b"".join(line for _, line in relay.lines)
    for secret in (b"sdp", b"192.0.2.55", b"fingerprint", b"AB:CD", b"crossover", b"clockwork"):
        assert secret not in carried
    for identity in (W_ID, J_ID):
        assert identity.peer_id.encode() not in carried
        assert base64.b64encode(identity.public_key) not in carried
    types = [json.loads(line)["type"] for _, line in relay.lines]
    assert set(types) == {"pair-hello", "pair-pake", "pair-reveal", "pair-confirm", "sealed"}


@pytest.mark.parametrize("direction", ["to-waiter", "to-joiner"])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_flipped_byte_in_any_handshake_message_fails_both_sides(
    direction: str, index: int
) -> None:
    def tamper(d: str, i: int, line: bytes) -> list[bytes]:
        return [_flip_in_value(line)] if (d, i) == (direction, index) else [line]

    result, _, received = run(tcp_pair(tamper))
    assert all(isinstance(e, AuthenticationError) for e in result), result
    assert received == []


def test_a_replayed_earlier_session_fails_both_sides_then_the_right_code_works() -> None:
    _, earlier, _ = run(tcp_pair())
    old = {d: [line for dd, line in earlier.lines if dd == d] for d in ("to-waiter", "to-joiner")}

    def replay(d: str, i: int, line: bytes) -> list[bytes]:
        return [old[d][i]] if d == "to-waiter" and i < len(old[d]) else [line]

    result, _, received = run(tcp_pair(replay))
    assert all(isinstance(e, AuthenticationError) for e in result), result
    assert received == []
    result, _, received = run(tcp_pair())
    assert result == [None, None] and received[0] == OFFER


def test_garbage_injected_by_the_path_fails_both_sides() -> None:
    def inject(d: str, i: int, line: bytes) -> list[bytes]:
        return [b"this is not json\n", line] if (d, i) == ("to-joiner", 1) else [line]

    result, _, _ = run(tcp_pair(inject))
    assert all(isinstance(e, AuthenticationError) for e in result), result


def test_a_wrong_code_fails_both_sides_as_wrong_secret() -> None:
    result, _, _ = run(tcp_pair(joiner_code="12-crossover-classic"))
    assert [e.reason for e in result] == [Reason.WRONG_SECRET, Reason.WRONG_SECRET]  # type: ignore[union-attr]
    assert result[1].by_peer  # type: ignore[union-attr]


def test_a_dropped_message_ends_in_a_timeout_on_the_clock_the_test_drives() -> None:
    def drop(d: str, i: int, line: bytes) -> list[bytes]:
        return [] if (d, i) == ("to-joiner", 0) else [line]

    async def main() -> list[BaseException | None]:
        clock = ManualClock()
        result, _, _ = await tcp_pair(drop, clock=clock)
        return result

    result = run(main())
    assert all(isinstance(e, AuthenticationError) for e in result), result
    reasons = {e.reason for e in result}  # type: ignore[union-attr]
    assert Reason.TIMEOUT in reasons


def test_a_man_in_the_middle_running_spake2_on_a_guessed_code_fails_on_both_sides() -> None:
    async def main() -> list[BaseException | None]:
        joiner_end, mitm_left = in_process_pair()
        mitm_right, waiter_end = in_process_pair()
        guess = "12-crossover-classic"
        waiter = SecureSignaling(waiter_end, role="waiter", identity=W_ID, code=CODE)
        joiner = SecureSignaling(joiner_end, role="joiner", identity=J_ID, code=CODE)
        mitm_as_waiter = SecureSignaling(mitm_left, role="waiter", identity=M_ID, code=guess)
        mitm_as_joiner = SecureSignaling(mitm_right, role="joiner", identity=M_ID, code=guess)
        return await outcomes(
            waiter.open(), joiner.open(), mitm_as_waiter.open(), mitm_as_joiner.open()
        )

    waiter_error, joiner_error, *_ = run(main())
    assert (
        isinstance(waiter_error, AuthenticationError) and waiter_error.reason is Reason.WRONG_SECRET
    )
    assert (
        isinstance(joiner_error, AuthenticationError) and joiner_error.reason is Reason.WRONG_SECRET
    )


def test_an_old_client_sending_a_plain_offer_gets_an_abort_and_nothing_else() -> None:
    async def main() -> tuple[BaseException | None, list[bytes]]:
        inner = TcpSignaling("127.0.0.1", 0, listen=True)
        await inner.bind()
        waiter = SecureSignaling(inner, role="waiter", identity=W_ID, code=CODE)
        opening = asyncio.ensure_future(waiter.open())
        reader, writer = await asyncio.open_connection("127.0.0.1", inner.bound_port)
        writer.write(json.dumps(OFFER).encode() + b"\n")
        await writer.drain()
        lines = []
        while line := await reader.readline():
            lines.append(line)
        writer.close()
        (error,) = await outcomes(opening)
        return error, lines

    error, lines = run(main())
    assert isinstance(error, AuthenticationError) and "older Ferry" in error.message
    assert [json.loads(line) for line in lines] == [{"type": "pair-abort", "reason": "unexpected"}]


def test_a_record_tampered_after_pairing_breaks_the_channel_on_both_sides() -> None:
    def flip_offer(d: str, i: int, line: bytes) -> list[bytes]:
        return [_flip_in_value(line)] if (d, i) == ("to-waiter", 3) else [line]  # the offer

    result, _, received = run(tcp_pair(flip_offer))
    waiter_error, joiner_error = result
    assert isinstance(waiter_error, AuthenticationError) and waiter_error.reason is Reason.TAMPERED
    assert isinstance(joiner_error, AuthenticationError) and joiner_error.by_peer
    assert received == []


def test_a_damaged_trust_store_fails_before_anything_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "trusted-peers.json"
    path.write_text("{")
    path.chmod(0o600)

    async def main() -> None:
        a, b = in_process_pair()
        waiter = SecureSignaling(
            a, role="waiter", identity=W_ID, trusted_mode=True, trust=TrustStore(path)
        )
        with pytest.raises(ConfigError, match="damaged"):
            await waiter.open()
        await b.open()
        await a.close()
        with pytest.raises(PeerGone):  # nothing but the close ever reached the peer
            await b.receive()

    run(main())
