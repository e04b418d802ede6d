// The joining side of docs/rendezvous.md, for the page: a magic-wormhole mailbox client
// over the browser's WebSocket. It claims the link's nameplate, opens the mailbox, checks
// someone waits there, then carries numbered JSON messages both ways.
//
// Simpler than the Python client on purpose: a page lives for one transfer, so a lost
// WebSocket ends the attempt (the user reopens the link) instead of reconnecting.
export const APP_ID = "ferry-engine/transfer/v1";
const MAX_BODY = 64 * 1024;
const MAX_MESSAGES = 256;
const MAX_FRAME = 2 * MAX_BODY + 16 * 1024;

export class RendezvousError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}
export class PeerGone extends Error {
  constructor(message = "the other side closed the signaling") {
    super(message);
    this.code = "peer-gone";
  }
}

const hexOf = (text) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
function textOf(hex) {
  if (typeof hex !== "string" || hex.length % 2 || /[^0-9a-f]/.test(hex)) throw new Error("body is not hex");
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16)));
}
function randomSide() {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Mailbox {
  constructor(url, nameplate, { WebSocketImpl = globalThis.WebSocket, version = "web" } = {}) {
    if (!/^wss?:\/\//.test(url)) throw new RendezvousError(`not a rendezvous URL: ${url}`, "config");
    if (!/^[1-9][0-9]{0,8}$/.test(nameplate)) throw new RendezvousError("the link's number is malformed", "config");
    Object.assign(this, { url, nameplate, WebSocketImpl, version });
    this.side = randomSide();
    this.mailbox = null;
    this.peerSide = null;
    this.sent = 0;
    this.seen = new Map(); // phase -> body, the other side's
    this.ready = new Map(); // number -> message, waiting for its turn
    this.next = 0;
    this.peerBye = null;
    this.inbox = [];
    this.waiters = [];
    this.error = null;
    this.closed = false;
  }

  /** Connect, claim, open; resolves once the waiting side is known to be there. */
  open() {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new this.WebSocketImpl(this.url);
      } catch (exc) {
        reject(new RendezvousError(`cannot reach the rendezvous server ${this.url}: ${exc.message}`, "rendezvous-unreachable"));
        return;
      }
      this.ws = ws;
      let opened = false;
      this._opened = (error) => {
        if (opened) return;
        opened = true;
        error ? reject(error) : resolve();
      };
      ws.onerror = () => this._fail(new RendezvousError(`cannot reach the rendezvous server ${this.url}`, "rendezvous-unreachable"));
      ws.onclose = () => this._fail(new RendezvousError("lost the rendezvous server", "rendezvous-unreachable"));
      ws.onmessage = (event) => {
        try {
          this._onServer(event.data);
        } catch (exc) {
          this._fail(exc instanceof RendezvousError ? exc : new RendezvousError(`rendezvous: ${exc.message}`, "rendezvous-protocol"));
        }
      };
    });
  }

  _command(command) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(command));
  }

  _onServer(data) {
    if (typeof data !== "string" || data.length > MAX_FRAME) throw new RendezvousError("the server sent an oversized or binary message", "rendezvous-protocol");
    const m = JSON.parse(data);
    switch (m.type) {
      case "welcome":
        if (m.welcome && typeof m.welcome.error === "string") throw new RendezvousError(`the rendezvous server refuses service: ${m.welcome.error.slice(0, 200)}`, "rendezvous-refused");
        this._command({ type: "bind", appid: APP_ID, side: this.side, client_version: ["ferry", this.version] });
        this._command({ type: "claim", nameplate: this.nameplate });
        break;
      case "claimed":
        if (typeof m.mailbox !== "string") throw new Error("claimed without a mailbox");
        this.mailbox = m.mailbox;
        this._command({ type: "open", mailbox: this.mailbox });
        this._command({ type: "ping", ping: 1 });
        break;
      case "pong":
        if (!this.peerSide) {
          // the whole mailbox came before the pong: nobody waits behind this number
          this._command({ type: "release", nameplate: this.nameplate });
          this._command({ type: "close", mailbox: this.mailbox, mood: "lonely" });
          throw new RendezvousError("nobody is waiting behind this link (it was used already, or the other side stopped)", "unknown-nameplate");
        }
        this._command({ type: "add", phase: "hello", body: hexOf("{}") });
        this._command({ type: "release", nameplate: this.nameplate });
        this._opened(null);
        break;
      case "message":
        this._onMessage(m);
        break;
      case "error":
        if (m.error === "crowded") throw new RendezvousError("someone else is already using this link", "crowded");
        throw new RendezvousError(`the rendezvous server reported an error: ${String(m.error).slice(0, 200)}`, "rendezvous-server-error");
      default:
        break; // ack, released, closed, nameplates: nothing to do
    }
  }

  _onMessage(m) {
    if (m.side === this.side) return; // our own echo
    if (typeof m.phase !== "string" || typeof m.body !== "string" || m.body.length > 2 * MAX_BODY) throw new RendezvousError("a malformed mailbox message", "rendezvous-protocol");
    if (this.peerSide === null) this.peerSide = m.side;
    else if (m.side !== this.peerSide) throw new RendezvousError("a third side wrote into the mailbox", "crowded");
    if (this.seen.has(m.phase)) {
      if (this.seen.get(m.phase) !== m.body) throw new RendezvousError(`two different messages for phase ${m.phase}`, "rendezvous-protocol");
      return;
    }
    this.seen.set(m.phase, m.body);
    if (this.seen.size > MAX_MESSAGES + 20) throw new RendezvousError("too many mailbox messages", "rendezvous-protocol");
    if (m.phase === "hello") return;
    if (m.phase === "bye") {
      const bye = JSON.parse(textOf(m.body));
      if (!Number.isSafeInteger(bye.messages) || bye.messages < this.next) throw new RendezvousError("a malformed bye", "rendezvous-protocol");
      this.peerBye = bye.messages;
    } else if (/^(0|[1-9][0-9]*)$/.test(m.phase)) {
      const n = Number(m.phase);
      if (n >= MAX_MESSAGES || (this.peerBye !== null && n >= this.peerBye)) throw new RendezvousError("a mailbox message out of range", "rendezvous-protocol");
      this.ready.set(n, JSON.parse(textOf(m.body)));
    } else {
      return; // a phase of a later version: ignored
    }
    while (this.ready.has(this.next)) {
      this.inbox.push(this.ready.get(this.next));
      this.ready.delete(this.next);
      this.next += 1;
    }
    this._wake();
  }

  _wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  _fail(error) {
    if (this.closed || this.error) return;
    this.error = error;
    if (this._opened) this._opened(error);
    this._wake();
    try {
      this.ws.close();
    } catch {}
  }

  send(message) {
    if (this.error) throw this.error;
    if (this.closed) throw new PeerGone("signaling is closed");
    const body = hexOf(JSON.stringify(message));
    if (body.length > 2 * MAX_BODY || this.sent >= MAX_MESSAGES) throw new RangeError("a signaling message over the mailbox's bounds");
    this._command({ type: "add", phase: String(this.sent), body });
    this.sent += 1;
  }

  /** The other side's next message; throws PeerGone once it said bye, or the error. */
  async receive() {
    for (;;) {
      if (this.inbox.length) return this.inbox.shift();
      if (this.error) throw this.error;
      if (this.closed) throw new PeerGone("signaling is closed");
      if (this.peerBye !== null && this.next >= this.peerBye) throw new PeerGone();
      await new Promise((resolve) => this.waiters.push(resolve));
    }
  }

  close(mood = "happy") {
    if (this.closed) return;
    if (!this.error && this.mailbox) {
      this._command({ type: "add", phase: "bye", body: hexOf(JSON.stringify({ messages: this.sent })) });
      this._command({ type: "close", mailbox: this.mailbox, mood });
    }
    this.closed = true;
    this._wake();
    const ws = this.ws;
    // let the server read the close before the socket goes
    if (ws) setTimeout(() => ws.close(), 500);
  }
}
