// Signing out: warn about unsent work, end the session on the server, wipe the device.
// A sign-out made offline still wipes the device at once; the token is kept (alone, under
// REVOKE_KEY) and revoked on the server at the next connection (flushRevocations), so a copy
// of it taken from this device stops working as soon as the device is back online.
import { announce, confirmDialog } from "./ui.js";
import * as api from "./api.js";
import * as store from "./store.js";
import * as outbox from "./outbox.js";
import * as taskOutbox from "./task_outbox.js";
import * as eventOutbox from "./event_outbox.js";
import * as remind from "./reminders.js";
import { t } from "./i18n.js";

export const REVOKE_KEY = "cadence-revoke";
// Not personal data, so they survive the wipe: the language, the theme and the tokens to revoke.
const KEEP = ["cadence-lang", "cadence-theme", REVOKE_KEY];

function pending() {
  try {
    const list = JSON.parse(localStorage.getItem(REVOKE_KEY) || "[]");
    return Array.isArray(list) ? list.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function keep(tokens) {
  try {
    if (tokens.length) localStorage.setItem(REVOKE_KEY, JSON.stringify([...new Set(tokens)]));
    else localStorage.removeItem(REVOKE_KEY);
  } catch {
    /* storage blocked: nothing more can be done on this device */
  }
}

/** DELETE /auth/token as `token`: true when the token is dead (revoked now or already). */
async function revoke(token) {
  const result = await api.request("DELETE", "/auth/token", { headers: { Authorization: `Bearer ${token}` }, auth: false });
  return api.ok(result) || result.status === 401;
}

/** Send revocations kept from a sign-out made offline (called at start and when back online). */
let flushing = null;
export function flushRevocations() {
  flushing ??= (async () => {
    await null; // so that `flushing` is set before the finally below clears it
    try {
      const revoked = new Set();
      for (const token of pending()) {
        if (await revoke(token).catch(() => false)) revoked.add(token);
      }
      // Re-read: a sign-out meanwhile may have kept another token.
      keep(pending().filter((token) => !revoked.has(token)));
    } finally {
      flushing = null;
    }
    // The `online` event can come before requests go through: try again shortly, while online.
    // Each failed round waits twice as long, up to five minutes.
    clearTimeout(retry);
    if (!pending().length) delay = FIRST_RETRY_MS;
    else if (navigator.onLine) {
      retry = setTimeout(() => flushRevocations().catch(() => {}), delay);
      delay = Math.min(delay * 2, 5 * 60_000);
    }
  })();
  return flushing;
}
const FIRST_RETRY_MS = 5_000;
let delay = FIRST_RETRY_MS;
let retry = null;

/** Nothing personal left: the local database and storage, except the keys in KEEP. */
export async function wipeDevice(ctx) {
  await remind.disablePush();
  api.setToken(null);
  ctx.user = null;
  ctx.needsSignIn = false;
  await store.wipe();
  try {
    const saved = KEEP.map((key) => [key, localStorage.getItem(key)]).filter(([, value]) => value !== null);
    localStorage.clear();
    for (const [key, value] of saved) localStorage.setItem(key, value);
    sessionStorage.clear();
  } catch {
    /* storage blocked */
  }
  announce(t("settings.signout.done"));
}

/** Returns whether the person may go on signing out (false when they chose to stay). */
async function confirmUnsent() {
  const events = (await eventOutbox.items()).filter((i) => i.state !== "synced").length;
  const unsent = [...(await outbox.allItems().catch(() => [])), ...(await taskOutbox.items().catch(() => []))].filter((i) => i.state !== "synced");
  const waiting = unsent.length + events;
  if (!waiting) return true;
  const answers = unsent.filter((i) => i.client_request_id).length;
  const outcomes = unsent.filter((i) => i.task_id !== undefined).length;
  const days = unsent.length - answers - outcomes;
  const what = [
    days ? t("settings.signout.days", { count: days }) : "",
    answers ? t("settings.signout.answers", { count: answers }) : "",
    outcomes ? t("settings.signout.outcomes", { count: outcomes }) : "",
    events ? t("settings.signout.events", { count: events }) : "",
  ].filter(Boolean).join(t("settings.signout.and"));
  return confirmDialog({
    title: t("settings.signout.title"),
    text: t("settings.signout.unsent", { what, count: waiting }),
    yes: t("settings.signout.yes"),
    no: t("settings.signout.no"),
  });
}

/** Returns whether the person signed out (false when they chose to stay). */
export async function signOut(ctx) {
  if (!(await confirmUnsent())) return false;
  const token = api.getToken();
  // Revoke before wiping; if the server cannot be reached, keep the token to revoke later.
  if (token) {
    const done = navigator.onLine && (await revoke(token).catch(() => false));
    if (!done) keep([...pending(), token]);
  }
  await wipeDevice(ctx);
  return true;
}

/**
 * Sign out everywhere: end every session of this account on the server (this one too), then
 * wipe this device. Needs the server: {ok: false, message} when it cannot be reached.
 */
export async function signOutEverywhere(ctx) {
  if (!(await confirmUnsent())) return { ok: false };
  const result = await api.post("/me/sessions/revoke-all", {});
  if (!api.ok(result)) return { ok: false, message: api.message(result) };
  await wipeDevice(ctx);
  return { ok: true, ended: result.body?.ended };
}
