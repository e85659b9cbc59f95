// The week grid in the SRM worksheet's shape: anchors × 7 days, each cell the time and how far it
// is from the usual time, the flags' own baseline (GET /usual, docs/science.md §3.1), marked
// beyond the flags' shift threshold; a mood row, the week's scores (the SRM keeps its own
// habitual time and hits, as the instrument defines them), and the week's notes, people and
// life events.
import { h, errorBox, loading } from "../ui.js";
import * as D from "../diary.js";
import { entries, json } from "../data.js";
import { weekNotes } from "./weeknotes.js";
import { scrollBox } from "./evidence.js";

/** Which baseline the grid's "usual" is, in one sentence. */
export function gridUsualText(own, baselineDays = 28) {
  const span = baselineDays % 7 === 0 ? `${baselineDays / 7}-week` : `${baselineDays}-day`;
  return `Usual = ${own ? "your" : "their"} ${span} habitual time for that kind of day (work day or free day), or the target agreed in therapy where one is set.`;
}

export async function render(main, ctx, params) {
  const start = D.monday(params.get("start") || D.today());
  const end = D.addDays(start, 6);
  const days = [...Array(7)].map((_, i) => D.addDays(start, i));
  const link = (s) => `${ctx.routeBase}/week?start=${s}`;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: `Week of ${D.dayMonth(start)}` });
  const nextDisabled = D.addDays(start, 7) > D.today();
  const pager = h("nav", { class: "row between pager", "aria-label": "Weeks" },
    h("a", { class: "btn btn-quiet", href: link(D.addDays(start, -7)), text: "← Previous", "aria-label": "Previous week" }),
    nextDisabled ? h("span") : h("a", { class: "btn btn-quiet", href: link(D.addDays(start, 7)), text: "Next →", "aria-label": "Next week" }));
  const body = h("div", {}, loading());
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
      stat("SRM", fmt(week.srm), `Regularity of ${own ? "your" : "their"} anchors, 0–7`),
      stat("SRM-5", fmt(week.srm5), "The five core anchors, 0–7"),
      stat("Days logged", `${week.days_logged}/7`, null),
      stat("Activities", String(week.ali), "Activity level (ALI)")));
    body.append(h("p", { class: "hint srm-note", text: `The SRM (Social Rhythm Metric) is a published scale with its own definition: its hits are times within ${window} minutes of the week's own habitual time, not of the usual time below.` }));
    if (week.zone_changed) body.append(h("p", { class: "notice notice-info", text: `Time zone changed this week (${week.zones.join(", ")}).` }));
  } else if (scores.error) {
    body.append(h("p", { class: "notice notice-info", text: `Scores are not available: ${scores.error}` }));
  }

  const tracked = ctx.base ? [] : ctx.user.tracked_activities || D.DEFAULT_TRACKED;
  const present = new Set(tracked);
  for (const e of Object.values(diary.byDate)) for (const c of Object.keys(e.activities)) present.add(c);
  if (week) for (const [c, a] of Object.entries(week.activities || {})) if (a.n) present.add(c);
  const codes = D.CODES.filter((c) => present.has(c));

  const table = h("table", { class: "weekgrid" },
    h("caption", { text: `Anchor times, ${D.longDate(start)} to ${D.longDate(end)}` }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Anchor" }),
      days.map((d) => h("th", { scope: "col" }, h("abbr", { title: D.longDate(d), text: D.fromIso(d).toLocaleDateString("en-GB", { weekday: "narrow" }) }),
        h("span", { class: "daynum", text: String(D.fromIso(d).getDate()) }))))));
  const tbody = h("tbody");
  for (const code of codes) {
    const row = h("tr", {}, h("th", { scope: "row" }, h("span", { "aria-hidden": "true", text: D.shortLabel(code) }), h("span", { class: "sr-only", text: D.label(code) })));
    for (const d of days) {
      const a = diary.byDate[d]?.activities?.[code];
      if (!a) {
        row.append(h("td", { class: "empty" }, h("span", { "aria-hidden": "true", text: "·" }), h("span", { class: "sr-only", text: "not logged" })));
        continue;
      }
      const u = usualBy[d]?.[code] || null;
      const dev = u ? deviation(a.minutes, u.minutes) : null;
      const off = dev !== null && Math.abs(dev) > threshold;
      const said = [a.minutes >= 1440 ? "after midnight" : "",
        u ? `usual ${u.time} (${basisWord(u.basis)}), ${devWords(dev)}` : "no usual time yet",
        off ? `more than ${threshold} minutes from usual` : ""].filter(Boolean);
      row.append(h("td", { class: off ? "cell off-usual" : "cell", title: u ? `Usual ${u.time} (${basisWord(u.basis)})` : null },
        h("span", { class: "t", text: a.time }),
        a.minutes >= 1440 ? h("span", { class: "plus", "aria-hidden": "true", text: "(+1)" }) : null,
        h("span", { class: "dev", "aria-hidden": "true", text: dev === null ? "–" : signed(dev) }),
        h("span", { class: "sr-only", text: `, ${said.join(", ")}` })));
    }
    tbody.append(row);
  }
  const moodRow = h("tr", { class: "mood-row" }, h("th", { scope: "row", text: "Mood" }));
  for (const d of days) {
    const m = diary.byDate[d]?.mood;
    const mood = m === null || m === undefined ? null : m;
    moodRow.append(h("td", { class: `mood-cell ${mood === null ? "empty" : mood > 1 ? "mood-high" : mood < -1 ? "mood-low" : "mood-mid"}` },
      h("span", { "aria-hidden": "true", text: mood === null ? "·" : `${mood > 0 ? "+" : ""}${mood}` }),
      h("span", { class: "sr-only", text: D.moodText(mood) })));
  }
  tbody.append(moodRow);
  if (!ctx.base) {
    const stateRow = h("tr", { class: "state-row" }, h("th", { scope: "row", text: "Sync" }));
    const marks = { pending: "⟳", conflict: "!", auth: "🔒", invalid: "✕", synced: "✓" };
    for (const d of days) {
      const st = diary.states[d];
      stateRow.append(h("td", { class: `state-${st || "none"}` },
        h("span", { "aria-hidden": "true", text: st ? marks[st] : "" }),
        h("span", { class: "sr-only", text: st ? stateWord(st) : "no entry" })));
    }
    tbody.append(stateRow);
  }
  table.append(tbody);
  const wrap = scrollBox("Anchor times this week", table);
  wrap.classList.add("weekgrid-wrap");
  body.append(wrap,
    h("p", { class: "usual-sentence", text: gridUsualText(own, baselineDays) }),
    h("p", { class: "legend" },
      h("span", { class: "key", text: "Under each time: minutes from usual (+ later)." }), " ",
      h("span", { class: "key off-usual", text: `Bold, amber edge: more than ${threshold} min from usual (the flags' threshold for a shifted getting-up or bedtime).` }), " ",
      h("span", { class: "key", text: "(+1) after midnight" })));
  const offline = diary.offline && !ctx.base;
  if (offline) body.append(h("p", { class: "notice notice-info", text: "Offline: showing what is on this device. Scores and usual times need a connection." }));
  else if (usual.error) body.append(h("p", { class: "notice notice-info", text: `Usual times are not available: ${usual.error}` }));

  const list = h("dl", { class: "usual" });
  for (const code of codes) {
    const a = week?.activities?.[code];
    const kinds = usualKinds(days.map((d) => usualBy[d]?.[code]).filter(Boolean));
    if (!kinds && !a) continue;
    const srm = !a ? null : a.habitual ? `SRM: habitual ${a.habitual.time}, ${a.hits}/${a.n} near it` : a.n ? `SRM: ${a.n} day${a.n === 1 ? "" : "s"}, too few to score` : null;
    const target = a?.target ? `target ${a.target.time} (${a.target_hits ?? 0} near)` : null;
    list.append(h("dt", { text: D.label(code) }),
      h("dd", {}, h("span", { class: "usual-times", text: kinds ? `Usual: ${kinds}` : "Usual: not enough history yet" }),
        srm || target ? h("span", { class: "srm-times", text: [srm, target].filter(Boolean).join(" · ") }) : null));
  }
  if (list.childElementCount) {
    body.append(h("section", { class: "card", "aria-labelledby": "usual-h" },
      h("h3", { id: "usual-h", class: "section-title", text: "Usual times, and the SRM's habitual times" }), list));
  }
  body.append(weekNotes({ days, byDate: diary.byDate, events: events.data?.events || [], eventsError: events.error, own }));
}

