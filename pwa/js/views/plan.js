// The relapse-prevention plan (IPSRT's final phase; docs/api-ipt.md §4): warning signs of an
// elevated or depressed episode, early and late, each maybe tied to a rhythm or scale signal,
// with the client's own action steps; supporters; crisis contacts. The client reads it offline
// (the last copy is kept in IndexedDB, never in the Cache API) and prints it; the client and a
// linked clinician edit it one section at a time. Every save is a new version, sent with
// If-Match: a version saved elsewhere in between answers 412 and the edits stay in the form.
import { h, loading, errorBox, announce, uid, when } from "../ui.js";
import * as api from "../api.js";
import { load, keep } from "../ipt_cache.js";
import { POLES, STAGES, SIGNALS, TOTAL_MAX, signalTitle, signalText, paramsOf, poleText, stageText } from "./plan_signs.js";

const who = (person) => person?.name || "someone";

export async function render(main, ctx) {
  const own = !ctx.base;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: own ? "My plan" : "Relapse-prevention plan" });
  const article = h("article", { class: "plan", "aria-labelledby": "view-heading" }, heading);
  main.append(article);
  const body = h("div", {}, loading());
  article.append(body);
  const got = own ? await load("plan", "/plan") : fromResult(await api.get(`${ctx.base}/plan`));
  body.replaceChildren();
  if (!got.ok) {
    const text = got.result.status === 0 && own
      ? "You are offline and your plan has not been kept on this device yet. Open it once while online and it will be here offline too."
      : `The plan is not available: ${api.message(got.result)}`;
    return body.append(errorBox(text));
  }
  const state = { ctx, own, plan: normal(got.body), offline: got.offline, at: got.at, body };
  draw(state);
}

const fromResult = (result) => (api.ok(result) ? { ok: true, body: result.body, offline: false } : { ok: false, result });

/** A plan with every list present (version 0 before the first save). */
function normal(plan) {
  return { version: 0, saved_at: null, saved_by: null, ...plan, signs: plan?.signs || [], supporters: plan?.supporters || [], crisis_contacts: plan?.crisis_contacts || [] };
}

function draw(state) {
  const { plan, own, body } = state;
  body.replaceChildren();
  body.dataset.version = String(plan.version);
  body.append(h("p", { class: "hint plan-intro", text: own
    ? "Your relapse-prevention plan: the signs that an episode may be starting, what you will do about each, and who can help. It opens without a network."
    : "The signs that an episode may be starting, the client's own action steps, their supporters and crisis contacts. The client sees and edits the same plan." }));
  body.append(h("p", { class: "plan-meta muted", text: plan.version
    ? `Version ${plan.version}, saved ${when(plan.saved_at)} by ${who(plan.saved_by)}.`
    : "No plan saved yet." }));
  if (state.offline) {
    body.append(h("p", { class: "notice notice-warn plan-offline", role: "status",
      text: `Offline: this is the copy kept on this device on ${when(new Date(state.at).toISOString())}. Editing needs a connection.` }));
  }
  const print = h("button", { type: "button", class: "btn btn-secondary", text: "Print" });
  print.addEventListener("click", () => window.print());
  body.append(h("div", { class: "row gap wrap plan-controls" }, print));
  body.append(h("p", { class: "print-only plan-printed", text: `Relapse-prevention plan · printed ${new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })}${plan.version ? ` · version ${plan.version}` : ""}` }));
  body.append(signsSection(state), peopleSection(state, "supporters"), peopleSection(state, "crisis_contacts"));
  if (!state.offline && plan.version > 1) body.append(history(state));
}

// ----- reading -----

