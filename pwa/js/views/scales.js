// Scale totals over time (PHQ-9, GAD-7, ASRM, QIDS-SR16) with their published severity bands:
// figures for Trends (the client's own and a clinician's view of a client), and the clinician's
// Questionnaires tab of a client: latest totals, every response, and assignments with a schedule.
import { h, field, loading, errorBox, announce, showErrors, uid } from "../ui.js";
import { s } from "../charts.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import * as Q from "../questionnaires.js";
import { scrollBox } from "./evidence.js";

const round = (n) => Math.round(n * 10) / 10;

/** Instruments for labels and bands: the device's copy, fetched when there is none yet. */
export async function loadInstruments() {
  let list = await Q.instruments().catch(() => []);
  if (!list.length && navigator.onLine) {
    await Q.refresh().catch(() => null);
    list = await Q.instruments().catch(() => []);
  }
  return list;
}

/**
 * Totals of one instrument over time: x is the day (answers spaced by their dates), y the total;
 * the severity bands are shaded across the chart and named on the right.
 */
export function scaleChart(inst, points, labelText) {
  const W = 340, H = 190;
  const left = 34, right = 96, top = 8, bottom = 24;
  const pw = W - left - right, ph = H - top - bottom;
  const first = points.length ? D.fromIso(points[0].date) : null;
  const dayOf = (date) => Math.round((D.fromIso(date) - first) / 86400000);
  const span = points.length ? Math.max(dayOf(points[points.length - 1].date), 1) : 1;
  const x = (day) => left + (points.length <= 1 ? pw / 2 : (day * pw) / span);
  const y = (v) => top + ph - ((v - inst.min) / (inst.max - inst.min || 1)) * ph;
  const root = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart scale-chart", role: "img", "aria-label": labelText });
  (inst.bands || []).forEach((band, i) => {
    const lo = Math.max(inst.min, band.min - 0.5), hi = Math.min(inst.max, band.max + 0.5);
    root.append(s("rect", { x: left, y: round(y(hi)), width: pw, height: round(Math.max(y(lo) - y(hi), 1)), class: `scale-band scale-band-${Math.min(i, 4)}` },
      s("title", { text: `${Q.bandLabel(band.label)}: ${band.min}–${band.max}` })));
    if (y(lo) - y(hi) >= 11) {
      const name = Q.bandLabel(band.label);
      root.append(s("text", { x: W - right + 4, y: round((y(lo) + y(hi)) / 2 + 4), class: "tick", text: name.length > 15 ? `${name.slice(0, 14)}…` : name }));
    }
  });
  for (const value of [inst.min, inst.max]) {
    root.append(s("text", { x: left - 6, y: round(y(value)) + 4, class: "tick", "text-anchor": "end", text: String(value) }));
  }
  if (points.length) {
    root.append(s("text", { x: left, y: H - 6, class: "tick", "text-anchor": "start", text: D.dayMonth(points[0].date) }));
    if (points.length > 1) root.append(s("text", { x: left + pw, y: H - 6, class: "tick", "text-anchor": "end", text: D.dayMonth(points[points.length - 1].date) }));
  }
  let d = "";
  for (const p of points) d += `${d ? "L" : "M"}${round(x(dayOf(p.date)))},${round(y(p.total))}`;
  if (d) root.append(s("path", { d, class: "line line-a" }));
  for (const p of points) {
    root.append(s("circle", { cx: round(x(dayOf(p.date))), cy: round(y(p.total)), r: 3.5, class: "dot line-a" },
      s("title", { text: `${D.shortDate(p.date)}: ${p.total}${p.band ? `, ${p.band}` : ""}` })));
  }
  return root;
}

const bandText = (inst, r) => Q.bandLabel(r.band || Q.bandOf(inst, r.total)?.label || "");

