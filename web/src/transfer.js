// One peer connection's Ferry protocol for the page: HELLO, then one outgoing file and
// any number of incoming ones (the page accepts them one at a time), with the same rules as protocol/connection.py, sender.py and receiver.py: credit
// (WINDOW) bounds what a sender may have in flight, chunks arrive in order and within
// credit, the SHA-256 is checked before DONE. Sans-IO: frames in, frames out, callbacks.
import * as L from "./limits.js";
import { ProtocolError } from "./codec.js";
import { nameProblem } from "./names.js";

export class TransferFailed extends Error {
  constructor(message, code = "failed", byPeer = false) {
    super(message);
    this.code = code;
    this.byPeer = byPeer;
  }
}

export function negotiatedChunkLimit(local, peer) {
  const messageLimit = Math.min(local.max_message_size, peer.max_message_size) - L.CHUNK_FRAME_OVERHEAD;
  return Math.max(L.BASE_CHUNK_SIZE, Math.min(local.max_chunk_size, peer.max_chunk_size, messageLimit));
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The protocol state of one connection: at most one outgoing and one incoming transfer. */
export class FerryConnection {
  constructor({ window = L.DEFAULT_WINDOW, maxMessageSize = L.DEFAULT_MAX_MESSAGE_SIZE } = {}) {
    this.hello = {
      type: "HELLO",
      version: L.PROTOCOL_VERSION,
      max_message_size: maxMessageSize,
      max_chunk_size: maxMessageSize - L.CHUNK_FRAME_OVERHEAD,
      features: [],
    };
    this.window = window;
    this.peerHello = null;
    this.out = null; // {offer, state, credit, next, sha256}
    this.incoming = new Map(); // hex id -> {offer, state, expected, durable, granted, sha256}
    this.maxIncoming = 64; // offers not yet finished; beyond: REJECT busy (as the Python side)
    this.failure = null;
  }

  get chunkLimit() {
    return this.peerHello ? negotiatedChunkLimit(this.hello, this.peerHello) : L.BASE_CHUNK_SIZE;
  }

  start() {
    return [this.hello];
  }

  // -- sending ----------------------------------------------------------------------------

  offer(transferId, name, size, { mimeType = "application/octet-stream", mtimeMs = 0, chunkSize = 64 * 1024 } = {}) {
    const problem = nameProblem(name);
    if (problem) throw new TypeError(problem);
    const offer = {
      type: "OFFER",
      transfer_id: transferId,
      name,
      size,
      mime_type: mimeType,
      chunk_size: Math.min(Math.max(chunkSize, L.BASE_CHUNK_SIZE), this.chunkLimit),
      resume_key: "",
      mtime_ms: mtimeMs,
    };
    this.out = { offer, state: "offered", credit: 0, next: 0, sha256: null };
    return [offer];
  }

  /** How many bytes may go out now (credit and size). */
  get sendable() {
    const o = this.out;
    return o && o.state === "sending" ? Math.min(o.credit, o.offer.size) - o.next : 0;
  }

  chunk(data) {
    const o = this.out;
    if (!o || o.state !== "sending" || data.length === 0 || data.length > o.offer.chunk_size || o.next + data.length > Math.min(o.credit, o.offer.size)) {
      throw new Error("a chunk outside the credit");
    }
    const frame = { type: "CHUNK", transfer_id: o.offer.transfer_id, offset: o.next, data };
    o.next += data.length;
    return frame;
  }

  finish(sha256) {
    const o = this.out;
    if (!o || o.state !== "sending" || o.next !== o.offer.size) throw new Error("EOF before every byte was sent");
    o.sha256 = sha256;
    o.state = "eof-sent";
    return [{ type: "EOF", transfer_id: o.offer.transfer_id, size: o.offer.size, sha256 }];
  }

  // -- receiving --------------------------------------------------------------------------

  accept(i, offset = 0) {
    i.state = "receiving";
    i.expected = i.durable = i.granted = offset;
    return [{ type: "ACCEPT", transfer_id: i.offer.transfer_id, offset }, ...this._grant(i)];
  }

  reject(i, code, message) {
    i.state = "failed";
    return [{ type: "REJECT", transfer_id: i.offer.transfer_id, code, message }];
  }

  /** The sink made bytes below `upto` durable: grant more credit. */
  durable(i, upto) {
    if ( (i.state !== "receiving" && i.state !== "verifying")) return [];
    if (upto <= i.durable) return [];
    i.durable = upto;
    return i.state === "receiving" ? this._grant(i) : [];
  }

  complete(i, sha256) {
    if (!same(sha256, i.sha256)) {
      i.state = "failed";
      return [{ type: "ERROR", transfer_id: i.offer.transfer_id, code: "integrity", message: "the SHA-256 of the received bytes differs from the sender's" }];
    }
    i.state = "completed";
    return [{ type: "DONE", transfer_id: i.offer.transfer_id, sha256, stored_id: "" }];
  }

  _grant(i) {
    const limit = Math.min(i.durable + this.window, i.offer.size);
    if (limit <= i.granted) return [];
    if (limit < i.offer.size && limit - i.granted < Math.floor(this.window / 4)) return [];
    i.granted = limit;
    return [{ type: "WINDOW", transfer_id: i.offer.transfer_id, limit }];
  }

  cancel(reason = "cancelled") {
    const frames = [];
    for (const t of [this.out, ...this.incoming.values()]) {
      if (t && !["completed", "failed", "cancelled"].includes(t.state)) {
        t.state = "cancelled";
        frames.push({ type: "CANCEL", transfer_id: t.offer.transfer_id, reason });
      }
    }
    return frames;
  }

  // -- frames from the peer -------------------------------------------------------------------

  /**
   * Apply one decoded frame. Returns {send: frames, event: {...} | null}. A violation
   * throws ProtocolError (the caller answers ERROR and ends the connection).
   */
  receive(f) {
    if (f.type === "HELLO") {
      if (this.peerHello) throw new ProtocolError("HELLO received twice");
      this.peerHello = f;
      return { send: [], event: { kind: "hello" } };
    }
    if (!this.peerHello) throw new ProtocolError(`${f.type} before HELLO`);
    if (f.type === "ERROR" && f.transfer_id === null) {
      throw new TransferFailed(`the peer ended the connection: ${f.message}`, f.code, true);
    }
    if (f.type === "PING") return { send: [], event: null }; // proof of life, nothing to do
    if (f.type === "OFFER") return this._onOffer(f);
    const t = this.out && same(this.out.offer.transfer_id, f.transfer_id) ? this.out : this.incoming.get(hex(f.transfer_id));
    if (!t) {
      if (f.type === "CANCEL" || f.type === "ERROR") return { send: [], event: null };
      return { send: [{ type: "ERROR", transfer_id: f.transfer_id, code: "unknown-transfer", message: `${f.type} for an unknown transfer` }], event: null };
    }
    if (["completed", "failed", "cancelled"].includes(t.state)) return { send: [], event: null };
    if (f.type === "CANCEL") {
      t.state = "cancelled";
      return { send: [], event: { kind: "cancelled", reason: f.reason, transfer: t } };
    }
    if (f.type === "ERROR") {
      t.state = "failed";
      return { send: [], event: { kind: "failed", error: new TransferFailed(`the peer reported: ${f.message}`, f.code, true), transfer: t } };
    }
    return t === this.out ? this._asSender(f) : this._asReceiver(t, f);
  }

  _onOffer(f) {
    const id = hex(f.transfer_id);
    if (this.incoming.has(id) || (this.out && same(this.out.offer.transfer_id, f.transfer_id))) throw new ProtocolError(`OFFER for transfer ${id}, which is already in use`);
    const open = [...this.incoming.values()].filter((t) => !["completed", "failed", "cancelled"].includes(t.state)).length;
    if (open >= this.maxIncoming) {
      return { send: [{ type: "REJECT", transfer_id: f.transfer_id, code: "busy", message: `${open} files are already on their way; offer this one when one ends` }], event: null };
    }
    if (f.chunk_size > this.chunkLimit) throw new ProtocolError(`OFFER chunk size ${f.chunk_size} exceeds the negotiated ${this.chunkLimit}`);
    const transfer = { offer: f, state: "offer-received", expected: 0, durable: 0, granted: 0, sha256: null };
    this.incoming.set(id, transfer);
    return { send: [], event: { kind: "offer", transfer } };
  }

  _asSender(f) {
    const o = this.out;
    if (o.state === "offered" && f.type === "ACCEPT") {
      if (f.offset > o.offer.size) throw new ProtocolError("ACCEPT past the size");
      if (f.offset !== 0) throw new ProtocolError("this page cannot resume: ACCEPT at a non-zero offset");
      o.state = "sending";
      o.next = o.credit = f.offset;
      return { send: [], event: { kind: "accepted" } };
    }
    if (o.state === "offered" && f.type === "REJECT") {
      o.state = "failed";
      return { send: [], event: { kind: "failed", error: new TransferFailed(`the receiver refused the file (${f.code}): ${f.message}`, f.code, true) } };
    }
    if ((o.state === "sending" || o.state === "eof-sent") && f.type === "WINDOW") {
      if (f.limit <= o.credit) throw new ProtocolError(`WINDOW to ${f.limit} does not advance the credit ${o.credit}`);
      o.credit = f.limit;
      return { send: [], event: { kind: "credit" } };
    }
    if (o.state === "eof-sent" && f.type === "DONE") {
      if (!same(f.sha256, o.sha256)) {
        o.state = "failed";
        const error = new TransferFailed("the receiver stored a file whose SHA-256 differs from ours", "integrity");
        return { send: [{ type: "ERROR", transfer_id: o.offer.transfer_id, code: "integrity", message: error.message }], event: { kind: "failed", error } };
      }
      o.state = "completed";
      return { send: [], event: { kind: "done", transfer: o } };
    }
    throw new ProtocolError(`unexpected ${f.type} in state ${o.state}`);
  }

  _asReceiver(i, f) {
    if (i.state === "receiving" && f.type === "CHUNK") {
      const end = f.offset + f.data.length;
      if (f.offset !== i.expected) throw new ProtocolError(`CHUNK at offset ${f.offset}, expected ${i.expected}`);
      if (f.data.length > i.offer.chunk_size) throw new ProtocolError("CHUNK larger than the offered chunk size");
      if (end > i.granted) throw new ProtocolError(`CHUNK ends at ${end}, past the granted credit ${i.granted}`);
      if (end > i.offer.size) throw new ProtocolError("CHUNK past the file size");
      i.expected = end;
      return { send: [], event: { kind: "data", offset: f.offset, data: f.data, transfer: i } };
    }
    if (i.state === "receiving" && f.type === "EOF") {
      if (f.size !== i.offer.size || i.expected !== i.offer.size) throw new ProtocolError("EOF before every byte arrived");
      i.state = "verifying";
      i.sha256 = f.sha256;
      return { send: [], event: { kind: "eof", sha256: f.sha256, transfer: i } };
    }
    throw new ProtocolError(`unexpected ${f.type} in state ${i.state}`);
  }
}