function section(state, key, titleText, content) {
  const titleId = `plan-${key}-h`;
  const edit = h("button", { type: "button", class: "btn btn-quiet btn-small plan-edit", text: "Edit", "aria-describedby": titleId });
  if (state.offline) edit.disabled = true;
  const box = h("section", { class: "card plan-section", "aria-labelledby": titleId, "data-section": key },
    h("div", { class: "row between" }, h("h3", { id: titleId, class: "section-title", text: titleText }), edit), content);
  edit.addEventListener("click", () => {
    // One section at a time: saving redraws the whole plan.
    for (const other of state.body.querySelectorAll(".plan-edit")) other.disabled = true;
    box.replaceWith(EDITORS[key](state, titleText, titleId));
  });
  return box;
}

function signsSection(state) {
  const { plan, own } = state;
  const content = h("div", { class: "plan-signs" });
  if (!plan.signs.length) content.append(h("p", { class: "muted", text: own ? "No warning signs written down yet." : "No warning signs yet." }));
  for (const [pole] of POLES) {
    const ofPole = plan.signs.filter((s) => s.pole === pole);
    if (!ofPole.length) continue;
    const group = h("div", { class: `plan-pole plan-pole-${pole}` }, h("h4", { text: poleText(pole) }));
    for (const [stage] of STAGES) {
      const signs = ofPole.filter((s) => s.stage === stage);
      if (!signs.length) continue;
      group.append(h("p", { class: "plan-stage", text: stageText(stage) }),
        h("ul", { class: "plan-sign-list" }, signs.map((s) => signItem(s, own))));
    }
    content.append(group);
  }
  return section(state, "signs", "Warning signs and what to do", content);
}

function signItem(sign, own) {
  const signal = signalText(sign.signal);
  return h("li", { class: "plan-sign", "data-index": sign.index === undefined ? null : String(sign.index) },
    h("p", { class: "plan-sign-text", text: sign.text }),
    signal ? h("p", { class: "hint", text: `Noticed by the app as: ${signal}` }) : null,
    (sign.actions || []).length
      ? h("div", {}, h("p", { class: "plan-do", text: own ? "What I will do:" : "Their action steps:" }),
        h("ul", { class: "plan-action-steps" }, sign.actions.map((a) => h("li", { text: a }))))
      : null);
}

const PEOPLE = {
  supporters: { title: "People who support me", clinicianTitle: "Supporters", one: "supporter", empty: "No supporters listed yet." },
  crisis_contacts: { title: "In a crisis", clinicianTitle: "Crisis contacts", one: "crisis contact", empty: "No crisis contacts listed yet." },
};

function peopleSection(state, key) {
  const words = PEOPLE[key];
  const list = state.plan[key];
  const content = list.length
    ? h("ul", { class: "plan-people" }, list.map((p) => h("li", {}, h("strong", { text: p.name }), " · ", h("span", { text: p.how_to_reach }))))
    : h("p", { class: "muted", text: words.empty });
  return section(state, key, state.own ? words.title : words.clinicianTitle, content);
}

function history(state) {
  const details = h("details", { class: "plan-history" }, h("summary", { text: "Earlier versions" }));
  const list = h("div", {}, loading());
  details.append(list);
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const result = await api.get(`${state.ctx.base}/plan/versions`);
    list.replaceChildren();
    if (!api.ok(result)) return list.append(errorBox(api.message(result)));
    const shown = h("div");
    list.append(h("ul", { class: "plain plan-versions" }, (result.body.versions || []).map((v) => {
      const show = h("button", { type: "button", class: "btn btn-quiet btn-small", text: `Show version ${v.version}` });
      show.addEventListener("click", async () => {
        const got = await api.get(`${state.ctx.base}/plan/versions/${v.version}`);
        shown.replaceChildren(api.ok(got) ? oldVersion(normal(got.body), state.own) : errorBox(api.message(got)));
      });
      return h("li", { class: "row between wrap" }, h("span", { text: `Version ${v.version} · ${when(v.saved_at)} · ${who(v.saved_by)}` }), show);
    })), shown);
  });
  return details;
}

