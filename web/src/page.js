// The Ferry page: a browser that is a Ferry peer. It opens a link made by `ferry send
// --web` or `ferry receive --web`, meets the other side through the mailbox server, pairs
// with the link's secret (ferry-pairing-v1, secret mode), connects a WebRTC data channel
// with the sealed SDP, and sends or receives one file with Ferry's frames.
//
// window.ferryState = {phase, name, bytes, total, sha256, error} is a contract for tests
// and for hosts that embed the page; phase is waiting, connecting, transferring, done or
// failed.
import { decode, encode, ProtocolError } from "./codec.js";
import { CodeError, parseCode, wordsFor } from "./codes.js";
import { fileHasher } from "./filehash.js";
import { parseFragment } from "./link.js";
import { nameProblem } from "./names.js";
import { AuthenticationError, Handshake, Identity, randomBytes, toHex } from "./pairing.js";
import { Mailbox, PeerGone, RendezvousError } from "./rendezvous.js";
import { FerryConnection, TransferFailed } from "./transfer.js";

const DEFAULT_RENDEZVOUS = "wss://relay.magic-wormhole.io/v1";
const BUFFER_THRESHOLD = 1 << 20; // the data channel's bufferedAmountLowThreshold
const CHUNK = 64 * 1024;
const READ_BLOCK = 1 << 20; // bytes read from a File at once when sending
const SINK_BATCH = 256 * 1024; // bytes handed to the download stream at once
const HANDSHAKE_TIMEOUT_MS = 30000;
const CONNECT_TIMEOUT_MS = 30000; // from paired to both HELLOs (the CLI's --timeout default)

const state = { phase: "waiting", name: null, bytes: 0, total: 0, sha256: null, error: null };
window.ferryState = state;
// every file this page finished, in order: {name, size, sha256} (for hosts and tests)
const files = [];
window.ferryFiles = files;
const $ = (id) => document.getElementById(id);

// window.ferryState changes at once; the view four times a second. Every animation frame
// was too often: on a loaded machine, repainting the text and the bar 60 times a second
// cost a fifth to a quarter of the receiving browser's CPU (headless Chromium:
// benchmarks/README.md), and a person reads a rate and an ETA no faster than this.
const RENDER_INTERVAL_MS = 250;
let renderQueued = false;
function update(changes) {
  const phaseChanged = changes.phase !== undefined && changes.phase !== state.phase;
  Object.assign(state, changes);
  if (phaseChanged) {
    render();
  } else if (!renderQueued) {
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      render();
    }, RENDER_INTERVAL_MS);
  }
}

// -- the view ---------------------------------------------------------------------------------

