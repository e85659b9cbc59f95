// Diary vocabulary and the diary-day clock (docs/science.md §1.2): a bedtime after midnight
// belongs to the diary day on which the person got up, as minutes after that day's midnight
// (00:30 → 24:30). Shown to people as "00:30 (after midnight)" (displayTime), never "24:30".
import { t, formatDate, locale } from "./i18n.js";

export const ACTIVITIES = [
  ["out_of_bed", "Out of bed", "Up"],
  ["first_contact", "First contact with someone", "Contact"],
  ["morning_beverage", "Morning drink", "Drink"],
  ["breakfast", "Breakfast", "Breakfast"],
  ["go_outside", "First time outside", "Outside"],
  ["start_work", "Start work, study or care", "Work"],
  ["lunch", "Lunch", "Lunch"],
  ["afternoon_nap", "Afternoon nap", "Nap"],
  ["dinner", "Dinner", "Dinner"],
  ["exercise", "Exercise", "Exercise"],
  ["evening_snack", "Evening snack or drink", "Snack"],
  ["evening_news", "Evening TV news", "News"],
  ["other_tv", "Another TV programme", "TV"],
  ["activity_a", "Activity A", "Act. A"],
  ["activity_b", "Activity B", "Act. B"],
  ["return_home", "Home for the last time", "Home"],
  ["to_bed", "Went to bed", "Bed"],
];
export const CODES = ACTIVITIES.map((a) => a[0]);
const LABEL = Object.fromEntries(ACTIVITIES.map(([c, l]) => [c, l]));
const SHORT = Object.fromEntries(ACTIVITIES.map(([c, , s]) => [c, s]));
// In the person's language (pwa/js/locales/today.js); the English tables above are the fallback.
const said = (key, fallback) => {
  const text = t(key);
  return text === key ? fallback : text;
};
export const label = (code) => (LABEL[code] ? said(`today.act.${code}`, LABEL[code]) : code);
export const shortLabel = (code) => (SHORT[code] ? said(`today.actShort.${code}`, SHORT[code]) : code);
export const DEFAULT_TRACKED = [
  "out_of_bed", "first_contact", "breakfast", "start_work", "lunch", "dinner", "to_bed",
];

export const PEOPLE = ["Alone", "Others present", "Others actively involved", "Others very stimulating"];
/** PEOPLE[i] in the person's language. */
export const peopleText = (i) => said(`today.people.${i}`, PEOPLE[i] || String(i));

const MOOD_WORDS = {
  "-5": "very depressed", "-4": "depressed", "-3": "quite low", "-2": "low", "-1": "a little low",
  0: "normal", 1: "a little high", 2: "high", 3: "quite elated", 4: "elated", 5: "very elated",
};
export const moodWord = (mood) => (String(mood) in MOOD_WORDS ? said(`today.mood.${mood}`, MOOD_WORDS[String(mood)]) : "");
/** "−2" (a true minus sign), "0", "+3". */
export const moodNumber = (mood) => (mood > 0 ? `+${mood}` : mood < 0 ? `−${-mood}` : "0");
export const moodText = (mood) =>
  mood === null || mood === undefined ? said("today.moodNotRatedWord", "not rated") : `${mood > 0 ? "+" : ""}${mood} ${moodWord(mood)}`;

/** "HH:MM" → minutes after midnight. */
export function parseTime(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text || "");
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
export const pad = (n) => String(n).padStart(2, "0");
export const formatTime = (minutes) => {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
};
export const nowTime = (date = new Date()) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

/** A bedtime before noon is after midnight (it belongs to the diary day before). */
export const isAfterMidnight = (code, time) => code === "to_bed" && parseTime(time) !== null && parseTime(time) < 720;

/** Diary minutes of an activity: what the API calls `minutes`. */
export function diaryMinutes(code, activity) {
  const clock = parseTime(activity.time);
  if (clock === null) return null;
  let offset = activity.day_offset;
  if (offset === undefined || offset === null) offset = isAfterMidnight(code, activity.time) ? 1 : 0;
  return clock + 1440 * offset;
}

// Calendar dates as local "YYYY-MM-DD" strings.
export const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
export const fromIso = (text) => {
  const [y, m, d] = text.split("-").map(Number);
  return new Date(y, m - 1, d, 12);
};
export const addDays = (text, n) => {
  const d = fromIso(text);
  d.setDate(d.getDate() + n);
  return iso(d);
};
export const today = () => iso(new Date());
export const monday = (text) => {
  const d = fromIso(text);
  return addDays(text, -((d.getDay() + 6) % 7));
};
// In the person's locale (i18n.locale()), not a hard-coded one.
export const longDate = (text) => formatDate(text, { weekday: "long", day: "numeric", month: "long" });
export const shortDate = (text) => formatDate(text, { weekday: "short", day: "numeric", month: "short" });
export const dayMonth = (text) => formatDate(text, { day: "numeric", month: "short" });

/**
 * An anchor's time as people read it: "07:10", or "00:40 (after midnight)" for a bedtime after
 * midnight; never "24:40". Takes "HH:MM" (a bedtime before noon is after midnight) or diary
 * clock text past 24:00 ("24:40"), as the week grid may hold.
 */
/** "HH:MM" as a clock time in the person's locale, hours always two digits ("07:10", "07:10 AM"). */
export function clockText(hhmm) {
  const minutes = parseTime(hhmm);
  if (minutes === null) return hhmm || "";
  const at = new Date(2000, 0, 1, Math.floor(minutes / 60) % 24, minutes % 60);
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(at);
}

export function displayTime(code, hhmm) {
  const minutes = parseTime(hhmm);
  if (minutes === null) return hhmm || "";
  const clock = formatTime(minutes);
  const late = minutes >= 1440 || isAfterMidnight(code, clock);
  return late ? t("today.afterMidnightTime", { time: clockText(clock) }) : clockText(clock);
}

export const deviceZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

/** The PUT body of a diary day, from a server entry (GET /entries) or a stored body. */
export function bodyOf(entry) {
  const activities = {};
  for (const [code, a] of Object.entries(entry.activities || {})) {
    if (!a || !a.time) continue;
    const item = { time: a.time, day_offset: a.day_offset ?? (isAfterMidnight(code, a.time) ? 1 : 0) };
    if (a.people !== null && a.people !== undefined) item.people = a.people;
    activities[code] = item;
  }
  const body = { mood: entry.mood ?? null, activities, note: entry.note || null };
  if (entry.timezone) body.timezone = entry.timezone;
  // The day's work-day mark only when it has one: an unmarked day keeps the body it always had.
  if (entry.work_day === true || entry.work_day === false) body.work_day = entry.work_day;
  return body;
}

/**
 * The work-day mark a body or entry sets: true/false/null, or undefined when a PUT body leaves
 * it out, which keeps the stored mark (docs/science.md §2.8). A server entry always has the field.
 */
export const markOf = (body) => ("work_day" in (body || {}) ? body.work_day ?? null : undefined);

/** Same diary content? (The server treats a replay of the same content as no change.) */
export function sameContent(a, b) {
  const norm = (body) => {
    const x = bodyOf(body);
    const acts = Object.keys(x.activities)
      .sort()
      .map((c) => [c, diaryMinutes(c, x.activities[c]), x.activities[c].people ?? null]);
    return JSON.stringify([x.mood, x.note || null, acts]);
  };
  // A body without the mark keeps whatever is stored, so only two stated marks can differ.
  const [ma, mb] = [markOf(a), markOf(b)];
  return norm(a) === norm(b) && (ma === undefined || mb === undefined || ma === mb);
}
