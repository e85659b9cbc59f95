// Sync: everything on this device that waits to be sent (diary days, questionnaire answers, task
// outcomes: the offline queues of docs/architecture.md §4), each with its state in words;
// conflicting diary days side by side with their differences marked; a three-way merge that asks
// only about what both devices changed (pwa/js/merge.js); set-aside versions; the diary days
// already in step.
import { h, badge, stateBadge, announce } from "../ui.js";
import { t, formatDate, formatClock } from "../i18n.js";
import * as D from "../diary.js";
import * as M from "../merge.js";
import * as outbox from "../outbox.js";
import * as taskOutbox from "../task_outbox.js";
import * as Q from "../questionnaires.js";
import * as store from "../store.js";
import { cached } from "../ipt_cache.js";

// What a person sees of an item, whichever queue holds it: its text key and badge kind.
const STATES = {
  waiting: "pending",
  sending: "pending",
  refused: "error",
  attention: "warn",
};

// Open merge questions by date, with the answers given so far ({field: "mine" | "theirs"}):
// the view redraws whenever a queue changes, and the person's answers must survive that.
const asking = new Map();

const longDate = (date) => formatDate(date);
const shortDate = (date) => formatDate(date, { weekday: "short", day: "numeric", month: "short" });

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("sync.title") }));
  const actions = h("div", { class: "row gap wrap" });
  const syncNow = h("button", { type: "button", class: "btn btn-secondary", text: t("sync.now") });
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    await Promise.all([outbox.retryNow(), taskOutbox.retryNow()]).catch(() => {});
    syncNow.disabled = false;
    announce(t("sync.finished"));
  });
  const network = h("span", { class: "muted" });
  actions.append(syncNow, network);
  const body = h("div", { class: "sync-view" });
  main.append(actions, body);

  async function draw() {
    const [days, answers, outcomes, aside, stored, instruments, tasks] = await Promise.all([
      outbox.items(), outbox.answerItems(), taskOutbox.items(), outbox.setAsideFor(), store.all("days"),
      Q.instruments().catch(() => []), cached("tasks"),
    ]);
    const names = Object.fromEntries(instruments.map((i) => [i.code, Q.shortName(i)]));
    const taskText = new Map((tasks?.body?.tasks || []).map((task) => [task.id, task.text]));
    const synced = stored.filter((d) => !days.some((i) => i.date === d.date));
    // Nothing awaited from here on: a redraw replaces everything at once.
    const focused = body.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    network.textContent = navigator.onLine ? t("sync.online") : t("sync.offline");
    body.replaceChildren();
    const conflicts = days.filter((i) => i.state === "conflict");
    // Questions about a conflict that is gone (resolved in another tab) are forgotten.
    for (const date of asking.keys()) if (!conflicts.some((i) => i.date === date)) asking.delete(date);
    for (const item of conflicts.sort(byDate)) body.append(conflictCard(item, redraw));

    const lines = [
      ...days.sort(byDate).map((item) => dayLine(item)),
      ...answers.sort(bySaved).map((item) => answerLine(item, names)),
      ...outcomes.sort(bySaved).map((item) => taskLine(item, taskText)),
    ];
    body.append(h("section", { "aria-labelledby": "waiting-h" },
      h("h3", { id: "waiting-h", tabindex: "-1", class: "section-title", "data-focus-key": "waiting", text: t("sync.waiting.title") }),
      lines.length
        ? [h("p", { class: "hint", text: t("sync.waiting.count", { count: lines.length }) }),
          h("ul", { class: "daylist queue-list" }, lines)]
        : h("p", { class: "muted queue-empty", text: t("sync.waiting.none") })));

    if (aside.length) {
      const sec = h("section", { "aria-labelledby": "aside-h" }, h("h3", { id: "aside-h", class: "section-title", text: t("sync.aside.title") }),
        h("p", { class: "hint", text: t("sync.aside.hint") }));
      for (const a of aside.sort(byDate)) {
        const dismiss = h("button", { type: "button", class: "btn btn-quiet", text: t("sync.aside.dismiss"),
          "aria-label": t("sync.aside.dismissLabel", { date: longDate(a.date) }) });
        dismiss.addEventListener("click", () => outbox.dismissAside(a.id));
        sec.append(h("article", { class: "card aside", "data-date": a.date },
          h("h4", { text: t("sync.aside.heading", { date: longDate(a.date), label: asideLabel(a.label) }) }), version(a.body), h("div", { class: "row end" }, dismiss)));
      }
      body.append(sec);
    }

    const list = h("ul", { class: "daylist" });
    for (const day of synced.sort(byDate)) {
      list.append(h("li", { class: "dayline", "data-date": day.date },
        h("a", { href: `#/today?date=${day.date}`, text: shortDate(day.date) }), stateBadge({ state: "synced" })));
    }
    body.append(h("section", { "aria-labelledby": "days-h" }, h("h3", { id: "days-h", class: "section-title", text: t("sync.days.title") }),
      synced.length ? list : h("p", { class: "muted", text: t("sync.days.none") })));

    if (focused) body.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    const focus = params.get("date");
    if (focus && !focused) body.querySelector(`.conflict[data-date="${focus}"] h3`)?.focus();
  }

  // One drawing at a time, each from fresh data: the last change is the one shown.
  let drawing = Promise.resolve();
  const redraw = () => (drawing = drawing.then(() => (main.isConnected ? draw() : null)).catch(() => {}));
  const showNetwork = () => redraw();
  const stops = [outbox.onChange(redraw), outbox.onSending(redraw), taskOutbox.onChange(redraw), taskOutbox.onSending(redraw)];
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  await redraw();
  return () => {
    for (const stop of stops) stop();
    window.removeEventListener("online", showNetwork);
    window.removeEventListener("offline", showNetwork);
  };
}

