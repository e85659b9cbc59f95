// The outbox of whole diary days (docs/architecture.md §4, the offline sync protocol).
// A day saved on this device is stored here first, then replayed with PUT /entries/{date}:
//   If-Match: <etag last seen>, or If-None-Match: * for a day never seen on the server.
// 2xx clears the item; 401 keeps it (needs sign-in); 412 is a conflict the person resolves
// (both versions kept); 422 is shown as invalid; network errors and 5xx retry with backoff.
// A deleted day is the same item with `body: null`, replayed as DELETE /entries/{date} with
// If-Match: a conflict then offers "deleted" against the other version, like any other body.
// Questionnaire answers wait in a second store (answer_outbox, keyed by client_request_id) and
// are replayed with POST /responses, which the server makes idempotent on that id: an answer
// sent twice (a lost reply, two tabs) is stored once. They never conflict.
import * as api from "./api.js";
import * as store from "./store.js";
import { bodyOf, sameContent } from "./diary.js";
import { RETRYING, backoff, createQueue } from "./queue.js";

export const STATE_TEXT = {
  pending: "Saved on this device",
  synced: "Synced",
  conflict: "Conflict",
  auth: "Needs sign-in",
  invalid: "Invalid",
};

/** Which store holds an item, and its key there. */
const home = (item) => (item.client_request_id ? ["answer_outbox", item.client_request_id] : ["outbox", item.date]);

// When to send (one replay at a time, backoff, triggers) is pwa/js/queue.js; what to send is here.
const queue = createQueue({
  name: "cadence-outbox",
  items: () => allItems(),
  send: (item) => (item.client_request_id ? sendAnswer(item) : send(item)),
  home,
});
const changed = queue.changed;
export const onChange = queue.onChange;
/** Told when a day or an answer starts or stops being sent from this tab. */
export const onSending = queue.onSending;
/** The date or client_request_id of the item being sent from this tab, or null. */
export const sendingKey = queue.sendingKey;
/** Send every due item; one replay at a time across tabs (Web Locks where available). */
export const replay = (options) => queue.replay(options);
/** Everything waiting becomes due now (on `online`, after sign-in). */
export const retryNow = () => queue.retryNow();
/** Replay at start, on `online`, when the app comes back into view and on a timer. */
export const start = () => queue.start();

/** Delete a diary day: an outbox item without a body (see send). */
export const deleteDay = (date) => saveDay(date, null);

/** Put a whole diary day (or null: its deletion) in the outbox and try to send it. */
export async function saveDay(date, body) {
  const existing = await store.get("outbox", date);
  const now = Date.now();
  if (existing) {
    // Still waiting: keep the base it was written against; a conflict stays a conflict.
    const state = existing.state === "conflict" ? "conflict" : "pending";
    await store.put("outbox", { ...existing, body, state, message: null, attempts: 0, next: now, saved_at: now });
  } else {
    const cached = await store.get("days", date);
    const item = { date, body, state: "pending", message: null, attempts: 0, next: now, saved_at: now };
    item.base_body = cached ? cached.entry : null; // the version this edit started from (pwa/js/merge.js)
    if (cached && cached.etag) Object.assign(item, { mode: "match", base: cached.etag });
    else if (cached && cached.entry) Object.assign(item, { mode: "check", seen: cached.entry });
    else item.mode = "create";
    await store.put("outbox", item);
  }
  changed();
  requestBackgroundSync();
  replay();
}

export async function items() {
  return store.all("outbox");
}

/** Put a questionnaire answer (the POST /responses body) in the outbox and try to send it. */
export async function saveAnswer(body) {
  const now = Date.now();
  const item = { client_request_id: body.client_request_id, body, state: "pending", message: null, attempts: 0, next: now, saved_at: now };
  await store.put("answer_outbox", item);
  changed();
  requestBackgroundSync();
  replay();
  return item;
}

