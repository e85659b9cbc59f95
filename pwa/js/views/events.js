// Life events (More → Life events): the client adds, edits and deletes the events that explain a
// disrupted week (the flags read them). Works offline: the list is the copy kept on the device and
// changes wait in pwa/js/event_outbox.js, each shown with its state until the server has it.
import { h, announce, confirmDialog, errorBox, field, loading, uid } from "../ui.js";
import * as D from "../diary.js";
import { t, formatDate } from "../i18n.js";

export const KINDS = ["travel", "shift_change", "illness", "loss", "role_dispute", "role_transition", "isolation", "other"];

/** An event's kind in words ("Travel"); unknown kinds as they come. */
export const kindWord = (kind) => (KINDS.includes(kind) ? t(`history.kind.${kind}`) : String(kind).replace(/_/g, " "));
export const disruptionWord = (n) => ([0, 1, 2, 3].includes(n) ? t(`history.disruption.${n}`) : String(n));

/** "3 Nov 2026" or "3 – 5 Nov 2026": an event's days in the person's locale. */
export function eventDays(ev) {
  const long = { day: "numeric", month: "short", year: "numeric" };
  if (ev.start === ev.end) return formatDate(ev.start, long);
  const sameYear = ev.start.slice(0, 4) === ev.end.slice(0, 4);
  return t("history.events.span", { from: formatDate(ev.start, sameYear ? { day: "numeric", month: "short" } : long), to: formatDate(ev.end, long) });
}

// The queue starts with the app (app.js imports this view at start-up), so changes left
// waiting are sent even if this screen is never opened again. Imported dynamically: a device
// whose cached shell lacks the module loses this screen offline, not the whole app.
const loadOutbox = () => import("../event_outbox.js");
loadOutbox().then((outbox) => outbox.start()).catch(() => {});

