// Clinician: a client's IPT records on their page (pwa/js/views/client.js mounts it as a tab):
// the interpersonal inventory, problem-area goals with session and midpoint reviews, tasks
// between sessions with their outcomes, and the relapse-prevention plan. Each part is the
// client's own screen with the base path /clients/{id}.
import { h } from "../ui.js";
import * as people from "./people.js";
import * as goals from "./goals.js";
import * as tasks from "./tasks.js";
import * as plan from "./plan.js";

const PARTS = [["people", "Inventory", people], ["goals", "Goals", goals], ["tasks", "Tasks", tasks], ["plan", "Plan", plan]];

export async function render(main, ctx, params) {
  const part = PARTS.find(([key]) => key === params.get("part")) || PARTS[0];
  main.append(h("nav", { class: "row gap wrap ipt-parts", "aria-label": "IPT records" },
    PARTS.map(([key, text]) => h("a", { href: `${ctx.routeBase}/ipt?part=${key}`, class: key === part[0] ? "chip active" : "chip", "aria-current": key === part[0] ? "page" : null, text }))));
  const inner = h("div", { class: "ipt-part", "data-part": part[0] });
  main.append(inner);
  return part[2].render(inner, ctx, params);
}
