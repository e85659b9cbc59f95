// Flags: what the rules noticed, highest severity first, each with its evidence as a table.
// A linked clinician acknowledges a flag (with an optional note) and may undo it; the client
// sees who acknowledged it but cannot clear it.
import { h, loading, errorBox, badge, announce, uid, when } from "../ui.js";
import * as D from "../diary.js";
import * as api from "../api.js";
import { eventWord } from "./trends.js";
import { explain, ruleTitle, bySeverity, evidenceTable, usualText, usesUsual } from "./evidence.js";
import { flagPlanBox } from "./plan_signs.js";

export { explain, ruleTitle };

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Flags" }),
    h("p", { class: "hint", text: own
      ? "Changes in your routine worth talking about with your therapist. They are prompts, not diagnoses."
      : "Changes in this client's routine worth talking about, highest severity first. Acknowledge a flag once you have discussed it." }));
  const body = h("div", {}, loading());
  main.append(body);
  const [result, events] = await Promise.all([api.get(`${ctx.base}/flags`), api.get(`${ctx.base}/events`)]);
  body.replaceChildren();
  // Life events by id, to name the ones a client linked to a flag.
  const named = { ...ctx, events: new Map(((api.ok(events) && events.body.events) || []).map((e) => [e.id, e])) };
  if (!api.ok(result)) return body.append(errorBox(`Flags are not available: ${api.message(result)}`));
  // The client's own action steps for each flag that matches a sign of their plan (IPT).
  named.planActions = (result.body.plan_actions || []).reduce((m, a) => m.set(a.flag_id, [...(m.get(a.flag_id) || []), a]), new Map());
  const flags = [...(result.body.flags || [])].sort(bySeverity);
  if (!flags.length) return body.append(h("p", { class: "notice notice-info", text: "No flags. Nothing unusual was noticed." }));
  const withUsual = flags.find((f) => usesUsual(f.rule));
  if (withUsual) body.append(h("p", { class: "hint usual-note", text: usualText(own, withUsual.settings?.baseline_days ?? 28) }));
  const list = h("ul", { class: "flags" });
  for (const flag of flags) list.append(flagItem(flag, named));
  body.append(list);
}

const dates = (flag) => (flag.window_start === flag.window_end ? D.longDate(flag.window_start)
  : `${D.longDate(flag.window_start)} – ${D.longDate(flag.window_end)}`);
const who = (person) => (person ? person.name || person.display_name || person.email || "a clinician" : "a clinician");

function flagItem(flag, ctx, focus = null) {
  const own = !ctx.base;
  const titleId = uid("flag");
  const open = flag.status === "open";
  const li = h("li", { class: `card flag severity-${flag.severity}${open ? "" : " flag-done"}`, "aria-labelledby": titleId, "data-flag": String(flag.id), "data-rule": flag.rule },
    h("div", { class: "row between" },
      h("h3", { id: titleId, class: "section-title", text: ruleTitle(flag.rule) }),
      badge(`${flag.severity[0].toUpperCase()}${flag.severity.slice(1)}`, `sev-${flag.severity}`)),
    h("p", { text: explain(flag, own) }),
    flagPlanBox(ctx.planActions?.get(flag.id), own),
    h("p", { class: "muted", text: dates(flag) }),
    evidenceTable(flag, { expandable: 7 }),
    flag.explained ? h("p", { class: "notice notice-info", text: `Probably explained by: ${(flag.explained_by || []).map(eventWord).join(", ")}.` }) : null,
    contextList(flag, own, ctx.events),
    flag.escalated_at && open ? h("p", { class: "notice notice-warn", text: escalated(flag) }) : null);
  const status = h("div", { class: "flag-status" }, open ? badge("Open", "warn") : badge("Acknowledged", "ok"));
  if (!open) status.append(" ", ackLine(flag, own));
  const actions = h("div", { class: "row between wrap flag-actions" }, status);
  li.append(actions);
  if (own) {
    const add = h("button", { type: "button", class: "btn btn-quiet", text: "Add context", "aria-describedby": titleId });
    add.addEventListener("click", () => contextForm(li, flag, ctx, add, titleId));
    actions.append(add);
    if (focus === "button") queueMicrotask(() => add.focus());
  } else {
    const button = open
      ? h("button", { type: "button", class: "btn btn-secondary", text: "Acknowledge", "aria-describedby": titleId })
      : h("button", { type: "button", class: "btn btn-quiet", text: "Undo acknowledgement", "aria-describedby": titleId });
    button.addEventListener("click", () => (open ? ackForm(li, flag, ctx, button, titleId) : undo(li, flag, ctx, button)));
    actions.append(button);
    if (focus === "button") queueMicrotask(() => button.focus());
  }
  return li;
}

function escalated(flag) {
  const then = flag.escalated_from;
  const by = then?.acknowledged_by ? ` by ${who(then.acknowledged_by)}` : "";
  const was = then ? ` (then ${[then.severity, then.days ? `${then.days} days` : null].filter(Boolean).join(", ")})` : "";
  return `Open again since ${when(flag.escalated_at)}: it grew after it was acknowledged${by}${was}.`;
}

