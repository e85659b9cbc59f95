// Clinician: one client's week grid, trends and flags (the client's own views with the base path
// /clients/{id}), plus target times, flag thresholds, the therapy course and the session report.
import { h, loading, errorBox } from "../ui.js";
import * as api from "../api.js";
import * as week from "./week.js";
import * as trends from "./trends.js";
import * as flags from "./flags.js";
import * as targets from "./targets.js";
import * as course from "./course.js";
import * as report from "./report.js";
import * as scales from "./scales.js";
import * as ipt from "./ipt.js";
import * as D from "../diary.js";
import { personName } from "./share.js";

const TABS = [["week", "Week", week], ["trends", "Trends", trends], ["scales", "Scales", scales], ["flags", "Flags", flags], ["targets", "Targets", targets], ["course", "Course", course], ["ipt", "IPT", ipt], ["report", "Report", report]];

export async function render(main, ctx, params, rest) {
  const id = Number(rest[0]);
  const tab = TABS.find((t) => t[0] === rest[1]) || TABS[0];
  const routeBase = `#/client/${id}`;
  const back = h("p", { class: "back-link" }, h("a", { href: "#/caseload", text: "← Caseload" }));
  const wait = loading();
  main.append(back, wait);
  const links = await api.get("/care/links");
  wait.remove();
  if (!api.ok(links)) return main.append(errorBox(api.message(links)));
  const link = (links.body.links || []).find((l) => l.client.id === id);
  if (!link) {
    main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Client not found" }),
      h("p", { class: "notice notice-info", role: "status", text: "This client is not sharing their diary with you (any more). Their data is no longer available to you." }));
    return;
  }
  const name = personName(link.client);
  main.append(h("p", { class: "client-title" }, h("strong", { text: name }),
    link.client.display_name ? h("span", { class: "muted", text: ` · ${link.client.email}` }) : null),
  h("nav", { class: "tabs", "aria-label": `Views of ${name}` },
    TABS.map(([key, text]) => h("a", { href: `${routeBase}/${key}`, class: key === tab[0] ? "tab active" : "tab", "aria-current": key === tab[0] ? "page" : null, text }))));
  // The tabs overflow a phone's width: keep the open one in view.
  main.querySelector(".tabs .active")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  const inner = h("div");
  main.append(inner);
  // A session looks back: the week opens on the last complete week, not the current one.
  if (tab[0] === "week" && !params.get("start")) params.set("start", D.addDays(D.monday(D.today()), -7));
  return tab[2].render(inner, { ...ctx, base: `/clients/${id}`, routeBase, client: link.client, link }, params);
}