/** One figure per instrument answered: totals over time on the bands, with a table. */
export function scaleFigures(instruments, responses) {
  const out = [];
  for (const inst of instruments) {
    const mine = responses.filter((r) => r.instrument === inst.code && r.total !== null && r.total !== undefined);
    if (!mine.length) continue;
    const points = mine.map((r) => ({ date: Q.dateOf(r), total: r.total, band: bandText(inst, r) }));
    const last = points[points.length - 1];
    const label = `${inst.name} totals, ${points.length} ${points.length === 1 ? "answer" : "answers"}, scored ${inst.min} to ${inst.max}. Latest ${last.total}${last.band ? ` (${last.band})` : ""} on ${D.shortDate(last.date)}.`;
    const rows = points.map((p) => h("tr", {}, h("th", { scope: "row", text: D.shortDate(p.date) }),
      h("td", { text: String(p.total) }), h("td", { text: p.band })));
    const table = h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["Date", "Total", "Band"].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows));
    out.push(h("figure", { class: "card chart-card scale-figure", "data-instrument": inst.code },
      h("figcaption", { class: "section-title", text: inst.name }),
      h("p", { class: "scale-latest" }, "Latest: ", h("strong", { text: String(last.total) }), last.band ? ` · ${last.band}` : "", ` · ${D.shortDate(last.date)}`),
      scaleChart(inst, points, label),
      h("p", { class: "legend" }, (inst.bands || []).map((b, i) => h("span", { class: `key scale-key scale-key-${Math.min(i, 4)}`, text: `▮ ${Q.bandLabel(b.label)} ${b.min}–${b.max}` }))),
      h("details", {}, h("summary", { text: "Show as a table" }), scrollBox(`${inst.name} totals`, table))));
  }
  return out;
}

/** The Trends section: scale figures, or a line saying there are none yet. */
export async function trendsSection(base) {
  const section = h("section", { class: "scale-trends", "aria-labelledby": "scales-h" },
    h("h3", { id: "scales-h", class: "section-title", text: "Questionnaire scores" }));
  const [instruments, list] = await Promise.all([loadInstruments(), Q.responses(base)]);
  const figures = scaleFigures(instruments, list.responses);
  if (figures.length) section.append(...figures);
  else section.append(h("p", { class: "muted", text: list.error ? `Not available: ${list.error}` : "No questionnaire answers yet." }));
  return section;
}

// ----- the clinician's tab of one client -----
export async function render(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Scales" }));
  const body = h("div", { class: "client-scales" }, loading());
  main.append(body);
  const [instruments, list, assigned] = await Promise.all([loadInstruments(), Q.responses(ctx.base), api.get(`${ctx.base}/assignments`)]);
  const named = Object.fromEntries(instruments.map((i) => [i.code, i]));
  body.replaceChildren(latest(instruments, list), assignments(ctx, instruments, assigned, () => {
    main.replaceChildren();
    return render(main, ctx);
  }));
  body.append(...scaleFigures(instruments, list.responses), responseList(named, list));
  body.dataset.loaded = "true";
}

