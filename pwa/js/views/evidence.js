// What a flag found, in words and as a small table (the days, the times, the usual time, the
// deviation). Shared by the flags list and the session report; `own` picks the wording for the
// client ("Your bedtime…") or for their clinician ("Their bedtime…").
import { h } from "../ui.js";
import * as D from "../diary.js";

export const hm = (minutes) => {
  const m = Math.abs(Math.round(minutes));
  return m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}` : `${m} min`;
};
const signed = (minutes) => (minutes === null || minutes === undefined ? "–" : `${minutes > 0 ? "+" : minutes < 0 ? "−" : ""}${hm(minutes)}`);
const num = (v) => (typeof v === "number" ? v.toFixed(1) : v ?? "–");
const plural = (k, one, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
const list = (v) => (Array.isArray(v) ? v : []);

/** The one meaning of "usual", said the same way on the week grid, the flags and the report. */
export function usualText(own, baselineDays = 28) {
  const whose = own ? "your" : "their";
  const span = baselineDays % 7 === 0 ? `${baselineDays / 7}-week` : `${baselineDays}-day`;
  return `Usual = ${whose} ${span} habitual time for that kind of day (work day or free day), or the target agreed in therapy where one is set.`;
}

export const ruleTitle = (rule) => ({
  wake_shift: "Getting-up time shifted", bed_shift: "Bedtime shifted", short_sleep: "Short sleep",
  srm_drop: "Routine less regular", srm_unstable: "Irregular routine", anchors_missed: "Anchors off their times",
  mood: "Mood change", isolation: "Time alone", missing_entries: "Diary gaps", incomplete_week: "Too few days logged",
})[rule] || String(rule).replace(/_/g, " ");

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
  const Your = own ? "Your" : "Their";
  const days = (k) => plural(k, "day");
  switch (flag.rule) {
    case "wake_shift":
    case "bed_shift": {
      const what = flag.rule === "wake_shift" ? "getting-up time" : "bedtime";
      const dir = { later: "later than", earlier: "earlier than", mixed: "away from" }[e.direction] || "away from";
      const biggest = list(e.days).reduce((m, d) => Math.max(m, Math.abs(deviationOf(d) || 0)), 0);
      return `${Your} ${what} moved ${dir} usual on ${days(list(e.days).length)}${biggest ? ` (by up to ${hm(biggest)})` : ""}.`;
    }
    case "short_sleep": {
      const shortest = list(e.days).reduce((m, d) => Math.min(m, d.duration_minutes ?? Infinity), Infinity);
      const n = list(e.days).length;
      return `Short sleep on ${n === 1 ? "one night" : `${n} nights`}${shortest < Infinity ? ` (shortest ${hm(shortest)})` : ""}.`;
    }
    case "srm_drop": {
      const w = list(e.weeks)[0] || {};
      return `${Your} routine became less regular: weekly SRM fell to ${num(w.srm)} from a usual ${num(w.baseline_median)}.`;
    }
    case "srm_unstable":
      return `${Your} routine has been irregular: weekly SRM was low for ${list(e.weeks).length === 1 ? "a week" : `${list(e.weeks).length} weeks`}.`;
    case "anchors_missed":
      return `Several anchors were far from ${own ? "your" : "their"} usual or target times on ${days(list(e.days).length)}.`;
    case "mood": {
      const word = { elevated: "high", depressed: "low", mixed: "both high and low" }[e.pole] || "out of the usual range";
      return `${Your} mood was ${word} on ${days(list(e.days).length)}${e.coincided ? ", while the routine changed too" : ""}.`;
    }
    case "isolation":
      return `${Your} first contact of the day was alone on ${days(list(e.days_alone).length)}.`;
    case "incomplete_week": {
      const n = list(e.weeks).length;
      return `Too few days logged to score ${n === 1 ? "a week" : `${n} weeks`}${own ? "" : " (their SRM is left out of comparisons)"}.`;
    }
    case "missing_entries":
      return `No diary for ${days(e.days_missing ?? 0)}${e.last_entry_before ? ` after ${D.dayMonth(e.last_entry_before)}` : ""}.`;
    default:
      return `A change in ${own ? "your" : "their"} routine was noticed.`;
  }
}

function deviationOf(item) {
  return item.deviation_minutes ?? item.deviation ?? null;
}

/** The reference an item was compared with: "23:00 · free day" (usual) or "07:00 · target". */
function reference(item) {
  const time = item.reference ?? item.habitual ?? null;
  if (time === null || time === undefined) return "–";
  if (item.reference_kind === "target") return `${time} · target`;
  return item.day_type ? `${time} · ${String(item.day_type).replace(/_/g, " ")} day` : time;
}

const day = (iso) => (iso ? D.shortDate(iso) : "–");
const timeOf = (item) => `${item.time ?? "–"}${item.minutes >= 1440 ? " (+1)" : ""}`;

/** {head, rows} for a flag's evidence, or null when there is nothing to tabulate. */
export function evidenceRows(flag) {
  const e = flag.evidence || {};
  const s = flag.settings || {};
  switch (flag.rule) {
    case "wake_shift":
    case "bed_shift":
      return { head: ["Day", "Time", "Usual", "Deviation (+ later)"],
        rows: list(e.days).map((d) => [day(d.date), timeOf(d), reference(d), signed(deviationOf(d))]) };
    case "anchors_missed":
      return { head: ["Day", "Anchor", "Time", "Usual or target", "Deviation (+ later)"],
        rows: list(e.days).flatMap((d) => list(d.missed).map((m) => [day(d.date), D.shortLabel(m.activity), timeOf(m), reference(m), signed(deviationOf(m))])) };
    case "short_sleep":
      return { head: ["Woke", "Bed–up", "In bed", "Usual", "Difference"],
        rows: list(e.days).map((d) => [day(d.date), d.bed && d.wake ? `${d.bed}–${d.wake}` : "–",
          d.duration_minutes === null || d.duration_minutes === undefined ? "–" : hm(d.duration_minutes),
          d.baseline_minutes === null || d.baseline_minutes === undefined ? "–" : hm(d.baseline_minutes),
          d.baseline_minutes === null || d.baseline_minutes === undefined || d.duration_minutes === null || d.duration_minutes === undefined ? "–" : signed(d.duration_minutes - d.baseline_minutes)]) };
    case "srm_drop":
      return { head: ["Week of", "SRM", "Usual (median)", "Change"],
        rows: list(e.weeks).map((w) => [day(w.week_start), num(w.srm), `${num(w.baseline_median)} (${plural(list(w.baseline_weeks).length, "week")})`,
          typeof w.srm === "number" && typeof w.baseline_median === "number" ? (w.srm - w.baseline_median).toFixed(1) : "–"]) };
    case "srm_unstable":
      return { head: ["Week of", "SRM", "Below"],
        rows: list(e.weeks).map((w) => [day(w.week_start), num(w.srm), num(s.srm_unstable_below ?? 3.5)]) };
    case "mood":
      return { head: ["Day", "Mood", "Threshold"],
        rows: list(e.days).map((d) => [day(d.date), D.moodText(d.mood), d.mood >= 0 ? `≥ +${s.mood_high ?? 3}` : `≤ ${s.mood_low ?? -3}`]) };
    case "isolation":
      return { head: ["Day", "First contact"], rows: list(e.days_alone).map((d) => [day(typeof d === "string" ? d : d.date), "alone"]) };
    case "incomplete_week":
      return { head: ["Week of", "Days logged", "Missing"],
        rows: list(e.weeks).map((w) => [day(w.week_start), `${w.days_logged ?? "–"}/7`, list(w.days_missing).map((d) => D.fromIso(d).toLocaleDateString("en-GB", { weekday: "short" })).join(" ") || "–"]) };
    case "missing_entries":
      return { head: ["Days without a diary", "Last entry before"],
        rows: [[`${e.days_missing ?? "–"} (${day(flag.window_start)} – ${day(flag.window_end)})`, e.last_entry_before ? day(e.last_entry_before) : "none"]] };
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
    const more = h("button", { type: "button", class: "btn btn-quiet btn-small", text: `Show all ${found.rows.length} rows` });
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
  const label = caption || `Evidence: ${ruleTitle(flag.rule)}`;
  const table = h("table", { class: "data evidence" },
    h("caption", { class: caption ? null : "sr-only", text: label }),
    h("thead", {}, h("tr", {}, found.head.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, shown.map((r) => h("tr", {}, r.map((c, i) => (i ? h("td", { text: String(c) }) : h("th", { scope: "row", text: String(c) })))))));
  const more = found.rows.length - shown.length;
  return h("div", { class: "evidence-box" }, scrollBox(label, table), more > 0 ? h("p", { class: "hint", text: `and ${plural(more, "more row")}` }) : null);
}

/** Does this flag compare times with a usual (habitual) time or target? */
export const usesUsual = (rule) => ["wake_shift", "bed_shift", "anchors_missed", "short_sleep"].includes(rule);
