// Between-session tasks (IPT's homework; docs/api-ipt.md §3). The clinician assigns a task tied
// to a problem area or a diary anchor; the client marks it done or not done with a note, offline
// too: the outcome waits in pwa/js/task_outbox.js and is sent when the network returns. The
// clinician sees the outcomes. The client's screen is in their language; the clinician's stays
// English for now.
import { h, loading, errorBox, announce, uid, showErrors, when, badge, confirmDialog } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as D from "../diary.js";
import * as taskOutbox from "../task_outbox.js";
import { load, cached } from "../ipt_cache.js";
import { AREAS, areaText } from "./goals.js";

// [catalogue key, badge kind]
const STATUS = { open: ["tasks.status.open", "warn"], done: ["tasks.status.done", "ok"], not_done: ["tasks.status.notDone", "muted"] };
const LOCAL = { pending: ["tasks.local.pending", "pending"], auth: ["tasks.local.auth", "warn"], invalid: ["tasks.local.invalid", "error"] };

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("tasks.heading") }),
    h("p", { class: "hint", text: own ? t("tasks.introOwn") : t("tasks.introClient") }));
  const body = h("div", { class: "tasks-view" }, loading());
  main.append(body);
  if (!own) return clinicianView(body, ctx);
  const got = await load("tasks", "/tasks");
  body.replaceChildren();
  if (!got.ok) {
    return body.append(errorBox(got.result.status === 0
      ? t("tasks.offlineNone")
      : t("tasks.unavailable", { reason: api.message(got.result) })));
  }
  const state = { tasks: got.body?.tasks || [], offline: got.offline, at: got.at };
  const notice = h("div");
  const list = h("ul", { class: "plain tasks" });
  body.append(notice, list);
  const draw = async (focusId = null) => {
    const waiting = new Map((await taskOutbox.items()).map((i) => [i.task_id, i]));
    notice.replaceChildren(state.offline
      ? h("p", { class: "notice notice-warn", role: "status", text: t("tasks.offline", { when: when(new Date(state.at).toISOString()) }) })
      : "");
    const tasks = state.tasks.map((task) => taskOutbox.withOutcome(task, waiting.get(task.id)));
    list.replaceChildren(...tasks.map((task) => ownItem(task, draw)));
    if (!tasks.length) list.append(h("li", { class: "notice notice-info", text: t("tasks.noneOwn") }));
    body.dataset.loaded = "true";
    if (focusId) list.querySelector(`[data-task="${focusId}"] .task-change`)?.focus();
  };
  await draw();
  // A sent outcome refreshes its task in the offline copy: show that, unless a form is open.
  const stop = taskOutbox.onChange(async () => {
    if (list.querySelector("form")) return;
    const copy = await cached("tasks");
    if (copy?.body?.tasks) state.tasks = copy.body.tasks;
    await draw();
  });
  return stop;
}

function meta(task) {
  const parts = [t("tasks.due", { date: D.shortDate(task.due) })];
  if (task.problem_area) parts.push(areaText(task.problem_area));
  if (task.anchor) parts.push(D.label(task.anchor));
  return h("p", { class: "muted task-meta", text: parts.join(" · ") });
}

function statusLine(task, own) {
  const [key, kind] = STATUS[task.status] || [null, "muted"];
  const line = h("p", { class: "row gap wrap task-status" }, badge(key ? t(key) : task.status, kind));
  if (task.local) {
    const [localKey, localKind] = LOCAL[task.local.state] || [null, "muted"];
    line.append(badge(localKey ? t(localKey) : task.local.state, localKind));
  } else if (own && task.status !== "open") line.append(badge(t("tasks.synced"), "ok"));
  if (task.status === "open" && task.due < D.today()) line.append(h("span", { class: "muted", text: t("tasks.duePassed") }));
  if (!task.local && task.outcome_at) line.append(h("span", { class: "muted", text: t("tasks.answered", { when: when(task.outcome_at) }) }));
  return line;
}

function ownItem(task, redraw) {
  const titleId = uid("task");
  const li = h("li", { class: `card task task-${task.status}`, "aria-labelledby": titleId, "data-task": String(task.id), "data-status": task.status },
    h("h3", { id: titleId, class: "section-title", text: task.text }), meta(task), statusLine(task, true),
    task.note ? h("p", { class: "task-note" }, h("strong", { text: t("tasks.yourNote") }), task.note) : null);
  if (task.local?.state === "invalid") {
    const discard = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("tasks.discard"), "aria-describedby": titleId });
    discard.addEventListener("click", async () => {
      await taskOutbox.discard(task.id);
      redraw(task.id);
    });
    li.append(h("p", { class: "error-text", role: "alert", text: task.local.message || t("tasks.notAccepted") }), discard);
  }
  const change = h("button", { type: "button", class: "btn btn-secondary task-change", text: task.status === "open" ? t("tasks.mark") : t("tasks.change"), "aria-describedby": titleId });
  change.addEventListener("click", () => {
    change.hidden = true;
    const form = outcomeForm(task, titleId, () => {
      form.remove();
      change.hidden = false;
      change.focus();
    }, redraw);
    li.append(form);
    form.querySelector("input:checked, input")?.focus();
  });
  li.append(change);
  return li;
}