export const answerItems = () => store.all("answer_outbox");
/** Diary days and questionnaire answers alike (the sync badge, sign-out, Background Sync). */
export async function allItems() {
  return [...(await items()), ...(await answerItems())];
}

export async function stateOf(date) {
  const item = await store.get("outbox", date);
  if (item) return item;
  const cached = await store.get("days", date);
  return cached ? { date, state: "synced", body: bodyOf(cached.entry) } : null;
}

/** Replay one item. Returns true when the rest should wait (offline, signed out). */
async function send(item) {
  const path = `/entries/${item.date}`;
  if (item.body === null) return sendDelete(item, path);
  if (item.mode === "check") {
    // We saw this day in a list (no ETag there): fetch its ETag, but only if it still holds what we saw.
    const current = await api.get(path);
    if (current.status === 200) {
      if (sameContent(current.body, item.seen)) Object.assign(item, { mode: "match", base: current.etag });
      else return conflict(item, current.body, current.etag);
    } else if (current.status === 404) item.mode = "create";
    else return retryOrStop(item, current);
  }
  const headers = item.mode === "match" ? { "If-Match": item.base } : { "If-None-Match": "*" };
  const result = await api.put(path, item.body, headers);
  if (api.ok(result)) {
    // Only clear it if nobody changed the item while the request was in flight.
    const latest = await store.get("outbox", item.date);
    await store.put("days", { date: item.date, entry: result.body, etag: result.etag });
    if (latest && latest.saved_at === item.saved_at) await store.del("outbox", item.date);
    else if (latest) await store.put("outbox", { ...latest, mode: "match", base: result.etag });
    return false;
  }
  if (result.status === 412) {
    const body = result.body || {};
    return conflict(item, body.current ?? null, body.etag ?? null);
  }
  return retryOrStop(item, result);
}

/** Replay a deletion: DELETE with the ETag the day was last seen with. */
async function sendDelete(item, path) {
  if (item.mode !== "match") {
    // No ETag: ask the server what it holds. Nothing there: done; what we saw: delete that;
    // anything else (another device wrote it, or a create of ours got through): a conflict.
    const current = await api.get(path);
    if (current.status === 404) return deleted(item);
    if (current.status !== 200) return retryOrStop(item, current);
    if (item.mode === "check" && sameContent(current.body, item.seen)) Object.assign(item, { mode: "match", base: current.etag });
    else return conflict(item, current.body, current.etag);
  }
  const result = await api.request("DELETE", path, { headers: { "If-Match": item.base } });
  if (api.ok(result)) return deleted(item);
  if (result.status === 412) {
    const body = result.body || {};
    // Gone already (deleted on another device): what this device asked for.
    if (!body.current) return deleted(item);
    return conflict(item, body.current, body.etag ?? null);
  }
  return retryOrStop(item, result);
}

async function deleted(item) {
  await store.del("days", item.date);
  const latest = await store.get("outbox", item.date);
  if (latest && latest.saved_at === item.saved_at) await store.del("outbox", item.date);
  // Written again while the DELETE was in flight: the server has no day now, so create it.
  else if (latest) await store.put("outbox", { ...latest, mode: "create", base: null });
  return false;
}

/** Replay one questionnaire answer; the server's scored copy is kept for trends offline. */
async function sendAnswer(item) {
  const result = await api.post("/responses", item.body);
  if (api.ok(result)) {
    if (result.body && result.body.id !== undefined && result.body.id !== null) {
      await store.put("responses", { ...item.body, ...result.body });
    }
    await store.del("answer_outbox", item.client_request_id);
    return false;
  }
  // A 409 will not go away by sending the same body again: show it rather than retry.
  if (result.status === 409) {
    await update(item, { state: "invalid", message: api.message(result) });
    return false;
  }
  return retryOrStop(item, result);
}

async function conflict(item, current, etag) {
  await update(item, { state: "conflict", conflict: { current, etag }, message: null });
  return false;
}