const byDate = (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0);
const bySaved = (a, b) => (a.saved_at || 0) - (b.saved_at || 0);

// Set-aside versions keep a catalogue key as their label (older ones kept English text).
const asideLabel = (label) => (typeof label === "string" && label.startsWith("sync.aside.") ? t(label) : label);

/** The state a person sees: refused, needs attention (a conflict, a sign-in), sending, waiting. */
function shownState(item, sending) {
  if (item.state === "invalid") return "refused";
  if (item.state === "conflict" || item.state === "auth") return "attention";
  return sending ? "sending" : "waiting";
}

/** Why an item waits, and what (if anything) the person can do about it. */
function explain(item, state, refusedHint) {
  if (state === "refused") {
    return [h("span", { class: "error-text", text: t("sync.why.refused", { message: item.message || t("sync.why.noReason") }) }),
      h("span", { class: "hint", text: refusedHint })];
  }
  if (item.state === "conflict") return h("span", { text: t("sync.why.conflict") });
  if (item.state === "auth") return [h("span", { text: t("sync.why.auth") }), " ", h("a", { href: "#/signin", text: t("sync.why.signIn") })];
  if (state === "sending") return h("span", { class: "muted", text: t("sync.why.sending") });
  if (!navigator.onLine) return h("span", { class: "muted", text: t("sync.why.offline") });
  if (item.attempts) return h("span", { class: "muted", text: t("sync.why.retry") });
  return h("span", { class: "muted", text: t("sync.why.waiting") });
}

/** One line of the waiting list: what it is, its state, why, and a button when one applies. */
function line(attrs, title, item, sending, refusedHint, action) {
  const state = shownState(item, sending);
  return h("li", { class: "dayline queue-line", "data-state": state, ...attrs },
    h("span", { class: "queue-what" }, title), badge(t(`sync.state.${state}`), STATES[state]),
    h("span", { class: "queue-why" }, explain(item, state, refusedHint)),
    action && (state === "refused" || item.state === "conflict") ? action : null);
}

