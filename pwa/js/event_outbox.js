// Life events, offline too: the client's list as last read (kv "events_list") and the changes
// waiting to be sent (one kv entry per change, "event_outbox:<id>", in the order made). The
// database's stores are not touched (no new version): the kv store takes both.
// The API has POST and DELETE but no PATCH, so an edit is sent as "create the new version, then
// delete the old one"; after the POST the change becomes a plain delete, so a lost answer to the
// DELETE only repeats the DELETE (404 counts as done). A POST whose answer was lost may be sent
// twice: before a retried POST the server's list is read and an identical event counts as sent.
// Outcomes as in pwa/js/task_outbox.js: 2xx done; 401 waits for sign-in; 400/403/409/413/422
// invalid with the server's message (shown, with Discard); no network pauses; 5xx/429 back off.
// Local changes take the queue's Web Lock, so they never race a change being sent.
import * as api from "./api.js";
import * as store from "./store.js";
import { t } from "./i18n.js";
import { backoff, createQueue } from "./queue.js";

const NAME = "cadence-event-outbox";
const PREFIX = "event_outbox:";
const LIST = "events_list";
const queue = createQueue({ name: NAME, items, send, home: (item) => ["kv", item.key] });
export const onChange = queue.onChange;
export const replay = (options) => queue.replay(options);

/** The range the app keeps offline: 300 days back, 60 ahead (the API allows 366 at once). */
export function range(today) {
  const shift = (n) => {
    const [y, m, d] = today.split("-").map(Number);
    const day = new Date(y, m - 1, d + n);
    return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
  };
  return { from: shift(-300), to: shift(60) };
}

export async function items() {
  try {
    const all = await store.all("kv");
    return all.filter((v) => v && typeof v === "object" && typeof v.key === "string" && v.key.startsWith(PREFIX))
      .sort((a, b) => a.seq - b.seq);
  } catch {
    return []; // the database was deleted (sign-out)
  }
}

/** The last list read from the server: {events, from, to, at} or null. */
export async function cachedList() {
  try {
    return (await store.getKV(LIST)) || null;
  } catch {
    return null;
  }
}

async function keepList(events, from, to) {
  try {
    await store.setKV(LIST, { events, from, to, at: Date.now() });
  } catch {
    /* storage full or blocked: the screen still works online */
  }
}

async function patchList(fn) {
  const copy = await cachedList();
  if (copy) await keepList(fn(copy.events), copy.from, copy.to);
}

/**
 * The list for `from..to`: the server's when it answers (kept for offline use), else the kept
 * copy. → {events, offline, at, error}
 */
export async function load(from, to) {
  const result = await api.get(`/events?from=${from}&to=${to}`);
  if (api.ok(result)) {
    await keepList(result.body.events, from, to);
    return { events: result.body.events, offline: false, at: Date.now() };
  }
  const copy = await cachedList();
  if (copy && (result.status === 0 || result.status === 401 || result.status >= 500)) {
    const events = copy.events.filter((e) => e.start <= to && e.end >= from);
    return { events, offline: true, at: copy.at };
  }
  return { events: [], offline: result.status === 0, error: result.status === 0 ? null : api.message(result) };
}

/**
 * Server events with the waiting changes applied, each marked `local` (the change waiting for
 * it) and, for a waiting deletion, `deleting`. New events have no id yet.
 */
