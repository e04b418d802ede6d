// Ferry's pairing handshake (docs/pairing.md, ferry-pairing-v1), both roles, sans-IO.
//
// SPAKE2 is python-spake2's SPAKE2_Symmetric on Ed25519, reproduced with @noble/curves;
// HKDF, HMAC and SHA-256 from @noble/hashes; AES-256-GCM from @noble/ciphers; Ed25519
// identity proofs from @noble/curves (RFC 8032 strict verification, as `cryptography`).
// Everything is synchronous so the same code runs in node (the vector tests) and the page.
import { gcm } from "@noble/ciphers/aes.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

export const PROTOCOL = "ferry-pairing-v1";
export const VERSION = 1;
export const SECRET_BYTES = 32;
export const PAKE_BYTES = 33;
export const MAX_RECORD_BYTES = 256 * 1024;
const TAG_BYTES = 16;
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const Q = 2n ** 255n - 19n;
const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const enc = new TextEncoder();
const ascii = (s) => enc.encode(s);

export const S_HEX = "6f00dae87c1be1a73b5922ef431cd8f57879569c222d22b1cd71e8546ab8e6f1";
const S = Point.fromHex(S_HEX);

export class AuthenticationError extends Error {
  constructor(message, reason, byPeer = false) {
    super(message);
    this.code = "auth";
    this.reason = reason;
    this.byPeer = byPeer;
  }
}
const malformed = (what) => new AuthenticationError(`pairing failed: a malformed message (${what})`, "malformed");