function dayLine(item) {
  let action = null;
  if (item.state === "invalid") {
    action = discardButton(`day-${item.date}`, t("sync.day.discardLabel", { date: longDate(item.date) }), t("sync.day.discarded"), () => outbox.discard(item.date));
  } else if (item.state === "conflict") {
    action = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("sync.day.compare"),
      "aria-label": t("sync.day.compareLabel", { date: longDate(item.date) }), "data-focus-key": `compare-${item.date}` });
    action.addEventListener("click", () => {
      const heading = document.querySelector(`.conflict[data-date="${item.date}"] h3`);
      heading?.scrollIntoView({ block: "start" });
      heading?.focus();
    });
  }
  const title = h("a", { href: `#/today?date=${item.date}`, "data-focus-key": `open-${item.date}`, text: t("sync.day.title", { date: shortDate(item.date) }) });
  return line({ "data-kind": "day", "data-date": item.date }, title, item, outbox.sendingKey() === item.date,
    t("sync.day.refusedHint"), action);
}

function answerLine(item, names) {
  const name = names[item.body.instrument] || item.body.instrument.toUpperCase();
  const what = item.body.answered_on ? t("sync.answer.on", { name, date: shortDate(item.body.answered_on) }) : name;
  const action = discardButton(`answer-${item.client_request_id}`, t("sync.answer.discardLabel", { what }), t("sync.answer.discarded"),
    () => outbox.discardAnswer(item.client_request_id));
  return line({ "data-kind": "answer", "data-request": item.client_request_id }, h("strong", { text: t("sync.answer.title", { what }) }), item,
    outbox.sendingKey() === item.client_request_id, t("sync.answer.refusedHint"), action);
}

function taskLine(item, taskText) {
  const what = taskText.get(item.task_id);
  const outcome = item.body.done ? t("sync.task.done") : t("sync.task.notDone");
  const label = what ? t("sync.task.title", { text: what }) : t("sync.task.unknown", { outcome });
  const action = discardButton(`task-${item.task_id}`, what ? t("sync.task.discardLabel", { text: what }) : t("sync.task.discardUnknown"), t("sync.task.discarded"),
    () => taskOutbox.discard(item.task_id));
  return line({ "data-kind": "task", "data-task": String(item.task_id) },
    [h("strong", { text: label }), what ? h("span", { class: "muted", text: t("sync.task.outcome", { outcome }) }) : null], item,
    taskOutbox.sendingKey() === item.task_id, t("sync.task.refusedHint"), action);
}

function discardButton(key, label, done, discard) {
  const b = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("sync.discard"), "aria-label": label, "data-focus-key": `discard-${key}` });
  b.addEventListener("click", async () => {
    b.disabled = true;
    await discard();
    // The line is gone: keep the keyboard in the list rather than on the page's start.
    document.getElementById("waiting-h")?.focus();
    announce(done);
  });
  return b;
}

// ----- how a diary day's fields read -----

const activityName = (code) => t(`sync.activity.${code}`);

function moodText(mood) {
  if (mood === null || mood === undefined) return t("sync.mood.none");
  return t("sync.mood.value", { value: `${mood > 0 ? "+" : ""}${mood}`, word: t(`sync.mood.${mood}`) });
}

function timeText(code, value) {
  if (!value) return t("sync.value.notLogged");
  const time = formatClock(value.time);
  return D.diaryMinutes(code, value) >= 1440 ? t("sync.value.afterMidnight", { time }) : time;
}

const peopleText = (people) => (people === null || people === undefined ? t("sync.value.noPeople") : t(`sync.people.${people}`));

function anchorText(code, a) {
  if (!a) return t("sync.value.notLogged");
  const time = timeText(code, a);
  return a.people !== undefined && a.people !== null ? t("sync.value.withPeople", { time, people: peopleText(a.people) }) : time;
}