function oldVersion(plan, own) {
  const people = (list) => (list.length ? h("ul", {}, list.map((p) => h("li", { text: `${p.name} · ${p.how_to_reach}` }))) : h("p", { class: "muted", text: "None." }));
  return h("div", { class: "card card-soft plan-old" },
    h("h4", { text: `Version ${plan.version}, saved ${when(plan.saved_at)} by ${who(plan.saved_by)}` }),
    plan.signs.length ? h("ul", { class: "plan-sign-list" }, plan.signs.map((s) => signItem(s, own))) : h("p", { class: "muted", text: "No warning signs." }),
    h("p", { class: "plan-do", text: "Supporters" }), people(plan.supporters),
    h("p", { class: "plan-do", text: "Crisis contacts" }), people(plan.crisis_contacts));
}

// ----- editing: one section at a time, saved as a whole new version -----

/** The plan as PUT /plan takes it (no version, no index). */
function planIn(plan) {
  return {
    signs: plan.signs.map((s) => ({ pole: s.pole, stage: s.stage, text: s.text, signal: s.signal || null, actions: s.actions || [] })),
    supporters: plan.supporters.map((p) => ({ name: p.name, how_to_reach: p.how_to_reach })),
    crisis_contacts: plan.crisis_contacts.map((p) => ({ name: p.name, how_to_reach: p.how_to_reach })),
  };
}

function editorForm(state, titleText, titleId, key, rows, collect, addRow) {
  const error = h("div", { class: "plan-errors", "aria-live": "assertive" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save plan" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const form = h("form", { class: "card plan-editor", novalidate: true, "aria-labelledby": titleId, "data-section": key },
    h("h3", { id: titleId, class: "section-title", text: `${titleText}: editing`, tabindex: "-1" }), rows, addRow, error,
    h("div", { class: "row gap wrap" }, save, cancel));
  cancel.addEventListener("click", () => draw(state));
  let base = state.plan.version;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    const next = { ...planIn(state.plan), [key]: collect() };
    const result = await api.put(`${state.ctx.base}/plan`, next, { "If-Match": `"${base}"` });
    save.disabled = false;
    clearErrors(form, error);
    if (api.ok(result)) {
      state.plan = normal(result.body);
      state.offline = false;
      if (state.own) await keep("plan", result.body, result.etag);
      draw(state);
      state.body.closest(".plan")?.querySelector(`#plan-${key}-h`)?.focus();
      announce(`Plan saved, version ${state.plan.version}.`);
      return;
    }
    if ((result.status === 412 || result.status === 428) && result.body?.current) {
      // Someone saved in between: keep these edits, base them on that version, say so.
      state.plan = normal(result.body.current);
      base = state.plan.version;
      error.append(h("p", { class: "notice notice-warn", role: "alert",
        text: `This plan was changed elsewhere (now version ${base}, saved by ${who(state.plan.saved_by)}). Your edits are still here: save again to keep them in a new version, or cancel to see that version.` }));
      return;
    }
    if (result.status === 0) {
      error.append(h("p", { class: "notice notice-warn", role: "alert", text: "You are offline or the server cannot be reached. Your edits are still here: save again when you are back online." }));
      return;
    }
    placeErrors(form, error, result);
  });
  queueMicrotask(() => form.querySelector("h3")?.focus());
  return form;
}

function clearErrors(form, box) {
  box.replaceChildren();
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const p of form.querySelectorAll(".field-error")) p.remove();
}

/** 422 errors by path ("signs.0.text") next to their controls; the rest in the box. */
function placeErrors(form, box, result) {
  const errors = result.body?.errors?.json || result.body?.errors || {};
  const flat = [];
  const walk = (value, path) => {
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) flat.push([path, value.join(" ")]);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else if (value !== undefined) flat.push([path, String(value)]);
  };
  walk(errors, "");
  let first = null;
  const rest = [];
  for (const [path, text] of flat) {
    let control = null;
    for (let p = path; p && !control; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      control = form.querySelector(`[data-path="${p}"]`);
    }
    if (!control) {
      rest.push(`${path}: ${text}`);
      continue;
    }
    const errId = `${control.id}-error`;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", [...(control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== errId), errId].join(" "));
    form.querySelector(`#${errId}`)?.remove();
    control.after(h("p", { class: "field-error error-text", id: errId, text }));
    first = first || control;
  }
  if (rest.length || !first) box.append(h("p", { class: "notice notice-error", role: "alert", text: rest.length ? `${result.body?.message || api.message(result)} ${rest.join(" ")}` : api.message(result) }));
  else box.append(h("p", { class: "error-text", role: "alert", text: "Some fields need a change; see the messages next to them." }));
  first?.focus();
}

