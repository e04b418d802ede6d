"""The test vectors in docs/ equal what the code generates, and follow docs/pairing.md's
formulas when re-derived here with nothing of Ferry's: hashlib, hmac, cryptography and
spake2's point arithmetic only. This is what a second implementation has to match."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from spake2 import SPAKE2_Symmetric, ed25519_basic

from ferry.protocol.pairing import vectors as generator
from ferry.protocol.pairing.wordlist import EVEN, ODD

DOCS = Path(__file__).resolve().parents[2] / "docs"
VECTORS = json.loads((DOCS / "pairing-vectors.json").read_text())
L = ed25519_basic.L
PROTOCOL = b"ferry-pairing-v1"


def test_the_vector_files_are_what_the_code_generates_now() -> None:
    fresh = generator.generate()
    assert fresh == VECTORS, "run: python -m ferry.protocol.pairing.vectors --write docs"
    doc = (DOCS / "pairing.md").read_text()
    assert generator.update_doc(doc, fresh) == doc, "the inline copy in docs/pairing.md drifted"


def _hkdf(ikm: bytes, salt: bytes, info: bytes, n: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=n, salt=salt, info=info).derive(ikm)


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _point(data: bytes) -> Any:
    return ed25519_basic.bytes_to_element(data)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_each_vector_follows_the_spec(case: dict[str, Any]) -> None:
    mode = case["mode"].encode()
    secret = case["secret"].encode() if case["mode"] == "code" else bytes.fromhex(case["secret"])
    pw = mode + b"\x00" + secret
    assert pw.hex() == case["password_hex"]

    # SPAKE2, from the formulas
    s_point = _point(bytes.fromhex(VECTORS["spake2_S"]))
    w = int.from_bytes(_hkdf(pw, b"", b"SPAKE2 pw", 48), "big") % L
    assert hex(w) == case["spake2"]["pw_scalar"]
    messages, scalars = {}, {}
    for role in ("waiter", "joiner"):
        side = case["spake2"][role]
        x = int.from_bytes(bytes.fromhex(side["entropy"]), "big") % L
        assert hex(x) == side["xy_scalar"]
        element = ed25519_basic.Base.scalarmult(x).add(s_point.scalarmult(w))
        messages[role] = b"S" + element.to_bytes()
        scalars[role] = x
        assert messages[role].hex() == side["message"]
    shared = {}
    for role, peer in (("waiter", "joiner"), ("joiner", "waiter")):
        inbound = _point(messages[peer][1:])
        k_elem = inbound.add(s_point.scalarmult(-w % L)).scalarmult(scalars[role])
        first, second = sorted([messages["waiter"][1:], messages["joiner"][1:]])
        shared[role] = hashlib.sha256(
            hashlib.sha256(pw).digest()
            + hashlib.sha256(PROTOCOL).digest()
            + first
            + second
            + k_elem.to_bytes()
        ).digest()
    k = shared["waiter"]
    assert k == shared["joiner"] and k.hex() == case["spake2"]["key"]

    # commitment, transcript, keys, confirmations
    assert hashlib.sha256(messages["joiner"]).hexdigest() == case["commit"]
    th = hashlib.sha256(
        _lp(PROTOCOL) + _lp(mode) + _lp(messages["waiter"]) + _lp(messages["joiner"])
    ).digest()
    assert th.hex() == case["transcript_hash"]
    sizes = {"iv waiter": 12, "iv joiner": 12, "verifier": 4}
    keys = {
        label: _hkdf(k, th, PROTOCOL + b" " + label.encode(), sizes.get(label, 32))
        for label in case["keys"]
    }
    assert {label: v.hex() for label, v in keys.items()} == case["keys"]
    assert len(keys) == 8
    confirm = {
        r: hmac.new(keys[f"confirm {r}"], th, hashlib.sha256).digest() for r in ("waiter", "joiner")
    }
    assert {r: v.hex() for r, v in confirm.items()} == case["confirm"]

    # identities, proofs, peer ids
    for role in ("waiter", "joiner"):
        ident = case["identities"][role]
        private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(ident["seed"]))
        public = private.public_key().public_bytes_raw()
        assert public.hex() == ident["public_key"]
        b32 = base64.b32encode(hashlib.sha256(public).digest()[:30]).decode()
        assert ident["peer_id"] == "-".join(b32[i : i + 6] for i in range(0, 48, 6))
        payload = PROTOCOL + b" identity " + role.encode() + b"\x00" + th
        assert case["proofs"][role]["payload"] == payload.hex()
        assert case["proofs"][role]["signature"] == private.sign(payload).hex()

    # nonces, and every message on the wire opened and checked
    def nonce(role: str, seq: int) -> bytes:
        iv = keys[f"iv {role}"]
        return (int.from_bytes(iv, "big") ^ seq).to_bytes(12, "big")

    assert case["nonces"] == {
        r: [nonce(r, 0).hex(), nonce(r, 1).hex()] for r in ("waiter", "joiner")
    }
    kinds = []
    for item in case["wire"]:
        message, to = item["message"], item["to"]
        sender = "joiner" if to == "waiter" else "waiter"
        kinds.append((sender, message["type"]))
        if message["type"] == "pair-hello":
            assert message == {
                "type": "pair-hello",
                "v": 1,
                "mode": case["mode"],
                "commit": base64.b64encode(bytes.fromhex(case["commit"])).decode(),
            }
        elif message["type"] in ("pair-pake", "pair-reveal"):
            assert _b64(message["pake"]) == messages[sender]
        if "mac" in message:
            assert _b64(message["mac"]) == confirm[sender]
        if message["type"] == "sealed":
            plain = AESGCM(keys[f"seal {sender}"]).decrypt(
                nonce(sender, message["seq"]), _b64(message["box"]), None
            )
            record = json.loads(plain)
            assert plain == json.dumps(record, separators=(",", ":")).encode()
            if message["seq"] == 0:
                assert record == {
                    "type": "pair-identity",
                    "key": base64.b64encode(
                        bytes.fromhex(case["identities"][sender]["public_key"])
                    ).decode(),
                    "sig": base64.b64encode(
                        bytes.fromhex(case["proofs"][sender]["signature"])
                    ).decode(),
                }
            else:
                assert record == generator.APP_MESSAGES[sender]
    assert kinds == [
        ("joiner", "pair-hello"),
        ("waiter", "pair-pake"),
        ("joiner", "pair-reveal"),
        ("joiner", "sealed"),
        ("waiter", "pair-confirm"),
        ("waiter", "sealed"),
        ("waiter", "sealed"),
        ("joiner", "sealed"),
    ]

    # the verifier words and an exporter value
    words = "-".join((EVEN if i % 2 == 0 else ODD)[b] for i, b in enumerate(keys["verifier"]))
    assert words == case["verifier"]
    exported = _hkdf(keys["exporter"], b"", case["export"]["label"].encode(), 32)
    assert exported.hex() == case["export"]["value"]


def test_spake2_itself_has_not_changed_under_us() -> None:
    """python-spake2's own compatibility vector (its test_compat.py): an upgrade that
    changed its output would break every other implementation's interop."""

    def prg(seed: bytes) -> Any:
        def blocks() -> Any:
            for counter in count():
                yield from hashlib.sha256(b"prng-" + str(counter).encode() + b"-" + seed).digest()

        stream = blocks()
        return lambda n: bytes(next(stream) for _ in range(n))

    s1 = SPAKE2_Symmetric(b"password", entropy_f=prg(b"1"))
    s2 = SPAKE2_Symmetric(b"password", entropy_f=prg(b"2"))
    m1, m2 = s1.start(), s2.start()
    assert m1.hex() == "5308f692d38c4034ad6e2e1054c469ca1dbe990bcaec4bbd3ad78c7d968eadd0b3"
    assert m2.hex() == "5329e2d5f9b7a53e609204115c6458921b0bb27419ce82a27679fc5961002897df"
    key = s1.finish(m2)
    assert key == s2.finish(m1)
    assert key.hex() == "9c4fccaa3f0740615cee6fd10ed5d3a311b91b5bdc65f53e4ea7cb2fe8aa96eb"
