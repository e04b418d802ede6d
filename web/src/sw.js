// The page's download stream: a service worker answers /ferry-download/<id>/<name> with a
// ReadableStream the page feeds through a MessagePort, so a received file streams to the
// browser's downloads (to disk) and never sits whole in memory. The stream's queue is
// bounded; the worker reports what the download consumed, and the page grants the sender
// credit only for that (Ferry's WINDOW), so memory stays flat end to end.
const streams = new Map();
const HIGH_WATER = 1 << 20;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "ferry-download") return;
  const port = m.port;
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
      enqueued += data.chunk.byteLength;
      controllerRef.enqueue(new Uint8Array(data.chunk));
      if (controllerRef.desiredSize > 0) port.postMessage({ consumed: enqueued - (HIGH_WATER - controllerRef.desiredSize) });
    } else if (data.end) {
      controllerRef.close();
      port.postMessage({ consumed: enqueued, closed: true });
    } else if (data.abort) {
      controllerRef.error(new Error(data.abort));
    }
  };
  streams.set(m.id, { stream, name: m.name, size: m.size });
  port.postMessage({ ready: true });
});

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