async function retryOrStop(item, result) {
  if (result.status === 401) {
    await update(item, { state: "auth", message: `Sign in again to send this ${item.client_request_id ? "answer" : "day"}.` });
    return true;
  }
  if (result.status === 422 || result.status === 400 || result.status === 413 || result.status === 404) {
    await update(item, { state: "invalid", message: api.message(result) });
    return false;
  }
  // Offline, server down, 5xx, 429: try again later with exponential backoff.
  if (result.status === 0) return "unreachable"; // the whole outbox waits (pwa/js/queue.js)
  const attempts = (item.attempts || 0) + 1;
  await update(item, {
    state: "pending",
    attempts,
    next: Date.now() + backoff(attempts),
    message: RETRYING,
  });
  return false;
}

async function update(item, changes) {
  const [name, key] = home(item);
  const latest = await store.get(name, key);
  if (!latest) return;
  // An edit made while the request was in flight keeps its body; the outcome still applies.
  await store.put(name, { ...latest, ...changes });
}

/**
 * Resolve a conflict: `choice` is the body to keep (the device's, the server's, or a merge).
 * It is sent with the server's ETag; the versions not chosen are set aside until dismissed.
 */
export async function resolve(date, choice, setAside) {
  const item = await store.get("outbox", date);
  if (!item || item.state !== "conflict") return;
  const { current, etag } = item.conflict;
  const now = Date.now();
  for (const [labelText, body] of setAside) {
    await store.put("aside", { date, label: labelText, body, at: now });
  }
  // The server's version is now the base: a later conflict merges against it.
  const next = { date, body: choice, base_body: current, state: "pending", message: null, attempts: 0, next: now, saved_at: now };
  if (current && etag) Object.assign(next, { mode: "match", base: etag });
  else next.mode = "create";
  await store.put("outbox", next);
  changed();
  return replay({ force: true });
}

export async function setAsideFor(date) {
  return (await store.all("aside")).filter((a) => !date || a.date === date);
}
export async function dismissAside(id) {
  await store.del("aside", id);
  changed();
}
/** Discard an invalid item (the person chose not to fix it). */
export async function discard(date) {
  await store.del("outbox", date);
  changed();
}

/** Discard a questionnaire answer the server refused (invalid). */
export async function discardAnswer(clientRequestId) {
  await store.del("answer_outbox", clientRequestId);
  changed();
}

/** Refresh the server copies of a range of days; each listed entry carries its ETag. */
export async function refresh(from, to) {
  const result = await api.get(`/entries?from=${from}&to=${to}`);
  if (!api.ok(result)) return result;
  const seen = new Set();
  for (const entry of result.body.entries) {
    seen.add(entry.date);
    const cached = await store.get("days", entry.date);
    const kept = cached && cached.etag && sameContent(cached.entry, entry) ? cached.etag : null;
    const etag = entry.etag ? `"${entry.etag}"` : kept;
    await store.put("days", { date: entry.date, entry, etag });
  }
  for (const cached of await store.all("days")) {
    if (cached.date >= from && cached.date <= to && !seen.has(cached.date)) await store.del("days", cached.date);
  }
  changed();
  return result;
}

/** Fetch one day with its ETag (before editing it, when online). Through the range form: it
 * answers 200 for a day not logged yet, where /entries/{date} answers 404, which the browser
 * reports as an error on every new day. */
export async function refreshDay(date) {
  const result = await api.get(`/entries?from=${date}&to=${date}`);
  if (!api.ok(result)) return result;
  const entry = result.body.entries.find((e) => e.date === date);
  if (entry) await store.put("days", { date, entry, etag: `"${entry.etag}"` });
  else await store.del("days", date);
  return result;
}

export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration && "sync" in registration) await registration.sync.register("cadence-outbox");
  } catch {
    /* Background Sync unavailable or refused: the timer and `online` cover it. */
  }
}