export function merged(events, waiting) {
  const list = events.map((e) => ({ ...e, local: null }));
  for (const item of waiting) {
    if (item.op === "create") list.push({ ...item.body, id: null, local: item });
    else {
      const at = list.findIndex((e) => e.id === item.event_id);
      const next = item.op === "replace" ? { ...item.body, id: item.event_id, local: item } : { ...(list[at] || {}), local: item, deleting: true };
      if (at >= 0) list[at] = next;
      else if (item.op === "replace") list.push(next);
    }
  }
  return list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

let seq = 0;
const newKey = () => `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const fresh = (changes) => {
  const now = Date.now();
  return { state: "pending", message: null, attempts: 0, next: now, saved_at: now, seq: now * 1000 + (seq++ % 1000), ...changes };
};

/** Under the queue's lock: no change is being sent while `fn` runs. */
function locked(fn) {
  return navigator.locks ? navigator.locks.request(NAME, fn) : fn();
}

async function changed() {
  queue.changed();
  replay({ force: true }).catch(() => {});
}

/** A new event (body as the API takes it). */
export async function add(body) {
  await locked(() => put(fresh({ key: newKey(), op: "create", body })));
  await changed();
}

/** A new version of `event` (from merged()). */
export async function edit(event, body) {
  await locked(async () => {
    const item = event.local && (await store.getKV(event.local.key));
    if (item && item.op !== "delete") await put({ ...item, body, state: "pending", message: null, attempts: 0, next: 0, saved_at: Date.now() });
    else await put(fresh({ key: newKey(), op: "replace", event_id: event.id, body }));
  });
  await changed();
}

/** Delete `event` (from merged()): a change not yet sent is simply dropped. */
export async function remove(event) {
  await locked(async () => {
    const item = event.local && (await store.getKV(event.local.key));
    if (item?.op === "create") await store.del("kv", item.key);
    else if (item) await put({ ...item, op: "delete", body: null, state: "pending", message: null, attempts: 0, next: 0, saved_at: Date.now() });
    else if (event.id) await put(fresh({ key: newKey(), op: "delete", event_id: event.id }));
  });
  await changed();
}

/** Drop a change the server refused (the event goes back to the server's version). */
export async function discard(item) {
  await locked(() => store.del("kv", item.key));
  queue.changed();
}

const put = (item) => store.setKV(item.key, item);

async function send(item) {
  if (item.op === "create" || item.op === "replace") {
    let created = null;
    if (item.attempts || item.posted) created = await already(item.body);
    if (!created) {
      await put({ ...item, posted: true });
      const result = await api.post("/events", item.body);
      if (!api.ok(result)) return failed(item, result);
      created = result.body;
    }
    await patchList((events) => [...events, created]);
    if (item.op === "create") {
      await store.del("kv", item.key);
      return false;
    }
    item = { ...item, op: "delete", body: null, posted: false };
    await put(item);
  }
  const result = await api.del(`/events/${item.event_id}`);
  if (api.ok(result) || result.status === 404) {
    await patchList((events) => events.filter((e) => e.id !== item.event_id));
    await store.del("kv", item.key);
    return false;
  }
  return failed(item, result);
}

/** An event on the server exactly like `body`: a POST sent before whose answer was lost. */
async function already(body) {
  const result = await api.get(`/events?from=${body.start}&to=${body.end}`);
  if (!api.ok(result)) return null;
  const same = (e) => e.start === body.start && e.end === body.end && e.kind === body.kind
    && e.disruption === (body.disruption ?? 1) && (e.note || null) === (body.note || null);
  const known = new Set(((await cachedList())?.events || []).map((e) => e.id));
  return result.body.events.find((e) => same(e) && !known.has(e.id)) || null;
}

async function failed(item, result) {
  if (result.status === 401) {
    await put({ ...item, state: "auth", message: t("history.events.signin") });
    return true;
  }
  if (result.status === 0) return "unreachable";
  if ([400, 403, 409, 413, 422].includes(result.status)) {
    await put({ ...item, state: "invalid", message: api.message(result) });
    return false;
  }
  const attempts = (item.attempts || 0) + 1;
  await put({ ...item, attempts, next: Date.now() + backoff(attempts), message: t("history.events.retrying") });
  return false;
}

/** Everything waiting becomes due now (on `online`, after sign-in). */
export async function retryNow() {
  await locked(async () => {
    for (const item of await items()) {
      if (item.state === "pending" || item.state === "auth") await put({ ...item, state: "pending", next: 0, attempts: 0 });
    }
  });
  queue.changed();
  return replay({ force: true });
}

let started = false;
/** Replay at start, when the network returns, when the app comes back into view, on a timer
 * (queue.js's own start() would rewrite items in their store without the kv key). */
export function start() {
  if (started) return;
  started = true;
  replay().catch(() => {});
  window.addEventListener("online", () => retryNow().catch(() => {}));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && api.getToken()) replay().catch(() => {});
  });
  setInterval(() => api.getToken() && replay().catch(() => {}), 30 * 1000);
}
