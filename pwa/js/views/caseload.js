// Clinician: the caseload, riskiest first in the order the API gives (and says, in `ranking`),
// with rounded scores, the latest mood, sleep and logging, and who acknowledged what.
import { h, loading, errorBox, badge, when } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import { sparkline } from "../charts.js";
import { hm, ruleTitle } from "./evidence.js";

const RANKED_BY = "Ranked by: open high flags, then open medium flags, then days without an entry, then the change in SRM (a new client by their latest SRM), then open low flags.";
const RISK = {
  high_flags: "open high flags", medium_flags: "open medium flags", stale: "no recent entries",
  srm_drop: "SRM dropped beyond their threshold", low_srm: "new client with a low SRM", steady: "steady",
};
const one = (v) => (typeof v === "number" ? v.toFixed(1) : "–");
const signedOne = (v) => `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(1)}`;
const nameOf = (c) => c.display_name || c.email || `Client ${c.id}`;

export async function render(main, ctx, params) {
  const page = Number(params.get("page") || 1);
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Caseload" }));
  const body = h("div", {}, loading());
  main.append(body);
  const result = await api.get(`/clinician/caseload?page=${page}`);
  body.replaceChildren();
  if (result.status === 404) return body.append(h("p", { class: "notice notice-info", text: "The caseload is not available yet." }));
  if (!api.ok(result)) return body.append(errorBox(api.message(result)));
  const clients = result.body.clients || [];
  if (!clients.length) body.append(h("p", { class: "muted" }, "No clients share their diary with you yet. ", h("a", { href: "#/invite", text: "Invite a client" }), "."));
  else body.append(ranking(result.body.ranking));
  const list = h("ul", { class: "caseload" });
  for (const row of clients) list.append(clientRow(row, result.body.stale_after_days));
  body.append(list);
  // Clients who deleted their account while linked: their data is gone, the fact is shown.
  const deleted = result.body.deleted_accounts || [];
  if (deleted.length) {
    body.append(h("h3", { class: "section-title", text: "Deleted accounts" }),
      h("ul", { class: "deleted-accounts" }, ...deleted.map((d) => h("li", { class: "muted", "data-client": String(d.client_id),
        text: `Client ${d.client_id}: account deleted on ${D.dayMonth(d.ended_at.slice(0, 10))}` }))));
  }
  const pages = result.body.pages || 1;
  if (pages > 1) {
    body.append(h("nav", { class: "row between pager", "aria-label": "Pages" },
      page > 1 ? h("a", { class: "btn btn-quiet", href: `#/caseload?page=${page - 1}`, text: "← Previous" }) : h("span"),
      h("span", { class: "muted", text: `Page ${page} of ${pages}` }),
      page < pages ? h("a", { class: "btn btn-quiet", href: `#/caseload?page=${page + 1}`, text: "Next →" }) : h("span")));
  }
}

function ranking(rules) {
  const sentences = Array.isArray(rules) ? rules : [];
  return h("div", { class: "ranking" }, h("p", { class: "hint ranking-sentence", text: RANKED_BY }),
    sentences.length ? h("details", { class: "ranking-rules" }, h("summary", { text: "How the order is decided" }),
      h("ol", {}, sentences.map((s) => h("li", { text: s })))) : null);
}

function clientRow(row, staleAfter) {
  const c = row.client;
  const name = nameOf(c);
  const trend = (row.srm_trend || []).map((w) => w.srm);
  const flags = row.open_flags || {};
  const latest = row.latest_week;
  return h("li", { class: "card client-row", "data-client": String(c.id), "data-risk": row.risk || null },
    h("div", { class: "row between wrap" },
      h("a", { href: `#/client/${c.id}`, class: "client-name", text: name }),
      row.risk && row.risk !== "steady" ? h("span", { class: "risk-reason", text: `Ranked for: ${RISK[row.risk] || row.risk.replace(/_/g, " ")}` }) : null),
    h("div", { class: "row gap wrap" },
      sparkline(trend, `SRM trend for ${name}: ${trend.filter((v) => v !== null && v !== undefined).map(one).join(", ") || "no scores"}`),
      h("span", { class: "srm-latest", text: latest ? `SRM ${one(latest.srm)} · week of ${D.dayMonth(latest.start)}` : "No scores yet" }),
      change(row)),
    figures(row),
    h("div", { class: "row gap wrap" },
      flags.high ? badge(`${flags.high} high`, "sev-high") : null,
      flags.medium ? badge(`${flags.medium} medium`, "sev-medium") : null,
      flags.low ? badge(`${flags.low} low`, "sev-low") : null,
      !flags.high && !flags.medium && !flags.low ? badge("No open flags", "muted") : null,
      lastEntry(row, staleAfter),
      row.phase ? h("span", { class: "muted", text: `phase: ${row.phase}` }) : null),
    acknowledged(row.acknowledged));
}

