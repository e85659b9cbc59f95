// Clinician: the caseload, in the order the API returns it, with SRM sparklines and flag badges.
import { h, loading, errorBox, badge } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import { sparkline } from "../charts.js";

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
  const list = h("ul", { class: "caseload" });
  for (const row of clients) {
    const c = row.client;
    const name = c.display_name || c.email || `Client ${c.id}`;
    const trend = (row.srm_trend || []).map((w) => w.srm);
    const flags = row.open_flags || {};
    const latest = row.latest_week;
    list.append(h("li", { class: "card client-row", "data-client": String(c.id) },
      h("a", { href: `#/client/${c.id}`, class: "client-name", text: name }),
      h("div", { class: "row gap wrap" },
        sparkline(trend, `SRM trend for ${name}: ${trend.filter((v) => v !== null).join(", ") || "no scores"}`),
        h("span", { class: "muted", text: latest ? `SRM ${latest.srm ?? "–"} · week of ${D.dayMonth(latest.start)}` : "No scores yet" }),
        typeof row.srm_change === "number" && row.srm_change !== 0
          ? h("span", { class: row.srm_change < 0 ? "badge badge-warn" : "badge badge-muted", text: `${row.srm_change > 0 ? "+" : "−"}${Math.abs(row.srm_change).toFixed(1)} vs usual` }) : null),
      h("div", { class: "row gap wrap" },
        flags.high ? badge(`${flags.high} high`, "sev-high") : null,
        flags.medium ? badge(`${flags.medium} medium`, "sev-medium") : null,
        flags.low ? badge(`${flags.low} low`, "sev-low") : null,
        !flags.high && !flags.medium && !flags.low ? badge("No open flags", "muted") : null,
        row.days_since_last_entry !== null && row.days_since_last_entry !== undefined
          ? h("span", { class: "muted", text: row.days_since_last_entry === 0 ? "logged today" : `last entry ${row.days_since_last_entry} d ago` })
          : h("span", { class: "muted", text: "no entries yet" }),
        row.phase ? h("span", { class: "muted", text: `phase: ${row.phase}` }) : null)));
  }
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