let started = 0;
let action = null; // what this page does: "send" or "receive" (from the link)
function human(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
function render() {
  document.body.dataset.phase = state.phase;
  $("phase").textContent = {
    waiting: state.name ? "Ready" : "Waiting",
    connecting: "Connecting…",
    transferring: { send: "Sending", receive: "Receiving" }[action] || "Transferring",
    done: { send: "Sent", receive: "Received" }[action] || "Done",
    failed: "Failed",
  }[state.phase];
  $("name").textContent = state.name ? `${state.name} (${human(state.total)})` : "";
  const fraction = state.total ? state.bytes / state.total : state.phase === "done" ? 1 : 0;
  $("bar").value = fraction;
  let detail = "";
  if (state.phase === "transferring" && started) {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? state.bytes / seconds : 0;
    const eta = rate > 0 ? (state.total - state.bytes) / rate : 0;
    detail = `${human(state.bytes)} of ${human(state.total)} · ${human(rate)}/s · ${Math.ceil(eta)} s left`;
  } else if (state.phase === "done") {
    detail = `SHA-256 ${state.sha256}`;
  }
  $("detail").textContent = detail;
  $("error").textContent = state.error || "";
  $("cancel").hidden = !(state.phase === "connecting" || state.phase === "transferring");
}

// -- the session ---------------------------------------------------------------------------------

class Session {
  constructor(link, rendezvous) {
    this.link = link;
    this.rendezvous = rendezvous;
    this.conn = new FerryConnection();
    this.ended = false;
    this.wakeups = [];
    this.queue = []; // offers waiting for their turn: files arrive one at a time
    this.current = null;
    this.received = 0;
    this.probes = new Map(); // round-trip probes: transfer id (hex) -> resolve
  }

  fail(error) {
    if (this.ended) return;
    this.ended = true;
    console.warn("ferry:", error);
    update({ phase: "failed", error: explain(error, Boolean(this.link.code)) });
    this.teardown("errory");
  }

  /** End: tell the peer on the data channel first (CANCEL), let that leave, then say bye on
   * the signaling and close; the other side then hears why, not just that we left. */
  async teardown(mood) {
    const dc = this.dc;
    try {
      if (dc && dc.readyState === "open" && state.phase === "failed") {
        for (const f of this.conn.cancel(state.error || "failed")) dc.send(encode(f));
      }
    } catch {}
    if (this.sink) this.sink.abort(state.error || "failed");
    this.wake();
    if (dc && dc.readyState === "open" && this.conn.peerHello) await this.roundTrip(5000);
    if (this.channel && this.mailbox && !this.mailbox.closed && !this.mailbox.error) {
      try {
        this.mailbox.send(this.channel.seal({ type: "bye" }));
      } catch {}
    }
    if (this.mailbox) this.mailbox.close(mood);
    const pc = this.pc;
    if (pc) setTimeout(() => pc.close(), 1000);
  }

  /** Wait until the peer has handled every frame sent so far: frames are handled in order,
   * and a frame for a transfer the peer does not know is answered with ERROR
   * unknown-transfer (protocol/connection.py), so a WINDOW for a random id is a probe. */
  roundTrip(timeoutMs) {
    const probe = randomBytes(16);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.probes.set(toHex(probe), () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.dc.send(encode({ type: "WINDOW", transfer_id: probe, limit: 1 }));
      } catch {
        resolve();
      }
    });
  }

  wake() {
    const w = this.wakeups;
    this.wakeups = [];
    for (const f of w) f();
  }
  until(predicate) {
    return new Promise((resolve) => {
      const check = () => (predicate() || this.ended ? resolve() : this.wakeups.push(check));
      check();
    });
  }

  async pair() {
    update({ phase: "connecting", error: null });
    this.mailbox = new Mailbox(this.rendezvous, this.link.nameplate);
    await this.mailbox.open();
    const secrets = this.link.code ? { code: new TextEncoder().encode(this.link.code) } : { secret: this.link.secret };
    const machine = new Handshake("joiner", Identity.generate(), { secrets });
    const deadline = setTimeout(() => {
      machine.fail(new AuthenticationError("pairing failed: the other side did not answer in time", "timeout"));
      this.mailbox._fail(machine.error);
    }, HANDSHAKE_TIMEOUT_MS);
    try {
      for (const m of machine.start()) this.mailbox.send(m);
      while (machine.state !== "paired") {
        const message = await this.mailbox.receive();
        let replies;
        try {
          replies = machine.receive(message);
        } catch (exc) {
          const notice = machine.abortMessage();
          if (notice) this.mailbox.send(notice);
          this.mailbox.close("scary");
          throw exc;
        }
        for (const m of replies) this.mailbox.send(m);
      }
    } finally {
      clearTimeout(deadline);
    }
    this.channel = machine.channel;
    if (this.link.code) {
      // people who compare these words on both screens catch a man in the middle
      $("verifier").textContent = `Verifier: ${wordsFor(machine.result.verifierBytes)}`;
      $("verifier").hidden = false;
    }
  }

  /** WebRTC through the sealed signaling, then both HELLOs; a peer gone silent (killed,
   * unreachable) fails it after CONNECT_TIMEOUT_MS instead of leaving the page waiting. */
  async connect() {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("no connection to the other side: it did not answer in time")), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([this._connect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async _connect() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") this.fail(new Error("the WebRTC connection failed"));
    };
    const dc = pc.createDataChannel("ferry", { ordered: true });
    this.dc = dc;
    dc.binaryType = "arraybuffer";
    dc.bufferedAmountLowThreshold = BUFFER_THRESHOLD;
    dc.onbufferedamountlow = () => this.wake();
    dc.onmessage = (event) => this.onMessage(event.data);
    dc.onclose = () => {
      if (this.ended) return;
      if (this.received > 0 && !this.current && !this.queue.length) this.succeed();
      else this.fail(new PeerGone("the other side closed the connection"));
    };
    const opened = new Promise((resolve) => (dc.onopen = resolve));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    });
    // aiortc does not trickle: the offer carries every candidate
    this.mailbox.send(this.channel.seal({ type: "offer", sdp: pc.localDescription.sdp }));
    const answer = this.channel.open(await this.mailbox.receive());
    if (answer.type !== "answer" || typeof answer.sdp !== "string") throw new ProtocolError(`expected an SDP answer, got ${String(answer.type).slice(0, 32)}`);
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    this.watchSignaling();
    await opened;
    this.sendFrames(this.conn.start());
    await this.until(() => this.conn.peerHello !== null);
  }

  /** The other side may end things through the sealed signaling: a bye, or nothing more. */
  async watchSignaling() {
    try {
      for (;;) {
        const message = this.channel.open(await this.mailbox.receive());
        if (message.type === "bye") break;
      }
      if (!this.ended && this.received > 0 && !this.current && !this.queue.length) this.succeed();
    } catch (exc) {
      if (this.ended || exc instanceof PeerGone) return;
      this.fail(exc);
    }
  }

  sendFrames(frames) {
    for (const f of frames) this.dc.send(encode(f));
  }

  onMessage(data) {
    let frame;
    try {
      frame = decode(new Uint8Array(data));
    } catch (exc) {
      if (this.ended) return;
      try {
        this.dc.send(encode({ type: "ERROR", transfer_id: null, code: exc.code || "protocol", message: exc.message.slice(0, 1000) }));
      } catch {}
      this.fail(exc);
      return;
    }
    if (frame.type === "ERROR" && frame.transfer_id && this.probes.has(toHex(frame.transfer_id))) {
      this.probes.get(toHex(frame.transfer_id))();
      this.probes.delete(toHex(frame.transfer_id));
      return;
    }
    if (this.ended) return;
    let result;
    try {
      result = this.conn.receive(frame);
    } catch (exc) {
      if (exc instanceof ProtocolError) {
        try {
          this.dc.send(encode({ type: "ERROR", transfer_id: frame.transfer_id || null, code: "protocol", message: exc.message.slice(0, 1000) }));
        } catch {}
      }
      this.fail(exc);
      return;
    }
    this.sendFrames(result.send);
    const event = result.event;
    if (event) this.onEvent(event);
    this.wake();
  }

  onEvent(event) {
    const t = event.transfer;
    switch (event.kind) {
      case "offer":
        this.queue.push(t);
        this.nextIncoming();
        break;
      case "data":
        t.sink.write(event.data); // the sink hashes too (off this thread, where it can)
        update({ bytes: event.offset + event.data.length });
        break;
      case "eof":
        this.finishReceiving(t).catch((exc) => this.fail(exc));
        break;
      case "done":
        files.push({ name: t.offer.name, size: t.offer.size, sha256: state.sha256 });
        this.succeed();
        break;
      case "cancelled":
        this.fail(new TransferFailed(`the other side cancelled${event.reason ? `: ${event.reason}` : ""}`, "cancelled", true));
        break;
      case "failed":
        this.fail(event.error);
        break;
      default:
        break;
    }
  }

  succeed() {
    if (this.ended) return;
    this.ended = true;
    update({ phase: "done", bytes: state.total });
    this.teardown("happy");
  }

  // -- sending ---------------------------------------------------------------------------------

  async sendFile(file) {
    const name = safeName(file.name);
    const transferId = randomBytes(16);
    this.sendFrames(this.conn.offer(transferId, name, file.size, { mimeType: safeMime(file.type), mtimeMs: Math.max(0, Math.floor(file.lastModified || 0)), chunkSize: CHUNK }));
    await this.until(() => this.conn.out.state !== "offered");
    if (this.ended) return;
    update({ phase: "transferring", name, total: file.size, bytes: 0 });
    started = performance.now();
    const hash = await fileHasher();
    const chunkSize = this.conn.out.offer.chunk_size;
    // File.slice reads go through the browser process: read READ_BLOCK at a time (one
    // block ahead) and cut chunks from it, rather than one read per chunk
    const read = (at) => ({ at, promise: file.slice(at, Math.min(at + READ_BLOCK, file.size)).arrayBuffer() });
    let offset = 0;
    let pending = read(0);
    let block = null; // {at, bytes}
    while (offset < file.size && !this.ended) {
      if (!block || offset >= block.at + block.bytes.length) {
        const { at, promise } = pending;
        block = { at, bytes: new Uint8Array(await promise) };
        const after = at + block.bytes.length;
        if (after < file.size) pending = read(after);
        if (this.ended) return;
      }
      await this.until(() => this.conn.sendable > 0 && this.dc.bufferedAmount <= BUFFER_THRESHOLD);
      if (this.ended) return;
      const start = offset - block.at;
      const length = Math.min(chunkSize, this.conn.sendable, block.bytes.length - start);
      const data = block.bytes.subarray(start, start + length);
      hash.update(data);
      this.dc.send(encode(this.conn.chunk(data)));
      offset += length;
      update({ bytes: offset });
    }
    if (this.ended) return;
    const digest = hash.digest();
    state.sha256 = toHex(digest);
    this.sendFrames(this.conn.finish(digest));
  }

  // -- receiving -------------------------------------------------------------------------------

  nextIncoming() {
    if (this.current || !this.queue.length || this.ended) return;
    const t = this.queue.shift();
    this.current = t;
    this.receiveFile(t).catch((exc) => this.fail(exc));
  }

  async receiveFile(t) {
    const name = t.offer.name.split("/").join("_");
    update({ phase: "transferring", name, total: t.offer.size, bytes: 0, sha256: null });
    t.sink = await openSink(name, t.offer.size, (upto) => {
      if (!this.ended) this.sendFrames(this.conn.durable(t, upto));
    });
    this.sink = t.sink;
    started = performance.now();
    this.sendFrames(this.conn.accept(t, 0));
  }

  async finishReceiving(t) {
    const digest = await t.sink.digest();
    if (this.ended) return;
    const frames = this.conn.complete(t, digest);
    if (frames[0].type !== "DONE") {
      this.sendFrames(frames);
      this.fail(new TransferFailed("the file's SHA-256 does not match what the sender declared: the partial download was discarded", "integrity"));
      return;
    }
    await t.sink.close();
    this.sink = null;
    this.sendFrames(frames);
    this.received += 1;
    this.current = null;
    files.push({ name: t.offer.name, size: t.offer.size, sha256: toHex(digest) });
    update({ phase: "done", bytes: t.offer.size, sha256: toHex(digest) });
    this.nextIncoming(); // the next file, if the sender offered more
  }

  cancel() {
    if (this.ended) return;
    if (this.dc && this.dc.readyState === "open") this.sendFrames(this.conn.cancel("cancelled in the page"));
    this.fail(new TransferFailed("cancelled", "cancelled"));
  }
}