const fmt = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));
const stateWord = (s) => ({ pending: "saved on this device", synced: "synced", conflict: "conflict", auth: "needs sign-in", invalid: "invalid" })[s] || s;

function stat(name, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value", text: value }), h("span", { class: "stat-name", text: name }),
    hint ? h("span", { class: "stat-hint", text: hint }) : null);
}

/** Signed minutes from `reference`, across midnight the short way (the API's unwrap_near). */
function deviation(minutes, reference) {
  return minutes + 1440 * Math.round((reference - minutes) / 1440) - reference;
}
const signed = (m) => (Math.round(m) === 0 ? "0" : `${m > 0 ? "+" : "−"}${Math.abs(Math.round(m))}`);
const devWords = (m) => (Math.round(m) === 0 ? "on it" : `${Math.abs(Math.round(m))} minutes ${m > 0 ? "later" : "earlier"}`);
const basisWord = (b) => ({ target: "target", habitual_work: "work day", habitual_free: "free day" })[b] || b;

/** "07:00 work days · 09:30 free days" or "07:30 target": the week's usual times by kind. */
function usualKinds(found) {
  if (!found.length) return null;
  const order = ["habitual_work", "habitual_free", "target"];
  const names = { habitual_work: "work days", habitual_free: "free days", target: "target" };
  return order.filter((b) => found.some((u) => u.basis === b)).map((b) => {
    const mins = found.filter((u) => u.basis === b).map((u) => u.minutes);
    const lo = Math.min(...mins), hi = Math.max(...mins);
    const at = (m) => found.find((u) => u.basis === b && u.minutes === m).time;
    return `${Math.round(lo) === Math.round(hi) ? at(lo) : `${at(lo)}–${at(hi)}`} ${names[b]}`;
  }).join(" · ");
}