function select(id, path, options, value) {
  return h("select", { id, "data-path": path }, options.map(([v, t]) => h("option", { value: v, text: t, selected: v === (value ?? "") })));
}
const fieldOf = (labelText, control, hint) => {
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id, text: labelText }), control, hintEl);
};

function signsEditor(state, titleText, titleId) {
  const rows = h("div", { class: "plan-edit-rows" });
  const add = h("button", { type: "button", class: "btn btn-secondary", text: "Add a warning sign" });
  const renumber = () => rows.querySelectorAll(".plan-sign-edit").forEach((row, i) => row.renumber(i));
  const addSign = (sign) => {
    rows.append(signRow(sign, state.own, () => renumber()));
    renumber();
  };
  state.plan.signs.forEach(addSign);
  add.addEventListener("click", () => {
    addSign({ pole: "elevated", stage: "early", text: "", signal: null, actions: [] });
    rows.lastElementChild.querySelector("input")?.focus();
  });
  const collect = () => [...rows.querySelectorAll(".plan-sign-edit")].map((row) => row.value());
  return editorForm(state, titleText, titleId, "signs", rows, collect, add);
}

function signRow(sign, own, removed) {
  const id = uid("sign");
  const legend = h("legend");
  const text = h("input", { type: "text", id: `${id}-text`, maxlength: "300", value: sign.text || "", autocomplete: "off" });
  const pole = select(`${id}-pole`, "", POLES, sign.pole);
  const stage = select(`${id}-stage`, "", STAGES, sign.stage);
  const rule = select(`${id}-rule`, "", [["", "Not tied to a signal"], ...SIGNALS.map(([r]) => [r, signalTitle(r)])], sign.signal?.rule || "");
  const s = sign.signal || {};
  const direction = select(`${id}-direction`, "", [["", "Either way"], ["later", "Later"], ["earlier", "Earlier"]], s.direction || "");
  const minutes = h("input", { type: "number", id: `${id}-minutes`, min: "1", max: "720", inputmode: "numeric", value: s.min_minutes ?? "" });
  const moodPole = select(`${id}-moodpole`, "", [["", "High or low"], ["elevated", "High"], ["depressed", "Low"]], s.pole || "");
  const total = h("input", { type: "number", id: `${id}-total`, min: "0", max: "27", inputmode: "numeric", value: s.min_total ?? "" });
  const params = {
    direction: fieldOf("Direction", direction),
    min_minutes: fieldOf("By at least (minutes)", minutes, "120 minutes = 2 hours. Empty: any shift the app flags."),
    pole: fieldOf("Mood", moodPole),
    min_total: fieldOf("Total at least", total, "Empty: whenever the app flags it."),
  };
  const showParams = () => {
    const wanted = paramsOf(rule.value);
    for (const [name, el] of Object.entries(params)) el.hidden = !wanted.includes(name);
    total.max = String(TOTAL_MAX[rule.value] ?? 27);
  };
  rule.addEventListener("change", showParams);
  showParams();
  const actions = h("textarea", { id: `${id}-actions`, rows: "3" });
  actions.value = (sign.actions || []).join("\n");
  const remove = h("button", { type: "button", class: "btn btn-quiet btn-small" });
  const row = h("fieldset", { class: "plan-sign-edit" }, legend,
    fieldOf("Warning sign", text, "What you or others notice, in your own words."),
    h("div", { class: "plan-edit-pair" }, fieldOf("Heading", pole), fieldOf("Stage", stage)),
    fieldOf("Noticed by the app as (optional)", rule, "Tie the sign to a flag: when that flag comes up, your action steps are shown with it."),
    h("div", { class: "plan-edit-pair" }, ...Object.values(params)),
    fieldOf(own ? "My action steps (one per line)" : "Action steps (one per line)", actions),
    remove);
  row.renumber = (i) => {
    legend.textContent = `Warning sign ${i + 1}`;
    remove.textContent = `Remove warning sign ${i + 1}`;
    const at = (name) => `signs.${i}.${name}`;
    text.dataset.path = at("text");
    pole.dataset.path = at("pole");
    stage.dataset.path = at("stage");
    rule.dataset.path = at("signal");
    direction.dataset.path = at("signal.direction");
    minutes.dataset.path = at("signal.min_minutes");
    moodPole.dataset.path = at("signal.pole");
    total.dataset.path = at("signal.min_total");
    actions.dataset.path = at("actions");
  };
  row.value = () => {
    let signal = null;
    if (rule.value) {
      signal = { rule: rule.value };
      const wanted = paramsOf(rule.value);
      if (wanted.includes("direction") && direction.value) signal.direction = direction.value;
      if (wanted.includes("min_minutes") && minutes.value !== "") signal.min_minutes = Number(minutes.value);
      if (wanted.includes("pole") && moodPole.value) signal.pole = moodPole.value;
      if (wanted.includes("min_total") && total.value !== "") signal.min_total = Number(total.value);
    }
    const steps = actions.value.split("\n").map((a) => a.trim()).filter(Boolean);
    return { pole: pole.value, stage: stage.value, text: text.value.trim(), signal, actions: steps };
  };
  remove.addEventListener("click", () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    removed();
    (next?.querySelector("input") || next)?.focus();
  });
  return row;
}

