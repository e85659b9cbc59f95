// Clinician: the one-page session report (GET /clients/{id}/report?format=json), laid out to
// print on one A4 or Letter page for 4 weeks (the print styles in app.css), with the server's PDF
// one click away. Everything shown comes from that one answer.
import { h, loading, errorBox, when } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import { lineChart } from "../charts.js";
import { eventWord } from "./trends.js";
import { ruleTitle, evidenceTable, hm, usualText, bySeverity, explain, scrollBox } from "./evidence.js";

const WEEKS = [4, 12];
const PAPERS = [["a4", "A4"], ["letter", "US Letter"]];
const PHASES = { initial: "initial", middle: "middle", final: "final" };
const AREAS = { grief: "grief", role_dispute: "role dispute", role_transition: "role transition", interpersonal_deficits: "interpersonal deficits" };
const one = (v) => (typeof v === "number" ? v.toFixed(1) : "–");
const mins = (v) => (typeof v === "number" ? hm(v) : "–");
const span = (a, b) => (a === b ? D.dayMonth(a) : `${D.dayMonth(a)} – ${D.dayMonth(b)}`);
const year = (iso) => iso.slice(0, 4);

export async function render(main, ctx, params) {
  const weeks = WEEKS.includes(Number(params.get("weeks"))) ? Number(params.get("weeks")) : 4;
  const paper = PAPERS.some(([p]) => p === params.get("paper")) ? params.get("paper") : "a4";
  const path = `${ctx.base}/report?weeks=${weeks}`;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: "Session report" });
  const report = h("article", { class: `report paper-${paper}`, "aria-labelledby": "view-heading", "data-weeks": String(weeks) }, heading);
  main.append(report);
  report.append(controls(ctx, weeks, paper, report, path));
  const wait = loading("Preparing the report…");
  report.append(wait);
  const result = await api.get(`${path}&format=json`);
  wait.remove();
  if (!api.ok(result)) return report.append(errorBox(`The report is not available: ${api.message(result)}`));
  const r = result.body || {};
  heading.textContent = `Session report: ${r.client?.display_name || ctx.client?.display_name || ctx.client?.email || "client"}`;
  report.append(header(r), trend(r), lastWeek(r), scaleSection(r), taskSection(r), flagSection(r), eventSection(r));
  report.dataset.loaded = "true";
}

function controls(ctx, weeks, paper, report, path) {
  const link = (w, p) => `${ctx.routeBase}/report?weeks=${w}${p === "a4" ? "" : `&paper=${p}`}`;
  const select = h("select", { id: "report-paper", name: "paper" }, PAPERS.map(([v, t]) => h("option", { value: v, text: t, selected: v === paper })));
  // The named @page in app.css follows the class, so the choice needs no reload.
  select.addEventListener("change", () => {
    report.classList.remove(...PAPERS.map(([p]) => `paper-${p}`));
    report.classList.add(`paper-${select.value}`);
    history.replaceState(null, "", link(weeks, select.value));
  });
  const print = h("button", { type: "button", class: "btn btn-primary", text: "Print" });
  print.addEventListener("click", () => window.print());
  const status = h("p", { class: "hint", role: "status" });
  const pdf = h("a", { class: "btn btn-secondary", href: `${api.BASE}${path}`, text: "Download PDF" });
  pdf.addEventListener("click", async (event) => {
    // The API wants the bearer token, which a plain link cannot send: fetch, then save the blob.
    event.preventDefault();
    status.textContent = "Preparing the PDF…";
    const got = await api.download(`${path}&paper=${select.value}`, `session-report-${weeks}-weeks.pdf`);
    // The status line is a live region of its own.
    status.textContent = api.ok(got) ? `Saved ${got.name}.` : `The PDF is not available: ${api.message(got)}`;
  });
  return h("div", { class: "report-controls" },
    h("nav", { class: "row gap wrap", "aria-label": "Report period" }, h("span", { class: "muted", text: "Period:" }),
      WEEKS.map((w) => h("a", { href: link(w, paper), class: w === weeks ? "chip active" : "chip", "aria-current": w === weeks ? "page" : null, text: `${w} weeks` }))),
    h("div", { class: "row gap wrap end-items" },
      h("div", { class: "field" }, h("label", { for: select.id, text: "Paper" }), select), print, pdf),
    status);
}

function header(r) {
  const p = r.period || {};
  const c = r.course;
  const course = [];
  if (c) {
    if (c.session_number) course.push(`session ${c.session_number}${c.planned_weeks ? ` of ${c.planned_weeks}` : ""}`);
    else if (c.planned_weeks) course.push(`${c.planned_weeks} sessions planned`);
    if (c.phase) course.push(`${PHASES[c.phase] || c.phase} phase`);
    if ((c.problem_areas || []).length) course.push(`problem areas: ${c.problem_areas.map((a) => AREAS[a] || a).join(", ")}`);
    if (c.start) course.push(`started ${D.dayMonth(c.start)} ${year(c.start)}`);
  }
  return h("div", { class: "report-head" },
    h("p", { class: "report-period" },
      h("strong", { text: `${r.weeks || ""} weeks: ${p.start ? `${D.dayMonth(p.start)} – ${D.dayMonth(p.end)} ${year(p.end)}` : ""}` }),
      h("span", { class: "muted", text: ` · flags and events to ${r.today ? D.dayMonth(r.today) : "today"} · made ${r.generated_at ? when(r.generated_at) : ""}${r.client?.timezone ? ` · ${r.client.timezone}` : ""}` })),
    h("p", { class: "report-course" }, h("strong", { text: "Therapy course: " }), course.length ? course.join(" · ") : "not recorded"));
}

