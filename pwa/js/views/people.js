// The interpersonal inventory (docs/api-ipt.md §1): the client's important relationships, built
// with the clinician in the initial phase and edited by either later. The client's own list is
// kept on the device for reading offline; changes need a connection. Texts: pwa/js/locales/ipt.js.
import { h, loading, errorBox, announce, uid, showErrors, when, confirmDialog } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import { load } from "../ipt_cache.js";

// The choices' values; their words are looked up when shown, in the language of the moment.
const ROLES = ["partner", "parent", "child", "sibling", "relative", "friend", "colleague", "neighbour", "other"];
const CONTACT = ["daily", "weekly", "monthly", "rarely", "none"];
const TEXTS = ["satisfying", "unsatisfying", "would_change"];
const roleText = (v) => (ROLES.includes(v) ? t(`people.role.${v}`) : v);
const contactText = (v) => (CONTACT.includes(v) ? t(`people.contact.${v}`) : v);
const closenessText = (n) => (n === 1 || n === 5 ? t(`people.closeness.${n}`) : String(n));

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: own ? t("people.headingOwn") : t("people.heading") }),
    h("p", { class: "hint", text: own ? t("people.introOwn") : t("people.introClient") }));
  const body = h("div", { class: "people-view" }, loading());
  main.append(body);
  await refresh(body, ctx);
}

async function refresh(body, ctx, focusId = null) {
  const own = !ctx.base;
  const got = own ? await load("people", "/inventory") : fromResult(await api.get(`${ctx.base}/inventory`));
  body.replaceChildren();
  if (!got.ok) return body.append(errorBox(t("people.unavailable", { reason: api.message(got.result) })));
  const data = got.body;
  const offline = Boolean(got.offline);
  if (offline) body.append(h("p", { class: "notice notice-warn", role: "status", text: t("people.offline", { when: when(new Date(got.at).toISOString()) }) }));
  const reload = (id) => refresh(body, ctx, id);
  const add = h("button", { type: "button", class: "btn btn-primary", text: t("people.add"), disabled: offline });
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
  if (!people.length) body.append(h("p", { class: "notice notice-info", text: t("people.none") }));
  else body.append(h("ul", { class: "plain people" }, people.map((p) => personItem(p, ctx, offline, reload))));
  body.dataset.loaded = "true";
  if (focusId) body.querySelector(`[data-person="${focusId}"] h3`)?.focus();
}

const fromResult = (result) => (api.ok(result) ? { ok: true, body: result.body } : { ok: false, result });

function personItem(person, ctx, offline, reload) {
  const titleId = uid("person");
  const li = h("li", { class: "card person", "aria-labelledby": titleId, "data-person": String(person.id) },
    h("h3", { id: titleId, class: "section-title", tabindex: "-1", text: person.name }),
    h("p", { class: "muted", text: t("people.summary", { role: roleText(person.role), contact: String(contactText(person.contact)).toLowerCase(), closeness: person.closeness }) }),
    TEXTS.some((k) => person[k]) ? h("dl", { class: "person-texts" }, TEXTS.filter((k) => person[k]).map((k) => [h("dt", { text: t(`people.text.${k}`) }), h("dd", { text: person[k] })])) : null,
    person.updated_by ? h("p", { class: "hint", text: t("people.changed", { when: when(person.updated_at), who: person.updated_by.name }) }) : null);
  const edit = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("people.edit"), "aria-describedby": titleId, disabled: offline });
  const remove = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("people.remove"), "aria-describedby": titleId, disabled: offline });
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
    if (!(await confirmDialog({ title: t("people.removeTitle", { name: person.name }), text: t("people.removeText"), yes: t("people.remove") }))) return;
    const result = await api.del(`${ctx.base}/inventory/${person.id}`);
    if (!api.ok(result)) return actions.after(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
    announce(t("people.removed", { name: person.name }));
    reload();
  });
  return li;
}

function personForm(person, ctx, cancelled, reload) {
  const p = person || {};
  const id = uid("pf");
  const label = (text, c, hint) => {
    const hintEl = hint ? h("p", { class: "hint", id: `${c.id}-hint`, text: hint }) : null;
    if (hintEl) c.setAttribute("aria-describedby", hintEl.id);
    return h("div", { class: "field" }, h("label", { for: c.id, text }), c, hintEl);
  };
  const name = h("input", { type: "text", id: `${id}-name`, name: "name", maxlength: "80", autocomplete: "off", value: p.name || "" });
  const choose = (key, list, value) => h("select", { id: `${id}-${key}`, name: key },
    h("option", { value: "", text: t("people.choose") }), list.map(([v, text]) => h("option", { value: v, text, selected: v === value })));
  const role = choose("role", ROLES.map((v) => [v, roleText(v)]), p.role);
  const contact = choose("contact", CONTACT.map((v) => [v, contactText(v)]), p.contact);
  const closeness = choose("closeness", [1, 2, 3, 4, 5].map((n) => [String(n), closenessText(n)]), p.closeness ? String(p.closeness) : "");
  const texts = Object.fromEntries(TEXTS.map((k) => {
    const area = h("textarea", { id: `${id}-${k}`, name: k, rows: "2", maxlength: "2000" });
    area.value = p[k] || "";
    return [k, area];
  }));
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  const titleId = `${id}-h`;
  const form = h("form", { class: "card person-form", novalidate: true, "aria-labelledby": titleId },
    h("h3", { id: titleId, class: "section-title", text: person ? t("people.editTitle", { name: person.name }) : t("people.add") }),
    label(t("people.name"), name, t("people.nameHint")),
    h("div", { class: "plan-edit-pair" }, label(t("people.roleLabel"), role), label(t("people.contactLabel"), contact)),
    label(t("people.closenessLabel"), closeness, t("people.closenessHint")),
    TEXTS.map((k) => label(t("people.optional", { label: t(`people.text.${k}`) }), texts[k], t(`people.hint.${k}`))),
    error, h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: person ? t("people.save") : t("people.addButton") }), cancel));
  cancel.addEventListener("click", cancelled);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), role: role.value || null, contact: contact.value || null, closeness: closeness.value ? Number(closeness.value) : null };
    for (const k of TEXTS) body[k] = texts[k].value.trim() || null;
    const result = person ? await api.put(`${ctx.base}/inventory/${person.id}`, body) : await api.post(`${ctx.base}/inventory`, body);
    if (!api.ok(result)) return showErrors(error, result, { name, role, contact, closeness, ...texts }, api);
    announce(t(person ? "people.saved" : "people.added", { name: body.name }));
    reload(result.body?.id ?? person?.id);
  });
  return form;
}
