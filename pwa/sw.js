// Cadence service worker: a versioned app shell, nothing else.
// Only static files are cached. /api/ is never intercepted, so health data never enters the
// Cache API. A new version waits until the person presses "Update now" (SKIP_WAITING).
const VERSION = "2026-03-05.1";
const CACHE = `cadence-shell-${VERSION}`;
const SHELL = [
  "/",
  "/index.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/maskable-512.png",
  "/js/app.js",
  "/js/api.js",
  "/js/charts.js",
  "/js/data.js",
  "/js/diary.js",
  "/js/outbox.js",
  "/js/store.js",
  "/js/ui.js",
  "/js/views/caseload.js",
  "/js/views/client.js",
  "/js/views/flags.js",
  "/js/views/signin.js",
  "/js/views/sync.js",
  "/js/views/today.js",
  "/js/views/trends.js",
  "/js/views/week.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // network only, never cached
  if (request.mode === "navigate") {
    event.respondWith(
      caches.match("/", { cacheName: CACHE }).then((cached) => cached || fetch(request)),
    );
    return;
  }
  if (!SHELL.includes(url.pathname)) return;
  event.respondWith(
    caches.match(url.pathname, { cacheName: CACHE }).then((cached) => cached || fetch(request)),
  );
});

// Background Sync: ask an open page to replay the outbox (it owns the token and the logic).
// With no page open the promise rejects, so the browser tries again later; the app also
// replays on start, on `online` and on a timer.
self.addEventListener("sync", (event) => {
  if (event.tag !== "cadence-outbox") return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      if (!windows.length) throw new Error("no page to replay the outbox");
      const answers = windows.map(
        (client) =>
          new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = (message) => resolve(Boolean(message.data && message.data.done));
            client.postMessage({ type: "REPLAY" }, [channel.port2]);
            setTimeout(() => resolve(false), 20000);
          }),
      );
      if (!(await Promise.all(answers)).some(Boolean)) throw new Error("outbox not empty yet");
    })(),
  );
});
