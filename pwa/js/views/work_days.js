// Client: the weekdays they usually work (GET/PUT /work-days, docs/science.md §2.8). Social
// jetlag and the flags' usual times compare work days with free days; a day marked on Today
// comes first. The pattern lives on the server only, so this screen needs a connection.
import { h, loading, errorBox, announce } from "../ui.js";
import * as api from "../api.js";
import { t, locale } from "../i18n.js";

// ISO weekday 1..7 in the person's language (1 January 2024 was a Monday).
const weekday = (iso) => new Intl.DateTimeFormat(locale(), { weekday: "long" }).format(new Date(2024, 0, iso));
const capital = (text) => text[0].toUpperCase() + text.slice(1);
const ISO_DAYS = [1, 2, 3, 4, 5, 6, 7];

/** The pattern in words: ISO weekdays (1 Monday .. 7 Sunday), [] or null. */
export function describe(pattern) {
  if (pattern === null || pattern === undefined) {
    return t("workdays.noPattern");
  }
  if (!pattern.length) return t("workdays.noDays");
  return t("workdays.usual", { days: [...pattern].sort((a, b) => a - b).map(weekday).join(", ") });
}

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("workdays.heading") }),
    h("p", { text: t("workdays.intro") }));
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
    text: t("workdays.offline") });
}

function form(saved) {
  const boxes = ISO_DAYS.map((iso, i) => {
    const name = capital(weekday(iso));
    const input = h("input", { type: "checkbox", id: `work-weekday-${i + 1}`, name: "work_weekdays", value: String(i + 1) });
    input.checked = Boolean(saved?.includes(i + 1));
    return [h("label", { class: "choice", for: input.id }, input, h("span", { text: name })), input];
  });
  const current = h("p", { class: "work-days-current", text: describe(saved) });
  const problem = h("div", { "aria-live": "assertive" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: t("workdays.save") });
  const none = h("button", { type: "button", class: "btn btn-secondary", text: t("workdays.none") });
  const el = h("form", { class: "card work-days", novalidate: true, "aria-labelledby": "work-days-legend" },
    h("fieldset", {},
      h("legend", { id: "work-days-legend", class: "section-title", text: t("workdays.legend") }),
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
    announce(t("workdays.saved", { text: describe(stored) }));
  };
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    send(boxes.filter(([, input]) => input.checked).map(([, input]) => Number(input.value)));
  });
  none.addEventListener("click", () => send(null));
  return el;
}
