// The JavaScript implementation behind a pipe, for the Python cross-implementation tests:
// one JSON request per line on stdin, one JSON answer per line on stdout.
//
// Bytes travel as {"$bin": hex}. Requests:
//   {"op": "decode", "hex": H}                 -> {"frame": F} | {"error": message, "code": c}
//   {"op": "encode", "frame": F}               -> {"hex": H}
//   {"op": "spake_start", "pw": H, "entropy": H}        -> {"message": H}
//   {"op": "spake_finish", "pw": H, "entropy": H, "peer": H} -> {"key": H} | {"error": e}
//   {"op": "parse_code", "text": T}           -> {"code": canonical text} | {"error": e}
import { createInterface } from "node:readline";
import { ProtocolError, decode, encode } from "../src/codec.js";
import { CodeError, parseCode } from "../src/codes.js";
import { Spake2, fromHex, toHex } from "../src/pairing.js";

function toJson(value) {
  if (value instanceof Uint8Array) return { $bin: toHex(value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}
function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === "object") {
    if ("$bin" in value) return fromHex(value.$bin);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  }
  return value;
}

const ops = {
  decode: ({ hex }) => {
    try {
      return { frame: toJson(decode(fromHex(hex))) };
    } catch (exc) {
      if (exc instanceof ProtocolError) return { error: exc.message, code: exc.code };
      throw exc;
    }
  },
  encode: ({ frame }) => ({ hex: toHex(encode(fromJson(frame))) }),
  spake_start: ({ pw, entropy }) => ({ message: toHex(new Spake2(fromHex(pw), fromHex(entropy)).message) }),
  spake_finish: ({ pw, entropy, peer }) => {
    try {
      return { key: toHex(new Spake2(fromHex(pw), fromHex(entropy)).finish(fromHex(peer))) };
    } catch (exc) {
      return { error: exc.message };
    }
  },
};

ops.parse_code = ({ text }) => {
  try {
    return { code: parseCode(text).text };
  } catch (exc) {
    if (exc instanceof CodeError) return { error: exc.message };
    throw exc;
  }
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line);
  let answer;
  try {
    answer = ops[request.op](request);
  } catch (exc) {
    answer = { crash: `${exc.name}: ${exc.message}` };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
