// The relapse-prevention plan (IPSRT's final phase; docs/api-ipt.md §4): warning signs of an
// elevated or depressed episode, early and late, each maybe tied to a rhythm or scale signal,
// with the client's own action steps; supporters; crisis contacts. The client reads it offline
// (the last copy is kept in IndexedDB, never in the Cache API) and prints it; the client and a
// linked clinician edit it one section at a time. Every save is a new version, sent with
// If-Match: a version saved elsewhere in between answers 412 and the edits stay in the form.
// Texts: pwa/js/locales/ipt.js.
import { h, loading, errorBox, announce, uid, when } from "../ui.js";
import * as api from "../api.js";
import { t, formatDate } from "../i18n.js";
import { today } from "../diary.js";
import { load, keep } from "../ipt_cache.js";
import { POLES, STAGES, SIGNALS, TOTAL_MAX, signalTitle, signalText, paramsOf, poleText, stageText } from "./plan_signs.js";

const who = (person) => person?.name || t("plan.someone");
const savedBy = (plan) => ({ version: plan.version, when: when(plan.saved_at), who: who(plan.saved_by) });

export async function render(main, ctx) {
  const own = !ctx.base;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: own ? t("plan.headingOwn") : t("plan.heading") });
  const article = h("article", { class: "plan", "aria-labelledby": "view-heading" }, heading);
  main.append(article);
  const body = h("div", {}, loading());
  article.append(body);
  const got = own ? await load("plan", "/plan") : fromResult(await api.get(`${ctx.base}/plan`));
  body.replaceChildren();
  if (!got.ok) {
    const text = got.result.status === 0 && own ? t("plan.offlineNone") : t("plan.unavailable", { reason: api.message(got.result) });
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
  body.append(h("p", { class: "hint plan-intro", text: own ? t("plan.introOwn") : t("plan.introClient") }));
  body.append(h("p", { class: "plan-meta muted", text: plan.version ? t("plan.meta", savedBy(plan)) : t("plan.none") }));
  if (state.offline) {
    body.append(h("p", { class: "notice notice-warn plan-offline", role: "status",
      text: t("plan.offline", { when: when(new Date(state.at).toISOString()) }) }));
  }
  const print = h("button", { type: "button", class: "btn btn-secondary", text: t("plan.print") });
  print.addEventListener("click", () => window.print());
  body.append(h("div", { class: "row gap wrap plan-controls" }, print));
  body.append(h("p", { class: "print-only plan-printed", text: t("plan.printed", {
    date: formatDate(today(), { day: "numeric", month: "long", year: "numeric" }),
    version: plan.version ? t("plan.printedVersion", { version: plan.version }) : "",
  }) }));
  body.append(signsSection(state), peopleSection(state, "supporters"), peopleSection(state, "crisis_contacts"));
  if (!state.offline && plan.version > 1) body.append(history(state));
}

// ----- reading -----

function section(state, key, titleText, content) {
  const titleId = `plan-${key}-h`;
  const edit = h("button", { type: "button", class: "btn btn-quiet btn-small plan-edit", text: t("plan.edit"), "aria-describedby": titleId });
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
  if (!plan.signs.length) content.append(h("p", { class: "muted", text: own ? t("plan.noSignsOwn") : t("plan.noSigns") }));
  for (const pole of POLES) {
    const ofPole = plan.signs.filter((s) => s.pole === pole);
    if (!ofPole.length) continue;
    const group = h("div", { class: `plan-pole plan-pole-${pole}` }, h("h4", { text: poleText(pole) }));
    for (const stage of STAGES) {
      const signs = ofPole.filter((s) => s.stage === stage);
      if (!signs.length) continue;
      group.append(h("p", { class: "plan-stage", text: stageText(stage) }),
        h("ul", { class: "plan-sign-list" }, signs.map((s) => signItem(s, own))));
    }
    content.append(group);
  }
  return section(state, "signs", t("plan.signsTitle"), content);
}

function signItem(sign, own) {
  const signal = signalText(sign.signal);
  return h("li", { class: "plan-sign", "data-index": sign.index === undefined ? null : String(sign.index) },
    h("p", { class: "plan-sign-text", text: sign.text }),
    signal ? h("p", { class: "hint", text: t("plan.noticedAs", { signal }) }) : null,
    (sign.actions || []).length
      ? h("div", {}, h("p", { class: "plan-do", text: own ? t("plan.whatIWillDo") : t("plan.theirSteps") }),
        h("ul", { class: "plan-action-steps" }, sign.actions.map((a) => h("li", { text: a }))))
      : null);
}

// Supporters and crisis contacts: the same texts under plan.supporters.* and plan.crisis_contacts.*
// (title, titleClinician, empty, add, legend, remove).
const words = (key, word, vars) => t(`plan.${key}.${word}`, vars);

function peopleSection(state, key) {
  const list = state.plan[key];
  const content = list.length
    ? h("ul", { class: "plan-people" }, list.map((p) => h("li", {}, h("strong", { text: p.name }), " · ", h("span", { text: p.how_to_reach }))))
    : h("p", { class: "muted", text: words(key, "empty") });
  return section(state, key, words(key, state.own ? "title" : "titleClinician"), content);
}

function history(state) {
  const details = h("details", { class: "plan-history" }, h("summary", { text: t("plan.history") }));
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
      const show = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("plan.showVersion", { version: v.version }) });
      show.addEventListener("click", async () => {
        const got = await api.get(`${state.ctx.base}/plan/versions/${v.version}`);
        shown.replaceChildren(api.ok(got) ? oldVersion(normal(got.body), state.own) : errorBox(api.message(got)));
      });
      return h("li", { class: "row between wrap" }, h("span", { text: t("plan.versionLine", savedBy(v)) }), show);
    })), shown);
  });
  return details;
}

