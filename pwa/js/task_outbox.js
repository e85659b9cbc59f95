// Task outcomes waiting to be sent: the client marks a between-session task done or not done
// with a note, offline too (docs/architecture.md §4 describes the diary's outbox; this is its
// small sibling). One item per task in the `task_outbox` store, replayed with
// PUT /tasks/{id}/outcome. That PUT is idempotent (the same body again changes nothing on the
// server) and the latest outcome simply replaces the earlier one, so there are no preconditions
// and no conflicts: a replay after a lost answer is harmless.
// Outcomes: 2xx clears the item and refreshes the offline copy of the task; 401 waits for
// sign-in; 400/403/404/409/413/422 mark it invalid with the server's message; no network pauses
// the queue; 5xx and 429 retry with the diary outbox's backoff.
import * as api from "./api.js";
import * as store from "./store.js";
import { backoff } from "./outbox.js";
import { cached, keep } from "./ipt_cache.js";

const STORE = "task_outbox";
const events = new EventTarget();
const channel = "BroadcastChannel" in self ? new BroadcastChannel("cadence-task-outbox") : null;
if (channel) channel.onmessage = () => events.dispatchEvent(new Event("change"));

export function onChange(fn) {
  events.addEventListener("change", fn);
  return () => events.removeEventListener("change", fn);
}
function changed() {
  events.dispatchEvent(new Event("change"));
  if (channel) channel.postMessage("change");
}

export async function items() {
  try {
    return await store.all(STORE);
  } catch {
    return []; // the database was deleted (sign-out)
  }
}

/** Keep the outcome on this device first, then try to send it (not waited for). */
export async function save(taskId, done, note) {
  const now = Date.now();
  const body = { done: Boolean(done), note: note ? note : null };
  const item = { task_id: taskId, body, state: "pending", message: null, attempts: 0, next: now, saved_at: now };
  await store.put(STORE, item);
  changed();
  replay({ force: true }).catch(() => {});
  return item;
}

export async function discard(taskId) {
  await store.del(STORE, taskId);
  changed();
}

/** A task as the client should see it: a waiting outcome wins over the server's copy. */
export function withOutcome(task, item) {
  if (!item) return { ...task, local: null };
  const { done, note } = item.body;
  return { ...task, done, note, status: done ? "done" : "not_done", local: item };
}

let running = null;
let timer = null;
let pausedUntil = 0;
let failures = 0;

/** Send every due item; one replay at a time across tabs (Web Locks where available). */
export function replay({ force = false } = {}) {
  if (!running) {
    const run = () => replayAll(force);
    running = (navigator.locks ? navigator.locks.request("cadence-task-outbox", run) : run()).finally(() => {
      running = null;
      schedule();
    });
  } else if (force) {
    running = running.then(() => replay({ force }));
  }
  return running;
}

async function replayAll(force) {
  if (!api.getToken()) return;
  if (!force && pausedUntil > Date.now()) return;
  let sent = 0;
  for (const item of await items()) {
    if (item.state !== "pending" && !(force && item.state === "auth")) continue;
    if (!force && item.next > Date.now()) continue;
    const stop = await send(item);
    sent += 1;
    if (stop === "unreachable") {
      failures += 1;
      pausedUntil = Date.now() + backoff(failures);
      break;
    }
    if (stop) break;
    failures = 0;
    pausedUntil = 0;
  }
  if (sent) changed();
}

async function schedule() {
  clearTimeout(timer);
  let next = Infinity;
  for (const item of await items()) if (item.state === "pending") next = Math.min(next, item.next);
  next = Math.max(next, pausedUntil);
  if (next < Infinity) timer = setTimeout(() => replay(), Math.max(250, next - Date.now()));
}

async function send(item) {
  const result = await api.put(`/tasks/${item.task_id}/outcome`, item.body);
  if (api.ok(result)) {
    await remember(result.body);
    // Only clear it if the person did not change the outcome while the request was in flight.
    const latest = await store.get(STORE, item.task_id);
    if (latest && latest.saved_at === item.saved_at) await store.del(STORE, item.task_id);
    return false;
  }
  if (result.status === 401) {
    await update(item, { state: "auth", message: "Sign in again to send this." });
    return true;
  }
  if (result.status === 0) return "unreachable";
  if ([400, 403, 404, 409, 413, 422].includes(result.status)) {
    await update(item, { state: "invalid", message: api.message(result) });
    return false;
  }
  const attempts = (item.attempts || 0) + 1;
  await update(item, { attempts, next: Date.now() + backoff(attempts), message: `Server error ${result.status}; will retry.` });
  return false;
}

async function update(item, changes) {
  const latest = await store.get(STORE, item.task_id);
  if (!latest || latest.saved_at !== item.saved_at) return; // a newer outcome replaced it
  await store.put(STORE, { ...latest, ...changes });
}

/** Put the server's copy of one task into the offline list of tasks. */
async function remember(task) {
  if (!task || task.id === undefined) return;
  const copy = await cached("tasks");
  if (!copy?.body?.tasks) return;
  const tasks = copy.body.tasks.map((t) => (t.id === task.id ? task : t));
  await keep("tasks", { ...copy.body, tasks }, copy.etag);
}

/** Everything waiting becomes due now (on `online`, after sign-in). */
export async function retryNow() {
  failures = 0;
  pausedUntil = 0;
  for (const item of await items()) {
    if (item.state === "pending" || item.state === "auth") {
      await store.put(STORE, { ...item, state: "pending", next: 0, attempts: 0 });
    }
  }
  return replay({ force: true });
}

let started = false;
/** Replay at start, when the network returns, when the app comes back into view, and on a timer. */
export function start() {
  if (started) return;
  started = true;
  replay();
  window.addEventListener("online", () => retryNow().catch(() => {}));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && api.getToken()) replay();
  });
  setInterval(() => api.getToken() && replay(), 30 * 1000);
}
