// The replay machinery shared by the app's offline queues (docs/architecture.md §4): the diary
// outbox with its questionnaire answers (pwa/js/outbox.js) and the task outcomes
// (pwa/js/task_outbox.js). Each queue keeps its own stores, its own request and what each answer
// means; this module decides when to send: one replay at a time across tabs (a Web Lock named
// after the queue), items due now first, exponential backoff, a pause of the whole queue while
// the server cannot be reached, and the triggers (start, `online`, back in view, a timer). Tabs
// hear of changes on a BroadcastChannel of the same name.
import * as api from "./api.js";
import * as store from "./store.js";

const MAX_DELAY = 5 * 60 * 1000;
/** What an item waiting after a 5xx or 429 says (in words, not the status code). */
export const RETRYING = "The server could not take this just now; it will be sent again soon.";
/** 1 s doubling to 5 min, ±25 % jitter so that many devices do not retry in step. */
export const backoff = (attempts) =>
  Math.min(1000 * 2 ** Math.min(attempts, 12), MAX_DELAY) * (0.75 + Math.random() * 0.5);

/**
 * A queue named `name` (its Web Lock and BroadcastChannel).
 * - items(): every item of the queue, each with state, next (due time) and attempts;
 * - send(item): replay one item; resolves to false (go on), true (stop: signed out) or
 *   "unreachable" (no network or no server: the whole queue waits, backing off);
 * - home(item): [store name, key] where the item lives.
 */
export function createQueue({ name, items, send, home }) {
  const events = new EventTarget();
  const channel = "BroadcastChannel" in self ? new BroadcastChannel(name) : null;
  if (channel) channel.onmessage = () => events.dispatchEvent(new Event("change"));

  let running = null;
  let timer = null;
  let failures = 0; // consecutive replays that found the server unreachable
  let pausedUntil = 0;
  let sending = null; // the key of the item whose request is in flight in this tab

  function onChange(fn) {
    events.addEventListener("change", fn);
    return () => events.removeEventListener("change", fn);
  }
  function changed() {
    events.dispatchEvent(new Event("change"));
    if (channel) channel.postMessage("change");
  }
  /** Told when an item starts or stops being sent from this tab (see sendingKey). */
  function onSending(fn) {
    events.addEventListener("sending", fn);
    return () => events.removeEventListener("sending", fn);
  }
  function setSending(key) {
    sending = key;
    events.dispatchEvent(new Event("sending"));
  }

  /** Send every due item; one replay at a time across tabs (Web Locks where available). */
  function replay({ force = false } = {}) {
    if (!running) {
      const run = () => replayAll(force);
      running = (navigator.locks ? navigator.locks.request(name, run) : run()).finally(() => {
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
    let unreachable = false;
    for (const item of await items()) {
      if (item.state !== "pending" && !(force && item.state === "auth")) continue;
      if (!force && item.next > Date.now()) continue;
      setSending(home(item)[1]);
      let stop;
      try {
        stop = await send(item);
      } finally {
        setSending(null);
      }
      sent += 1;
      if (stop) {
        unreachable = stop === "unreachable";
        break;
      }
    }
    if (unreachable) {
      failures += 1;
      pausedUntil = Date.now() + backoff(failures);
    } else if (sent) {
      failures = 0;
      pausedUntil = 0;
    }
    if (sent) changed();
  }

  async function schedule() {
    clearTimeout(timer);
    let next = Infinity;
    try {
      for (const item of await items()) if (item.state === "pending") next = Math.min(next, item.next);
    } catch {
      return; // the database was deleted (sign-out)
    }
    next = Math.max(next, pausedUntil);
    if (next < Infinity) timer = setTimeout(() => replay(), Math.max(250, next - Date.now()));
  }

  /** Everything waiting becomes due now (on `online`, after sign-in, "Sync now"). */
  async function retryNow() {
    failures = 0;
    pausedUntil = 0;
    for (const item of await items()) {
      if (item.state === "pending" || item.state === "auth") {
        await store.put(home(item)[0], { ...item, state: "pending", next: 0, attempts: 0 });
      }
    }
    changed();
    return replay({ force: true });
  }

  let started = false;
  /** Replay at start, when the network returns, when the app comes back into view, on a timer. */
  function start() {
    if (started) return;
    started = true;
    replay();
    window.addEventListener("online", () => retryNow().catch(() => {}));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && api.getToken()) replay();
    });
    setInterval(() => api.getToken() && replay(), 30 * 1000);
  }

  return { onChange, changed, onSending, sendingKey: () => sending, replay, retryNow, start };
}