function trend(r) {
  const weeks = r.weekly || [];
  const section = h("section", { class: "report-section report-trend", "aria-labelledby": "rep-trend" },
    h("h3", { id: "rep-trend", class: "section-title", text: "Regularity, sleep and mood by week" }));
  if (!weeks.length) return withText(section, h("p", { class: "muted", text: "No weeks in this period." }));
  const pts = (key) => weeks.map((w, i) => ({ x: i, y: w[key] ?? null, title: `Week of ${D.dayMonth(w.start)}: ${key === "srm" ? "SRM" : "SRM-5"} ${one(w[key])}` }));
  const step = Math.max(1, Math.ceil(weeks.length / 4));
  const chart = lineChart(null, weeks.length, {
    yMin: 0, yMax: 7, height: 120, yTicks: [[0, "0"], [3.5, "3.5"], [7, "7"]],
    xLabels: weeks.map((w, i) => [i, D.dayMonth(w.start)]).filter(([i]) => (weeks.length - 1 - i) % step === 0),
    series: [{ points: pts("srm"), cls: "line-a" }, { points: pts("srm5"), cls: "line-b" }],
    label: `Weekly SRM: ${weeks.map((w) => one(w.srm)).join(", ")}. SRM-5: ${weeks.map((w) => one(w.srm5)).join(", ")}.`,
  });
  const rows = weeks.map((w) => {
    const s = w.sleep || {};
    const m = w.mood || {};
    return [D.dayMonth(w.start), one(w.srm), one(w.srm5), `${w.days_logged ?? "–"}/7`, mins(s.mean_duration),
      s.mean_midpoint_time || "–", typeof s.sri === "number" ? String(Math.round(s.sri)) : "–",
      typeof m.mean === "number" ? `${one(m.mean)} (${m.min}…${m.max})` : "–"];
  });
  section.append(h("div", { class: "report-trend-body" },
    h("figure", { class: "report-chart" }, chart,
      h("figcaption", { class: "legend" }, h("span", { class: "key line-a", text: "— SRM" }), " ", h("span", { class: "key line-b", text: "- - SRM-5" }))),
    table(["Week of", "SRM", "SRM-5", "Days", "Sleep", "Midpoint", "SRI", "Mood (range)"], rows, "report-weeks", "Weekly scores, sleep and mood")));
  return section;
}

function lastWeek(r) {
  const w = r.last_week;
  const section = h("section", { class: "report-section report-grid", "aria-labelledby": "rep-grid" },
    h("h3", { id: "rep-grid", class: "section-title", text: w ? `Last complete week: ${span(w.start, w.end)}` : "Last complete week" }));
  if (!w) return withText(section, h("p", { class: "muted", text: "No diary in the last complete week." }));
  const days = w.days || [];
  const head = h("tr", {}, h("th", { scope: "col", text: "Anchor" }),
    days.map((d) => h("th", { scope: "col" }, h("abbr", { title: D.longDate(d), text: D.fromIso(d).toLocaleDateString("en-GB", { weekday: "short" }) }), " ", String(D.fromIso(d).getDate()))),
    h("th", { scope: "col", text: "Target" }), h("th", { scope: "col", text: "Habitual" }), h("th", { scope: "col", text: "Hits" }));
  const body = h("tbody");
  for (const a of w.anchors || []) {
    const row = h("tr", {}, h("th", { scope: "row", text: D.label(a.activity) }));
    (a.times || []).forEach((t, i) => row.append(h("td", { class: t ? "" : "empty", text: t ? `${t}${a.after_midnight?.[i] ? "⁺¹" : ""}` : "·" })));
    row.append(h("td", { text: a.target || "–" }), h("td", { text: a.habitual || "–" }),
      h("td", { text: a.scored ? `${a.hits ?? 0}/${(a.times || []).filter(Boolean).length}` : "–" }));
    body.append(row);
  }
  const extra = (label, values, fmt) => h("tr", { class: "report-extra" }, h("th", { scope: "row", text: label }),
    (values || []).map((v) => h("td", { text: v === null || v === undefined ? "·" : fmt(v) })), h("td"), h("td"), h("td"));
  body.append(extra("Mood", w.moods, (v) => `${v > 0 ? "+" : ""}${v}`), extra("Sleep", w.sleep_minutes, (v) => `${Math.floor(v / 60)}:${D.pad(Math.round(v % 60))}`));
  section.append(scrollBox(`Anchor times, ${span(w.start, w.end)}`, h("table", { class: "data report-weekgrid" },
    h("caption", { class: "sr-only", text: `Anchor times, ${span(w.start, w.end)}` }), h("thead", {}, head), body)),
  h("p", { class: "hint", text: `SRM ${one(w.srm)}, SRM-5 ${one(w.srm5)}. Habitual = the week's own SRM habitual time; a hit is within 45 minutes of it. ⁺¹ after midnight. Sleep = time in bed (h:mm) for the night ending that day.` }));
  return section;
}

