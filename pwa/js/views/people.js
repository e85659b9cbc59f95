// The interpersonal inventory (docs/api-ipt.md §1): the client's important relationships, built
// with the clinician in the initial phase and edited by either later. The client's own list is
// kept on the device for reading offline; changes need a connection.
import { h, loading, errorBox, announce, uid, showErrors, when, confirmDialog } from "../ui.js";
import * as api from "../api.js";
import { load } from "../ipt_cache.js";

const ROLES = [["partner", "Partner"], ["parent", "Parent"], ["child", "Child"], ["sibling", "Brother or sister"], ["relative", "Other relative"],
  ["friend", "Friend"], ["colleague", "Colleague"], ["neighbour", "Neighbour"], ["other", "Other"]];
const CONTACT = [["daily", "Daily"], ["weekly", "Weekly"], ["monthly", "Monthly"], ["rarely", "Rarely"], ["none", "No contact"]];
const CLOSENESS = ["", "1 · Distant", "2", "3", "4", "5 · Very close"];
const TEXTS = [["satisfying", "What is satisfying", "What works well between you."],
  ["unsatisfying", "What is unsatisfying", "What is hard or disappointing."],
  ["would_change", "What I would change", "What you would like to be different."]];
const word = (list, v) => (list.find(([k]) => k === v) || [v, v])[1];

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: own ? "My people" : "Interpersonal inventory" }),
    h("p", { class: "hint", text: own
      ? "The people who matter in your life, as you go through them with your therapist: how close you are, what works and what you would change. Only you and your therapist see this."
      : "The client's important relationships, closest first. The client sees and edits the same list." }));
  const body = h("div", { class: "people-view" }, loading());
  main.append(body);
  await refresh(body, ctx);
}

async function refresh(body, ctx, focusId = null) {
  const own = !ctx.base;
  const got = own ? await load("people", "/inventory") : fromResult(await api.get(`${ctx.base}/inventory`));
  body.replaceChildren();
  if (!got.ok) return body.append(errorBox(`The list is not available: ${api.message(got.result)}`));
  const data = got.body;
  const offline = Boolean(got.offline);
  if (offline) body.append(h("p", { class: "notice notice-warn", role: "status", text: `Offline: the copy kept on this device on ${when(new Date(got.at).toISOString())}. Changes need a connection.` }));
  const reload = (id) => refresh(body, ctx, id);
  const add = h("button", { type: "button", class: "btn btn-primary", text: "Add a person", disabled: offline });
  const top = h("div", { class: "row gap wrap people-actions" }, add);
  body.append(top);
  add.addEventListener("click", () => {
    top.hidden = true;
    const form = personForm(null, ctx, () => {
      form.remove();
      top.hidden = false;
      add.focus();
    }, reload);
    top.after(form);
    form.querySelector("input")?.focus();
  });
  const people = data?.people || [];
  if (!people.length) body.append(h("p", { class: "notice notice-info", text: "No one listed yet." }));
  else body.append(h("ul", { class: "plain people" }, people.map((p) => personItem(p, ctx, offline, reload))));
  body.dataset.loaded = "true";
  if (focusId) body.querySelector(`[data-person="${focusId}"] h3`)?.focus();
}

const fromResult = (result) => (api.ok(result) ? { ok: true, body: result.body } : { ok: false, result });

function personItem(person, ctx, offline, reload) {
  const titleId = uid("person");
  const li = h("li", { class: "card person", "aria-labelledby": titleId, "data-person": String(person.id) },
    h("h3", { id: titleId, class: "section-title", tabindex: "-1", text: person.name }),
    h("p", { class: "muted", text: `${word(ROLES, person.role)} · contact ${word(CONTACT, person.contact).toLowerCase()} · closeness ${person.closeness} of 5` }),
    TEXTS.some(([k]) => person[k]) ? h("dl", { class: "person-texts" }, TEXTS.filter(([k]) => person[k]).map(([k, t]) => [h("dt", { text: t }), h("dd", { text: person[k] })])) : null,
    person.updated_by ? h("p", { class: "hint", text: `Last changed ${when(person.updated_at)} by ${person.updated_by.name}` }) : null);
  const edit = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit", "aria-describedby": titleId, disabled: offline });
  const remove = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Remove", "aria-describedby": titleId, disabled: offline });
  const actions = h("div", { class: "row gap wrap" }, edit, remove);
  li.append(actions);
  edit.addEventListener("click", () => {
    actions.hidden = true;
    const form = personForm(person, ctx, () => {
      form.remove();
      actions.hidden = false;
      edit.focus();
    }, reload);
    li.append(form);
    form.querySelector("input")?.focus();
  });
  remove.addEventListener("click", async () => {
    if (!(await confirmDialog({ title: `Remove ${person.name}?`, text: "They are taken off the list, with what was written about them.", yes: "Remove" }))) return;
    const result = await api.del(`${ctx.base}/inventory/${person.id}`);
    if (!api.ok(result)) return actions.after(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
    announce(`${person.name} removed.`);
    reload();
  });
  return li;
}

function personForm(person, ctx, cancelled, reload) {
  const p = person || {};
  const id = uid("pf");
  const label = (t, c, hint) => {
    const hintEl = hint ? h("p", { class: "hint", id: `${c.id}-hint`, text: hint }) : null;
    if (hintEl) c.setAttribute("aria-describedby", hintEl.id);
    return h("div", { class: "field" }, h("label", { for: c.id, text: t }), c, hintEl);
  };
  const name = h("input", { type: "text", id: `${id}-name`, name: "name", maxlength: "80", autocomplete: "off", value: p.name || "" });
  const choose = (key, list, value) => h("select", { id: `${id}-${key}`, name: key },
    h("option", { value: "", text: "Choose…" }), list.map(([v, t]) => h("option", { value: v, text: t, selected: v === value })));
  const role = choose("role", ROLES, p.role);
  const contact = choose("contact", CONTACT, p.contact);
  const closeness = choose("closeness", CLOSENESS.map((t, i) => [String(i), t]).slice(1), p.closeness ? String(p.closeness) : "");
  const texts = Object.fromEntries(TEXTS.map(([k]) => {
    const area = h("textarea", { id: `${id}-${k}`, name: k, rows: "2", maxlength: "2000" });
    area.value = p[k] || "";
    return [k, area];
  }));
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const titleId = `${id}-h`;
  const form = h("form", { class: "card person-form", novalidate: true, "aria-labelledby": titleId },
    h("h3", { id: titleId, class: "section-title", text: person ? `Edit ${person.name}` : "Add a person" }),
    label("Name", name, "A first name or a label, like “my sister”."),
    h("div", { class: "plan-edit-pair" }, label("Who they are", role), label("How often in touch", contact)),
    label("How close", closeness, "1 distant, 5 very close."),
    TEXTS.map(([k, t, hint]) => label(`${t} (optional)`, texts[k], hint)),
    error, h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: person ? "Save" : "Add" }), cancel));
  cancel.addEventListener("click", cancelled);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), role: role.value || null, contact: contact.value || null, closeness: closeness.value ? Number(closeness.value) : null };
    for (const [k] of TEXTS) body[k] = texts[k].value.trim() || null;
    const result = person ? await api.put(`${ctx.base}/inventory/${person.id}`, body) : await api.post(`${ctx.base}/inventory`, body);
    if (!api.ok(result)) return showErrors(error, result, { name, role, contact, closeness, ...texts }, api);
    announce(person ? `${body.name} saved.` : `${body.name} added.`);
    reload(result.body?.id ?? person?.id);
  });
  return form;
}