export async function render(main) {
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: t("history.events.title") });
  let outbox;
  try {
    outbox = await loadOutbox();
  } catch {
    return main.append(heading, errorBox(t("history.events.unavailable")));
  }
  const addButton = h("button", { type: "button", class: "btn btn-primary", text: t("history.events.add") });
  const formSlot = h("div");
  const status = h("div", { class: "events-status", "aria-live": "polite" });
  const list = h("div", { class: "events-list" }, loading(t("history.loading")));
  main.append(heading, h("p", { class: "hint", text: t("history.events.intro") }), addButton, formSlot, status, list);

  const { from, to } = outbox.range(D.today());
  let server = { events: [] };
  let open = null; // the event being edited (or {} for a new one)

  async function draw() {
    const waiting = await outbox.items();
    const events = outbox.merged(server.events, waiting);
    status.replaceChildren();
    if (server.error) status.append(errorBox(server.error));
    else if (server.offline) status.append(h("p", { class: "notice notice-info", text: t("history.events.offline") }));
    const pending = waiting.filter((i) => i.state === "pending").length;
    if (pending) status.append(h("p", { class: "notice notice-pending", text: t("history.events.waiting", { count: pending }) }));
    list.dataset.loaded = "";
    list.replaceChildren(events.length
      ? h("ul", { class: "events-items" }, events.map(item))
      : h("p", { class: "muted", text: t("history.events.none") }));
  }

  function item(ev) {
    const what = `${kindWord(ev.kind)}, ${eventDays(ev)}`;
    const state = ev.local?.state;
    const badge = !ev.local ? null
      : state === "invalid" ? h("span", { class: "badge badge-error", text: t("history.events.refused") })
      : state === "auth" ? h("span", { class: "badge badge-warn", text: t("history.events.needsSignIn") })
      : h("span", { class: "badge badge-pending", text: t(ev.deleting ? "history.events.deletePending" : "history.events.pending") });
    const buttons = [];
    if (ev.local && state === "invalid") {
      buttons.push(h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("history.events.discard"),
        "aria-label": t("history.events.discardLabel", { what }),
        on: { click: async () => { await outbox.discard(ev.local); announce(t("history.events.discarded")); } } }));
    }
    if (!ev.deleting) {
      buttons.push(h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("history.events.edit"),
        "aria-label": t("history.events.editLabel", { what }), on: { click: () => showForm(ev) } }));
      buttons.push(h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("history.events.delete"),
        "aria-label": t("history.events.deleteLabel", { what }), on: { click: () => remove(ev, what) } }));
    }
    return h("li", { class: `card event-item${ev.local ? " is-local" : ""}${ev.deleting ? " is-deleting" : ""}`, "data-id": ev.id ?? "", "data-state": state || "synced" },
      h("p", { class: "event-head" }, h("strong", { class: "event-kind", text: kindWord(ev.kind) }), " ", h("span", { class: "event-days", text: eventDays(ev) })),
      h("p", { class: "event-disruption", text: disruptionWord(ev.disruption) }),
      ev.note ? h("p", { class: "event-note", text: ev.note }) : null,
      badge || ev.local?.message ? h("p", { class: "event-state" }, badge, ev.local?.message ? h("span", { class: "hint", text: ` ${ev.local.message}` }) : null) : null,
      buttons.length ? h("div", { class: "row gap wrap" }, buttons) : null);
  }

  async function remove(ev, what) {
    const yes = await confirmDialog({ title: t("history.events.deleteTitle"), text: t("history.events.deleteText", { what }),
      yes: t("history.events.delete"), no: t("history.events.cancel") });
    if (!yes) return;
    await outbox.remove(ev);
    announce(t("history.events.deleted"));
  }

  function showForm(ev) {
    open = ev;
    const today = D.today();
    const kind = h("select", { id: uid("ev"), name: "kind", required: true },
      KINDS.map((k) => h("option", { value: k, text: kindWord(k), selected: (ev.kind || "travel") === k })));
    const start = h("input", { type: "date", id: uid("ev"), name: "start", required: true, value: ev.start || today });
    const end = h("input", { type: "date", id: uid("ev"), name: "end", required: true, value: ev.end || ev.start || today });
    const disruption = h("select", { id: uid("ev"), name: "disruption" },
      [0, 1, 2, 3].map((n) => h("option", { value: String(n), text: disruptionWord(n), selected: (ev.disruption ?? 1) === n })));
    const note = h("textarea", { id: uid("ev"), name: "note", rows: 3, maxlength: 2000 });
    note.value = ev.note || "";
    const errors = h("div");
    const titleId = uid("evh");
    const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("history.events.cancel") });
    const form = h("form", { class: "card event-form", novalidate: true, "aria-labelledby": titleId },
      h("h3", { id: titleId, class: "section-title", text: t(ev.kind ? "history.events.editTitle" : "history.events.addTitle") }),
      field(t("history.events.kind"), kind),
      h("div", { class: "event-dates" }, field(t("history.events.start"), start), field(t("history.events.end"), end, t("history.events.endHint"))),
      field(t("history.events.disruption"), disruption),
      field(t("history.events.note"), note),
      errors,
      h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: t("history.events.save") }), cancel));
    cancel.addEventListener("click", close);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      errors.replaceChildren();
      if (!start.value || !end.value) return errors.append(errorBox(t("history.events.needDates")));
      if (end.value < start.value) return errors.append(errorBox(t("history.events.endBefore")));
      const body = { kind: kind.value, start: start.value, end: end.value, disruption: Number(disruption.value), note: note.value.trim() || null };
      if (open && open.kind) await outbox.edit(open, body);
      else await outbox.add(body);
      announce(t(navigator.onLine ? "history.events.saved" : "history.events.savedOffline"));
      close();
    });
    formSlot.replaceChildren(form);
    addButton.hidden = true;
    kind.focus();
  }

  function close() {
    open = null;
    formSlot.replaceChildren();
    addButton.hidden = false;
    addButton.focus();
  }

  addButton.addEventListener("click", () => showForm({}));
  // Redraw when a change is sent (here or in another tab); read the server again once it is.
  const stop = outbox.onChange(async () => {
    if (!main.isConnected) return stop();
    const waiting = await outbox.items();
    if (!waiting.some((i) => i.state === "pending") && server.offline) server = await outbox.load(from, to);
    else if (!server.offline) server = { ...server, events: (await outbox.cachedList())?.events?.filter((e) => e.start <= to && e.end >= from) || server.events };
    draw();
  });
  server = await outbox.load(from, to);
  await draw();
}