function flagSection(r) {
  const f = r.flags || {};
  const open = [...(f.open || [])].sort(bySeverity);
  const recent = [...(f.recent || [])].sort(bySeverity);
  const section = h("section", { class: "report-section report-flags", "aria-labelledby": "rep-flags" },
    h("h3", { id: "rep-flags", class: "section-title", text: `Flags: ${open.length} open, ${recent.length} acknowledged recently` }));
  if (!open.length && !recent.length) return withText(section, h("p", { class: "muted", text: "No flags in this period." }));
  section.append(h("p", { class: "hint", text: usualText(false) }));
  const list = h("ul", { class: "report-flag-list" });
  for (const flag of [...open, ...recent]) {
    const by = flag.acknowledged_by;
    const ack = flag.status === "open" ? "open" : `acknowledged${by ? ` by ${by.name || by.display_name || "a clinician"}` : ""}${flag.acknowledged_at ? ` ${when(flag.acknowledged_at)}` : ""}`;
    list.append(h("li", { class: `report-flag severity-${flag.severity}`, "data-rule": flag.rule },
      h("p", { class: "report-flag-title" }, h("strong", { text: `${ruleTitle(flag.rule)} · ${flag.severity}` }),
        h("span", { class: "muted", text: ` · ${span(flag.window_start, flag.window_end)} · ${ack}` })),
      h("p", { class: "report-flag-summary", text: explain(flag, false) }),
      (flag.explained_by || []).length ? h("p", { class: "hint", text: `Probably explained by: ${flag.explained_by.map(eventWord).join(", ")}.` }) : null,
      flag.ack_note ? h("p", { class: "hint" }, "Note: ", h("q", { text: flag.ack_note })) : null,
      // The table, or the server's one-line summary when there is nothing to tabulate.
      evidenceTable(flag, { limit: 3 }) || (flag.summary ? h("p", { class: "hint", text: flag.summary }) : null)));
  }
  section.append(list);
  return section;
}

function eventSection(r) {
  const events = r.life_events || [];
  const section = h("section", { class: "report-section report-events", "aria-labelledby": "rep-events" },
    h("h3", { id: "rep-events", class: "section-title", text: "Life events" }));
  if (!events.length) return withText(section, h("p", { class: "muted", text: "None logged in this period." }));
  section.append(h("ul", { class: "events" }, events.map((e) => h("li", {},
    h("strong", { text: eventWord(e.kind) }), ` ${span(e.start, e.end)} · disruption ${["none", "mild", "moderate", "severe"][e.disruption] ?? e.disruption}`,
    e.note ? h("span", { class: "muted", text: ` · ${e.note}` }) : null))));
  return section;
}

// Questionnaires answered in the period: the latest total and band, then the earlier totals.
function scaleSection(r) {
  const scales = r.scales || [];
  if (!scales.length) return "";
  return h("section", { class: "report-section report-scales", "aria-labelledby": "rep-scales" },
    h("h3", { id: "rep-scales", class: "section-title", text: "Questionnaires" }),
    h("ul", { class: "events" }, scales.map((scale) => {
      const responses = scale.responses || [];
      const latest = responses[responses.length - 1];
      const earlier = responses.slice(0, -1).map((x) => x.total).join(", ");
      return h("li", {}, h("strong", { text: scale.name }),
        latest ? ` ${latest.total}/${scale.max} ${latest.band} on ${D.dayMonth(latest.answered_on)}` : "",
        earlier ? h("span", { class: "muted", text: ` · earlier ${earlier}` }) : null);
    })));
}

const TASK_STATUS = { open: "open", done: "done", not_done: "not done" };

// Between-session tasks to go over: every open one, and those due in the period with the answer.
function taskSection(r) {
  const tasks = r.tasks || [];
  if (!tasks.length) return "";
  return h("section", { class: "report-section report-tasks", "aria-labelledby": "rep-tasks" },
    h("h3", { id: "rep-tasks", class: "section-title", text: "Between-session tasks" }),
    h("ul", { class: "events" }, tasks.map((task) => h("li", {},
      h("strong", { text: TASK_STATUS[task.status] || task.status }), ` · due ${D.dayMonth(task.due)} · ${task.text}`,
      task.note ? h("span", { class: "muted" }, " · their note: ", h("q", { text: task.note })) : null))));
}

function withText(section, paragraph) {
  section.append(paragraph);
  return section;
}

function table(head, rows, cls, caption) {
  return scrollBox(caption, h("table", { class: `data ${cls}` },
    h("caption", { class: "sr-only", text: caption }),
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((c, i) => (i ? h("td", { text: String(c) }) : h("th", { scope: "row", text: String(c) }))))))));
}
