// Small DOM helpers: elements are built with textContent only (no HTML strings, CSP-friendly).
import { t, locale } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "on") for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let ids = 0;
export const uid = (prefix = "f") => `${prefix}-${++ids}`;

/** A labelled form field: label, control, optional hint, error slot. */
export function field(labelText, control, hint) {
  const id = control.id || (control.id = uid());
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id, text: labelText }), control, hintEl);
}

export const badge = (text, kind) => h("span", { class: `badge badge-${kind}`, text });

/** Status text for a diary day's sync state. */
export function stateBadge(item) {
  const kinds = { pending: "pending", synced: "ok", conflict: "warn", auth: "warn", invalid: "error" };
  if (!item) return badge(t("common.state.none"), "muted");
  return badge(kinds[item.state] ? t(`common.state.${item.state}`) : item.state, kinds[item.state] || "muted");
}

export function announce(text) {
  const live = document.getElementById("announcer");
  if (live) {
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 30);
  }
}

export function loading(text = t("common.loading")) {
  return h("p", { class: "muted", role: "status", text });
}

export function errorBox(text) {
  return h("p", { class: "notice notice-error", role: "alert", text });
}

/** A modal yes/no question; resolves true when the person confirms. Focus starts on "no". */
export function confirmDialog({ title, text, yes, no = t("common.cancel") }) {
  return new Promise((resolve) => {
    const id = uid("dlg");
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": id },
      h("h2", { id, text: title }), h("p", { text }));
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: no });
    const go = h("button", { type: "button", class: "btn btn-danger", text: yes });
    dialog.append(h("div", { class: "row gap wrap end" }, cancel, go));
    const done = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener("click", () => done(false));
    go.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Show a request's errors: per-field messages next to their controls, the rest in `box`.
 * Texts of a result the form made itself (not api.request's, or marked `local: true`) are shown
 * as they are; the server's are reworded (api.fieldMessages). */
export function showErrors(box, result, fields = {}, api) {
  for (const control of Object.values(fields)) {
    const errId = `${control.id}-error`;
    control.removeAttribute("aria-invalid");
    const rest = (control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== errId);
    if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
    else control.removeAttribute("aria-describedby");
    control.parentElement.querySelector(".field-error")?.remove();
  }
  box.replaceChildren();
  if (!result) return;
  const errors = result.body?.errors || {};
  const local = result.local || !result.server;
  let placed = false;
  for (const [name, control] of Object.entries(fields)) {
    const list = errors[name];
    if (!list) continue;
    const errId = `${control.id}-error`;
    control.setAttribute("aria-invalid", "true");
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== errId);
    control.setAttribute("aria-describedby", [...described, errId].join(" "));
    // The label as the form shows it names the field in the sentence.
    const label = control.labels?.[0]?.textContent || control.closest("fieldset")?.querySelector("legend")?.textContent;
    // A form's own results carry its sentences, already in the person's language.
    const text = local ? [].concat(list).join(" ") : api.fieldMessages({ [name]: [].concat(list) }, label ? { [name]: label } : {}, true).join(" ");
    control.after(h("p", { class: "field-error error-text", id: errId, role: placed ? null : "alert", text }));
    if (!placed) control.focus();
    placed = true;
  }
  if (!placed) {
    const labels = Object.fromEntries(Object.entries(fields).map(([name, control]) => [name, control.labels?.[0]?.textContent]).filter(([, label]) => label));
    box.append(errorBox(local && result.body?.message ? result.body.message : api.message(result, labels)));
  }
}

/** Copy text; returns whether it worked (clipboard needs a secure context). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A code shown large, spelled out for screen readers, with a copy button. */
export function codeBlock(code, labelText) {
  const copy = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("common.copyCode") });
  copy.addEventListener("click", async () => {
    const done = await copyText(code);
    copy.textContent = done ? t("common.copied") : t("common.copyFailed");
    announce(done ? t("common.copiedAnnounce") : t("common.copyFailedAnnounce"));
  });
  return h("div", { class: "code-block" },
    h("p", { class: "code-label", text: labelText }),
    h("p", { class: "code", "data-code": code },
      h("span", { "aria-hidden": "true", text: code }),
      h("span", { class: "sr-only", text: code.split("").map((c) => (c === "-" ? t("common.dash") : c)).join(" ") })),
    copy);
}

export const when = (iso) =>
  new Date(iso).toLocaleString(locale(), { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
