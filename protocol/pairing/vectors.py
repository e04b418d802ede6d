"""Test vectors for docs/pairing.md: deterministic inputs -> every message and derived key.

Run ``python -m ferry.protocol.pairing.vectors`` to print them, ``--write`` to update
docs/pairing-vectors.json and the inline copy in docs/pairing.md (tests check that both
equal what this module generates, so they never drift from the code).

Every random input is fixed: the identities' Ed25519 seeds, and the 64 bytes of entropy
each side's SPAKE2 draws (python-spake2 turns them into its scalar as
``int.from_bytes(entropy, "big") % L``). The handshake itself runs through the real
:class:`Handshake` machines; the intermediate values are recomputed beside it and checked
against what the machines sent.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from spake2 import SPAKE2_Symmetric
from spake2.parameters.ed25519 import ParamsEd25519

from . import keys as ks
from .channel import nonce
from .codes import parse_code
from .handshake import Handshake, Mode, Role
from .identity import Identity
from .wordlist import DIGEST

APP_MESSAGES = {
    "joiner": {"type": "offer", "sdp": "v=0\r\n"},
    "waiter": {"type": "answer", "sdp": "v=0\r\n"},
}
EXPORT_LABEL = "ferry test exporter"
CODE = "7-crossover-clockwork"
SECRET = bytes(range(32))


def _seed(label: str) -> bytes:
    return hashlib.sha256(f"ferry-pairing-v1 test vector {label}".encode()).digest()


def _entropy(label: str) -> bytes:
    return hashlib.sha512(f"ferry-pairing-v1 test vector {label}".encode()).digest()


def _fixed(data: bytes) -> Any:
    def entropy_f(n: int) -> bytes:
        assert n == len(data), f"SPAKE2 asked for {n} bytes, the vector has {len(data)}"
        return data

    return entropy_f


def _case(name: str, mode: Mode, secret: bytes) -> dict[str, Any]:
    ids = {role: Identity.from_seed(_seed(f"{name} {role} identity")) for role in Role}
    entropy = {role: _entropy(f"{name} {role} spake2") for role in Role}
    trusted = {Role.WAITER: {ids[Role.JOINER].peer_id}, Role.JOINER: {ids[Role.WAITER].peer_id}}
    options: dict[Role, dict[str, Any]] = {}
    for role in Role:
        if mode is Mode.CODE:
            options[role] = {"code": parse_code(CODE)}
        elif mode is Mode.SECRET:
            options[role] = {"secret": secret}
        else:
            options[role] = {"trusted_mode": True}
    machines = {
        role: Handshake(
            role, ids[role], trusted=trusted[role], entropy=_fixed(entropy[role]), **options[role]
        )
        for role in Role
    }

    # -- run the two machines, recording every message in order --------------------------------
    wire: list[dict[str, Any]] = []
    machines[Role.WAITER].start(0.0)
    queue = [(Role.WAITER, m) for m in machines[Role.JOINER].start(0.0).send]
    while queue:
        to, message = queue.pop(0)
        wire.append({"to": str(to), "message": message})
        output = machines[to].receive(message, 0.0)
        queue += [(to.peer, m) for m in output.send]
    results = {role: machines[role].result for role in Role}
    assert all(results.values())
    for role in Role:  # one application record each way, sealed on the real channels
        channel = machines[role].channel
        assert channel is not None
        record = channel.seal(APP_MESSAGES[role])
        wire.append({"to": str(role.peer), "message": record})
        opened = machines[role.peer].channel.open(record)  # type: ignore[union-attr]
        assert opened == APP_MESSAGES[role]

    # -- recompute every intermediate value beside the machines --------------------------------
    password = ks.password(mode, secret)
    spakes = {
        role: SPAKE2_Symmetric(password, idSymmetric=ks.PROTOCOL, entropy_f=_fixed(entropy[role]))
        for role in Role
    }
    pake = {role: spakes[role].start() for role in Role}
    key = spakes[Role.WAITER].finish(pake[Role.JOINER])
    assert key == spakes[Role.JOINER].finish(pake[Role.WAITER])
    th = ks.transcript_hash(mode, pake[Role.WAITER], pake[Role.JOINER])
    session = ks.derive(key, th)
    assert results[Role.WAITER].verifier == results[Role.JOINER].verifier  # type: ignore[union-attr]
    derived = {label: ks.hkdf(key, th, label, n).hex() for label, n in ks.LABELS.items()}
    proofs = {
        str(role): {
            "payload": ks.proof_payload(role, th).hex(),
            "signature": ids[role].sign(ks.proof_payload(role, th)).hex(),
        }
        for role in Role
    }
    channel_w = machines[Role.WAITER].channel
    assert channel_w is not None
    return {
        "name": name,
        "mode": str(mode),
        "secret": secret.decode("ascii") if mode is Mode.CODE else secret.hex(),
        "password_hex": password.hex(),
        "identities": {
            str(role): {
                "seed": ids[role].seed().hex(),
                "public_key": ids[role].public_key.hex(),
                "peer_id": ids[role].peer_id,
            }
            for role in Role
        },
        "spake2": {
            "id_symmetric": ks.PROTOCOL.decode("ascii"),
            "pw_scalar": hex(spakes[Role.WAITER].pw_scalar),
            **{
                str(role): {
                    "entropy": entropy[role].hex(),
                    "xy_scalar": hex(spakes[role].xy_scalar),
                    "message": pake[role].hex(),
                }
                for role in Role
            },
            "key": key.hex(),
        },
        "commit": ks.commitment(pake[Role.JOINER]).hex(),
        "transcript_hash": th.hex(),
        "keys": derived,
        "confirm": {str(role): ks.confirm_mac(session, role).hex() for role in Role},
        "proofs": proofs,
        "nonces": {
            str(role): [nonce(session.sending(role)[1], seq).hex() for seq in (0, 1)]
            for role in Role
        },
        "verifier": results[Role.WAITER].verifier,  # type: ignore[union-attr]
        "export": {"label": EXPORT_LABEL, "value": channel_w.export(EXPORT_LABEL).hex()},
        "wire": wire,
    }


def generate() -> dict[str, Any]:
    return {
        "protocol": ks.PROTOCOL.decode("ascii"),
        "spake2_S": ParamsEd25519.S.to_bytes().hex(),
        "wordlist_sha256": DIGEST,
        "cases": [
            _case("code", Mode.CODE, CODE.encode("ascii")),
            _case("secret", Mode.SECRET, SECRET),
            _case("trusted", Mode.TRUSTED, b""),
        ],
    }


def render(vectors: dict[str, Any]) -> str:
    return json.dumps(vectors, indent=2, ensure_ascii=False) + "\n"


BEGIN, END = "<!-- vectors:begin -->", "<!-- vectors:end -->"


def inline(vectors: dict[str, Any]) -> str:
    """The block docs/pairing.md shows: the code case, whole."""
    case = vectors["cases"][0]
    return f"{BEGIN}\n```json\n{json.dumps(case, indent=2, ensure_ascii=False)}\n```\n{END}"


def update_doc(text: str, vectors: dict[str, Any]) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + inline(vectors) + text[end:]


def main(argv: list[str]) -> int:
    vectors = generate()
    if argv[:1] == ["--write"]:
        docs = Path(argv[1]) if len(argv) > 1 else Path("docs")
        (docs / "pairing-vectors.json").write_text(render(vectors))
        doc = docs / "pairing.md"
        doc.write_text(update_doc(doc.read_text(), vectors))
        return 0
    sys.stdout.write(render(vectors))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
