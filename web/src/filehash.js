// SHA-256 of a file as it streams, off nothing but the bytes already in hand: hash-wasm
// (WebAssembly, about twice @noble/hashes' speed, which matters on the page's main thread
// at hundreds of chunks a second), else @noble/hashes where WebAssembly is not allowed.
import { sha256 } from "@noble/hashes/sha2.js";
import { createSHA256 } from "hash-wasm";

export async function fileHasher() {
  try {
    const h = await createSHA256();
    h.init();
    return { kind: "wasm", update: (data) => h.update(data), digest: () => h.digest("binary") };
  } catch (exc) {
    console.warn("ferry: no WebAssembly here, hashing in JavaScript:", exc && exc.message);
    const h = sha256.create();
    return { kind: "js", update: (data) => h.update(data), digest: () => h.digest() };
  }
}
