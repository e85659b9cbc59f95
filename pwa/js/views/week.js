// The week grid in the SRM worksheet's shape: anchors × 7 days, each cell the time and how far it
// is from the usual time, the flags' own baseline (GET /usual, docs/science.md §3.1), marked
// beyond the flags' shift threshold; a mood row, the week's scores (the SRM keeps its own
// habitual time and hits, as the instrument defines them), and the week's notes, people and
// life events.
import { h, errorBox, loading } from "../ui.js";
import * as D from "../diary.js";
import { entries, json } from "../data.js";
import { t, formatDate } from "../i18n.js";
import { weekNotes } from "./weeknotes.js";
import { scrollBox } from "./evidence.js";

/** Which baseline the grid's "usual" is, in one sentence. */
export function gridUsualText(own, baselineDays = 28) {
  const span = baselineDays % 7 === 0 ? t("history.week.spanWeeks", { n: baselineDays / 7 }) : t("history.week.spanDays", { n: baselineDays });
  return t(own ? "history.week.usualOwn" : "history.week.usualTheir", { span });
}

/** A time as people read it: "00:40 (after midnight)" for a bedtime past midnight, never 24:40.
 * diary.js's displayTime where this version of it has one; the local fallback says the same. */
export const timeText = (code, hhmm) => (typeof D.displayTime === "function" ? D.displayTime(code, hhmm)
  : (D.parseTime(hhmm) ?? 0) >= 1440 || D.isAfterMidnight(code, hhmm) ? t("history.week.afterMidnightTime", { time: D.formatTime(D.parseTime(hhmm) % 1440) }) : hhmm);