function safeName(name) {
  let clean = String(name || "file").replace(/[\\/<>:"|?*\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, "_").replace(/[. ]+$/, "");
  if (nameProblem(clean)) clean = `file-${Date.now()}`;
  return clean;
}
function safeMime(type) {
  return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/.test(type || "") && type.length <= 255 ? type : "application/octet-stream";
}

function explain(error, byCode = false) {
  if (error instanceof AuthenticationError) {
    if (error.reason === "wrong-secret" && byCode) return "The code did not match on both sides (mistyped, or someone guessed): it is used up. Ask for a new code.";
    if (error.reason === "wrong-secret") return "This link does not match the other side: it is wrong, old, or altered. Ask for a new link.";
    return `Pairing failed (${error.reason}): ${error.message}`;
  }
  if (error instanceof RendezvousError) {
    if (error.code === "unknown-nameplate") return "Nobody is waiting behind this link or code: it was used already, or the other side stopped. Ask for a new one.";
    if (error.code === "crowded") return "Someone else is already using this link.";
    return `Rendezvous failed: ${error.message}`;
  }
  return error && error.message ? error.message : String(error);
}

// -- sinks: where a received file goes, without holding it in memory -------------------------------
//
// A sink also computes the SHA-256 of what was written: digest() after the last write,
// then close() only if it matches (else abort(): the browser keeps no complete wrong file).

async function openSink(name, size, onDurable) {
  if (navigator.serviceWorker && navigator.serviceWorker.controller !== undefined) {
    try {
      return await serviceWorkerSink(name, size, onDurable);
    } catch (exc) {
      console.warn("ferry: no service-worker download stream:", exc);
    }
  }
  return blobSink(name, onDurable, await fileHasher());
}

async function serviceWorkerSink(name, size, onDurable) {
  const registration = await navigator.serviceWorker.register("sw.js");
  const worker = registration.active || (await navigator.serviceWorker.ready).active;
  const id = toHex(randomBytes(16));
  const channel = new MessageChannel();
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  let closed;
  const isClosed = new Promise((resolve) => (closed = resolve));
  let digested = null;
  channel.port1.onmessage = ({ data }) => {
    if (data.ready) ready();
    if (data.sha256 && digested) digested(new Uint8Array(data.sha256));
    if (typeof data.consumed === "number") onDurable(data.consumed);
    if (data.closed) closed();
  };
  worker.postMessage({ type: "ferry-download", id, name, size, port: channel.port2 }, [channel.port2]);
  await isReady;
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.src = `ferry-download/${id}/${encodeURIComponent(name)}`;
  document.body.appendChild(frame);
  // chunks are gathered into SINK_BATCH bytes per message to the worker (one copy either
  // way: the decoder's views must be copied out before they can be transferred); the
  // worker hashes them on its own thread, which leaves this one the frames and the protocol
  let batch = new Uint8Array(SINK_BATCH);
  let filled = 0;
  const flush = () => {
    if (!filled) return;
    const full = filled === batch.length ? batch : batch.slice(0, filled);
    channel.port1.postMessage({ chunk: full.buffer }, [full.buffer]);
    batch = new Uint8Array(SINK_BATCH);
    filled = 0;
  };
  return {
    kind: "service-worker",
    write(data) {
      let at = 0;
      while (at < data.length) {
        const n = Math.min(data.length - at, batch.length - filled);
        batch.set(data.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === batch.length) flush();
      }
    },
    digest() {
      flush();
      const answer = new Promise((resolve) => (digested = resolve));
      channel.port1.postMessage({ digest: true });
      return answer;
    },
    async close() {
      flush();
      channel.port1.postMessage({ end: true });
      await isClosed;
    },
    abort(reason) {
      channel.port1.postMessage({ abort: String(reason) });
    },
  };
}

function blobSink(name, onDurable, hash) {
  // Last resort (no service worker): Blob parts, which Chromium keeps on disk when large.
  const parts = [];
  let total = 0;
  return {
    kind: "blob",
    write(data) {
      hash.update(data);
      parts.push(data.slice());
      total += data.length;
      onDurable(total);
    },
    async digest() {
      return hash.digest();
    },
    async close() {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(parts));
      a.download = name;
      document.body.appendChild(a);
      a.click();
    },
    abort() {
      parts.length = 0;
    },
  };
}

// -- start -------------------------------------------------------------------------------------

/** No link: the person types a code (and may choose a file to send, else the page receives). */
function typedCode() {
  $("typed").hidden = false;
  return new Promise((resolve) => {
    $("typed").onsubmit = (event) => {
      event.preventDefault();
      try {
        const code = parseCode($("code").value);
        const file = $("code-file").files[0] || null;
        $("typed").hidden = true;
        resolve({ action: file ? "send" : "receive", nameplate: code.nameplate, code: code.text, file });
      } catch (exc) {
        if (!(exc instanceof CodeError)) throw exc;
        $("code-error").textContent = exc.message;
      }
    };
  });
}

async function main() {
  render();
  let link = parseFragment(location.hash);
  if (!link && !location.hash.replace(/^#/, "")) link = await typedCode();
  if (!link) {
    update({ phase: "failed", error: "This page needs a Ferry link: open the link that `ferry send --web` or `ferry receive --web` printed (the part after # is missing or damaged)." });
    return;
  }
  action = link.action;
  const params = new URLSearchParams(location.search);
  const rendezvous = params.get("rendezvous") || document.querySelector('meta[name="ferry-rendezvous"]')?.content || DEFAULT_RENDEZVOUS;
  const session = new Session(link, rendezvous);
  window.ferrySession = session;
  $("cancel").onclick = () => session.cancel();
  if (navigator.serviceWorker) navigator.serviceWorker.register("sw.js").catch(() => {});
  try {
    if (link.file) {
      update({ name: safeName(link.file.name), total: link.file.size });
      await session.pair();
      await session.connect();
      await session.sendFile(link.file);
    } else if (link.action === "send") {
      $("pick").hidden = false;
      const file = await new Promise((resolve) => ($("file").onchange = () => $("file").files[0] && resolve($("file").files[0])));
      $("pick").hidden = true;
      update({ name: safeName(file.name), total: file.size });
      await session.pair();
      await session.connect();
      await session.sendFile(file);
    } else {
      await session.pair();
      await session.connect(); // then the sender's OFFER starts the transfer
    }
  } catch (exc) {
    session.fail(exc);
  }
}

main();