/** The SRM change, coloured only beyond the client's own threshold. */
function change(row) {
  if (row.new_client) return h("span", { class: "muted", text: "new: no baseline yet" });
  if (typeof row.srm_change !== "number") return null;
  const beyond = row.change_beyond_threshold === true;
  const text = `${signedOne(row.srm_change)} vs baseline ${one(row.srm_baseline)}`;
  if (!beyond) return h("span", { class: "muted srm-change", text, title: `Within their threshold of ${one(row.srm_threshold)}` });
  return h("span", { class: `badge srm-change beyond ${row.srm_change < 0 ? "badge-warn" : "badge-muted"}` },
    text, h("span", { class: "sr-only", text: `, beyond their threshold of ${one(row.srm_threshold)}` }),
    h("span", { "aria-hidden": "true", text: " ▲" }));
}

const SCALE_NAMES = { phq9: "PHQ-9", gad7: "GAD-7", asrm: "ASRM", qids_sr16: "QIDS-SR16" };

function figures(row) {
  const mood = row.latest_mood;
  const sleep = row.latest_sleep;
  const done = row.completeness;
  const items = [
    h("span", {}, h("span", { class: "fig-name", text: "Mood " }),
      mood ? h("strong", { text: `${mood.mood > 0 ? "+" : ""}${mood.mood}` }) : "–",
      mood ? h("span", { class: "muted", text: ` ${D.dayMonth(mood.day)}` }) : null),
    h("span", {}, h("span", { class: "fig-name", text: "Sleep " }),
      sleep ? h("strong", { text: hm(sleep.duration_minutes) }) : "–",
      sleep ? h("span", { class: "muted", text: ` night to ${D.dayMonth(sleep.day)}` }) : null),
    done ? h("span", {}, h("span", { class: "fig-name", text: "Logged " }), h("strong", { text: `${done.logged_days}/${done.days}` }),
      h("span", { class: "muted", text: " days to yesterday" })) : null,
    // The latest severity band of each questionnaire they answer (PHQ-9, ASRM, ...).
    ...(row.scales || []).map((scale) => h("span", { class: "scale-band", "data-instrument": scale.instrument },
      h("span", { class: "fig-name", text: `${SCALE_NAMES[scale.instrument] || scale.instrument} ` }),
      h("strong", { text: `${scale.total} ${scale.band}` }),
      h("span", { class: "muted", text: ` ${D.dayMonth(scale.answered_on)}` }))),
  ];
  return h("p", { class: "figures" }, items.filter(Boolean).flatMap((el, i) => (i ? [" · ", el] : [el])));
}

function lastEntry(row, staleAfter = 3) {
  const days = row.days_since_last_entry;
  if (days === null || days === undefined) return h("span", { class: "muted", text: "no entries yet" });
  const text = days === 0 ? "logged today" : `last entry ${days} d ago`;
  const stale = row.stale === true || days > staleAfter;
  return stale ? badge(text, "warn") : h("span", { class: "muted", text });
}

function acknowledged(ack) {
  if (!ack || !ack.count || !ack.latest) return null;
  const a = ack.latest;
  const by = a.by ? a.by.name || a.by.display_name || "a clinician" : "someone";
  return h("p", { class: "ack-summary" },
    h("span", { text: `Acknowledged: ${ruleTitle(a.rule)} (${a.severity}) by ${by}${a.at ? `, ${when(a.at)}` : ""}` }),
    a.note ? h("q", { class: "ack-note", text: a.note }) : null,
    ack.count > 1 ? h("span", { class: "muted", text: ` · ${ack.count} acknowledged in 4 weeks` }) : null);
}
