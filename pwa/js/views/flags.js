// Flags: what the rules noticed, highest severity first, each with its evidence as a table.
// A linked clinician acknowledges a flag (with an optional note) and may undo it; the client
// sees who acknowledged it but cannot clear it.
import { h, loading, errorBox, badge, announce, uid, when } from "../ui.js";
import * as D from "../diary.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import { eventWord } from "./trends.js";
import { explain, ruleTitle, bySeverity, evidenceTable, usualText, usesUsual } from "./evidence.js";
import { flagPlanBox } from "./plan_signs.js";

export { explain, ruleTitle };

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("flags.heading") }),
    h("p", { class: "hint", text: own ? t("flags.introOwn") : t("flags.introClient") }));
  const body = h("div", {}, loading());
  main.append(body);
  const [result, events] = await Promise.all([api.get(`${ctx.base}/flags`), api.get(`${ctx.base}/events`)]);
  body.replaceChildren();
  // Life events by id, to name the ones a client linked to a flag.
  const named = { ...ctx, events: new Map(((api.ok(events) && events.body.events) || []).map((e) => [e.id, e])) };
  if (!api.ok(result)) return body.append(errorBox(t("flags.unavailable", { reason: api.message(result) })));
  // The client's own action steps for each flag that matches a sign of their plan (IPT).
  named.planActions = (result.body.plan_actions || []).reduce((m, a) => m.set(a.flag_id, [...(m.get(a.flag_id) || []), a]), new Map());
  const flags = [...(result.body.flags || [])].sort(bySeverity);
  if (!flags.length) return body.append(h("p", { class: "notice notice-info", text: t("flags.none") }));
  const withUsual = flags.find((f) => usesUsual(f.rule));
  if (withUsual) body.append(h("p", { class: "hint usual-note", text: usualText(own, withUsual.settings?.baseline_days ?? 28) }));
  const list = h("ul", { class: "flags" });
  for (const flag of flags) list.append(flagItem(flag, named));
  body.append(list);
}

const dates = (flag) => (flag.window_start === flag.window_end ? D.longDate(flag.window_start)
  : `${D.longDate(flag.window_start)} – ${D.longDate(flag.window_end)}`);
const who = (person) => (person ? person.name || person.display_name || person.email || t("flags.aClinician") : t("flags.aClinician"));

function flagItem(flag, ctx, focus = null) {
  const own = !ctx.base;
  const titleId = uid("flag");
  const open = flag.status === "open";
  const li = h("li", { class: `card flag severity-${flag.severity}${open ? "" : " flag-done"}`, "aria-labelledby": titleId, "data-flag": String(flag.id), "data-rule": flag.rule },
    h("div", { class: "row between" },
      h("h3", { id: titleId, class: "section-title", text: ruleTitle(flag.rule) }),
      badge(severityWord(flag.severity), `sev-${flag.severity}`)),
    h("p", { text: explain(flag, own) }),
    flagPlanBox(ctx.planActions?.get(flag.id), own),
    h("p", { class: "muted", text: dates(flag) }),
    evidenceTable(flag, { expandable: 7 }),
    flag.explained ? h("p", { class: "notice notice-info", text: t("flags.explainedBy", { events: (flag.explained_by || []).map(eventWord).join(", ") }) }) : null,
    contextList(flag, own, ctx.events),
    flag.escalated_at && open ? h("p", { class: "notice notice-warn", text: escalated(flag) }) : null);
  const status = h("div", { class: "flag-status" }, open ? badge(t("flags.open"), "warn") : badge(t("flags.acknowledged"), "ok"));
  if (!open) status.append(" ", ackLine(flag, own));
  const actions = h("div", { class: "row between wrap flag-actions" }, status);
  li.append(actions);
  if (own) {
    const add = h("button", { type: "button", class: "btn btn-quiet", text: t("flags.addContext"), "aria-describedby": titleId });
    add.addEventListener("click", () => contextForm(li, flag, ctx, add, titleId));
    actions.append(add);
    if (focus === "button") queueMicrotask(() => add.focus());
  } else {
    const button = open
      ? h("button", { type: "button", class: "btn btn-secondary", text: t("flags.acknowledge"), "aria-describedby": titleId })
      : h("button", { type: "button", class: "btn btn-quiet", text: t("flags.undo"), "aria-describedby": titleId });
    button.addEventListener("click", () => (open ? ackForm(li, flag, ctx, button, titleId) : undo(li, flag, ctx, button)));
    actions.append(button);
    if (focus === "button") queueMicrotask(() => button.focus());
  }
  return li;
}