function peopleEditor(key) {
  return (state, titleText, titleId) => {
    const words = PEOPLE[key];
    const rows = h("div", { class: "plan-edit-rows" });
    const add = h("button", { type: "button", class: "btn btn-secondary", text: `Add a ${words.one}` });
    const renumber = () => rows.querySelectorAll(".plan-person-edit").forEach((row, i) => row.renumber(i));
    const addPerson = (person) => {
      const id = uid("person");
      const legend = h("legend");
      const name = h("input", { type: "text", id: `${id}-name`, maxlength: "80", value: person.name || "", autocomplete: "off" });
      const reach = h("input", { type: "text", id: `${id}-reach`, maxlength: "200", value: person.how_to_reach || "", autocomplete: "off" });
      const remove = h("button", { type: "button", class: "btn btn-quiet btn-small" });
      const row = h("fieldset", { class: "plan-person-edit" }, legend,
        h("div", { class: "plan-edit-pair" }, fieldOf("Name", name), fieldOf("How to reach them", reach)), remove);
      row.renumber = (i) => {
        legend.textContent = `${words.one[0].toUpperCase()}${words.one.slice(1)} ${i + 1}`;
        remove.textContent = `Remove ${words.one} ${i + 1}`;
        name.dataset.path = `${key}.${i}.name`;
        reach.dataset.path = `${key}.${i}.how_to_reach`;
      };
      row.value = () => ({ name: name.value.trim(), how_to_reach: reach.value.trim() });
      remove.addEventListener("click", () => {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber();
        (next?.querySelector("input") || add).focus();
      });
      rows.append(row);
      renumber();
    };
    state.plan[key].forEach(addPerson);
    add.addEventListener("click", () => {
      addPerson({});
      rows.lastElementChild.querySelector("input")?.focus();
    });
    const collect = () => [...rows.querySelectorAll(".plan-person-edit")].map((row) => row.value());
    return editorForm(state, titleText, titleId, key, rows, collect, add);
  };
}

const EDITORS = { signs: signsEditor, supporters: peopleEditor("supporters"), crisis_contacts: peopleEditor("crisis_contacts") };
