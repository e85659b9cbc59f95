// Trends: weekly SRM, daily mood and anchor times, with life events marked on the timeline,
// and questionnaire totals on their severity bands (./scales.js).
import { h, loading, errorBox } from "../ui.js";
import * as D from "../diary.js";
import { lineChart } from "../charts.js";
import { entries, json } from "../data.js";
import { trendsSection } from "./scales.js";

const EVENT_WORDS = {
  travel: "Travel", shift_change: "Shift change", illness: "Illness", loss: "Loss",
  role_dispute: "Dispute", role_transition: "Life change", isolation: "Isolation", other: "Other event",
};
export const eventWord = (kind) => EVENT_WORDS[kind] || kind.replace(/_/g, " ");

export async function render(main, ctx) {
  const end = D.today();
  const firstMonday = D.addDays(D.monday(end), -7 * 11);
  const from = D.addDays(end, -55);
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Trends" }));
  const body = h("div", {}, loading());
  main.append(body);
  const scales = trendsSection(ctx.base).catch((error) => errorBox(`Questionnaire scores are not available: ${error.message}`));
  const [scores, diary, events] = await Promise.all([
    json(`${ctx.base}/scores/weekly?from=${firstMonday}&to=${end}`),
    entries(ctx.base, from, end),
    json(`${ctx.base}/events?from=${firstMonday}&to=${end}`),
  ]);
  body.replaceChildren();
  const lifeEvents = events.data?.events || [];

  // Weekly SRM
  const weeks = scores.data?.scores || [];
  if (weeks.length) {
    const pts = weeks.map((w, i) => ({ x: i, y: w.srm, title: `Week of ${D.dayMonth(w.start)}: SRM ${w.srm ?? "not scored"}` }));
    const pts5 = weeks.map((w, i) => ({ x: i, y: w.srm5, title: `Week of ${D.dayMonth(w.start)}: SRM-5 ${w.srm5 ?? "not scored"}` }));
    const xLabels = weeks.map((w, i) => [i, D.dayMonth(w.start)]).filter((_, i) => i % 3 === weeks.length % 3 || i === weeks.length - 1).slice(-5);
    const bands = eventBands(lifeEvents, (d) => weekIndex(weeks, d));
    const chart = lineChart(null, weeks.length, {
      yMin: 0, yMax: 7, yTicks: [[0, "0"], [3.5, "3.5"], [7, "7"]], xLabels, bands,
      series: [{ points: pts, cls: "line-a" }, { points: pts5, cls: "line-b" }],
      label: `Weekly SRM over ${weeks.length} weeks. ${summary(weeks.map((w) => w.srm))}`,
    });
    body.append(figure("Routine regularity (SRM), by week", chart,
      [h("span", { class: "key line-a", text: `— SRM (${ctx.base ? "their" : "your"} anchors)` }), h("span", { class: "key line-b", text: "— SRM-5" }), lifeEvents.length ? h("span", { class: "key band-key", text: "▮ life event" }) : null],
      table(["Week", "SRM", "SRM-5", "Days"], weeks.map((w) => [D.dayMonth(w.start), w.srm ?? "–", w.srm5 ?? "–", `${w.days_logged}/7`]))));
  } else {
    body.append(h("p", { class: "notice notice-info", text: scores.error ? `Scores are not available: ${scores.error}` : "No weekly scores yet." }));
  }

  // Daily mood and anchor times (from the diary, works offline for your own data)
  const days = [];
  for (let d = from; d <= end; d = D.addDays(d, 1)) days.push(d);
  const dayBands = eventBands(lifeEvents, (d) => days.indexOf(d));
  const xLabels = days.map((d, i) => [i, D.dayMonth(d)]).filter((_, i) => i % 14 === 6);
  if (diary.error) body.append(errorBox(diary.error));
  const moods = days.map((d, i) => ({ x: i, y: diary.byDate[d]?.mood ?? null, title: `${D.shortDate(d)}: mood ${D.moodText(diary.byDate[d]?.mood ?? null)}` }));
  body.append(figure("Mood, by day", lineChart(moods, days.length, {
    yMin: -5, yMax: 5, yTicks: [[-5, "−5"], [0, "0"], [5, "+5"]], xLabels, bands: dayBands, cls: "line-mood",
    label: `Daily mood over 8 weeks, from −5 very depressed to +5 very elated. ${summary(moods.map((p) => p.y))}`,
  }), [h("span", { class: "key", text: "−5 very depressed · 0 normal · +5 very elated" })],
  table(["Day", "Mood"], days.filter((d) => diary.byDate[d]).map((d) => [D.shortDate(d), D.moodText(diary.byDate[d].mood)]))));

  const hours = (code) => days.map((d, i) => {
    const a = diary.byDate[d]?.activities?.[code];
    return { x: i, y: a ? a.minutes / 60 : null, title: a ? `${D.shortDate(d)}: ${D.label(code)} ${a.time}${a.minutes >= 1440 ? " (after midnight)" : ""}` : null };
  });
  const up = hours("out_of_bed"), bed = hours("to_bed");
  body.append(figure("Getting up and going to bed", lineChart(null, days.length, {
    yMin: 4, yMax: 28, height: 200,
    yTicks: [[6, "06:00"], [12, "12:00"], [18, "18:00"], [24, "00:00"]],
    xLabels, bands: dayBands,
    series: [{ points: up, cls: "line-a" }, { points: bed, cls: "line-c" }],
    label: "Times of getting up and going to bed over 8 weeks; bedtimes after midnight are drawn above 00:00.",
  }), [h("span", { class: "key line-a", text: "● out of bed" }), h("span", { class: "key line-c", text: "● to bed" })],
  table(["Day", "Out of bed", "To bed"], days.filter((d) => diary.byDate[d]).map((d) => [D.shortDate(d),
    diary.byDate[d].activities.out_of_bed?.time || "–", diary.byDate[d].activities.to_bed?.time || "–"]))));

  body.append(await scales);

  const list = h("ul", { class: "events" });
  for (const e of lifeEvents) {
    list.append(h("li", {}, h("strong", { text: eventWord(e.kind) }),
      ` ${D.dayMonth(e.start)}${e.end !== e.start ? ` – ${D.dayMonth(e.end)}` : ""}`,
      ` · disruption ${["none", "mild", "moderate", "severe"][e.disruption] ?? e.disruption}`,
      e.note ? h("span", { class: "muted", text: ` · ${e.note}` }) : null));
  }
  body.append(h("section", { class: "card", "aria-labelledby": "events-h" },
    h("h3", { id: "events-h", class: "section-title", text: "Life events" }),
    lifeEvents.length ? list : h("p", { class: "muted", text: events.error ? `Not available: ${events.error}` : "No life events in these weeks." })));
}

function weekIndex(weeks, date) {
  return weeks.findIndex((w) => w.start <= date && date <= w.end);
}

function eventBands(events, indexOf) {
  const bands = [];
  for (const e of events) {
    let lo = indexOf(e.start), hi = indexOf(e.end);
    if (lo < 0 && hi < 0) continue;
    if (lo < 0) lo = 0;
    if (hi < 0) hi = lo;
    bands.push([lo, hi, `${eventWord(e.kind)} ${e.start} to ${e.end}`]);
  }
  return bands;
}

function summary(values) {
  const v = values.filter((x) => x !== null && x !== undefined);
  if (!v.length) return "No values yet.";
  return `Latest ${v[v.length - 1]}, lowest ${Math.min(...v)}, highest ${Math.max(...v)}.`;
}

function figure(title, chart, keys, details) {
  return h("figure", { class: "card chart-card" },
    h("figcaption", { class: "section-title", text: title }),
    chart,
    h("p", { class: "legend" }, keys.filter(Boolean).flatMap((k) => [k, " "])),
    details);
}

function table(head, rows) {
  return h("details", {}, h("summary", { text: "Show as a table" }),
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => (i ? h("td", { text: String(c) }) : h("th", { scope: "row", text: String(c) })))))))));
}