const severityWord = (severity) => {
  const word = t(`flags.severity.${severity}`);
  return word.startsWith("flags.") ? `${severity[0].toUpperCase()}${severity.slice(1)}` : word;
};

function escalated(flag) {
  const then = flag.escalated_from;
  const by = then?.acknowledged_by ? t("flags.escalatedBy", { who: who(then.acknowledged_by) }) : "";
  const was = then ? t("flags.escalatedWas", { then: [then.severity ? severityWord(then.severity).toLowerCase() : null,
    then.days ? t("flags.days", { count: then.days }) : null].filter(Boolean).join(", ") }) : "";
  return t("flags.escalated", { when: when(flag.escalated_at), by, was });
}

function ackLine(flag, own) {
  const by = flag.acknowledged_by;
  const text = [
    by ? (own ? t("flags.ackByYours", { who: who(by) }) : t("flags.ackBy", { who: who(by) })) : null,
    flag.acknowledged_at ? t("flags.ackOn", { when: when(flag.acknowledged_at) }) : null,
  ].filter(Boolean).join(" ");
  return h("span", { class: "ack-by" }, h("span", { class: "muted", text }),
    flag.ack_note ? h("q", { class: "ack-note", text: flag.ack_note }) : null);
}

function contextList(flag, own, events) {
  const items = Array.isArray(flag.context) ? flag.context : [];
  if (!items.length) return null;
  const eventText = (id) => {
    const e = events?.get(id);
    return e ? `${eventWord(e.kind)}, ${D.dayMonth(e.start)}${e.end !== e.start ? ` – ${D.dayMonth(e.end)}` : ""}` : t("flags.aLifeEvent");
  };
  return h("ul", { class: "flag-context" }, items.map((c) => h("li", {},
    h("strong", { text: own ? t("flags.yourNote") : t("flags.theirNote") }),
    c.note || "",
    c.event_id ? h("span", { class: c.note ? "muted" : null, text: `${c.note ? " · " : ""}${t("flags.explainedByEvent", { event: eventText(c.event_id) })}` }) : null,
    c.at ? h("span", { class: "muted", text: ` · ${when(c.at)}` }) : null)));
}

function ackForm(li, flag, ctx, button, titleId) {
  button.hidden = true;
  const noteId = uid("ack-note");
  const note = h("textarea", { id: noteId, name: "note", rows: "2", maxlength: "500" });
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("flags.acknowledge") });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  const form = h("form", { class: "ack-form", novalidate: true, "aria-labelledby": titleId },
    h("div", { class: "field" }, h("label", { for: noteId, text: t("flags.ackNote") }), note,
      h("p", { class: "hint", text: t("flags.ackNoteHint") })),
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
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: api.message(result, { note: t("flags.ackNote") }) }));
      return;
    }
    const done = { ...flag, status: "acknowledged", ack_note: text || null, acknowledged_at: new Date().toISOString(), ...(result.body || {}) };
    li.replaceWith(flagItem(done, ctx, "button"));
    announce(t("flags.acknowledgedAnnounce", { title: ruleTitle(flag.rule) }));
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
  const eventSelect = h("select", { id: uid("context-event"), name: "event_id" }, h("option", { value: "", text: t("flags.noEvent") }));
  const events = await api.get(`/events?from=${D.addDays(flag.window_start, -14)}&to=${flag.window_end}`);
  for (const e of (api.ok(events) && events.body.events) || []) {
    eventSelect.append(h("option", { value: String(e.id), text: `${eventWord(e.kind)}, ${D.dayMonth(e.start)}${e.end !== e.start ? ` – ${D.dayMonth(e.end)}` : ""}` }));
  }
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("flags.add") });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  const form = h("form", { class: "ack-form", novalidate: true, "aria-labelledby": titleId },
    h("div", { class: "field" }, h("label", { for: noteId, text: t("flags.contextNote") }), note,
      h("p", { class: "hint", text: t("flags.contextNoteHint") })),
    h("div", { class: "field" }, h("label", { for: eventSelect.id, text: t("flags.contextEvent") }), eventSelect),
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
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: t("flags.contextMissing") }));
      return note.focus();
    }
    submit.disabled = true;
    const result = await api.post(`/flags/${flag.id}/context`, body);
    if (!api.ok(result)) {
      submit.disabled = false;
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: api.message(result, { note: t("flags.contextNote"), event_id: t("flags.contextEvent") }) }));
      return;
    }
    li.replaceWith(flagItem(result.body?.id ? result.body : flag, ctx, "button"));
    announce(t("flags.contextAdded"));
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
  announce(t("flags.reopened", { title: ruleTitle(flag.rule) }));
}
