// Task outcomes waiting to be sent: the client marks a between-session task done or not done
// with a note, offline too (docs/architecture.md §4 describes the diary's outbox; this is its
// small sibling). One item per task in the `task_outbox` store, replayed with
// PUT /tasks/{id}/outcome. That PUT is idempotent (the same body again changes nothing on the
// server) and the latest outcome simply replaces the earlier one, so there are no preconditions
// and no conflicts: a replay after a lost answer is harmless.
// Outcomes: 2xx clears the item and refreshes the offline copy of the task; 401 waits for
// sign-in; 400/403/404/409/413/422 mark it invalid with the server's message; no network pauses
// the queue; 5xx and 429 retry with backoff. When to replay is pwa/js/queue.js, shared with the
// diary outbox.
import * as api from "./api.js";
import * as store from "./store.js";
import { RETRYING, backoff, createQueue } from "./queue.js";
import { cached, keep } from "./ipt_cache.js";

const STORE = "task_outbox";
// When to send (one replay at a time, backoff, triggers) is pwa/js/queue.js; what to send is here.
const queue = createQueue({ name: "cadence-task-outbox", items, send, home: (item) => [STORE, item.task_id] });
const changed = queue.changed;
export const onChange = queue.onChange;
/** Told when an outcome starts or stops being sent from this tab. */
export const onSending = queue.onSending;
/** The task id of the outcome being sent from this tab, or null. */
export const sendingKey = queue.sendingKey;
/** Send every due item; one replay at a time across tabs (Web Locks where available). */
export const replay = (options) => queue.replay(options);
/** Everything waiting becomes due now (on `online`, after sign-in). */
export const retryNow = () => queue.retryNow();
/** Replay at start, when the network returns, when the app comes back into view, and on a timer. */
export const start = () => queue.start();

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
  await update(item, { attempts, next: Date.now() + backoff(attempts), message: RETRYING });
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
