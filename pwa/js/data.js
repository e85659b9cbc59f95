// Reading a person's data: their own (through the local store, so it works offline) or, for a
// clinician, a client's (base path /clients/{id}, online only).
import * as api from "./api.js";
import * as store from "./store.js";
import * as outbox from "./outbox.js";
import { bodyOf, diaryMinutes } from "./diary.js";

/** Entries keyed by date, with minutes on every activity, and each day's sync state (own data). */
export async function entries(base, from, to) {
  const byDate = {};
  const states = {};
  if (base) {
    const result = await api.get(`${base}/entries?from=${from}&to=${to}`);
    if (!api.ok(result)) return { error: api.message(result), byDate, states };
    for (const e of result.body.entries) byDate[e.date] = withMinutes(e);
    return { byDate, states };
  }
  let offline = false;
  if (navigator.onLine) {
    const result = await outbox.refresh(from, to);
    offline = !api.ok(result);
  } else offline = true;
  for (const cached of await store.all("days")) {
    if (cached.date < from || cached.date > to) continue;
    byDate[cached.date] = withMinutes(cached.entry);
    states[cached.date] = "synced";
  }
  for (const item of await store.all("outbox")) {
    if (item.date < from || item.date > to) continue;
    byDate[item.date] = withMinutes(item.body);
    states[item.date] = item.state;
  }
  return { byDate, states, offline };
}

function withMinutes(entry) {
  const body = bodyOf(entry);
  for (const [code, a] of Object.entries(body.activities)) a.minutes = diaryMinutes(code, a);
  return { ...body, date: entry.date };
}

export async function json(path) {
  const result = await api.get(path);
  return api.ok(result) ? { data: result.body } : { error: api.message(result), status: result.status };
}
