// Three-way merge of two versions of a diary day against the version both started from.
// Pure (no DOM, no storage), so it is tested directly (tests/e2e/test_pwa_merge.py).
//
// A field changed on one side only takes that side; a field changed on both sides to different
// values is a conflict the person settles (the merged body holds this device's value until then).
// Fields, by name (a path into the PUT body):
//   "mood", "note", "work_day",
//   "activities.<code>.time"    the clock time with its day offset ({time, day_offset}, or null),
//   "activities.<code>.people"  0..3 or null,
//   "activities.<code>"         the whole anchor, when one side removed it and the other changed it
//                               (an anchor is logged or not: keeping "people" of a removed lunch
//                               would mean nothing).
// With no base (a day created on both devices, or an item saved before bases were kept) the base
// is an empty day: a value only one side has is kept, and every value both sides hold differently
// is a question, so nothing is dropped silently.
import { bodyOf, diaryMinutes, markOf } from "./diary.js";

export const SCALARS = ["mood", "note", "work_day"];

/** A body (or server entry) in one comparable shape; `fallbackMark` stands in for a mark left out. */
function norm(entry, fallbackMark = null) {
  const b = bodyOf(entry || {});
  const mark = markOf(entry || {});
  return {
    mood: b.mood ?? null,
    note: b.note || null,
    work_day: mark === undefined ? fallbackMark : mark,
    activities: b.activities,
    timezone: b.timezone,
  };
}

const timeOf = (code, a) => (a ? { time: a.time, day_offset: a.day_offset } : null);
const peopleOf = (a) => (a ? a.people ?? null : null);
const minutesOf = (code, v) => (v ? diaryMinutes(code, v) : null);

/** Equality of a field's two values (times by their diary minutes: 00:40 is 24:40 on to_bed). */
export function same(field, a, b) {
  const [, code, part] = field.split(".");
  if (field.startsWith("activities.")) {
    if (part === "time") return minutesOf(code, a) === minutesOf(code, b);
    if (part === "people") return (a ?? null) === (b ?? null);
    if (!a || !b) return !a && !b;
    return minutesOf(code, a) === minutesOf(code, b) && peopleOf(a) === peopleOf(b);
  }
  return (a ?? null) === (b ?? null);
}

/** One field, three ways: {value, conflict}. */
function three(field, base, mine, theirs) {
  if (same(field, mine, theirs)) return { value: mine, conflict: false };
  if (same(field, mine, base)) return { value: theirs, conflict: false };
  if (same(field, theirs, base)) return { value: mine, conflict: false };
  return { value: mine, conflict: true };
}

/** The value of a named field in a body (see the list above). */
export function valueOf(body, field) {
  const b = norm(body);
  if (!field.startsWith("activities.")) return b[field] ?? null;
  const [, code, part] = field.split(".");
  const a = b.activities[code] || null;
  if (part === "time") return timeOf(code, a);
  if (part === "people") return peopleOf(a);
  return a;
}

/** A copy of `body` with one field set (used when the person answers a question). */
export function withValue(body, field, value) {
  const next = { ...body, activities: { ...(body.activities || {}) } };
  if (!field.startsWith("activities.")) {
    next[field] = value ?? null;
    return next;
  }
  const [, code, part] = field.split(".");
  const current = next.activities[code];
  if (!part) {
    if (value) next.activities[code] = { ...value };
    else delete next.activities[code];
  } else if (part === "time") {
    if (value) next.activities[code] = { ...(current || {}), time: value.time, day_offset: value.day_offset };
    else delete next.activities[code];
  } else if (current) {
    const { people, ...rest } = current;
    next.activities[code] = value === null || value === undefined ? rest : { ...rest, people: value };
  }
  return next;
}

/**
 * merge(base, mine, theirs) → {body, conflicts}: `body` is a PUT body holding every one-sided
 * change, with this device's value in each conflicting field; `conflicts` names those fields.
 * `base` is the server version this device's edit started from (null: none known).
 */
export function merge(base, mine, theirs) {
  const B = norm(base);
  // A body that leaves the work-day mark out keeps the stored one: unchanged from the base.
  const M = norm(mine, B.work_day);
  const T = norm(theirs, B.work_day);
  const conflicts = [];
  const body = { activities: {} };
  for (const field of SCALARS) {
    const r = three(field, B[field], M[field], T[field]);
    body[field] = r.value;
    if (r.conflict) conflicts.push(field);
  }
  const codes = [...new Set([...Object.keys(B.activities), ...Object.keys(M.activities), ...Object.keys(T.activities)])];
  for (const code of codes) {
    const [b, m, t] = [B.activities[code] || null, M.activities[code] || null, T.activities[code] || null];
    const whole = three(`activities.${code}`, b, m, t);
    if (!whole.conflict) {
      if (whole.value) body.activities[code] = { ...whole.value };
      continue;
    }
    if (!m || !t) {
      // Removed on one side, changed on the other: ask about the anchor as a whole.
      conflicts.push(`activities.${code}`);
      if (m) body.activities[code] = { ...m };
      continue;
    }
    const time = three(`activities.${code}.time`, timeOf(code, b), timeOf(code, m), timeOf(code, t));
    const people = three(`activities.${code}.people`, peopleOf(b), peopleOf(m), peopleOf(t));
    if (time.conflict) conflicts.push(`activities.${code}.time`);
    if (people.conflict) conflicts.push(`activities.${code}.people`);
    const anchor = { time: time.value.time, day_offset: time.value.day_offset };
    if (people.value !== null && people.value !== undefined) anchor.people = people.value;
    body.activities[code] = anchor;
  }
  const timezone = M.timezone || T.timezone;
  if (timezone) body.timezone = timezone;
  return { body, conflicts };
}

/** The fields in which two versions differ (to highlight them side by side); `base` stands in
 * for a work-day mark a body leaves out (it keeps the stored one). */
export function differences(a, b, base = null) {
  const mark = norm(base).work_day;
  const A = norm(a, mark);
  const B = norm(b, mark);
  const out = SCALARS.filter((field) => !same(field, A[field], B[field]));
  const codes = new Set([...Object.keys(A.activities), ...Object.keys(B.activities)]);
  for (const code of codes) {
    const field = `activities.${code}`;
    if (!same(field, A.activities[code] || null, B.activities[code] || null)) out.push(field);
  }
  return out;
}
