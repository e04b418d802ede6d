// The page's download stream: a service worker answers /ferry-download/<id>/<name> with a
// ReadableStream the page feeds through a MessagePort, so a received file streams to the
// browser's downloads (to disk) and never sits whole in memory. The stream's queue is
// bounded; the worker reports what the download consumed, and the page grants the sender
// credit only for that (Ferry's WINDOW), so memory stays flat end to end. The worker
// also computes the file's SHA-256 as the bytes pass, on its own thread: hashing 16 KiB
// chunks was the largest part of the page's main-thread work while receiving.
import { fileHasher } from "./filehash.js";

const streams = new Map();
const HIGH_WATER = 1 << 20;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "ferry-download") return;
  event.waitUntil(openDownload(m));
});

async function openDownload(m) {
  const port = m.port;
  const hash = await fileHasher();
  let enqueued = 0;
  let controllerRef = null;
  const stream = new ReadableStream(
    {
      start(controller) {
        controllerRef = controller;
      },
      pull(controller) {
        port.postMessage({ consumed: enqueued - Math.max(0, HIGH_WATER - controller.desiredSize) });
      },
      cancel() {
        port.postMessage({ cancelled: true });
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER }),
  );
  port.onmessage = ({ data }) => {
    if (data.chunk) {
      const bytes = new Uint8Array(data.chunk);
      hash.update(bytes);
      enqueued += bytes.byteLength;
      controllerRef.enqueue(bytes);
      if (controllerRef.desiredSize > 0) port.postMessage({ consumed: enqueued - (HIGH_WATER - controllerRef.desiredSize) });
    } else if (data.digest) {
      port.postMessage({ sha256: hash.digest().slice() }); // 32 bytes, never a view of the hasher's memory
    } else if (data.end) {
      controllerRef.close();
      port.postMessage({ consumed: enqueued, closed: true });
    } else if (data.abort) {
      controllerRef.error(new Error(data.abort));
    }
  };
  streams.set(m.id, { stream, name: m.name, size: m.size });
  port.postMessage({ ready: true });
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  // the page may live under any path (a static host's /ferry/): match the end only
  const m = /\/ferry-download\/([0-9a-f]{32})\/[^/]*$/.exec(url.pathname);
  if (!m) return;
  const entry = streams.get(m[1]);
  if (!entry) return;
  streams.delete(m[1]);
  const encoded = encodeURIComponent(entry.name).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16));
  event.respondWith(
    new Response(entry.stream, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename*=UTF-8''${encoded}`,
        "Content-Length": String(entry.size),
        "X-Content-Type-Options": "nosniff",
      },
    }),
  );
});
