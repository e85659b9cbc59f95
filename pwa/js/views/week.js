// The week grid in the SRM worksheet's shape: anchors × 7 days, times in the cells, hits against
// the week's habitual time (the SRM's own) and target times marked, a mood row, the week's scores,
// and the notes, people and life events of the week. "Usual" is kept for the flags' baseline
// (evidence.js usualText), and the page says which is which.
import { h, errorBox, loading } from "../ui.js";
import * as D from "../diary.js";
import { entries, json } from "../data.js";
import { weekNotes } from "./weeknotes.js";
import { usualText } from "./evidence.js";

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
  const [diary, scores, targets, events] = await Promise.all([
    entries(ctx.base, start, end),
    json(`${ctx.base}/scores/weekly?from=${start}&to=${end}`),
    json(`${ctx.base}/targets`),
    json(`${ctx.base}/events?from=${start}&to=${end}`),
  ]);
  body.replaceChildren();
  if (diary.error) return body.append(errorBox(diary.error));
  const week = scores.data?.scores?.find((w) => w.start === start) || null;
  const window = week?.settings?.window ?? 45;
  const targetTimes = targets.data?.targets || {};

  if (week) {
    body.append(h("div", { class: "stats" },
      stat("SRM", fmt(week.srm), `Regularity of ${own ? "your" : "their"} anchors, 0–7`),
      stat("SRM-5", fmt(week.srm5), "The five core anchors, 0–7"),
      stat("Days logged", `${week.days_logged}/7`, null),
      stat("Activities", String(week.ali), "Activity level (ALI)")));
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
    const stats = week?.activities?.[code];
    const habitual = stats?.habitual?.minutes ?? null;
    const target = stats?.target?.minutes ?? minutesOfTarget(code, targetTimes[code]);
    const row = h("tr", {}, h("th", { scope: "row" }, h("span", { "aria-hidden": "true", text: D.shortLabel(code) }), h("span", { class: "sr-only", text: D.label(code) })));
    for (const d of days) {
      const a = diary.byDate[d]?.activities?.[code];
      if (!a) {
        row.append(h("td", { class: "empty" }, h("span", { "aria-hidden": "true", text: "·" }), h("span", { class: "sr-only", text: "not logged" })));
        continue;
      }
      const hit = habitual !== null && stats?.scored && Math.abs(a.minutes - habitual) <= window;
      const onTarget = target !== null && target !== undefined && Math.abs(a.minutes - target) <= window;
      const cls = ["cell", hit ? "hit" : "", onTarget ? "on-target" : ""].join(" ").trim();
      const notes = [hit ? "near usual time" : "", onTarget ? "near target" : "", a.minutes >= 1440 ? "after midnight" : ""].filter(Boolean);
      row.append(h("td", { class: cls },
        h("span", { class: "t", text: a.time }),
        a.minutes >= 1440 ? h("sup", { class: "plus", "aria-hidden": "true", text: "+1" }) : null,
        h("span", { class: "marks", "aria-hidden": "true", text: `${hit ? "●" : ""}${onTarget ? "◆" : ""}` }),
        notes.length ? h("span", { class: "sr-only", text: `, ${notes.join(", ")}` }) : null));
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
  body.append(h("div", { class: "table-wrap" }, table),
    h("p", { class: "legend" },
      h("span", { class: "key hit", text: `● near ${own ? "your" : "their"} habitual time this week (an SRM hit)` }), " ",
      h("span", { class: "key on-target", text: `◆ near ${own ? "your" : "their"} target` }), " ",
      h("span", { class: "key", text: "+1 after midnight" })),
    h("p", { class: "hint", text: `“Near” = within ${window} minutes. Habitual here = the SRM's: the mean of this week's own times. Flags compare with the usual time instead. ${usualText(own)}` }));
  if (diary.offline && !ctx.base) body.append(h("p", { class: "notice notice-info", text: "Offline: showing what is on this device. Scores need a connection." }));

  if (week) {
    const list = h("dl", { class: "usual" });
    for (const code of codes) {
      const a = week.activities?.[code];
      if (!a) continue;
      list.append(h("dt", { text: D.label(code) }),
        h("dd", {}, a.habitual ? `habitual ${a.habitual.time} · ${a.hits}/${a.n} near it` : a.n ? `${a.n} day${a.n === 1 ? "" : "s"} – too few to score` : "not done",
          a.target ? ` · target ${a.target.time} (${a.target_hits ?? 0} near)` : ""));
    }
    body.append(h("section", { class: "card", "aria-labelledby": "usual-h" },
      h("h3", { id: "usual-h", class: "section-title", text: "This week's habitual and target times" }), list));
  }
  body.append(weekNotes({ days, byDate: diary.byDate, events: events.data?.events || [], eventsError: events.error, own }));
}

const fmt = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));
const stateWord = (s) => ({ pending: "saved on this device", synced: "synced", conflict: "conflict", auth: "needs sign-in", invalid: "invalid" })[s] || s;

function stat(name, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value", text: value }), h("span", { class: "stat-name", text: name }),
    hint ? h("span", { class: "stat-hint", text: hint }) : null);
}

function minutesOfTarget(code, target) {
  if (!target) return null;
  if (target.minutes !== undefined) return target.minutes;
  return D.diaryMinutes(code, target);
}