function ackLine(flag, own) {
  const by = flag.acknowledged_by;
  const text = [
    by ? `by ${own ? "your clinician " : ""}${who(by)}` : null,
    flag.acknowledged_at ? `on ${when(flag.acknowledged_at)}` : null,
  ].filter(Boolean).join(" ");
  return h("span", { class: "ack-by" }, h("span", { class: "muted", text }),
    flag.ack_note ? h("q", { class: "ack-note", text: flag.ack_note }) : null);
}

function contextList(flag, own, events) {
  const items = Array.isArray(flag.context) ? flag.context : [];
  if (!items.length) return null;
  const eventText = (id) => {
    const e = events?.get(id);
    return e ? `${eventWord(e.kind)}, ${D.dayMonth(e.start)}${e.end !== e.start ? ` – ${D.dayMonth(e.end)}` : ""}` : "a life event";
  };
  return h("ul", { class: "flag-context" }, items.map((c) => h("li", {},
    h("strong", { text: own ? "Your note: " : "Their note: " }),
    c.note || "",
    c.event_id ? h("span", { class: c.note ? "muted" : null, text: `${c.note ? " · " : ""}explained by ${eventText(c.event_id)}` }) : null,
    c.at ? h("span", { class: "muted", text: ` · ${when(c.at)}` }) : null)));
}

function ackForm(li, flag, ctx, button, titleId) {
  button.hidden = true;
  const noteId = uid("ack-note");
  const note = h("textarea", { id: noteId, name: "note", rows: "2", maxlength: "500" });
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Acknowledge" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const form = h("form", { class: "ack-form", novalidate: true, "aria-labelledby": titleId },
    h("div", { class: "field" }, h("label", { for: noteId, text: "Note (optional)" }), note,
      h("p", { class: "hint", text: "What you discussed or decided; kept with the acknowledgement." })),
    error, h("div", { class: "row gap wrap" }, submit, cancel));
  cancel.addEventListener("click", () => {
    form.remove();
    button.hidden = false;
    button.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const text = note.value.trim();
    const result = await api.post(`${ctx.base}/flags/${flag.id}/ack`, text ? { note: text } : {});
    if (!api.ok(result)) {
      submit.disabled = false;
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
      return;
    }
    const done = { ...flag, status: "acknowledged", ack_note: text || null, acknowledged_at: new Date().toISOString(), ...(result.body || {}) };
    li.replaceWith(flagItem(done, ctx, "button"));
    announce(`${ruleTitle(flag.rule)} acknowledged.`);
  });
  li.append(form);
  note.focus();
}

// The client's side: a note, or one of their life events that explains the flag. It adds to the
// flag; it never clears it.
async function contextForm(li, flag, ctx, button, titleId) {
  button.hidden = true;
  const noteId = uid("context-note");
  const note = h("textarea", { id: noteId, name: "note", rows: "2", maxlength: "500" });
  const eventSelect = h("select", { id: uid("context-event"), name: "event_id" }, h("option", { value: "", text: "None" }));
  const events = await api.get(`/events?from=${D.addDays(flag.window_start, -14)}&to=${flag.window_end}`);
  for (const e of (api.ok(events) && events.body.events) || []) {
    eventSelect.append(h("option", { value: String(e.id), text: `${eventWord(e.kind)}, ${D.dayMonth(e.start)}${e.end !== e.start ? ` – ${D.dayMonth(e.end)}` : ""}` }));
  }
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Add" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const form = h("form", { class: "ack-form", novalidate: true, "aria-labelledby": titleId },
    h("div", { class: "field" }, h("label", { for: noteId, text: "Your note" }), note,
      h("p", { class: "hint", text: "What was going on, for your clinician to read." })),
    h("div", { class: "field" }, h("label", { for: eventSelect.id, text: "A life event that explains it (optional)" }), eventSelect),
    error, h("div", { class: "row gap wrap" }, submit, cancel));
  cancel.addEventListener("click", () => {
    form.remove();
    button.hidden = false;
    button.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    if (note.value.trim()) body.note = note.value.trim();
    if (eventSelect.value) body.event_id = Number(eventSelect.value);
    if (!Object.keys(body).length) {
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: "Write a note or choose a life event." }));
      return note.focus();
    }
    submit.disabled = true;
    const result = await api.post(`/flags/${flag.id}/context`, body);
    if (!api.ok(result)) {
      submit.disabled = false;
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
      return;
    }
    li.replaceWith(flagItem(result.body?.id ? result.body : flag, ctx, "button"));
    announce("Your note was added to the flag.");
  });
  li.append(form);
  note.focus();
}

async function undo(li, flag, ctx, button) {
  button.disabled = true;
  const result = await api.del(`${ctx.base}/flags/${flag.id}/ack`);
  if (!api.ok(result)) {
    button.disabled = false;
    li.querySelector(".flag-actions").after(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
    return;
  }
  const reopened = result.body && result.body.id ? result.body
    : { ...flag, status: "open", acknowledged_at: null, acknowledged_by: null, ack_note: null };
  li.replaceWith(flagItem(reopened, ctx, "button"));
  announce(`${ruleTitle(flag.rule)} is open again.`);
}