/** A field's name for a question ("Lunch: time"). */
function fieldName(field) {
  const [, code, part] = field.split(".");
  if (!field.startsWith("activities.")) return t(`sync.field.${field}`);
  return part ? t(`sync.field.${part}`, { activity: activityName(code) }) : activityName(code);
}

/** A field's value in words. */
function fieldText(field, value) {
  const [, code, part] = field.split(".");
  if (field === "mood") return moodText(value);
  if (field === "note") return value || t("sync.value.noNote");
  if (field === "work_day") return t(`sync.workDay.${value ?? null}`);
  if (part === "time") return timeText(code, value);
  if (part === "people") return peopleText(value);
  return anchorText(code, value);
}

/**
 * A diary day as a short description list. `differs` names the fields (merge.js names) that the
 * other version has otherwise: they are marked in words and colour, not colour alone.
 */
export function version(body, differs = [], keptMark = null) {
  if (!body) return h("p", { class: "muted", text: t("sync.version.deleted") });
  const b = D.bodyOf(body);
  const dl = h("dl", { class: "version" });
  const row = (field, name, value, extra = {}) => {
    const marked = differs.includes(field);
    dl.append(
      h("dt", { class: marked ? "differs" : null, "data-field": field }, name, marked ? [" ", h("span", { class: "differs-mark", text: t("sync.version.differs") })] : null),
      h("dd", { class: [marked ? "differs" : "", extra.class || ""].join(" ").trim() || null, "data-field": field, text: value }));
  };
  row("mood", t("sync.field.mood"), moodText(b.mood));
  for (const code of D.CODES) {
    const a = b.activities[code];
    const field = `activities.${code}`;
    if (a) row(field, activityName(code), anchorText(code, a));
    else if (differs.includes(field)) row(field, activityName(code), t("sync.value.notLogged"));
  }
  // A body that leaves the mark out keeps the stored one (`keptMark`).
  const mark = D.markOf(body) === undefined ? keptMark : D.markOf(body);
  if (mark === true || mark === false || differs.includes("work_day")) row("work_day", t("sync.field.work_day"), fieldText("work_day", mark ?? null));
  if (b.note || differs.includes("note")) row("note", t("sync.field.note"), b.note || t("sync.value.noNote"), { class: "note" });
  return dl;
}

/** The version this device's edit started from (pwa/js/outbox.js keeps it at save time). */
const baseOf = (item) => item.base_body ?? item.seen ?? null;

function conflictCard(item, redraw) {
  const mine = item.body;
  const theirs = item.conflict?.current || null;
  const id = `conflict-${item.date}`;
  // A deletion on either side (a null body) is kept or not as a whole: nothing to merge.
  const both = Boolean(mine && theirs);
  const differs = both ? M.differences(mine, theirs, baseOf(item)) : [];
  const choose = async (choice, aside, text) => {
    for (const b of card.querySelectorAll("button, input")) b.disabled = true;
    asking.delete(item.date);
    await outbox.resolve(item.date, choice, aside);
    announce(text);
  };
  const keepMine = h("button", { type: "button", class: "btn btn-primary", text: t("sync.conflict.keepMine") });
  keepMine.addEventListener("click", () => choose(mine, theirs ? [["sync.aside.theirs", theirs]] : [], t("sync.conflict.keptMine")));
  const keepTheirs = h("button", { type: "button", class: "btn btn-secondary", text: t("sync.conflict.keepTheirs") });
  keepTheirs.addEventListener("click", () => choose(theirs ? D.bodyOf(theirs) : mine, mine ? [["sync.aside.mine", mine]] : [], t("sync.conflict.keptTheirs")));
  const merged = both ? M.merge(baseOf(item), mine, theirs) : null;
  const mergeBoth = h("button", { type: "button", class: "btn btn-secondary", text: t("sync.conflict.merge"), "data-focus-key": `merge-${item.date}` });
  mergeBoth.addEventListener("click", () => {
    // Nothing changed on both sides: every change is in the merge, so nothing is set aside.
    if (!merged.conflicts.length) {
      choose(merged.body, [], t("sync.conflict.merged"));
      return;
    }
    if (!asking.has(item.date)) asking.set(item.date, {});
    redraw().then(() => document.querySelector(`.conflict[data-date="${item.date}"] .merge-questions h4`)?.focus());
  });
  const card = h("section", { class: "card conflict", "data-date": item.date, "aria-labelledby": id },
    h("h3", { id, tabindex: "-1", class: "section-title", text: t("sync.conflict.title", { date: longDate(item.date) }) }),
    h("p", { text: t("sync.conflict.intro") }),
    h("div", { class: "compare" },
      h("article", { class: "side side-mine" }, h("h4", { text: t("sync.conflict.mine") }), version(mine, differs, M.valueOf(baseOf(item), "work_day"))),
      h("article", { class: "side side-theirs" }, h("h4", { text: t("sync.conflict.theirs") }), version(theirs, differs))),
    h("div", { class: "row gap wrap" }, keepMine, keepTheirs, merged ? mergeBoth : null),
    merged && asking.has(item.date) ? questions(item, mine, theirs, merged, choose, redraw) : null);
  return card;
}

