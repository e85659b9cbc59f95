// Trends: weekly SRM, daily mood and anchor times, with life events marked on the timeline,
// and questionnaire totals on their severity bands (./scales.js). A chart with nothing to draw
// says what it needs instead of showing empty axes.
import { h, loading, errorBox } from "../ui.js";
import * as D from "../diary.js";
import { lineChart } from "../charts.js";
import { entries, json } from "../data.js";
import { t } from "../i18n.js";
import { trendsSection } from "./scales.js";
import { kindWord, disruptionWord, eventDays } from "./events.js";
import { timeText } from "./week.js";

/** An event's kind in words (flags.js and report.js name events with it too). */
export const eventWord = kindWord;

// Tick text at 16 viewBox units: 12 px or more once the chart is scaled to a 320 px phone.
const TICK = 16;
const present = (v) => v !== null && v !== undefined;

export async function render(main, ctx) {
  const own = !ctx.base;
  const end = D.today();
  const firstMonday = D.addDays(D.monday(end), -7 * 11);
  const from = D.addDays(end, -55);
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("history.trends.title") }));
  const body = h("div", {}, loading(t("history.loading")));
  main.append(body);
  const scales = trendsSection(ctx.base).catch((error) => errorBox(t("history.trends.scalesError", { error: error.message })));
  const [scores, diary, events] = await Promise.all([
    json(`${ctx.base}/scores/weekly?from=${firstMonday}&to=${end}`),
    entries(ctx.base, from, end),
    json(`${ctx.base}/events?from=${firstMonday}&to=${end}`),
  ]);
  body.replaceChildren();
  let lifeEvents = events.data?.events || [];
  let eventsError = events.error;
  if (events.error && own) {
    // Offline: the client's own events as kept by the life events screen.
    const kept = await import("../event_outbox.js").then((m) => m.cachedList()).catch(() => null);
    if (kept) {
      lifeEvents = kept.events.filter((e) => e.start <= end && e.end >= firstMonday);
      eventsError = null;
    }
  }

  // Weekly SRM, with what it is, visible on any screen (a tap opens it; no hover needed).
  const weeks = scores.data?.scores || [];
  const srmTitle = t("history.trends.srmTitle");
  const srmExplained = h("details", { class: "srm-explain" },
    h("summary", { text: t("history.trends.srmWhat") }),
    h("p", { text: t("history.trends.srmExplain1") }),
    h("p", { text: t("history.trends.srmExplain2", { window: weeks[0]?.settings?.window ?? 45 }) }));
  if (weeks.some((w) => present(w.srm) || present(w.srm5))) {
    const weekOf = (w) => D.dayMonth(w.start);
    const notScored = t("history.trends.notScored");
    const pts = weeks.map((w, i) => ({ x: i, y: w.srm, title: t("history.trends.srmPoint", { week: weekOf(w), name: "SRM", value: w.srm ?? notScored }) }));
    const pts5 = weeks.map((w, i) => ({ x: i, y: w.srm5, title: t("history.trends.srmPoint", { week: weekOf(w), name: "SRM-5", value: w.srm5 ?? notScored }) }));
    const xLabels = weeks.map((w, i) => [i, weekOf(w)]).filter((_, i) => (weeks.length - 1 - i) % 3 === 0);
    const bands = eventBands(lifeEvents, (d) => weekIndex(weeks, d));
    const chart = lineChart(null, weeks.length, {
      yMin: 0, yMax: 7, yTicks: [[0, "0"], [3.5, "3.5"], [7, "7"]], xLabels, bands, tickSize: TICK,
      series: [{ points: pts, cls: "line-a" }, { points: pts5, cls: "line-b" }],
      label: t("history.trends.srmLabel", { count: weeks.length, summary: summary(weeks.map((w) => w.srm)) }),
    });
    body.append(figure(srmTitle, chart,
      [h("span", { class: "key line-a", text: t(own ? "history.trends.keySrmOwn" : "history.trends.keySrmTheir") }), h("span", { class: "key line-b", text: t("history.trends.keySrm5") }),
        lifeEvents.length ? h("span", { class: "key band-key", text: t("history.trends.keyEvent") }) : null],
      [srmExplained, table([t("history.trends.colWeek"), "SRM", "SRM-5", t("history.trends.colDays")],
        weeks.map((w) => [weekOf(w), w.srm ?? "–", w.srm5 ?? "–", `${w.days_logged}/7`]))]));
  } else {
    body.append(figure(srmTitle, empty(scores.error ? t("history.trends.noScores", { error: scores.error }) : t("history.trends.srmEmpty")), [], [srmExplained]));
  }

  // Daily mood and anchor times (from the diary, works offline for your own data)
  const days = [];
  for (let d = from; d <= end; d = D.addDays(d, 1)) days.push(d);
  const dayBands = eventBands(lifeEvents, (d) => days.indexOf(d));
  const xLabels = days.map((d, i) => [i, D.dayMonth(d)]).filter((_, i) => (days.length - 1 - i) % 14 === 0);
  if (diary.error) body.append(errorBox(diary.error));
  const moods = days.map((d, i) => ({ x: i, y: diary.byDate[d]?.mood ?? null, title: t("history.trends.moodPoint", { day: D.shortDate(d), mood: D.moodText(diary.byDate[d]?.mood ?? null) }) }));
  const moodTitle = t("history.trends.moodTitle");
  if (moods.some((p) => present(p.y))) {
    body.append(figure(moodTitle, lineChart(moods, days.length, {
      yMin: -5, yMax: 5, yTicks: [[-5, "−5"], [0, "0"], [5, "+5"]], xLabels, bands: dayBands, cls: "line-mood", tickSize: TICK,
      label: t("history.trends.moodLabel", { summary: summary(moods.map((p) => p.y)) }),
    }), [h("span", { class: "key", text: t("history.trends.keyMood") })],
    table([t("history.trends.colDay"), t("history.trends.colMood")], days.filter((d) => diary.byDate[d]).map((d) => [D.shortDate(d), D.moodText(diary.byDate[d].mood)]))));
  } else {
    body.append(figure(moodTitle, empty(t("history.trends.moodEmpty")), [], null));
  }

  const hours = (code) => days.map((d, i) => {
    const a = diary.byDate[d]?.activities?.[code];
    return { x: i, y: a ? a.minutes / 60 : null, title: a ? `${D.shortDate(d)}: ${D.label(code)} ${timeText(code, a.time)}` : null };
  });
  const up = hours("out_of_bed"), bed = hours("to_bed");
  const timesTitle = t("history.trends.timesTitle");
  if ([...up, ...bed].some((p) => present(p.y))) {
    body.append(figure(timesTitle, lineChart(null, days.length, {
      yMin: 4, yMax: 28, height: 200, tickSize: TICK,
      yTicks: [[6, "06:00"], [12, "12:00"], [18, "18:00"], [24, "00:00"]],
      xLabels, bands: dayBands,
      series: [{ points: up, cls: "line-a" }, { points: bed, cls: "line-c" }],
      label: t("history.trends.timesLabel"),
    }), [h("span", { class: "key line-a", text: t("history.trends.keyUp") }), h("span", { class: "key line-c", text: t("history.trends.keyBed") })],
    table([t("history.trends.colDay"), D.label("out_of_bed"), D.label("to_bed")], days.filter((d) => diary.byDate[d]).map((d) => [D.shortDate(d),
      diary.byDate[d].activities.out_of_bed ? timeText("out_of_bed", diary.byDate[d].activities.out_of_bed.time) : "–",
      diary.byDate[d].activities.to_bed ? timeText("to_bed", diary.byDate[d].activities.to_bed.time) : "–"]))));
  } else {
    body.append(figure(timesTitle, empty(t("history.trends.timesEmpty")), [], null));
  }

  body.append(await scales);

  const list = h("ul", { class: "events" });
  for (const e of lifeEvents) {
    list.append(h("li", {}, h("strong", { text: kindWord(e.kind) }),
      ` ${eventDays(e)} · ${disruptionWord(e.disruption).toLowerCase()}`,
      e.note ? h("span", { class: "muted", text: ` · ${e.note}` }) : null));
  }
  body.append(h("section", { class: "card", "aria-labelledby": "events-h" },
    h("h3", { id: "events-h", class: "section-title", text: t("history.events.title") }),
    lifeEvents.length ? list : h("p", { class: "muted", text: eventsError ? t("history.notes.eventsError", { error: eventsError }) : t("history.trends.eventsNone") }),
    own ? h("p", {}, h("a", { href: "#/events", text: t("history.notes.eventsLink") })) : null));
}

/** In place of a chart with nothing to draw: what it needs. */
const empty = (text) => h("p", { class: "chart-empty", text });

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
    bands.push([lo, hi, `${kindWord(e.kind)}, ${eventDays(e)}`]);
  }
  return bands;
}

function summary(values) {
  const v = values.filter((x) => x !== null && x !== undefined);
  if (!v.length) return t("history.trends.noValues");
  return t("history.trends.summary", { latest: v[v.length - 1], lowest: Math.min(...v), highest: Math.max(...v) });
}

function figure(title, chart, keys, details) {
  const shown = keys.filter(Boolean);
  return h("figure", { class: "card chart-card" },
    h("figcaption", { class: "section-title", text: title }),
    chart,
    shown.length ? h("p", { class: "legend" }, shown.flatMap((k) => [k, " "])) : null,
    details);
}

function table(head, rows) {
  return h("details", {}, h("summary", { text: t("history.trends.asTable") }),
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => (i ? h("td", { text: String(c) }) : h("th", { scope: "row", text: String(c) })))))))));
}