function oldVersion(plan, own) {
  const people = (list) => (list.length ? h("ul", {}, list.map((p) => h("li", { text: `${p.name} · ${p.how_to_reach}` }))) : h("p", { class: "muted", text: t("plan.noneListed") }));
  return h("div", { class: "card card-soft plan-old" },
    h("h4", { text: t("plan.oldMeta", savedBy(plan)) }),
    plan.signs.length ? h("ul", { class: "plan-sign-list" }, plan.signs.map((s) => signItem(s, own))) : h("p", { class: "muted", text: t("plan.noSignsOld") }),
    h("p", { class: "plan-do", text: words("supporters", "titleClinician") }), people(plan.supporters),
    h("p", { class: "plan-do", text: words("crisis_contacts", "titleClinician") }), people(plan.crisis_contacts));
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
  const save = h("button", { type: "submit", class: "btn btn-primary", text: t("plan.save") });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  const form = h("form", { class: "card plan-editor", novalidate: true, "aria-labelledby": titleId, "data-section": key },
    h("h3", { id: titleId, class: "section-title", text: t("plan.editing", { title: titleText }), tabindex: "-1" }), rows, addRow, error,
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
      announce(t("plan.saved", { version: state.plan.version }));
      return;
    }
    if ((result.status === 412 || result.status === 428) && result.body?.current) {
      // Someone saved in between: keep these edits, base them on that version, say so.
      state.plan = normal(result.body.current);
      base = state.plan.version;
      error.append(h("p", { class: "notice notice-warn", role: "alert",
        text: t("plan.conflict", { version: base, who: who(state.plan.saved_by) }) }));
      return;
    }
    if (result.status === 0) {
      error.append(h("p", { class: "notice notice-warn", role: "alert", text: t("plan.offlineSave") }));
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
  else box.append(h("p", { class: "error-text", role: "alert", text: t("plan.fieldErrors") }));
  first?.focus();
}

function select(id, path, options, value) {
  return h("select", { id, "data-path": path }, options.map(([v, text]) => h("option", { value: v, text, selected: v === (value ?? "") })));
}
const fieldOf = (labelText, control, hint) => {
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id, text: labelText }), control, hintEl);
};

function signsEditor(state, titleText, titleId) {
  const rows = h("div", { class: "plan-edit-rows" });
  const add = h("button", { type: "button", class: "btn btn-secondary", text: t("plan.addSign") });
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
  const pole = select(`${id}-pole`, "", POLES.map((p) => [p, poleText(p)]), sign.pole);
  const stage = select(`${id}-stage`, "", STAGES.map((st) => [st, stageText(st)]), sign.stage);
  const rule = select(`${id}-rule`, "", [["", t("plan.noSignal")], ...SIGNALS.map(([r]) => [r, signalTitle(r)])], sign.signal?.rule || "");
  const s = sign.signal || {};
  const direction = select(`${id}-direction`, "", [["", t("plan.eitherWay")], ["later", t("plan.later")], ["earlier", t("plan.earlier")]], s.direction || "");
  const minutes = h("input", { type: "number", id: `${id}-minutes`, min: "1", max: "720", inputmode: "numeric", value: s.min_minutes ?? "" });
  const moodPole = select(`${id}-moodpole`, "", [["", t("plan.highOrLow")], ["elevated", t("plan.high")], ["depressed", t("plan.low")]], s.pole || "");
  const total = h("input", { type: "number", id: `${id}-total`, min: "0", max: "27", inputmode: "numeric", value: s.min_total ?? "" });
  const params = {
    direction: fieldOf(t("plan.direction"), direction),
    min_minutes: fieldOf(t("plan.minutes"), minutes, t("plan.minutesHint")),
    pole: fieldOf(t("plan.mood"), moodPole),
    min_total: fieldOf(t("plan.total"), total, t("plan.totalHint")),
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
    fieldOf(t("plan.sign"), text, t("plan.signHint")),
    h("div", { class: "plan-edit-pair" }, fieldOf(t("plan.pole"), pole), fieldOf(t("plan.stage"), stage)),
    fieldOf(t("plan.signal"), rule, t("plan.signalHint")),
    h("div", { class: "plan-edit-pair" }, ...Object.values(params)),
    fieldOf(own ? t("plan.stepsOwn") : t("plan.steps"), actions),
    remove);
  row.renumber = (i) => {
    legend.textContent = t("plan.signN", { n: i + 1 });
    remove.textContent = t("plan.removeSign", { n: i + 1 });
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
    const rows = h("div", { class: "plan-edit-rows" });
    const add = h("button", { type: "button", class: "btn btn-secondary", text: words(key, "add") });
    const renumber = () => rows.querySelectorAll(".plan-person-edit").forEach((row, i) => row.renumber(i));
    const addPerson = (person) => {
      const id = uid("person");
      const legend = h("legend");
      const name = h("input", { type: "text", id: `${id}-name`, maxlength: "80", value: person.name || "", autocomplete: "off" });
      const reach = h("input", { type: "text", id: `${id}-reach`, maxlength: "200", value: person.how_to_reach || "", autocomplete: "off" });
      const remove = h("button", { type: "button", class: "btn btn-quiet btn-small" });
      const row = h("fieldset", { class: "plan-person-edit" }, legend,
        h("div", { class: "plan-edit-pair" }, fieldOf(t("plan.name"), name), fieldOf(t("plan.reach"), reach)), remove);
      row.renumber = (i) => {
        legend.textContent = words(key, "legend", { n: i + 1 });
        remove.textContent = words(key, "remove", { n: i + 1 });
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
