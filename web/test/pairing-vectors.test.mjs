// docs/pairing-vectors.json through the JavaScript handshake: given the vectors' identity
// seeds and SPAKE2 entropy, both JS machines must send exactly the vectors' wire messages
// and derive every value listed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { wordsFor } from "../src/codes.js";
import * as P from "../src/pairing.js";

const vectors = JSON.parse(readFileSync(new URL("../../docs/pairing-vectors.json", import.meta.url)));
const hex = P.fromHex;

test("constants", () => {
  assert.equal(vectors.protocol, P.PROTOCOL);
  assert.equal(vectors.spake2_S, P.S_HEX);
});

for (const c of vectors.cases) {
  test(`vector case ${c.name}`, () => {
    const pw = hex(c.password_hex);
    const secret = c.mode === "code" ? new TextEncoder().encode(c.secret) : c.mode === "secret" ? hex(c.secret) : new Uint8Array(0);
    assert.deepEqual(P.password(c.mode, secret), pw);
    assert.equal(P.passwordScalar(pw), BigInt(c.spake2.pw_scalar));

    const ids = {};
    for (const role of ["waiter", "joiner"]) {
      ids[role] = new P.Identity(hex(c.identities[role].seed));
      assert.equal(P.toHex(ids[role].publicKey), c.identities[role].public_key);
      assert.equal(ids[role].peerId, c.identities[role].peer_id);
      const s = new P.Spake2(pw, hex(c.spake2[role].entropy));
      assert.equal(s.x, BigInt(c.spake2[role].xy_scalar));
      assert.equal(P.toHex(s.message), c.spake2[role].message);
    }
    const trusted = { waiter: new Set([ids.joiner.peerId]), joiner: new Set([ids.waiter.peerId]) };
    const machines = {};
    for (const role of ["waiter", "joiner"]) {
      machines[role] = new P.Handshake(role, ids[role], {
        secrets: { [c.mode]: secret },
        trusted: trusted[role],
        entropy: (n) => (assert.equal(n, 64), hex(c.spake2[role].entropy)),
      });
    }
    // run them, recording the wire in order, then one application record each way
    const wire = [];
    machines.waiter.start();
    const queue = machines.joiner.start().map((m) => ["waiter", m]);
    while (queue.length) {
      const [to, message] = queue.shift();
      wire.push({ to, message });
      const from = to === "waiter" ? "joiner" : "waiter";
      for (const reply of machines[to].receive(message)) queue.push([from, reply]);
    }
    assert.equal(machines.waiter.state, "paired");
    assert.equal(machines.joiner.state, "paired");
    assert.equal(P.toHex(machines.joiner.spakeKey), c.spake2.key);
    assert.equal(P.toHex(machines.waiter.spakeKey), c.spake2.key);
    wire.push({ to: "joiner", message: machines.waiter.channel.seal({ type: "answer", sdp: "v=0\r\n" }) });
    wire.push({ to: "waiter", message: machines.joiner.channel.seal({ type: "offer", sdp: "v=0\r\n" }) });
    assert.deepEqual(wire, c.wire);
    // the receiving sides open the application records
    assert.deepEqual(machines.joiner.channel.open(wire.at(-2).message), { type: "answer", sdp: "v=0\r\n" });
    assert.deepEqual(machines.waiter.channel.open(wire.at(-1).message), { type: "offer", sdp: "v=0\r\n" });

    const th = P.transcriptHash(c.mode, hex(c.spake2.waiter.message), hex(c.spake2.joiner.message));
    assert.equal(P.toHex(th), c.transcript_hash);
    const keys = P.deriveKeys(hex(c.spake2.key), th);
    for (const [label, value] of Object.entries(c.keys)) assert.equal(P.toHex(keys[label]), value, label);
    for (const role of ["waiter", "joiner"]) {
      assert.equal(P.toHex(P.confirmMac(keys, role)), c.confirm[role]);
      assert.equal(P.toHex(P.proofPayload(role, th)), c.proofs[role].payload);
      assert.equal(P.toHex(ids[role].sign(P.proofPayload(role, th))), c.proofs[role].signature);
      c.nonces[role].forEach((n, seq) => assert.equal(P.toHex(P.nonce(keys[`iv ${role}`], seq)), n));
    }
    assert.equal(P.toHex(P.exportSecret(keys.exporter, c.export.label)), c.export.value);
    assert.equal(wordsFor(machines.joiner.result.verifierBytes), c.verifier);
    assert.equal(wordsFor(machines.waiter.result.verifierBytes), c.verifier);
    assert.equal(P.toHex(machines.joiner.channel.export(c.export.label)), c.export.value);
  });
}

test("a wrong secret fails both sides with wrong-secret", () => {
  const waiter = new P.Handshake("waiter", P.Identity.generate(), { secrets: { secret: new Uint8Array(32) } });
  const joiner = new P.Handshake("joiner", P.Identity.generate(), { secrets: { secret: new Uint8Array(32).fill(1) } });
  waiter.start();
  const [hello] = joiner.start();
  const [pake] = waiter.receive(hello);
  const [reveal] = joiner.receive(pake);
  assert.throws(() => waiter.receive(reveal), (e) => e.reason === "wrong-secret");
  assert.deepEqual(waiter.abortMessage(), { type: "pair-abort", reason: "wrong-secret" });
  assert.throws(() => joiner.receive({ type: "pair-abort", reason: "wrong-secret" }), (e) => e.reason === "wrong-secret" && e.byPeer);
});

test("SPAKE2 refuses its own message, the identity and non-canonical points", () => {
  const s = new P.Spake2(P.password("secret", new Uint8Array(32)), new Uint8Array(64).fill(9));
  assert.throws(() => s.finish(s.message));
  const identity = new Uint8Array(33);
  identity[0] = 0x53;
  identity[1] = 1;
  assert.throws(() => s.finish(identity));
  const big = new Uint8Array(33).fill(0xff);
  big[0] = 0x53;
  assert.throws(() => s.finish(big));
});

test("canonical base64 only", () => {
  assert.deepEqual(P.b64decode("AAE=", "f", { size: 2 }), Uint8Array.of(0, 1));
  for (const bad of ["AAF=", "AAE", "AA E=", "AAE==", "A=E=", 5]) assert.throws(() => P.b64decode(bad, "f", { size: 2 }));
});