export async function render(main, ctx, params) {
  const start = D.monday(params.get("start") || D.today());
  const end = D.addDays(start, 6);
  const days = [...Array(7)].map((_, i) => D.addDays(start, i));
  const link = (s) => `${ctx.routeBase}/week?start=${s}`;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: t("history.week.title", { date: D.dayMonth(start) }) });
  const nextDisabled = D.addDays(start, 7) > D.today();
  const pager = h("nav", { class: "row between pager", "aria-label": t("history.week.weeks") },
    h("a", { class: "btn btn-quiet", href: link(D.addDays(start, -7)), text: t("history.week.previous"), "aria-label": t("history.week.previousLabel") }),
    nextDisabled ? h("span") : h("a", { class: "btn btn-quiet", href: link(D.addDays(start, 7)), text: t("history.week.next"), "aria-label": t("history.week.nextLabel") }));
  const body = h("div", {}, loading(t("history.loading")));
  main.append(heading, pager, body);

  const own = !ctx.base;
  const [diary, scores, events, usual] = await Promise.all([
    entries(ctx.base, start, end),
    json(`${ctx.base}/scores/weekly?from=${start}&to=${end}`),
    json(`${ctx.base}/events?from=${start}&to=${end}`),
    json(`${ctx.base}/usual?from=${start}&to=${end}`),
  ]);
  body.replaceChildren();
  if (diary.error) return body.append(errorBox(diary.error));
  const week = scores.data?.scores?.find((w) => w.start === start) || null;
  const window = week?.settings?.window ?? 45;
  const usualBy = Object.fromEntries((usual.data?.days || []).map((d) => [d.date, d.usual]));
  const threshold = usual.data?.settings?.shift_minutes ?? 120;
  const baselineDays = usual.data?.settings?.baseline_days ?? 28;

  if (week) {
    body.append(h("div", { class: "stats" },
      stat("SRM", fmt(week.srm), t(own ? "history.week.srmHintOwn" : "history.week.srmHintTheir")),
      stat("SRM-5", fmt(week.srm5), t("history.week.srm5Hint")),
      stat(t("history.week.daysLogged"), `${week.days_logged}/7`, null),
      stat(t("history.week.activities"), String(week.ali), t("history.week.aliHint"))));
    body.append(h("p", { class: "hint srm-note", text: t("history.week.srmNote", { window }) }));
    if (week.zone_changed) body.append(h("p", { class: "notice notice-info", text: t("history.week.zoneChanged", { zones: week.zones.join(", ") }) }));
  } else if (scores.error) {
    body.append(h("p", { class: "notice notice-info", text: t("history.week.noScores", { error: scores.error }) }));
  }

  const tracked = ctx.base ? [] : ctx.user.tracked_activities || D.DEFAULT_TRACKED;
  const present = new Set(tracked);
  for (const e of Object.values(diary.byDate)) for (const c of Object.keys(e.activities)) present.add(c);
  if (week) for (const [c, a] of Object.entries(week.activities || {})) if (a.n) present.add(c);
  const codes = D.CODES.filter((c) => present.has(c));

  // The client's own cells open that day's diary (today's form edits any past day); a
  // clinician's are not links: they read, never write, the diary.
  const today = D.today();
  const opens = (d) => own && d <= today;
  const cellBody = (d, ...children) => (opens(d)
    ? h("a", { class: "cell-link", href: `#/today?date=${d}` }, ...children)
    : children);

  const table = h("table", { class: "weekgrid" },
    h("caption", { text: t("history.week.caption", { from: D.longDate(start), to: D.longDate(end) }) }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("history.week.anchor") }),
      days.map((d) => h("th", { scope: "col" }, h("abbr", { title: D.longDate(d), text: formatDate(d, { weekday: "narrow" }) }),
        h("span", { class: "daynum", text: String(D.fromIso(d).getDate()) }))))));
  const tbody = h("tbody");
  for (const code of codes) {
    const row = h("tr", {}, h("th", { scope: "row", class: "anchor-name" }, h("span", { "aria-hidden": "true", text: D.shortLabel(code) }), h("span", { class: "sr-only", text: D.label(code) })));
    for (const d of days) {
      const a = diary.byDate[d]?.activities?.[code];
      if (!a) {
        row.append(h("td", { class: "empty" }, cellBody(d, h("span", { "aria-hidden": "true", text: "·" }),
          h("span", { class: "sr-only", text: t(opens(d) ? "history.week.notLoggedOpen" : "history.week.notLogged", { date: D.longDate(d) }) }))));
        continue;
      }
      const u = usualBy[d]?.[code] || null;
      const dev = u ? deviation(a.minutes, u.minutes) : null;
      const off = dev !== null && Math.abs(dev) > threshold;
      const late = a.minutes >= 1440;
      const said = [late ? t("history.week.afterMidnight") : "",
        u ? t("history.week.usualSaid", { time: u.time, basis: basisWord(u.basis), dev: devWords(dev) }) : t("history.week.noUsual"),
        off ? t("history.week.offSaid", { threshold }) : "",
        opens(d) ? t("history.week.opens", { date: D.longDate(d) }) : ""].filter(Boolean);
      const title = [timeText(code, a.time), u ? t("history.week.usualTitle", { time: u.time, basis: basisWord(u.basis) }) : null].filter(Boolean).join(" · ");
      row.append(h("td", { class: off ? "cell off-usual" : "cell", title },
        cellBody(d,
          h("span", { class: "t", text: a.time }),
          late ? h("span", { class: "plus", "aria-hidden": "true", text: t("history.week.plus") }) : null,
          h("span", { class: "dev", "aria-hidden": "true", text: dev === null ? "–" : signed(dev) }),
          h("span", { class: "sr-only", text: `, ${said.join(", ")}` }))));
    }
    tbody.append(row);
  }
  const moodRow = h("tr", { class: "mood-row" }, h("th", { scope: "row", class: "anchor-name", text: t("history.week.mood") }));
  for (const d of days) {
    const m = diary.byDate[d]?.mood;
    const mood = m === null || m === undefined ? null : m;
    moodRow.append(h("td", { class: `mood-cell ${mood === null ? "empty" : mood > 1 ? "mood-high" : mood < -1 ? "mood-low" : "mood-mid"}` },
      cellBody(d, h("span", { "aria-hidden": "true", text: mood === null ? "·" : `${mood > 0 ? "+" : ""}${mood}` }),
        h("span", { class: "sr-only", text: D.moodText(mood) }))));
  }
  tbody.append(moodRow);
  if (!ctx.base) {
    const stateRow = h("tr", { class: "state-row" }, h("th", { scope: "row", class: "anchor-name", text: t("history.week.sync") }));
    const marks = { pending: "⟳", conflict: "!", auth: "🔒", invalid: "✕", synced: "✓" };
    for (const d of days) {
      const st = diary.states[d];
      stateRow.append(h("td", { class: `state-${st || "none"}` },
        h("span", { "aria-hidden": "true", text: st ? marks[st] : "" }),
        h("span", { class: "sr-only", text: st ? stateWord(st) : t("history.week.noEntry") })));
    }
    tbody.append(stateRow);
  }
  table.append(tbody);
  const wrap = scrollBox(t("history.week.gridLabel"), table);
  wrap.classList.add("weekgrid-wrap");
  body.append(wrap,
    h("p", { class: "usual-sentence", text: gridUsualText(own, baselineDays) }),
    h("p", { class: "legend" },
      own ? h("span", { class: "key", text: t("history.week.keyOpen") }) : null, own ? " " : null,
      h("span", { class: "key", text: t("history.week.keyDev") }), " ",
      h("span", { class: "key off-usual", text: t("history.week.keyOff", { threshold }) }), " ",
      h("span", { class: "key", text: t("history.week.keyPlus", { example: timeText("to_bed", "00:40") }) })));
  const offline = diary.offline && !ctx.base;
  if (offline) body.append(h("p", { class: "notice notice-info", text: t("history.week.offline") }));
  else if (usual.error) body.append(h("p", { class: "notice notice-info", text: t("history.week.noUsualError", { error: usual.error }) }));

  const list = h("dl", { class: "usual" });
  for (const code of codes) {
    const a = week?.activities?.[code];
    const kinds = usualKinds(code, days.map((d) => usualBy[d]?.[code]).filter(Boolean));
    if (!kinds && !a) continue;
    const srm = !a ? null : a.habitual ? t("history.week.srmHabitual", { time: timeText(code, a.habitual.time), hits: a.hits, n: a.n })
      : a.n ? t("history.week.srmTooFew", { count: a.n }) : null;
    const target = a?.target ? t("history.week.target", { time: timeText(code, a.target.time), hits: a.target_hits ?? 0 }) : null;
    list.append(h("dt", { text: D.label(code) }),
      h("dd", {}, h("span", { class: "usual-times", text: kinds ? t("history.week.usualList", { kinds }) : t("history.week.usualNone") }),
        srm || target ? h("span", { class: "srm-times", text: [srm, target].filter(Boolean).join(" · ") }) : null));
  }
  if (list.childElementCount) {
    body.append(h("section", { class: "card", "aria-labelledby": "usual-h" },
      h("h3", { id: "usual-h", class: "section-title", text: t("history.week.usualHeading") }), list));
  }
  // Offline, the client's own life events come from the copy kept with the events screen.
  let lifeEvents = events.data?.events || [];
  let eventsError = events.error;
  if (events.error && own) {
    const kept = await import("../event_outbox.js").then((m) => m.cachedList()).catch(() => null);
    if (kept) {
      lifeEvents = kept.events.filter((e) => e.start <= end && e.end >= start);
      eventsError = null;
    }
  }
  body.append(weekNotes({ days, byDate: diary.byDate, events: lifeEvents, eventsError, own }));
}

