// What a flag found, in words and as a small table (the days, the times, the usual time, the
// deviation). Shared by the flags list and the session report; `own` picks the wording for the
// client ("Your bedtime…") or for their clinician ("Their bedtime…"). Texts: pwa/js/locales/ipt.js.
import { h } from "../ui.js";
import { t, formatDate, formatNumber } from "../i18n.js";
import * as D from "../diary.js";

// "h" and "min" read the same in English and Spanish.

export const hm = (minutes) => {
  const m = Math.abs(Math.round(minutes));
  return m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}` : `${m} min`;
};
const signed = (minutes) => (minutes === null || minutes === undefined ? "–" : `${minutes > 0 ? "+" : minutes < 0 ? "−" : ""}${hm(minutes)}`);
const ONE_DECIMAL = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
const num = (v) => (typeof v === "number" ? formatNumber(v, ONE_DECIMAL) : v ?? "–");
const list = (v) => (Array.isArray(v) ? v : []);

/** The one meaning of "usual", said the same way on the week grid, the flags and the report. */
// The week grid's own texts (history.week.*), so both screens say it in the same words.
export function usualText(own, baselineDays = 28) {
  const span = baselineDays % 7 === 0 ? t("history.week.spanWeeks", { n: baselineDays / 7 }) : t("history.week.spanDays", { n: baselineDays });
  return t(own ? "history.week.usualOwn" : "history.week.usualTheir", { span });
}

const RULES = ["wake_shift", "bed_shift", "short_sleep", "srm_drop", "srm_unstable", "anchors_missed", "mood", "isolation", "missing_entries", "incomplete_week"];
export const ruleTitle = (rule) => (RULES.includes(rule) ? t(`evidence.rule.${rule}`) : String(rule).replace(/_/g, " "));

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 };
/** Highest severity first; within one severity, open before acknowledged, then the newest. */
export function bySeverity(a, b) {
  return (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3)
    || (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1)
    || String(b.window_end).localeCompare(String(a.window_end))
    || (b.id ?? 0) - (a.id ?? 0);
}

/** One sentence on what a flag found. */
export function explain(flag, own = true) {
  const e = flag.evidence || {};
  // Most sentences come in two forms: to the client ("Your…") and about them ("Their…").
  const whose = own ? "own" : "their";
  const days = (k) => t("evidence.days", { count: k });
  switch (flag.rule) {
    case "wake_shift":
    case "bed_shift": {
      const what = t(`evidence.what.${flag.rule === "wake_shift" ? "wake" : "bed"}.${whose}`);
      const dir = t(`evidence.dir.${["later", "earlier"].includes(e.direction) ? e.direction : "away"}`);
      const biggest = list(e.days).reduce((m, d) => Math.max(m, Math.abs(deviationOf(d) || 0)), 0);
      return t(`evidence.shift.${whose}`, { what, dir, days: days(list(e.days).length), biggest: biggest ? t("evidence.byUpTo", { amount: hm(biggest) }) : "" });
    }
    case "short_sleep": {
      const shortest = list(e.days).reduce((m, d) => Math.min(m, d.duration_minutes ?? Infinity), Infinity);
      return t("evidence.shortSleep", { count: list(e.days).length, shortest: shortest < Infinity ? t("evidence.shortest", { amount: hm(shortest) }) : "" });
    }
    case "srm_drop": {
      const w = list(e.weeks)[0] || {};
      return t(`evidence.srmDrop.${whose}`, { srm: num(w.srm), usual: num(w.baseline_median) });
    }
    case "srm_unstable":
      return t(`evidence.srmUnstable.${whose}`, { count: list(e.weeks).length });
    case "anchors_missed":
      return t(`evidence.anchorsMissed.${whose}`, { days: days(list(e.days).length) });
    case "mood": {
      const word = t(`evidence.moodWord.${["elevated", "depressed", "mixed"].includes(e.pole) ? e.pole : "other"}`);
      return t(`evidence.mood.${whose}`, { word, days: days(list(e.days).length), coincided: e.coincided ? t("evidence.coincided") : "" });
    }
    case "isolation":
      return t(`evidence.isolation.${whose}`, { days: days(list(e.days_alone).length) });
    case "incomplete_week":
      return t("evidence.incomplete", { count: list(e.weeks).length, left: own ? "" : t("evidence.leftOut") });
    case "missing_entries":
      return t("evidence.missing", { days: days(e.days_missing ?? 0), after: e.last_entry_before ? t("evidence.after", { date: D.dayMonth(e.last_entry_before) }) : "" });
    default:
      return t(`evidence.change.${whose}`);
  }
}

function deviationOf(item) {
  return item.deviation_minutes ?? item.deviation ?? null;
}

/** The reference an item was compared with: "23:00 · free day" (usual) or "07:00 · target". */
function reference(item) {
  const time = item.reference ?? item.habitual ?? null;
  if (time === null || time === undefined) return "–";
  if (item.reference_kind === "target") return t("evidence.refTarget", { time });
  if (!item.day_type) return time;
  return ["work", "free"].includes(item.day_type) ? t(`evidence.ref.${item.day_type}`, { time }) : `${time} · ${String(item.day_type).replace(/_/g, " ")}`;
}

const day = (iso) => (iso ? D.shortDate(iso) : "–");
const timeOf = (item) => `${item.time ?? "–"}${item.minutes >= 1440 ? " (+1)" : ""}`;

/** {head, rows} for a flag's evidence, or null when there is nothing to tabulate. */
export function evidenceRows(flag) {
  const e = flag.evidence || {};
  const s = flag.settings || {};
  const head = (...keys) => keys.map((k) => t(`evidence.head.${k}`));
  switch (flag.rule) {
    case "wake_shift":
    case "bed_shift":
      return { head: head("day", "time", "usual", "deviation"),
        rows: list(e.days).map((d) => [day(d.date), timeOf(d), reference(d), signed(deviationOf(d))]) };
    case "anchors_missed":
      return { head: head("day", "anchor", "time", "usualOrTarget", "deviation"),
        rows: list(e.days).flatMap((d) => list(d.missed).map((m) => [day(d.date), D.shortLabel(m.activity), timeOf(m), reference(m), signed(deviationOf(m))])) };
    case "short_sleep":
      return { head: head("woke", "bedUp", "inBed", "usual", "difference"),
        rows: list(e.days).map((d) => [day(d.date), d.bed && d.wake ? `${d.bed}–${d.wake}` : "–",
          d.duration_minutes === null || d.duration_minutes === undefined ? "–" : hm(d.duration_minutes),
          d.baseline_minutes === null || d.baseline_minutes === undefined ? "–" : hm(d.baseline_minutes),
          d.baseline_minutes === null || d.baseline_minutes === undefined || d.duration_minutes === null || d.duration_minutes === undefined ? "–" : signed(d.duration_minutes - d.baseline_minutes)]) };
    case "srm_drop":
      return { head: head("weekOf", "srm", "usualMedian", "change"),
        rows: list(e.weeks).map((w) => [day(w.week_start), num(w.srm), `${num(w.baseline_median)} (${t("evidence.weeks", { count: list(w.baseline_weeks).length })})`,
          typeof w.srm === "number" && typeof w.baseline_median === "number" ? num(w.srm - w.baseline_median) : "–"]) };
    case "srm_unstable":
      return { head: head("weekOf", "srm", "below"),
        rows: list(e.weeks).map((w) => [day(w.week_start), num(w.srm), num(s.srm_unstable_below ?? 3.5)]) };
    case "mood":
      return { head: head("day", "mood", "threshold"),
        rows: list(e.days).map((d) => [day(d.date), D.moodText(d.mood), d.mood >= 0 ? `≥ +${s.mood_high ?? 3}` : `≤ ${s.mood_low ?? -3}`]) };
    case "isolation":
      return { head: head("day", "firstContact"), rows: list(e.days_alone).map((d) => [day(typeof d === "string" ? d : d.date), t("evidence.alone")]) };
    case "incomplete_week":
      return { head: head("weekOf", "daysLogged", "missing"),
        rows: list(e.weeks).map((w) => [day(w.week_start), `${w.days_logged ?? "–"}/7`, list(w.days_missing).map((d) => formatDate(d, { weekday: "short" })).join(" ") || "–"]) };
    case "missing_entries":
      return { head: head("daysWithout", "lastBefore"),
        rows: [[`${e.days_missing ?? "–"} (${day(flag.window_start)} – ${day(flag.window_end)})`, e.last_entry_before ? day(e.last_entry_before) : t("evidence.none")]] };
    default: {
      // A rule this screen does not know yet: its day items as they are.
      const items = list(e.days).filter((d) => d && typeof d === "object");
      if (!items.length) return null;
      const keys = [...new Set(items.flatMap((d) => Object.keys(d)))].filter((k) => typeof items[0][k] !== "object");
      return { head: keys.map((k) => k.replace(/_/g, " ")), rows: items.map((d) => keys.map((k) => (k === "date" ? day(d[k]) : String(d[k] ?? "–")))) };
    }
  }
}

/** A table's horizontal scroller: focusable and named, so it can be scrolled from the keyboard. */
export const scrollBox = (label, ...children) => h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": label }, ...children);

/** The evidence as a table with a caption: `limit` rows at most with a count of the rest (the
 * report), or `expandable` rows with a button that shows them all (the flags screen). */
export function evidenceTable(flag, { limit = Infinity, expandable = Infinity, caption } = {}) {
  const found = evidenceRows(flag);
  if (!found || !found.rows.length) return null;
  if (found.rows.length > expandable) {
    const box = h("div", { class: "evidence-box" });
    const short = evidenceTable(flag, { limit: expandable, caption });
    const more = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("evidence.showAll", { count: found.rows.length }) });
    more.addEventListener("click", () => {
      const all = evidenceTable(flag, { caption });
      box.replaceWith(all);
      all.querySelector(".table-wrap")?.focus();
    });
    short.querySelector(".hint")?.remove();
    box.append(...short.childNodes, more);
    return box;
  }
  const shown = found.rows.slice(0, limit);
  const label = caption || t("evidence.caption", { title: ruleTitle(flag.rule) });
  const table = h("table", { class: "data evidence" },
    h("caption", { class: caption ? null : "sr-only", text: label }),
    h("thead", {}, h("tr", {}, found.head.map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, shown.map((r) => h("tr", {}, r.map((c, i) => (i ? h("td", { text: String(c) }) : h("th", { scope: "row", text: String(c) })))))));
  const more = found.rows.length - shown.length;
  return h("div", { class: "evidence-box" }, scrollBox(label, table), more > 0 ? h("p", { class: "hint", text: t("evidence.moreRows", { count: more }) }) : null);
}

/** Does this flag compare times with a usual (habitual) time or target? */
export const usesUsual = (rule) => ["wake_shift", "bed_shift", "anchors_missed", "short_sleep"].includes(rule);
