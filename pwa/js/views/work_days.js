// Client: the weekdays they usually work (GET/PUT /work-days, docs/science.md §2.8). Social
// jetlag and the flags' usual times compare work days with free days; a day marked on Today
// comes first. The pattern lives on the server only, so this screen needs a connection.
import { h, loading, errorBox, announce } from "../ui.js";
import * as api from "../api.js";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** The pattern in words: ISO weekdays (1 Monday .. 7 Sunday), [] or null. */
export function describe(pattern) {
  if (pattern === null || pattern === undefined) {
    return "No fixed pattern: a day counts as a work day when you mark it so on the day, or when you log start work.";
  }
  if (!pattern.length) return "No usual work days: every day counts as free unless you mark it as a work day.";
  return `You usually work on ${[...pattern].sort((a, b) => a - b).map((d) => WEEKDAYS[d - 1]).join(", ")}. A day you mark on Today counts first.`;
}

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Work days" }),
    h("p", { text: "Tick the days you usually work: a job, study, housework or caring for someone. Your sleep and rhythm measures compare work days with free days." }));
  const body = h("div", {}, loading());
  main.append(body);

  const draw = async () => {
    body.replaceChildren(loading());
    const result = navigator.onLine ? await api.get("/work-days") : { status: 0 };
    body.replaceChildren();
    if (result.status === 0) return body.append(offlineNote());
    if (!api.ok(result)) return body.append(errorBox(api.message(result)));
    body.append(form(result.body.work_weekdays));
  };
  const online = () => main.isConnected && draw();
  window.addEventListener("online", online);
  await draw();
  return () => window.removeEventListener("online", online);
}

function offlineNote() {
  return h("p", { class: "notice notice-warn work-days-offline", role: "status",
    text: "You are offline. Your work days are kept on the server: connect to the internet to see or change them." });
}

function form(saved) {
  const boxes = WEEKDAYS.map((name, i) => {
    const input = h("input", { type: "checkbox", id: `work-weekday-${i + 1}`, name: "work_weekdays", value: String(i + 1) });
    input.checked = Boolean(saved?.includes(i + 1));
    return [h("label", { class: "choice", for: input.id }, input, h("span", { text: name })), input];
  });
  const current = h("p", { class: "work-days-current", text: describe(saved) });
  const problem = h("div", { "aria-live": "assertive" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save work days" });
  const none = h("button", { type: "button", class: "btn btn-secondary", text: "No fixed pattern" });
  const el = h("form", { class: "card work-days", novalidate: true, "aria-labelledby": "work-days-legend" },
    h("fieldset", {},
      h("legend", { id: "work-days-legend", class: "section-title", text: "Days you usually work" }),
      h("div", { class: "choices work-weekdays" }, boxes.map(([label]) => label))),
    current,
    problem,
    h("div", { class: "row gap wrap" }, save, none));

  const send = async (pattern) => {
    save.disabled = none.disabled = true;
    problem.replaceChildren();
    const result = navigator.onLine ? await api.put("/work-days", { work_weekdays: pattern }) : { status: 0 };
    save.disabled = none.disabled = false;
    if (result.status === 0) return problem.append(offlineNote());
    if (!api.ok(result)) return problem.append(errorBox(api.message(result)));
    const stored = result.body.work_weekdays;
    for (const [, input] of boxes) input.checked = Boolean(stored?.includes(Number(input.value)));
    current.textContent = describe(stored);
    announce(`Saved. ${describe(stored)}`);
  };
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    send(boxes.filter(([, input]) => input.checked).map(([, input]) => Number(input.value)));
  });
  none.addEventListener("click", () => send(null));
  return el;
}