function latest(instruments, list) {
  const section = h("section", { class: "card", "aria-labelledby": "latest-h" },
    h("h3", { id: "latest-h", class: "section-title", text: "Latest totals" }));
  if (list.error) return section.append(errorBox(`Answers are not available: ${list.error}`)), section;
  const rows = instruments.map((inst) => [inst, list.responses.filter((r) => r.instrument === inst.code).pop()]).filter(([, r]) => r);
  if (!rows.length) return section.append(h("p", { class: "muted", text: "No answers yet." })), section;
  section.append(scrollBox("Latest totals", h("table", { class: "data scale-latest-table" },
    h("thead", {}, h("tr", {}, ["Questionnaire", "Total", "Band", "Date"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows.map(([inst, r]) => h("tr", { "data-instrument": inst.code },
      h("th", { scope: "row", text: Q.shortName(inst) }),
      h("td", { text: r.total === null || r.total === undefined ? "–" : `${r.total} / ${inst.max}` }),
      h("td", { text: bandText(inst, r) || "–" }),
      h("td", { text: D.shortDate(Q.dateOf(r)) })))))));
  return section;
}

function responseList(named, list) {
  const section = h("section", { class: "card", "aria-labelledby": "answers-h" },
    h("h3", { id: "answers-h", class: "section-title", text: "All answers" }));
  if (list.error || !list.responses.length) return section.append(h("p", { class: "muted", text: list.error ? "Not available." : "None yet." })), section;
  const rows = [...list.responses].reverse();
  section.append(scrollBox("All answers", h("table", { class: "data scale-responses" },
    h("caption", { class: "sr-only", text: "Every questionnaire answer, newest first" }),
    h("thead", {}, h("tr", {}, ["Date", "Questionnaire", "Total", "Band", "Safety"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows.map((r) => {
      const inst = named[r.instrument];
      const safety = r.safety?.endorsed || r.safeguard?.triggered;
      const total = r.total === null || r.total === undefined ? "–" : `${r.total}${r.prorated ? " (prorated)" : ""}`;
      return h("tr", { "data-response": String(r.id) },
        h("th", { scope: "row", text: D.shortDate(Q.dateOf(r)) }),
        h("td", { text: inst ? Q.shortName(inst) : r.instrument }),
        h("td", { text: total }),
        h("td", { text: bandText(inst, r) || "–" }),
        h("td", {}, safety ? h("strong", { class: "error-text", text: "Endorsed" }) : r.safety?.unanswered ? "Unanswered" : "–"));
    })))));
  return section;
}

function assignments(ctx, instruments, assigned, reload) {
  const section = h("section", { class: "card", "aria-labelledby": "assign-h" },
    h("h3", { id: "assign-h", class: "section-title", text: "Assigned questionnaires" }));
  const named = Object.fromEntries(instruments.map((i) => [i.code, i.name]));
  if (!api.ok(assigned)) section.append(errorBox(`Assignments are not available: ${api.message(assigned)}`));
  else {
    const rows = assigned.body.assignments || [];
    const list = h("ul", { class: "plain assignment-list" });
    for (const a of rows) {
      const name = named[a.instrument] || a.instrument;
      const stop = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Stop", "aria-label": `Stop assigning ${name}` });
      stop.addEventListener("click", async () => {
        stop.disabled = true;
        const result = await api.del(`${ctx.base}/assignments/${a.id ?? a.assignment_id}`);
        if (!api.ok(result)) {
          stop.disabled = false;
          return section.append(errorBox(api.message(result)));
        }
        announce(`${name} is no longer assigned.`);
        await reload();
      });
      list.append(h("li", { class: "assignment", "data-instrument": a.instrument },
        h("span", {}, h("strong", { text: name }), ` every ${a.every_days} ${a.every_days === 1 ? "day" : "days"} from ${D.shortDate(a.starts_on)}`,
          a.due_on ? h("span", { class: "muted", text: ` · due now (since ${D.shortDate(a.due_on)})` }) : null),
        stop));
    }
    section.append(rows.length ? list : h("p", { class: "muted", text: "None assigned." }));
  }
  if (!instruments.length) return section;
  const instrument = h("select", { id: uid("instrument"), name: "instrument" }, instruments.map((i) => h("option", { value: i.code, text: i.name })));
  const every = h("input", { type: "number", id: uid("every"), name: "every_days", min: "1", max: "90", step: "1", value: "7", inputmode: "numeric" });
  const starts = h("input", { type: "date", id: uid("starts"), name: "starts_on", value: D.today() });
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Assign" });
  const form = h("form", { class: "assign-form", novalidate: true, "aria-labelledby": "assign-form-h" },
    h("h4", { id: "assign-form-h", text: "Assign a questionnaire" }),
    h("div", { class: "grid-fields" }, field("Questionnaire", instrument), field("Every (days)", every), field("Starting on", starts)),
    error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const result = await api.post(`${ctx.base}/assignments`, { instrument: instrument.value, every_days: Number(every.value), starts_on: starts.value });
    submit.disabled = false;
    if (!api.ok(result)) return showErrors(error, result, { instrument, every_days: every, starts_on: starts }, api);
    announce(`${named[instrument.value] || instrument.value} assigned every ${every.value} days.`);
    await reload();
  });
  section.append(form);
  return section;
}
