// Clinician: one client's week grid, trends and flags, reusing the client's own views with
// the base path /clients/{id}.
import { h } from "../ui.js";
import * as week from "./week.js";
import * as trends from "./trends.js";
import * as flags from "./flags.js";

const TABS = [["week", "Week", week], ["trends", "Trends", trends], ["flags", "Flags", flags]];

export async function render(main, ctx, params, rest) {
  const id = Number(rest[0]);
  const tab = TABS.find((t) => t[0] === rest[1]) || TABS[0];
  const routeBase = `#/client/${id}`;
  main.append(h("p", {}, h("a", { href: "#/caseload", text: "← Caseload" })),
    h("nav", { class: "tabs", "aria-label": "Client views" },
      TABS.map(([key, text]) => h("a", { href: `${routeBase}/${key}`, class: key === tab[0] ? "tab active" : "tab", "aria-current": key === tab[0] ? "page" : null, text }))));
  const inner = h("div");
  main.append(inner);
  return tab[2].render(inner, { ...ctx, base: `/clients/${id}`, routeBase }, params);
}