function outcomeForm(task, titleId, cancelled, redraw) {
  const name = uid("outcome");
  const choices = [["done", "tasks.status.done"], ["not_done", "tasks.status.notDone"]].map(([v, key]) => {
    const input = h("input", { type: "radio", id: `${name}-${v}`, name, value: v, checked: task.status === v });
    return h("div", { class: "check" }, input, h("label", { for: input.id, text: t(key) }));
  });
  const note = h("textarea", { id: uid("outcome-note"), name: "note", rows: "2", maxlength: "1000" });
  note.value = task.note || "";
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  const form = h("form", { class: "task-outcome-form", novalidate: true, "aria-labelledby": titleId },
    h("fieldset", { class: "checks" }, h("legend", { text: t("tasks.howDidItGo") }), choices),
    h("div", { class: "field" }, h("label", { for: note.id, text: t("tasks.note") }), note,
      h("p", { class: "hint", text: t("tasks.noteHint") })),
    error, h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: t("tasks.save") }), cancel));
  cancel.addEventListener("click", cancelled);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector(`input[name="${name}"]:checked`);
    if (!chosen) {
      error.replaceChildren(h("p", { class: "error-text", role: "alert", text: t("tasks.choose") }));
      return form.querySelector("input")?.focus();
    }
    await taskOutbox.save(task.id, chosen.value === "done", note.value.trim());
    form.remove();
    await redraw(task.id);
    announce(t(chosen.value === "done" ? "tasks.savedDone" : "tasks.savedNotDone"));
  });
  return form;
}

// ----- clinician -----

async function clinicianView(body, ctx) {
  const result = await api.get(`${ctx.base}/tasks`);
  body.replaceChildren();
  body.append(assignForm(ctx, (id) => clinicianView(body, ctx).then(() => body.querySelector(`[data-task="${id}"] h3`)?.focus())));
  if (!api.ok(result)) return body.append(errorBox(`Tasks are not available: ${api.message(result)}`));
  const tasks = result.body?.tasks || [];
  if (!tasks.length) body.append(h("p", { class: "notice notice-info", text: "No tasks yet." }));
  else body.append(h("ul", { class: "plain tasks" }, tasks.map((t) => clinicianItem(t, ctx, () => clinicianView(body, ctx)))));
  body.dataset.loaded = "true";
}

function clinicianItem(task, ctx, reload) {
  const titleId = uid("task");
  const remove = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Delete", "aria-describedby": titleId });
  remove.addEventListener("click", async () => {
    if (!(await confirmDialog({ title: "Delete this task?", text: `“${task.text}” and its outcome are deleted for you and the client.`, yes: "Delete task" }))) return;
    const result = await api.del(`${ctx.base}/tasks/${task.id}`);
    if (!api.ok(result)) return remove.after(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
    announce("Task deleted.");
    reload();
  });
  return h("li", { class: `card task task-${task.status}`, "aria-labelledby": titleId, "data-task": String(task.id), "data-status": task.status },
    h("h3", { id: titleId, class: "section-title", tabindex: "-1", text: task.text }), meta(task), statusLine(task, false),
    task.note ? h("p", { class: "task-note" }, h("strong", { text: "Their note: " }), task.note) : null,
    task.assigned_by ? h("p", { class: "hint", text: `Assigned by ${task.assigned_by.name}` }) : null,
    remove);
}

function assignForm(ctx, assigned) {
  const text = h("textarea", { id: "task-text", name: "text", rows: "2", maxlength: "500" });
  const due = h("input", { type: "date", id: "task-due", name: "due", value: D.addDays(D.today(), 7) });
  const area = h("select", { id: "task-area", name: "problem_area" }, h("option", { value: "", text: "None" }), AREAS.map(([v, t]) => h("option", { value: v, text: t })));
  const anchor = h("select", { id: "task-anchor", name: "anchor" }, h("option", { value: "", text: "None" }), D.ACTIVITIES.map(([v, t]) => h("option", { value: v, text: t })));
  const error = h("div", { "aria-live": "assertive" });
  const label = (t, c, hint) => {
    const hintEl = hint ? h("p", { class: "hint", id: `${c.id}-hint`, text: hint }) : null;
    if (hintEl) c.setAttribute("aria-describedby", hintEl.id);
    return h("div", { class: "field" }, h("label", { for: c.id, text: t }), c, hintEl);
  };
  const form = h("form", { class: "card task-assign", novalidate: true, "aria-labelledby": "task-assign-h" },
    h("h3", { id: "task-assign-h", class: "section-title", text: "Assign a task" }),
    label("Task", text, "For example: call your sister before Sunday; lights out by 23:30 on three nights."),
    label("Due", due), h("div", { class: "plan-edit-pair" }, label("Problem area (optional)", area), label("Diary anchor (optional)", anchor)),
    error, h("button", { type: "submit", class: "btn btn-primary", text: "Assign task" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { text: text.value.trim(), due: due.value, problem_area: area.value || null, anchor: anchor.value || null };
    const result = await api.post(`${ctx.base}/tasks`, body);
    if (!api.ok(result)) return showErrors(error, result, { text, due, problem_area: area, anchor }, api);
    announce("Task assigned.");
    assigned(result.body?.id);
  });
  return form;
}
