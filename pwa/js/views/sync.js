// Sync: everything on this device that waits to be sent (diary days, questionnaire answers, task
// outcomes: the offline queues of docs/architecture.md §4), each with its state in words;
// conflicting diary days side by side; set-aside versions; the diary days already in step.
import { h, badge, stateBadge, announce } from "../ui.js";
import * as D from "../diary.js";
import * as outbox from "../outbox.js";
import * as taskOutbox from "../task_outbox.js";
import * as Q from "../questionnaires.js";
import * as store from "../store.js";
import { cached } from "../ipt_cache.js";

// What a person sees of an item, whichever queue holds it.
const STATES = {
  waiting: ["Waiting", "pending"],
  sending: ["Sending", "pending"],
  refused: ["Refused", "error"],
  attention: ["Needs attention", "warn"],
};

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Sync" }));
  const actions = h("div", { class: "row gap wrap" });
  const syncNow = h("button", { type: "button", class: "btn btn-secondary", text: "Sync now" });
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    await Promise.all([outbox.retryNow(), taskOutbox.retryNow()]).catch(() => {});
    syncNow.disabled = false;
    announce("Sync finished.");
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
    const taskText = new Map((tasks?.body?.tasks || []).map((t) => [t.id, t.text]));
    const synced = stored.filter((d) => !days.some((i) => i.date === d.date));
    // Nothing awaited from here on: a redraw replaces everything at once.
    const focused = body.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    network.textContent = navigator.onLine ? "Online" : "Offline";
    body.replaceChildren();
    for (const item of days.filter((i) => i.state === "conflict").sort(byDate)) body.append(conflictCard(item));

    const lines = [
      ...days.sort(byDate).map((item) => dayLine(item)),
      ...answers.sort(bySaved).map((item) => answerLine(item, names)),
      ...outcomes.sort(bySaved).map((item) => taskLine(item, taskText)),
    ];
    body.append(h("section", { "aria-labelledby": "waiting-h" },
      h("h3", { id: "waiting-h", tabindex: "-1", class: "section-title", "data-focus-key": "waiting", text: "Waiting to be sent" }),
      lines.length
        ? [h("p", { class: "hint", text: `${lines.length} ${lines.length === 1 ? "thing is" : "things are"} kept on this device until the server has ${lines.length === 1 ? "it" : "them"}.` }),
          h("ul", { class: "daylist queue-list" }, lines)]
        : h("p", { class: "muted queue-empty", text: "Nothing is waiting to be sent: everything saved on this device has reached the server." })));

    if (aside.length) {
      const sec = h("section", { "aria-labelledby": "aside-h" }, h("h3", { id: "aside-h", class: "section-title", text: "Versions set aside" }),
        h("p", { class: "hint", text: "Not kept on the server. Copy anything you still need, then dismiss." }));
      for (const a of aside.sort(byDate)) {
        const dismiss = h("button", { type: "button", class: "btn btn-quiet", text: "Dismiss", "aria-label": `Dismiss set-aside version of ${D.longDate(a.date)}` });
        dismiss.addEventListener("click", () => outbox.dismissAside(a.id));
        sec.append(h("article", { class: "card aside", "data-date": a.date },
          h("h4", { text: `${D.longDate(a.date)}: ${a.label}` }), version(a.body), h("div", { class: "row end" }, dismiss)));
      }
      body.append(sec);
    }

    const list = h("ul", { class: "daylist" });
    for (const day of synced.sort(byDate)) {
      list.append(h("li", { class: "dayline", "data-date": day.date },
        h("a", { href: `#/today?date=${day.date}`, text: D.shortDate(day.date) }), stateBadge({ state: "synced" })));
    }
    body.append(h("section", { "aria-labelledby": "days-h" }, h("h3", { id: "days-h", class: "section-title", text: "Diary days in step with the server" }),
      synced.length ? list : h("p", { class: "muted", text: "None yet." })));

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

/** The state a person sees: refused, needs attention (a conflict, a sign-in), sending, waiting. */
function shownState(item, sending) {
  if (item.state === "invalid") return "refused";
  if (item.state === "conflict" || item.state === "auth") return "attention";
  return sending ? "sending" : "waiting";
}

/** Why an item waits, and what (if anything) the person can do about it. */
function explain(item, state, refusedHint) {
  if (state === "refused") {
    return [h("span", { class: "error-text", text: `The server did not accept it: ${item.message || "no reason was given."}` }),
      h("span", { class: "hint", text: refusedHint })];
  }
  if (item.state === "conflict") return h("span", { text: "It was changed on another device too. Compare both versions above and choose which to keep." });
  if (item.state === "auth") return [h("span", { text: "Your session has ended: sign in again to send it." }), " ", h("a", { href: "#/signin", text: "Sign in again" })];
  if (state === "sending") return h("span", { class: "muted", text: "Saved on this device, being sent now." });
  if (!navigator.onLine) return h("span", { class: "muted", text: "Saved on this device. It will be sent when you are back online." });
  if (item.attempts) return h("span", { class: "muted", text: "Saved on this device. The server could not take it just now; it will be sent again soon." });
  return h("span", { class: "muted", text: "Saved on this device, waiting to be sent." });
}

/** One line of the waiting list: what it is, its state, why, and a button when one applies. */
function line(attrs, title, item, sending, refusedHint, action) {
  const state = shownState(item, sending);
  const [text, kind] = STATES[state];
  return h("li", { class: "dayline queue-line", "data-state": state, ...attrs },
    h("span", { class: "queue-what" }, title), badge(text, kind),
    h("span", { class: "queue-why" }, explain(item, state, refusedHint)),
    action && (state === "refused" || item.state === "conflict") ? action : null);
}

