// Reminders: Web Push where the browser allows it; otherwise a gentle banner when the app opens
// after a reminder time has passed and today has no diary entry.
import * as api from "./api.js";
import * as outbox from "./outbox.js";
import { t } from "./i18n.js";

export const supported = () =>
  "serviceWorker" in navigator && "PushManager" in self && "Notification" in self;

async function registration() {
  if (!("serviceWorker" in navigator)) return null;
  return (await navigator.serviceWorker.getRegistration("/")) || null;
}

/** "unsupported" | "denied" | "on" | "off" */
export async function pushState() {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  try {
    const reg = await registration();
    const sub = reg && (await reg.pushManager.getSubscription());
    return sub && Notification.permission === "granted" ? "on" : "off";
  } catch {
    return "unsupported";
  }
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

// How long the push service (reached by the browser, not by us) may take before we give up:
// a subscribe that never answers must not leave the button disabled for ever.
export const PUSH_TIMEOUT_MS = 15_000;
const TIMED_OUT = Symbol("timed out");

function within(promise, ms) {
  let timer;
  const limit = new Promise((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Ask permission, subscribe with the server's VAPID key and register the subscription. */
export async function enablePush(timeout = PUSH_TIMEOUT_MS) {
  if (!supported()) return { ok: false, message: t("settings.push.unsupported") };
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return { ok: false, message: t("settings.push.notAllowed") };
  const key = await api.get("/push/public-key");
  if (key.status === 404) return { ok: false, message: t("settings.push.noServer") };
  if (!api.ok(key)) return { ok: false, message: api.message(key) };
  const deadline = Date.now() + timeout;
  const left = () => Math.max(0, deadline - Date.now());
  const gaveUp = { ok: false, message: t("settings.push.timeout") };
  const reg = (await registration()) || (await within(navigator.serviceWorker.ready, left()));
  if (reg === TIMED_OUT) return gaveUp;
  let sub;
  try {
    const subscribing = (async () => (await reg.pushManager.getSubscription()) ||
      reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.body.public_key) }))();
    sub = await within(subscribing, left());
    if (sub === TIMED_OUT) {
      // Should it answer after all, drop that subscription: the server never heard of it.
      subscribing.then((late) => late?.unsubscribe()).catch(() => {});
      return gaveUp;
    }
  } catch (error) {
    return { ok: false, message: t("settings.push.refused", { reason: error.message }) };
  }
  const json = sub.toJSON();
  const saved = await api.post("/push/subscriptions", { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
  if (!api.ok(saved)) {
    await sub.unsubscribe().catch(() => {});
    return { ok: false, message: api.message(saved) };
  }
  return { ok: true };
}

/** Stop notifications on this device (also on sign-out: the next person gets none of them). */
export async function disablePush() {
  try {
    const reg = await registration();
    const sub = reg && (await reg.pushManager.getSubscription());
    if (!sub) return;
    if (api.getToken()) await api.del("/push/subscriptions", { endpoint: sub.endpoint });
    await sub.unsubscribe();
  } catch {
    /* nothing to undo */
  }
}

/** Today's date and the clock time in a time zone (the profile's), falling back to the device. */
export function zoneNow(zone, now = new Date()) {
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
      timeZone: zone || undefined, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(now).map((p) => [p.type, p.value]));
    return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
  } catch {
    return zoneNow(undefined, now);
  }
}

let checkedServer = null;

/** The date to remind about, or null: a reminder time has passed, push is off, and no entry today. */
export async function due(user) {
  if (!user || user.role !== "client") return null;
  const times = user.reminder_times || [];
  if (!times.length) return null;
  const now = zoneNow(user.timezone);
  if (!times.some((t) => t <= now.time)) return null;
  if ((await pushState()) === "on") return null;
  if (await outbox.stateOf(now.date)) return null;
  if (navigator.onLine && checkedServer !== now.date) {
    // Perhaps logged on another device: ask the server once per day and app start.
    checkedServer = now.date;
    await outbox.refreshDay(now.date).catch(() => {});
    if (await outbox.stateOf(now.date)) return null;
  }
  return now.date;
}