// -- bytes ----------------------------------------------------------------------------------

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
export const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
export function fromHex(hex) {
  if (hex.length % 2 || /[^0-9a-f]/i.test(hex)) throw new TypeError("not hex");
  return Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
}
const bigBE = (b) => (b.length ? BigInt("0x" + toHex(b)) : 0n);
const bigLE = (b) => bigBE(Uint8Array.from(b).reverse());
function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// -- canonical base64 -------------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
export function b64encode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return out;
}
const b64Length = (n) => 4 * Math.floor((n + 2) / 3);
function b64raw(text) {
  if (text.length % 4 || /[^A-Za-z0-9+/=]/.test(text) || /=[^=]/.test(text) || /={3,}$/.test(text)) return null;
  const bytes = [];
  for (let i = 0; i < text.length; i += 4) {
    const q = text.slice(i, i + 4);
    const v = [...q].map((c) => (c === "=" ? 0 : B64.indexOf(c)));
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    bytes.push((n >> 16) & 255);
    if (q[2] !== "=") bytes.push((n >> 8) & 255);
    if (q[3] !== "=") bytes.push(n & 255);
  }
  return Uint8Array.from(bytes);
}
/** A base64 field: strict, canonical (re-encoding gives the same text), exact size. */
export function b64decode(value, field, { size = null, maxSize = 0 } = {}) {
  const limit = b64Length(size !== null ? size : maxSize);
  if (typeof value !== "string") throw malformed(`field '${field}' must be a base64 string`);
  if (value.length > limit) throw malformed(`field '${field}' is too long`);
  const data = b64raw(value);
  if (data === null) throw malformed(`field '${field}' is not base64`);
  if (b64encode(data) !== value) throw malformed(`field '${field}' is not canonical base64`);
  if (size !== null && data.length !== size) throw malformed(`field '${field}' must hold ${size} bytes, not ${data.length}`);
  return data;
}
export function b64urlEncode(bytes) {
  return b64encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
export function b64urlDecode(text) {
  if (/[^A-Za-z0-9_-]/.test(text)) return null;
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = std + "=".repeat((4 - (std.length % 4)) % 4);
  const data = b64raw(padded);
  return data && b64urlEncode(data) === text ? data : null;
}

// -- SPAKE2 (python-spake2 SPAKE2_Symmetric, Ed25519) ----------------------------------------

export function password(mode, secret) {
  return concat(ascii(mode), new Uint8Array([0]), secret);
}
export function passwordScalar(pw) {
  return bigBE(hkdf(sha256, pw, new Uint8Array(0), ascii("SPAKE2 pw"), 48)) % L;
}
const mul = (point, scalar) => (scalar === 0n ? Point.ZERO : point.multiply(scalar));

export class Spake2 {
  /** `entropy` is 64 random bytes: the secret scalar is int_be(entropy) mod L. */
  constructor(pw, entropy, idSymmetric = ascii(PROTOCOL)) {
    this.pw = pw;
    this.id = idSymmetric;
    this.w = passwordScalar(pw);
    this.x = bigBE(entropy) % L;
    this.outbound = mul(Point.BASE, this.x).add(mul(S, this.w)).toBytes();
    this.message = concat(ascii("S"), this.outbound);
  }

  /** The SPAKE2 key, or an Error for a message that is not a valid peer message. */
  finish(message) {
    if (message.length !== PAKE_BYTES || message[0] !== 0x53) throw new Error("not a symmetric SPAKE2 message");
    const body = message.subarray(1);
    if ((bigLE(body) & ((1n << 255n) - 1n)) >= Q) throw new Error("not a canonical point");
    const P = Point.fromBytes(body); // throws when not on the curve
    if (P.is0() || !P.isTorsionFree()) throw new Error("not in the prime-order subgroup");
    if (equalBytes(P.toBytes(), this.outbound)) throw new Error("reflected");
    const K = mul(P.subtract(mul(S, this.w)), this.x);
    const [m1, m2] = [body, this.outbound].sort(compareBytes);
    return sha256(concat(sha256(this.pw), sha256(this.id), m1, m2, K.toBytes()));
  }
}

// -- key schedule ----------------------------------------------------------------------------

const lp = (b) => {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
};
export function transcriptHash(mode, pakeWaiter, pakeJoiner) {
  return sha256(concat(...[ascii(PROTOCOL), ascii(mode), pakeWaiter, pakeJoiner].map(lp)));
}
export const LABELS = {
  "confirm waiter": 32,
  "confirm joiner": 32,
  "seal waiter": 32,
  "iv waiter": 12,
  "seal joiner": 32,
  "iv joiner": 12,
  verifier: 4,
  exporter: 32,
};
export function deriveKeys(spakeKey, th) {
  const keys = { transcript: th };
  for (const [label, n] of Object.entries(LABELS)) {
    keys[label] = hkdf(sha256, spakeKey, th, ascii(`${PROTOCOL} ${label}`), n);
  }
  return keys;
}
export const confirmMac = (keys, role) => hmac(sha256, keys[`confirm ${role}`], keys.transcript);
export const proofPayload = (role, th) => concat(ascii(`${PROTOCOL} identity ${role}`), new Uint8Array([0]), th);
export const exportSecret = (exporter, label, n = 32) => hkdf(sha256, exporter, new Uint8Array(0), enc.encode(label), n);

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export function peerIdOf(publicKey) {
  const digest = sha256(publicKey).subarray(0, 30);
  let bits = 0n;
  for (const b of digest) bits = (bits << 8n) | BigInt(b);
  let text = "";
  for (let i = 47; i >= 0; i--) text += B32[Number((bits >> BigInt(5 * i)) & 31n)];
  return text.match(/.{6}/g).join("-");
}

/** A long-term (or, in the page, per-handshake) Ed25519 identity. */
export class Identity {
  constructor(seed) {
    this.seed = seed;
    this.publicKey = ed25519.getPublicKey(seed);
    this.peerId = peerIdOf(this.publicKey);
  }
  static generate() {
    return new Identity(randomBytes(32));
  }
  sign(data) {
    return ed25519.sign(data, this.seed);
  }
}
export function verifySignature(publicKey, signature, data) {
  try {
    return ed25519.verify(signature, data, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

// -- messages ----------------------------------------------------------------------------------

const int = (low, high) => (v, name) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high) throw malformed(`field '${name}' must be an integer from ${low} to ${high}`);
  return v;
};
const textField = (limit) => (v, name) => {
  if (typeof v !== "string" || !(v.length > 0 && [...v].length <= limit)) throw malformed(`field '${name}' must be a string of 1 to ${limit} characters`);
  return v;
};
const b64f = (size) => (v, name) => b64decode(v, name, { size });
const box = (v, name) => {
  const data = b64decode(v, name, { maxSize: MAX_RECORD_BYTES + TAG_BYTES });
  if (data.length < TAG_BYTES) throw malformed(`field '${name}' is shorter than an AES-GCM tag`);
  return data;
};
export const SCHEMA = {
  "pair-hello": { v: int(0, 2 ** 31), mode: textField(16), commit: b64f(32) },
  "pair-pake": { pake: b64f(PAKE_BYTES) },
  "pair-reveal": { pake: b64f(PAKE_BYTES), mac: b64f(32) },
  "pair-confirm": { mac: b64f(32) },
  sealed: { seq: int(0, MAX_SEQ), box },
  "pair-abort": { reason: textField(32) },
  "pair-identity": { key: b64f(32), sig: b64f(64) },
};
const isObject = (m) => m !== null && typeof m === "object" && !Array.isArray(m);

export function parse(message, allowed = null) {
  if (!isObject(message)) throw malformed("expected a JSON object");
  const kind = message.type;
  if (typeof kind !== "string") throw malformed("the message has no string 'type'");
  const schema = Object.hasOwn(SCHEMA, kind) ? SCHEMA[kind] : null;
  if (!schema || (allowed && !allowed.includes(kind))) {
    throw new AuthenticationError("pairing failed: the peer sent a message that is not a pairing message", "unexpected");
  }
  const keys = Object.keys(message).filter((k) => k !== "type");
  const wanted = Object.keys(schema);
  if (keys.length !== wanted.length || !keys.every((k) => Object.hasOwn(schema, k))) throw malformed(`${kind}: wrong fields`);
  const fields = {};
  for (const [name, check] of Object.entries(schema)) fields[name] = check(message[name], name);
  return [kind, fields];
}

const PEER_REASONS = {
  "wrong-secret": "the code or secret did not match on its side",
  untrusted: "it does not trust this device",
  "bad-proof": "this side's identity proof did not verify there",
  mode: "it does not accept this way of pairing",
  timeout: "it gave up waiting",
  tampered: "it saw a message altered, replayed, reordered or dropped",
  malformed: "it received a malformed message",
  unexpected: "it received a message out of order",
};
export function peerAbort(reason) {
  const known = Object.hasOwn(PEER_REASONS, reason) || reason === "incomplete" || reason === "other";
  const why = PEER_REASONS[reason] || `reason ${JSON.stringify(reason.slice(0, 32))}`;
  return new AuthenticationError(`pairing failed: the peer ended it (${why})`, known ? reason : "other", true);
}

// -- sealed records ------------------------------------------------------------------------------

export function nonce(iv, seq) {
  const out = Uint8Array.from(iv);
  let n = BigInt(seq);
  for (let i = 11; i >= 0 && n > 0n; i--) {
    out[i] ^= Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

/** JSON text of a record: an object with a string type, no NaN (JSON.parse has none). */
function loadRecord(plaintext) {
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    throw malformed("a sealed record does not hold JSON");
  }
  if (!isObject(value) || typeof value.type !== "string") throw malformed("a sealed record must hold a JSON object with a string 'type'");
  return value;
}

export class SealedChannel {
  constructor(sendKey, sendIv, receiveKey, receiveIv, exporter) {
    Object.assign(this, { sendKey, sendIv, receiveKey, receiveIv, exporter });
    this.nextSend = 0;
    this.nextReceive = 0;
    this.error = null;
  }
  _alive() {
    if (this.error) throw new AuthenticationError(`the sealed channel is closed after a failure: ${this.error.message}`, this.error.reason, this.error.byPeer);
  }
  seal(message) {
    this._alive();
    const plaintext = enc.encode(JSON.stringify(message));
    if (plaintext.length > MAX_RECORD_BYTES) throw new RangeError("a sealed message holds at most 256 KiB of JSON");
    const seq = this.nextSend;
    const sealed = gcm(this.sendKey, nonce(this.sendIv, seq)).encrypt(plaintext);
    this.nextSend += 1;
    return { type: "sealed", seq, box: b64encode(sealed) };
  }
  open(message) {
    this._alive();
    try {
      const [kind, fields] = parse(message, ["sealed", "pair-abort"]);
      if (kind === "pair-abort") throw peerAbort(fields.reason);
      return this.openRecord(fields.seq, fields.box);
    } catch (exc) {
      if (exc instanceof AuthenticationError && !this.error) this.error = exc;
      throw exc;
    }
  }
  openRecord(seq, sealedBox) {
    if (seq !== this.nextReceive) {
      throw new AuthenticationError(`pairing channel broken: record ${seq} arrived where ${this.nextReceive} was due`, "tampered");
    }
    let plaintext;
    try {
      plaintext = gcm(this.receiveKey, nonce(this.receiveIv, seq)).decrypt(sealedBox);
    } catch {
      throw new AuthenticationError(`pairing channel broken: record ${seq} failed authentication`, "tampered");
    }
    const value = loadRecord(plaintext);
    this.nextReceive += 1;
    return value;
  }
  export(label, n = 32) {
    return exportSecret(this.exporter, label, n);
  }
}

// -- the handshake machine -----------------------------------------------------------------------

const WRONG_SECRET = {
  code: "pairing failed: the code did not match on both sides (a wrong or mistyped code, or someone guessing)",
  secret: "pairing failed: the link's secret did not match (a wrong, old or altered link)",
  trusted: "pairing failed: the key exchange did not confirm (the messages were altered on the way)",
};

/**
 * One pairing attempt for one role. `secrets`: {mode: Uint8Array} (a joiner gives one;
 * a waiter accepts any). start()/receive() return messages to send; `result` is set once
 * paired; any failure throws AuthenticationError and `abortMessage()` gives the notice.
 */
export class Handshake {
  constructor(role, identity, { secrets, trusted = new Set(), entropy = randomBytes } = {}) {
    if (role !== "waiter" && role !== "joiner") throw new TypeError("role is waiter or joiner");
    const modes = Object.keys(secrets || {});
    if (!modes.length) throw new TypeError("pairing needs a code, a secret or trusted mode");
    if (role === "joiner" && modes.length !== 1) throw new TypeError("a joiner pairs one way");
    if (secrets.secret && secrets.secret.length !== SECRET_BYTES) throw new TypeError("a pairing secret is 32 bytes");
    Object.assign(this, { role, identity, secrets, trusted, entropy });
    this.peer = role === "waiter" ? "joiner" : "waiter";
    this.state = "idle";
    this.mode = modes.length === 1 ? modes[0] : null;
    this.result = null;
    this.channel = null;
    this.error = null;
    this._notice = null;
  }

  start() {
    if (this.state !== "idle") throw new Error("start() twice");
    if (this.role === "waiter") {
      this.state = "waiting";
      return [];
    }
    this._spake = new Spake2(password(this.mode, this.secrets[this.mode]), this.entropy(64));
    this.state = "hello-sent";
    return [{ type: "pair-hello", v: VERSION, mode: this.mode, commit: b64encode(sha256(this._spake.message)) }];
  }

  receive(message) {
    if (this.state === "failed") throw this.error;
    if (this.state === "paired" || this.state === "idle") throw new Error(`receive() in state ${this.state}`);
    try {
      const [kind, fields] = parse(message);
      if (kind === "pair-abort") throw peerAbort(fields.reason);
      const handler = {
        "hello-sent": { "pair-pake": "_joinerOnPake" },
        revealed: { "pair-confirm": "_onConfirm" },
        confirmed: { sealed: "_onIdentity" },
        waiting: { "pair-hello": "_waiterOnHello" },
        "pake-sent": { "pair-reveal": "_waiterOnReveal" },
      }[this.state][kind];
      if (!handler) throw new AuthenticationError(`pairing failed: ${kind} arrived out of order`, "unexpected");
      return this[handler](fields);
    } catch (exc) {
      const error = exc instanceof AuthenticationError ? exc : new AuthenticationError(`pairing failed: ${exc.message}`, "other");
      this.fail(error);
      throw error;
    }
  }

  /** Fail from outside the machine (deadline, connection closed). */
  fail(error) {
    if (this.state === "failed") return;
    this.state = "failed";
    this.error = error;
    this._notice = error.byPeer ? null : { type: "pair-abort", reason: error.reason };
    this._spake = null;
    this._keys = null;
    this.secrets = {};
    if (this.channel && !this.channel.error) this.channel.error = error;
  }

  abortMessage() {
    const notice = this._notice;
    this._notice = null;
    return notice;
  }

  _waiterOnHello(fields) {
    if (fields.v !== VERSION) throw new AuthenticationError(`pairing failed: the peer speaks pairing version ${fields.v}`, "mode");
    if (!Object.hasOwn(this.secrets, fields.mode)) throw new AuthenticationError("pairing failed: the peer asked for a mode this side does not accept", "mode");
    this.mode = fields.mode;
    this._spake = new Spake2(password(this.mode, this.secrets[this.mode]), this.entropy(64));
    this._commit = fields.commit;
    this.state = "pake-sent";
    return [{ type: "pair-pake", pake: b64encode(this._spake.message) }];
  }

  _joinerOnPake(fields) {
    const keys = this._finishSpake(fields.pake, this._spake.message);
    const channel = this._newChannel(keys);
    const reveal = { type: "pair-reveal", pake: b64encode(this._spake.message), mac: b64encode(confirmMac(keys, this.role)) };
    const proof = channel.seal(this._identityRecord(keys));
    Object.assign(this, { _keys: keys, channel, _spake: null, state: "revealed" });
    return [reveal, proof];
  }

  _waiterOnReveal(fields) {
    if (!equalBytes(sha256(fields.pake), this._commit)) {
      throw new AuthenticationError("pairing failed: the joiner's PAKE message does not match its commitment", "tampered");
    }
    const keys = this._finishSpake(this._spake.message, fields.pake);
    this._checkConfirm(keys, fields.mac);
    Object.assign(this, { _keys: keys, channel: this._newChannel(keys), _spake: null, state: "confirmed" });
    return [];
  }

  _onConfirm(fields) {
    this._checkConfirm(this._keys, fields.mac);
    this.state = "confirmed";
    return [];
  }

  _onIdentity(fields) {
    const keys = this._keys;
    const record = this.channel.openRecord(fields.seq, fields.box);
    if (record.type !== "pair-identity") throw new AuthenticationError("pairing failed: the peer's first sealed record is not its identity proof", "unexpected");
    const [, proof] = parse(record);
    if (!verifySignature(proof.key, proof.sig, proofPayload(this.peer, keys.transcript))) {
      throw new AuthenticationError("pairing failed: the peer's identity proof does not verify", "bad-proof");
    }
    const peerId = peerIdOf(proof.key);
    const trusted = this.trusted.has(peerId);
    if (this.mode === "trusted" && !trusted) throw new AuthenticationError(`pairing failed: peer ${peerId} is not trusted here`, "untrusted");
    let send = [];
    if (this.role === "waiter") {
      send = [{ type: "pair-confirm", mac: b64encode(confirmMac(keys, this.role)) }, this.channel.seal(this._identityRecord(keys))];
    }
    this.result = { peerId, peerKey: proof.key, verifierBytes: keys.verifier, trusted, mode: this.mode, role: this.role };
    this._keys = null;
    this.state = "paired";
    return send;
  }

  _finishSpake(pakeWaiter, pakeJoiner) {
    const peer = this.role === "waiter" ? pakeJoiner : pakeWaiter;
    let key;
    try {
      key = this._spake.finish(peer);
    } catch {
      throw new AuthenticationError("pairing failed: the peer's PAKE message is not a valid SPAKE2 message", "malformed");
    }
    this.spakeKey = key; // kept for the vector tests
    return deriveKeys(key, transcriptHash(this.mode, pakeWaiter, pakeJoiner));
  }

  _checkConfirm(keys, mac) {
    if (!equalBytes(confirmMac(keys, this.peer), mac)) throw new AuthenticationError(WRONG_SECRET[this.mode], "wrong-secret");
  }

  _newChannel(keys) {
    const r = this.role;
    const p = this.peer;
    return new SealedChannel(keys[`seal ${r}`], keys[`iv ${r}`], keys[`seal ${p}`], keys[`iv ${p}`], keys.exporter);
  }

  _identityRecord(keys) {
    return { type: "pair-identity", key: b64encode(this.identity.publicKey), sig: b64encode(this.identity.sign(proofPayload(this.role, keys.transcript))) };
  }
}
