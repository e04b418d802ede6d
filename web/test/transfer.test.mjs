// The page's protocol state (src/transfer.js): a sender and a receiver wired together move
// a file within credit; what a peer must not do is refused as in protocol/*.py.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode, ProtocolError } from "../src/codec.js";
import { FerryConnection } from "../src/transfer.js";

const wire = (frames) => frames.map((f) => decode(encode(f))); // every frame crosses the codec

function pair(window = 64 * 1024) {
  const a = new FerryConnection({ window });
  const b = new FerryConnection({ window });
  for (const f of wire(a.start())) b.receive(f);
  for (const f of wire(b.start())) a.receive(f);
  return [a, b];
}

test("a file crosses within credit, and DONE confirms its SHA-256", () => {
  const [sender, receiver] = pair();
  const size = 300_000;
  const id = new Uint8Array(16).fill(1);
  let incoming = null;
  for (const f of wire(sender.offer(id, "dir/file.bin", size, { chunkSize: 16 * 1024 }))) incoming = receiver.receive(f).event.transfer;
  for (const f of wire(receiver.accept(incoming, 0))) sender.receive(f);
  let sent = 0;
  let received = 0;
  let maxAhead = 0;
  while (sent < size) {
    assert.ok(sender.sendable > 0, "the receiver's credit keeps the sender going");
    const n = Math.min(16 * 1024, sender.sendable);
    const [chunk] = wire([sender.chunk(new Uint8Array(n).fill(sent % 251))]);
    sent += n;
    const { event } = receiver.receive(chunk);
    received = event.offset + event.data.length;
    maxAhead = Math.max(maxAhead, sent - incoming.durable);
    for (const f of wire(receiver.durable(incoming, received))) sender.receive(f);
  }
  assert.ok(maxAhead <= 64 * 1024, `the sender ran ${maxAhead} bytes ahead of a 64 KiB window`);
  const digest = new Uint8Array(32).fill(7);
  for (const f of wire(sender.finish(digest))) assert.equal(receiver.receive(f).event.kind, "eof");
  const [done] = wire(receiver.complete(incoming, digest));
  assert.equal(done.type, "DONE");
  assert.equal(sender.receive(done).event.kind, "done");
});

test("a chunk past the credit, out of order, or a WINDOW that does not advance is refused", () => {
  const [sender, receiver] = pair();
  const id = new Uint8Array(16).fill(2);
  const [offer] = wire(sender.offer(id, "f", 1_000_000));
  const incoming = receiver.receive(offer).event.transfer;
  const [accept, window] = wire(receiver.accept(incoming, 0));
  sender.receive(accept);
  sender.receive(window);
  assert.throws(() => sender.receive(window), ProtocolError); // does not advance
  assert.throws(() => receiver.receive({ type: "CHUNK", transfer_id: id, offset: 5, data: new Uint8Array(3) }), ProtocolError);
  assert.throws(() => receiver.receive({ type: "CHUNK", transfer_id: id, offset: 0, data: new Uint8Array(65 * 1024) }), ProtocolError);
  assert.throws(() => receiver.receive({ type: "EOF", transfer_id: id, size: 1_000_000, sha256: new Uint8Array(32) }), ProtocolError);
});

test("a wrong SHA-256 is answered with ERROR integrity, not DONE", () => {
  const [sender, receiver] = pair();
  const id = new Uint8Array(16).fill(3);
  const incoming = receiver.receive(wire(sender.offer(id, "f", 10))[0]).event.transfer;
  for (const f of wire(receiver.accept(incoming, 0))) sender.receive(f);
  receiver.receive(wire([sender.chunk(new Uint8Array(10))])[0]);
  receiver.receive(wire(sender.finish(new Uint8Array(32).fill(1)))[0]);
  const [answer] = receiver.complete(incoming, new Uint8Array(32).fill(2));
  assert.equal(answer.type, "ERROR");
  assert.equal(answer.code, "integrity");
});

test("frames before HELLO and a second HELLO are protocol errors", () => {
  const c = new FerryConnection();
  assert.throws(() => c.receive({ type: "WINDOW", transfer_id: new Uint8Array(16), limit: 1 }), ProtocolError);
  c.receive(c.hello);
  assert.throws(() => c.receive(c.hello), ProtocolError);
  // a frame for a transfer nobody knows is answered, never an exception (the page's probe)
  const { send } = c.receive({ type: "WINDOW", transfer_id: new Uint8Array(16), limit: 1 });
  assert.equal(send[0].code, "unknown-transfer");
});
