// Small DOM helpers: elements are built with textContent only (no HTML strings, CSP-friendly).

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
  const texts = {
    pending: "Saved on this device",
    synced: "Synced",
    conflict: "Conflict",
    auth: "Needs sign-in",
    invalid: "Invalid",
  };
  if (!item) return badge("Not logged", "muted");
  return badge(texts[item.state] || item.state, kinds[item.state] || "muted");
}

export function announce(text) {
  const live = document.getElementById("announcer");
  if (live) {
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 30);
  }
}

export function loading(text = "Loading…") {
  return h("p", { class: "muted", role: "status", text });
}

export function errorBox(text) {
  return h("p", { class: "notice notice-error", role: "alert", text });
}
