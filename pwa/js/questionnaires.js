// Questionnaires on this device: the instruments and the crisis text are kept in IndexedDB so
// that a questionnaire can be answered offline, and an answer goes through the outbox
// (POST /responses, idempotent on its client_request_id). The safeguard needs no network: a
// safety item answered 1 or more is recognised here, before anything is sent.
import * as api from "./api.js";
import * as store from "./store.js";
import * as outbox from "./outbox.js";
import * as D from "./diary.js";
import { t } from "./i18n.js";

const ORDER = ["phq9", "gad7", "asrm", "qids_sr16"];
const byOrder = (a, b) => rank(a.code) - rank(b.code);
const rank = (code) => (ORDER.includes(code) ? ORDER.indexOf(code) : ORDER.length);

let refreshing = null;
/** Fetch the instruments and the crisis text into IndexedDB (at start, after sign-in). */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const [list, crisis] = await Promise.all([api.get("/instruments"), api.request("GET", "/crisis", { auth: false })]);
      if (api.ok(list) && Array.isArray(list.body?.instruments)) {
        await store.replaceAll("instruments", list.body.instruments);
        if (list.body.crisis_text) await store.setKV("crisis_text", list.body.crisis_text);
      }
      if (api.ok(crisis) && crisis.body?.text) await store.setKV("crisis_text", crisis.body.text);
      return list;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** The cached instruments, in a fixed order. */
export async function instruments() {
  return (await store.all("instruments")).sort(byOrder);
}
export const instrument = (code) => store.get("instruments", code);

/** The crisis resources as the deployment wrote them (verbatim), or the safe default: shown
 * only when no crisis text ever reached this device (the server's default, as docs/api-scales.md
 * gives it, in the person's language), so the safeguard never shows an empty box. */
export async function crisisText() {
  return (await store.getKV("crisis_text").catch(() => null)) || t("questionnaires.crisisFallback");
}

/** Does this set of answers reach the safeguard (a safety item answered 1 or more)? */
export function safetyTriggered(inst, answers) {
  return (inst.safety_items || []).some((number) => isSafetyAnswer(inst, number, answers[indexOf(inst, number)]));
}
/** Show the crisis resources after sending: a safety item endorsed, or left unanswered
 * (docs/api-scales.md: the resources are shown then too, without alerting the clinician). */
export function safeguardNeeded(inst, answers) {
  const unanswered = (inst.safety_items || []).some((number) => [null, undefined].includes(answers[indexOf(inst, number)]));
  return unanswered || safetyTriggered(inst, answers);
}
export const isSafetyItem = (inst, number) => (inst.safety_items || []).includes(number);
export const isSafetyAnswer = (inst, number, value) => isSafetyItem(inst, number) && value !== null && value !== undefined && value >= 1;
const indexOf = (inst, number) => {
  const i = (inst.items || []).findIndex((item) => item.number === number);
  return i < 0 ? number - 1 : i;
};

function requestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Keep an answer on this device and send it through the outbox; resolves to its outbox item. */
export function submit(inst, answers) {
  return outbox.saveAnswer({ instrument: inst.code, answers, client_request_id: requestId(), answered_on: D.today() });
}

/** An answer's fate: the server's scored copy once sent, else its outbox item (or null). */
export async function answerState(clientRequestId) {
  const sent = (await store.all("responses")).find((r) => r.client_request_id === clientRequestId);
  if (sent) return { state: "synced", response: sent };
  return (await store.get("answer_outbox", clientRequestId)) || null;
}

/** Questionnaires due, from the server when online (kept for offline), less those answered here. */
export async function due() {
  let list = null;
  let error = null;
  if (navigator.onLine) {
    const result = await api.get("/questionnaires/due");
    if (api.ok(result)) {
      list = result.body.due || [];
      await store.setKV("due", list);
    } else error = api.message(result);
  }
  if (!list) list = (await store.getKV("due")) || [];
  const waiting = new Set((await outbox.answerItems()).map((i) => i.body.instrument));
  return { due: list.filter((d) => !waiting.has(d.instrument)), error };
}

const dateOf = (r) => r.answered_on || (r.created_at || "").slice(0, 10);
const byDate = (a, b) => (dateOf(a) < dateOf(b) ? -1 : dateOf(a) > dateOf(b) ? 1 : (a.id ?? 0) - (b.id ?? 0));
export { dateOf };

/**
 * Scored responses, oldest first. Own (base ""): from the server when online, kept in IndexedDB
 * for offline; a clinician's view of a client (base /clients/{id}): online only.
 */
export async function responses(base = "") {
  if (base) {
    const result = await api.get(`${base}/responses`);
    return api.ok(result) ? { responses: [...(result.body.responses || [])].sort(byDate) } : { responses: [], error: api.message(result) };
  }
  let error = null;
  if (navigator.onLine) {
    const result = await api.get("/responses");
    if (api.ok(result)) await store.replaceAll("responses", (result.body.responses || []).filter((r) => r.id !== undefined));
    else error = api.message(result);
  }
  return { responses: (await store.all("responses")).sort(byDate), error };
}

/** The short name in a name's closing brackets: "Patient Health Questionnaire-9 (PHQ-9)" → "PHQ-9". */
export const shortName = (inst) => /\(([^()]+)\)\s*$/.exec(inst?.name || "")?.[1] || inst?.name || "";

/** A band label as a heading word ("moderately severe" → "Moderately severe"). */
export const bandLabel = (text) => (text ? text[0].toUpperCase() + text.slice(1) : "");

/** The band a total falls in, from the instrument's published bands. */
export function bandOf(inst, total) {
  if (total === null || total === undefined) return null;
  return (inst?.bands || []).find((b) => total >= b.min && total <= b.max) || null;
}
