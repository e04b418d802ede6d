import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { fileHasher } from "../src/filehash.js";

test("the streaming SHA-256 is SHA-256, in any pieces", async () => {
  const data = new Uint8Array(300_001).map((_, i) => (i * 7919) % 251);
  const h = await fileHasher();
  assert.equal(h.kind, "wasm");
  for (let at = 0; at < data.length; at += 16_384) h.update(data.subarray(at, at + 16_384));
  assert.equal(Buffer.from(h.digest()).toString("hex"), createHash("sha256").update(data).digest("hex"));
});