const fmt = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));
const stateWord = (s) => (["pending", "synced", "conflict", "auth", "invalid"].includes(s) ? t(`history.week.state.${s}`) : s);

function stat(name, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value", text: value }), h("span", { class: "stat-name", text: name }),
    hint ? h("span", { class: "stat-hint", text: hint }) : null);
}

/** Signed minutes from `reference`, across midnight the short way (the API's unwrap_near). */
function deviation(minutes, reference) {
  return minutes + 1440 * Math.round((reference - minutes) / 1440) - reference;
}
const signed = (m) => (Math.round(m) === 0 ? "0" : `${m > 0 ? "+" : "−"}${Math.abs(Math.round(m))}`);
const devWords = (m) => (Math.round(m) === 0 ? t("history.week.onIt")
  : t(m > 0 ? "history.week.later" : "history.week.earlier", { count: Math.abs(Math.round(m)) }));
const BASES = ["target", "habitual_work", "habitual_free"];
const basisWord = (b) => (BASES.includes(b) ? t(`history.week.basis.${b}`) : b);

/** "07:00 work days · 09:30 free days" or "07:30 target": the week's usual times by kind. */
function usualKinds(code, found) {
  if (!found.length) return null;
  const order = ["habitual_work", "habitual_free", "target"];
  return order.filter((b) => found.some((u) => u.basis === b)).map((b) => {
    const mins = found.filter((u) => u.basis === b).map((u) => u.minutes);
    const lo = Math.min(...mins), hi = Math.max(...mins);
    const at = (m) => timeText(code, found.find((u) => u.basis === b && u.minutes === m).time);
    return t(`history.week.kinds.${b}`, { times: Math.round(lo) === Math.round(hi) ? at(lo) : `${at(lo)}–${at(hi)}` });
  }).join(" · ");
}
