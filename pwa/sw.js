// Cadence service worker: a versioned app shell and reminder notifications.
// Only static files are cached. /api/ is never intercepted, so health data never enters the
// Cache API. A new version waits until the person presses "Update now" (SKIP_WAITING).
// A module worker (registered with type: "module" in pwa/js/app.js): it shares the IndexedDB
// names with the page instead of repeating them.
import { DB_NAME, KV_STORE, TOKEN_KEY } from "/js/store_names.js";

const VERSION = "2026-11-30.11";
const CACHE = `cadence-shell-${VERSION}`;
const SHELL = [
  "/",
  "/index.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/css/history.css",
  "/css/settings.css",
  "/css/sync.css",
  "/css/today.css",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/maskable-512.png",
  "/js/app.js",
  "/js/api.js",
  "/js/charts.js",
  "/js/data.js",
  "/js/diary.js",
  "/js/event_outbox.js",
  "/js/i18n.js",
  "/js/ipt_cache.js",
  "/js/locales/common.js",
  "/js/locales/history.js",
  "/js/locales/ipt.js",
  "/js/locales/settings.js",
  "/js/locales/sync.js",
  "/js/locales/today.js",
  "/js/merge.js",
  "/js/outbox.js",
  "/js/questionnaires.js",
  "/js/queue.js",
  "/js/reminders.js",
  "/js/signout.js",
  "/js/store.js",
  "/js/store_names.js",
  "/js/task_outbox.js",
  "/js/theme.js",
  "/js/ui.js",
  "/js/views/access.js",
  "/js/views/caseload.js",
  "/js/views/client.js",
  "/js/views/course.js",
  "/js/views/events.js",
  "/js/views/evidence.js",
  "/js/views/flags.js",
  "/js/views/goals.js",
  "/js/views/invite.js",
  "/js/views/ipt.js",
  "/js/views/more.js",
  "/js/views/onboarding.js",
  "/js/views/people.js",
  "/js/views/plan.js",
  "/js/views/plan_signs.js",
  "/js/views/questionnaires.js",
  "/js/views/reminders.js",
  "/js/views/report.js",
  "/js/views/reset.js",
  "/js/views/scales.js",
  "/js/views/settings.js",
  "/js/views/share.js",
  "/js/views/signin.js",
  "/js/views/studies.js",
  "/js/views/study_panels.js",
  "/js/views/sync.js",
  "/js/views/targets.js",
  "/js/views/tasks.js",
  "/js/views/today.js",
  "/js/views/today_form.js",
  "/js/views/trends.js",
  "/js/views/trip_prompt.js",
  "/js/views/verify.js",
  "/js/views/week.js",
  "/js/views/weeknotes.js",
  "/js/views/work_days.js",
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

// ----- reminders (Web Push) -----
// The payload is {title, body, url, tag, reminder_id}; it carries no health data, and nothing
// from the diary is ever added to a notification here.
function sameOriginUrl(value) {
  try {
    const url = new URL(value || "/#/today", self.location.origin);
    return url.origin === self.location.origin ? url.href : `${self.location.origin}/`;
  } catch {
    return `${self.location.origin}/`;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const text = (value, fallback) => (typeof value === "string" && value ? value.slice(0, 200) : fallback);
  const reminderId = data.reminder_id === undefined ? null : data.reminder_id;
  event.waitUntil(
    self.registration.showNotification(text(data.title, "Cadence"), {
      body: text(data.body, "A reminder from Cadence."),
      tag: text(data.tag, "cadence-reminder"),
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: sameOriginUrl(data.url), reminderId },
    }),
  );
});

/** The bearer token the page keeps in IndexedDB (DB_NAME → KV_STORE → TOKEN_KEY), or null. */
function readToken() {
  return new Promise((resolve) => {
    let request;
    try {
      request = indexedDB.open(DB_NAME);
    } catch {
      resolve(null);
      return;
    }
    // No database yet (signed out): do not create an empty one the page would then trip over.
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve(null);
    request.onsuccess = () => {
      const db = request.result;
      try {
        const get = db.transaction(KV_STORE, "readonly").objectStore(KV_STORE).get(TOKEN_KEY);
        get.onsuccess = () => resolve(get.result || null);
        get.onerror = () => resolve(null);
      } catch {
        resolve(null);
      } finally {
        db.close();
      }
    };
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const { url = `${self.location.origin}/`, reminderId = null } = event.notification.data || {};
  event.waitUntil(
    (async () => {
      if (reminderId !== null) {
        const token = await readToken();
        if (token) {
          await fetch(`/api/v1/push/reminders/${encodeURIComponent(reminderId)}/opened`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}` },
            cache: "no-store",
          }).catch(() => {});
        }
      }
      const target = new URL(url);
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        open.postMessage({ type: "OPEN", hash: target.hash || "#/" });
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});
