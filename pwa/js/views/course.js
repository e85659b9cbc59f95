// Clinician: the therapy course (start, planned weeks, phase, up to two problem areas).
import { h, field, loading, errorBox, showErrors } from "../ui.js";
import * as api from "../api.js";

const PHASES = [["", "Not set"], ["initial", "Initial"], ["middle", "Middle"], ["final", "Final"]];
const AREAS = [["grief", "Grief"], ["role_dispute", "Role dispute"], ["role_transition", "Role transition"], ["interpersonal_deficits", "Interpersonal deficits"]];

export async function render(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Therapy course" }));
  const body = h("div", {}, loading());
  main.append(body);
  const result = await api.get(`${ctx.base}/course`);
  body.replaceChildren();
  if (!api.ok(result)) return body.append(errorBox(api.message(result)));
  const c = result.body || {};
  const start = h("input", { type: "date", id: "course-start", name: "start", value: c.start || "" });
  const weeks = h("input", { type: "number", id: "course-weeks", name: "planned_weeks", min: "1", max: "52", inputmode: "numeric", value: c.planned_weeks ?? "" });
  const phase = h("select", { id: "course-phase", name: "phase" }, PHASES.map(([v, t]) => h("option", { value: v, text: t, selected: (c.phase || "") === v })));
  const boxes = AREAS.map(([v, t]) => h("input", { type: "checkbox", id: `area-${v}`, name: "problem_areas", value: v, checked: (c.problem_areas || []).includes(v) }));
  const areaHint = h("p", { class: "hint", id: "areas-hint", text: "Choose one or two." });
  const areas = h("fieldset", { class: "checks", "aria-describedby": "areas-hint" }, h("legend", { text: "Problem areas in focus" }), areaHint,
    boxes.map((box, i) => h("div", { class: "check" }, box, h("label", { for: box.id, text: AREAS[i][1] }))));
  const limit = () => {
    const n = boxes.filter((b) => b.checked).length;
    for (const b of boxes) b.disabled = n >= 2 && !b.checked;
  };
  boxes.forEach((b) => b.addEventListener("change", limit));
  limit();
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "view-heading" },
    field("First session", start), field("Planned weeks", weeks, "Usually 12 to 16 weekly sessions (1–52)."),
    field("Phase", phase), areas, error, h("button", { type: "submit", class: "btn btn-primary", text: "Save course" }));
  body.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = {
      start: start.value || null,
      planned_weeks: weeks.value === "" ? null : Number(weeks.value),
      phase: phase.value || null,
      problem_areas: boxes.filter((b) => b.checked).map((b) => b.value),
    };
    const saved = await api.put(`${ctx.base}/course`, data);
    if (!api.ok(saved)) return showErrors(error, saved, { start, planned_weeks: weeks, phase }, api);
    showErrors(error, null, { start, planned_weeks: weeks, phase }, api);
    error.append(h("p", { class: "notice notice-info", role: "status", text: "Course saved." }));
  });
}