/** The fields both devices changed, each with its two values to pick from. */
function questions(item, mine, theirs, merged, choose, redraw) {
  const picks = asking.get(item.date);
  const error = h("p", { class: "error-text merge-error", role: "alert", hidden: true });
  const headingId = `merge-${item.date}-h`;
  const form = h("form", { class: "merge-questions", "aria-labelledby": headingId, novalidate: true },
    h("h4", { id: headingId, tabindex: "-1", text: t("sync.ask.title") }),
    h("p", { class: "hint", text: t("sync.ask.intro", { count: merged.conflicts.length }) }));
  merged.conflicts.forEach((field, n) => {
    const name = `merge-${item.date}-${n}`;
    const options = [["mine", M.valueOf(mine, field)], ["theirs", M.valueOf(theirs, field)]].map(([side, value]) => {
      const input = h("input", { type: "radio", name, value: side, id: `${name}-${side}`, "data-focus-key": `${name}-${side}` });
      input.checked = picks[field] === side;
      input.addEventListener("change", () => {
        picks[field] = side;
        error.hidden = true;
      });
      return h("label", { class: `merge-choice merge-${side}`, for: input.id }, input,
        h("span", { text: t(side === "mine" ? "sync.ask.mine" : "sync.ask.theirs", { value: fieldText(field, value) }) }));
    });
    form.append(h("fieldset", { class: "merge-question", "data-field": field }, h("legend", { text: fieldName(field) }), options));
  });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: t("sync.ask.save"), "data-focus-key": `merge-save-${item.date}` });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("sync.ask.cancel") });
  cancel.addEventListener("click", () => {
    asking.delete(item.date);
    redraw().then(() => document.querySelector(`[data-focus-key="merge-${item.date}"]`)?.focus());
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const open = merged.conflicts.find((field) => !picks[field]);
    if (open) {
      error.textContent = t("sync.ask.missing");
      error.hidden = false;
      form.querySelector(`[data-field="${CSS.escape(open)}"] input`)?.focus();
      return;
    }
    let body = merged.body;
    for (const field of merged.conflicts) body = M.withValue(body, field, M.valueOf(picks[field] === "mine" ? mine : theirs, field));
    // A value not kept stays on this device as part of its whole version, until dismissed.
    const sides = new Set(merged.conflicts.map((field) => picks[field]));
    const aside = [];
    if (sides.has("theirs")) aside.push(["sync.aside.mine", mine]);
    if (sides.has("mine")) aside.push(["sync.aside.theirs", theirs]);
    choose(body, aside, t("sync.conflict.merged"));
  });
  form.append(error, h("div", { class: "row gap wrap" }, save, cancel));
  return form;
}
