// Ferry frames <-> msgpack messages, as protocol/codec.py: the same wire format, the same
// strictness. A frame is a plain object {type: "OFFER", transfer_id: Uint8Array, ...}
// with the field names of protocol/frames.py.
//
// encode: every frame but CHUNK through @msgpack/msgpack (the same bytes msgpack-python
// writes for the same map); CHUNK in codec.py's fixed 68-byte-header layout.
// decode: trusts nothing; the only exception it throws is ProtocolError.
import { encode as packValue } from "@msgpack/msgpack";
import * as L from "./limits.js";
import { Float, MsgpackError, unpack } from "./msgpack.js";
import { isUnprintable, nameProblem } from "./names.js";

export class ProtocolError extends Error {
  constructor(message, code = "protocol") {
    super(message);
    this.code = code;
  }
}

const CODE = /^[a-z][a-z0-9-]*$/;
const FEATURE = /^[a-z0-9][a-z0-9.-]*$/;
const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

const fail = (key, problem) => new ProtocolError(`field '${key}' ${problem}`);
const kind = (v) => (v === null ? "NoneType" : v instanceof Float ? "float" : v instanceof Uint8Array ? "bytes" : Array.isArray(v) ? "list" : v instanceof Map ? "dict" : typeof v);
const isInt = (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";

function uint(low, high) {
  return (key, v) => {
    if (!isInt(v)) throw fail(key, `must be an integer, got ${kind(v)}`);
    if (typeof v === "bigint" || v < low || v > high) throw fail(key, `is ${v}, outside ${low}..${high}`);
    return v;
  };
}

function bin(length) {
  return (key, v) => {
    if (!(v instanceof Uint8Array)) throw fail(key, `must be binary, got ${kind(v)}`);
    if (v.length !== length) throw fail(key, `must be ${length} bytes, got ${v.length}`);
    return v;
  };
}

const optional = (inner) => (key, v) => (v === null ? null : inner(key, v));

function text(maxLength, pattern = null, empty = true) {
  return (key, v) => {
    if (typeof v !== "string") throw fail(key, `must be a string, got ${kind(v)}`);
    const chars = [...v]; // code points, as Python's len()
    if (chars.length > maxLength) throw fail(key, `is ${chars.length} characters, more than ${maxLength}`);
    if (!v) {
      if (empty) return v;
      throw fail(key, "must not be empty");
    }
    if (pattern && !pattern.test(v)) throw fail(key, `has an invalid value ${JSON.stringify(v)}`);
    for (const ch of chars) {
      if (isUnprintable(ch)) throw fail(key, `contains the control character U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
    }
    return v;
  };
}

function name(key, v) {
  const problem = nameProblem(v);
  if (problem !== null) throw new ProtocolError(problem, "unsafe-name");
  return v;
}

function data(key, v) {
  if (!(v instanceof Uint8Array)) throw fail(key, `must be binary, got ${kind(v)}`);
  if (!v.length) throw fail(key, "must not be empty");
  return v;
}

function features(key, v) {
  if (!Array.isArray(v)) throw fail(key, `must be an array, got ${kind(v)}`);
  if (v.length > L.MAX_FEATURES) throw fail(key, `lists ${v.length} features, more than ${L.MAX_FEATURES}`);
  const check = text(L.MAX_FEATURE_LENGTH, FEATURE, false);
  const items = v.map((item) => check(key, item));
  if (new Set(items).size !== items.length) throw fail(key, "lists a feature twice");
  return items;
}

const tid = bin(L.TRANSFER_ID_BYTES);
const sha = bin(L.SHA256_BYTES);
const size = uint(0, L.MAX_FILE_SIZE);
const code = text(L.MAX_CODE_LENGTH, CODE, false);
const message = text(L.MAX_TEXT_LENGTH);

/** For each frame type, the validator of each field, in protocol/frames.py's order. */
export const SCHEMAS = {
  HELLO: {
    version: uint(1, L.MAX_VERSION),
    max_message_size: uint(L.BASE_CHUNK_SIZE + L.CHUNK_FRAME_OVERHEAD, L.MAX_ADVERTISED_SIZE),
    max_chunk_size: uint(L.BASE_CHUNK_SIZE, L.MAX_ADVERTISED_SIZE),
    features,
  },
  OFFER: {
    transfer_id: tid,
    name,
    size,
    mime_type: text(L.MAX_MIME_LENGTH, MIME),
    chunk_size: uint(L.BASE_CHUNK_SIZE, L.MAX_ADVERTISED_SIZE),
    resume_key: text(L.MAX_RESUME_KEY_LENGTH),
    mtime_ms: uint(0, L.MAX_FILE_SIZE),
  },
  ACCEPT: { transfer_id: tid, offset: size },
  REJECT: { transfer_id: tid, code, message },
  CHUNK: { transfer_id: tid, offset: size, data },
  WINDOW: { transfer_id: tid, limit: size },
  EOF: { transfer_id: tid, size, sha256: sha },
  DONE: { transfer_id: tid, sha256: sha, stored_id: text(L.MAX_STORED_ID_LENGTH) },
  CANCEL: { transfer_id: tid, reason: message },
  ERROR: { transfer_id: optional(tid), code, message },
  // Keepalive (docs/keepalive.md): sent only to a peer whose HELLO lists "keepalive". The
  // page does not list it, so none should come; decoding it keeps the codec whole.
  PING: {},
};

// The CHUNK layout of codec.py: map of 4, keys in this order, offset as uint 64, data as
// bin 32, so the payload sits at byte 68.
function bytesOf(textWithEscapes) {
  return Uint8Array.from(textWithEscapes, (c) => c.charCodeAt(0));
}
const PREFIX = bytesOf("\x84\xa4type\xa5CHUNK\xabtransfer_id\xc4\x10");
const OFFSET = bytesOf("\xa6offset\xcf");
const DATA = bytesOf("\xa4data\xc6");
export const CHUNK_HEADER_SIZE = PREFIX.length + 16 + OFFSET.length + 8 + DATA.length + 4; // 68

function encodeChunk(frame) {
  const { transfer_id: id, offset, data: payload } = frame;
  if (!(id instanceof Uint8Array) || id.length !== L.TRANSFER_ID_BYTES) throw new TypeError("a transfer id is 16 bytes");
  if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError("a CHUNK offset is 0..2**53-1");
  const out = new Uint8Array(CHUNK_HEADER_SIZE + payload.length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of [PREFIX, id, OFFSET]) {
    out.set(part, at);
    at += part.length;
  }
  view.setBigUint64(at, BigInt(offset));
  at += 8;
  out.set(DATA, at);
  at += DATA.length;
  view.setUint32(at, payload.length);
  at += 4;
  out.set(payload, at);
  return out;
}

function sameBytes(a, at, b) {
  for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

function decodeChunkFast(bytes) {
  if (bytes.length <= CHUNK_HEADER_SIZE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idAt = PREFIX.length;
  const offsetKeyAt = idAt + 16;
  const offsetAt = offsetKeyAt + OFFSET.length;
  const dataKeyAt = offsetAt + 8;
  const lengthAt = dataKeyAt + DATA.length;
  if (!sameBytes(bytes, 0, PREFIX) || !sameBytes(bytes, offsetKeyAt, OFFSET) || !sameBytes(bytes, dataKeyAt, DATA)) return null;
  if (view.getUint32(lengthAt) !== bytes.length - CHUNK_HEADER_SIZE) return null;
  const offset = view.getBigUint64(offsetAt);
  if (offset > BigInt(L.MAX_FILE_SIZE)) return null;
  return {
    type: "CHUNK",
    transfer_id: bytes.slice(idAt, idAt + 16),
    offset: Number(offset),
    data: bytes.subarray(CHUNK_HEADER_SIZE),
  };
}

/** One frame to one msgpack message. Does not validate (decode does). */
export function encode(frame) {
  if (frame.type === "CHUNK") return encodeChunk(frame);
  const schema = SCHEMAS[frame.type];
  if (!schema) throw new TypeError(`not a Ferry frame: ${frame.type}`);
  const body = { type: frame.type };
  for (const key of Object.keys(schema)) body[key] = frame[key];
  return packValue(body);
}

/** One message to a frame, or ProtocolError saying what was wrong. */
export function decode(bytes, maxMessageSize = L.DEFAULT_MAX_MESSAGE_SIZE) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError(`expected a binary message, got ${typeof bytes}`);
  if (bytes.length > maxMessageSize) {
    throw new ProtocolError(`message of ${bytes.length} bytes exceeds the maximum of ${maxMessageSize}`);
  }
  return decodeChunkFast(bytes) || decodeFull(bytes);
}

function decodeFull(bytes) {
  let body;
  try {
    body = unpack(bytes);
  } catch (exc) {
    if (exc instanceof MsgpackError || exc instanceof RangeError) throw new ProtocolError(`not a valid msgpack message: ${exc.message}`);
    throw exc;
  }
  if (!(body instanceof Map)) throw new ProtocolError(`frame must be a msgpack map, got ${kind(body)}`);
  const tag = body.get("type");
  const schema = typeof tag === "string" && Object.hasOwn(SCHEMAS, tag) ? SCHEMAS[tag] : null;
  if (!schema) throw new ProtocolError(`unknown frame type ${JSON.stringify(typeof tag === "string" ? tag : kind(tag))}`);
  const wanted = new Set(["type", ...Object.keys(schema)]);
  const keys = [...body.keys()];
  if (keys.length !== wanted.size || !keys.every((k) => wanted.has(k))) {
    throw new ProtocolError(`${tag} frame has missing or extra fields`);
  }
  const frame = { type: tag };
  try {
    for (const [key, check] of Object.entries(schema)) frame[key] = check(key, body.get(key));
  } catch (exc) {
    if (exc instanceof ProtocolError) throw new ProtocolError(`${tag} frame: ${exc.message}`, exc.code);
    throw exc;
  }
  return frame;
}
