// Clinician: target times for the client's anchors, and this client's flag thresholds
// (defaults next to overrides; an empty field uses the default).
import { h, field, loading, errorBox, announce, showErrors } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";

export const THRESHOLDS = [
  ["shift_minutes", "Getting-up or bedtime shift (minutes)", "Flag when getting up or going to bed moves more than this from the usual time.", 1, 720, 1],
  ["short_sleep_minutes", "Short sleep (minutes in bed)", "Flag nights with less time in bed than this.", 0, 1440, 1],
  ["srm_drop", "SRM drop (points)", "Flag a week whose SRM falls this far below the usual.", 0.1, 7, 0.1],
  ["mood_high", "High mood (at or above)", "Mood rated from −5 to +5.", 1, 5, 1],
  ["mood_low", "Low mood (at or below)", "Mood rated from −5 to +5.", -5, -1, 1],
  ["missing_days", "Diary gaps (days in a row)", "Flag this many days without a diary.", 1, 365, 1],
];

export async function render(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Targets and thresholds" }));
  const body = h("div", {}, loading());
  main.append(body);
  const [targets, settings] = await Promise.all([api.get(`${ctx.base}/targets`), api.get(`${ctx.base}/flag-settings`)]);
  body.replaceChildren();
  body.append(api.ok(targets) ? targetForm(ctx, targets.body.targets || {}) : errorBox(`Target times are not available: ${api.message(targets)}`));
  body.append(api.ok(settings) ? thresholdForm(ctx, settings.body) : errorBox(`Flag thresholds are not available: ${api.message(settings)}`));
}

function targetForm(ctx, current) {
  const shown = new Set([...D.DEFAULT_TRACKED, ...Object.keys(current)]);
  const inputs = {};
  const control = (code) => {
    inputs[code] = h("input", { type: "time", id: `target-${code}`, name: code, value: current[code]?.time || "" });
    return field(D.label(code), inputs[code]);
  };
  const main = D.CODES.filter((c) => shown.has(c)).map(control);
  const others = D.CODES.filter((c) => !shown.has(c)).map(control);
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "targets-h" },
    h("h3", { id: "targets-h", class: "section-title", text: "Target times" }),
    h("p", { class: "hint", text: "Times agreed with the client. Leave empty for no target. A bedtime before 12:00 counts as after midnight." }),
    h("div", { class: "grid-fields" }, main),
    others.length ? h("details", {}, h("summary", { text: "Other anchors" }), h("div", { class: "grid-fields" }, others)) : null,
    error, h("button", { type: "submit", class: "btn btn-primary", text: "Save target times" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const targets = {};
    for (const [code, input] of Object.entries(inputs)) if (input.value) targets[code] = { time: input.value };
    const result = await api.put(`${ctx.base}/targets`, { targets });
    if (!api.ok(result)) return showErrors(error, result, {}, api);
    showErrors(error, null, {}, api);
    error.append(h("p", { class: "notice notice-info", role: "status", text: "Target times saved." }));
  });
  return form;
}

function thresholdForm(ctx, settings) {
  const { defaults = {}, overrides = {} } = settings;
  const inputs = {};
  const error = h("div", { "aria-live": "assertive" });
  const fields = THRESHOLDS.map(([name, text, hint, min, max, step]) => {
    inputs[name] = h("input", { type: "number", id: `setting-${name}`, name, min: String(min), max: String(max), step: String(step), inputmode: step < 1 ? "decimal" : "numeric",
      value: overrides[name] ?? "", placeholder: String(defaults[name] ?? "") });
    const state = overrides[name] !== undefined ? `Set for this client (default ${defaults[name]}).` : `Using the default, ${defaults[name]}.`;
    return field(text, inputs[name], `${hint} ${state}`);
  });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "thresholds-h" },
    h("h3", { id: "thresholds-h", class: "section-title", text: "Flag thresholds" }),
    h("p", { class: "hint", text: "Leave a field empty to use the default shown in it." }),
    h("div", { class: "grid-fields" }, fields), error,
    h("button", { type: "submit", class: "btn btn-primary", text: "Save thresholds" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Overrides replace the whole set: keep the ones this form does not show.
    const next = Object.fromEntries(Object.entries(overrides).filter(([k]) => !(k in inputs)));
    for (const [name, input] of Object.entries(inputs)) if (input.value !== "") next[name] = Number(input.value);
    const result = await api.put(`${ctx.base}/flag-settings`, { overrides: next });
    if (!api.ok(result)) return showErrors(error, result, inputs, api);
    form.replaceWith(thresholdForm(ctx, result.body));
    announce("Thresholds saved. Recent flags were checked again.");
  });
  return form;
}