function dayLine(item) {
  let action = null;
  if (item.state === "invalid") {
    action = discardButton(`day-${item.date}`, `Discard the refused version of ${D.longDate(item.date)}`, "Discarded the diary day.", () => outbox.discard(item.date));
  } else if (item.state === "conflict") {
    action = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Compare and choose",
      "aria-label": `Compare and choose: ${D.longDate(item.date)}`, "data-focus-key": `compare-${item.date}` });
    action.addEventListener("click", () => {
      const heading = document.querySelector(`.conflict[data-date="${item.date}"] h3`);
      heading?.scrollIntoView({ block: "start" });
      heading?.focus();
    });
  }
  const title = h("a", { href: `#/today?date=${item.date}`, "data-focus-key": `open-${item.date}`, text: `Diary day, ${D.shortDate(item.date)}` });
  return line({ "data-kind": "day", "data-date": item.date }, title, item, outbox.sendingKey() === item.date,
    "Open the day to correct it and save again, or discard this version.", action);
}

function answerLine(item, names) {
  const name = names[item.body.instrument] || item.body.instrument.toUpperCase();
  const when = item.body.answered_on ? `, ${D.shortDate(item.body.answered_on)}` : "";
  const label = `Questionnaire: ${name}${when}`;
  const action = discardButton(`answer-${item.client_request_id}`, `Discard the refused answers to ${name}${when}`, "Discarded the answers.",
    () => outbox.discardAnswer(item.client_request_id));
  return line({ "data-kind": "answer", "data-request": item.client_request_id }, h("strong", { text: label }), item,
    outbox.sendingKey() === item.client_request_id, "Discard it, then answer the questionnaire again if you wish.", action);
}

function taskLine(item, taskText) {
  const what = taskText.get(item.task_id);
  const outcome = item.body.done ? "marked done" : "marked not done";
  const label = what ? `Task: ${what}` : `Task ${outcome}`;
  const action = discardButton(`task-${item.task_id}`, `Discard the refused outcome of ${what ? `the task ${what}` : "a task"}`, "Discarded the task outcome.",
    () => taskOutbox.discard(item.task_id));
  return line({ "data-kind": "task", "data-task": String(item.task_id) },
    [h("strong", { text: label }), what ? h("span", { class: "muted", text: ` (${outcome})` }) : null], item,
    taskOutbox.sendingKey() === item.task_id, "Discard it, then mark the task again in Tasks if you wish.", action);
}

function discardButton(key, label, done, discard) {
  const b = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Discard", "aria-label": label, "data-focus-key": `discard-${key}` });
  b.addEventListener("click", async () => {
    b.disabled = true;
    await discard();
    // The line is gone: keep the keyboard in the list rather than on the page's start.
    document.getElementById("waiting-h")?.focus();
    announce(done);
  });
  return b;
}

/** A diary day as a short description list. */
export function version(body) {
  if (!body) return h("p", { class: "muted", text: "Deleted (no entry)." });
  const b = D.bodyOf(body);
  const dl = h("dl", { class: "version" });
  dl.append(h("dt", { text: "Mood" }), h("dd", { text: D.moodText(b.mood) }));
  for (const code of D.CODES) {
    const a = b.activities[code];
    if (!a) continue;
    const after = D.diaryMinutes(code, a) >= 1440 ? " (after midnight)" : "";
    const who = a.people !== undefined && a.people !== null ? `, ${D.PEOPLE[a.people].toLowerCase()}` : "";
    dl.append(h("dt", { text: D.label(code) }), h("dd", { text: `${a.time}${after}${who}` }));
  }
  if (b.note) dl.append(h("dt", { text: "Note" }), h("dd", { class: "note", text: b.note }));
  return dl;
}

function conflictCard(item) {
  const mine = item.body;
  const theirs = item.conflict?.current || null;
  const id = `conflict-${item.date}`;
  const choose = async (choice, aside, text) => {
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    await outbox.resolve(item.date, choice, aside);
    announce(text);
  };
  const keepMine = h("button", { type: "button", class: "btn btn-primary", text: "Keep this device's version" });
  keepMine.addEventListener("click", () => choose(mine, theirs ? [["version from the other device", theirs]] : [], "Kept this device's version."));
  const keepTheirs = h("button", { type: "button", class: "btn btn-secondary", text: "Keep the other version" });
  keepTheirs.addEventListener("click", () => choose(theirs ? D.bodyOf(theirs) : mine, [["version from this device", mine]], "Kept the other version."));
  const mergeBoth = h("button", { type: "button", class: "btn btn-secondary", text: "Merge both" });
  mergeBoth.addEventListener("click", () => choose(D.merge(mine, theirs), [["version from this device", mine], ...(theirs ? [["version from the other device", theirs]] : [])], "Merged both versions."));
  const card = h("section", { class: "card conflict", "data-date": item.date, "aria-labelledby": id },
    h("h3", { id, tabindex: "-1", class: "section-title", text: `Conflict: ${D.longDate(item.date)}` }),
    h("p", { text: "This day was changed on another device while you edited it here. Both versions are kept until you choose. Merge keeps this device's answers and fills gaps from the other." }),
    h("div", { class: "compare" },
      h("article", { class: "side side-mine" }, h("h4", { text: "This device" }), version(mine)),
      h("article", { class: "side side-theirs" }, h("h4", { text: "Other device" }), version(theirs))),
    h("div", { class: "row gap wrap" }, keepMine, keepTheirs, theirs ? mergeBoth : null));
  return card;
}
