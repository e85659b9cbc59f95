// Questionnaires (client): what is due, any instrument on request, the answering form and its
// confirmation. Works offline from IndexedDB. The safeguard: a safety item answered 1 or more
// shows the crisis text at once, before anything is sent, and again on the confirmation.
// The instruments' own wording (questions, options, names) comes from the server in English:
// a validated questionnaire is only translated with its licensed, validated translation.
import { h, loading, errorBox, announce, confirmDialog, badge, uid } from "../ui.js";
import * as Q from "../questionnaires.js";
import * as outbox from "../outbox.js";
import * as D from "../diary.js";
import { t } from "../i18n.js";

export async function render(main, ctx, params, rest) {
  if (rest && rest[0]) return renderForm(main, ctx, rest[0]);
  return renderList(main, ctx);
}

// ----- the list: due first, answers waiting to be sent, then any instrument -----
async function renderList(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("questionnaires.heading") }));
  const body = h("div", { class: "questionnaires" }, loading());
  main.append(body);
  if (navigator.onLine) await Q.refresh().catch(() => null);

  async function draw() {
    const [instruments, due, waiting] = await Promise.all([Q.instruments(), Q.due(), outbox.answerItems()]);
    const names = Object.fromEntries(instruments.map((i) => [i.code, i.name]));
    body.replaceChildren();
    if (!instruments.length) {
      body.append(h("p", { class: "notice notice-info", role: "status",
        text: navigator.onLine ? t("questionnaires.unavailable") : t("questionnaires.notOnDevice") }));
      return;
    }
    const dueList = h("ul", { class: "plain due-list" });
    for (const d of due.due) {
      const name = names[d.instrument] || d.instrument;
      dueList.append(h("li", { class: "card due-item", "data-instrument": d.instrument },
        h("p", { class: "menu-title", text: name }),
        h("p", { class: "hint", text: d.due_on > D.today() ? t("questionnaires.dueOn", { date: D.longDate(d.due_on) })
          : d.due_on < D.today() ? t("questionnaires.dueSince", { date: D.longDate(d.due_on) }) : t("questionnaires.dueToday") }),
        h("a", { class: "btn btn-primary", href: `#/questionnaires/${encodeURIComponent(d.instrument)}`, text: t("questionnaires.answerNow"), "aria-label": t("questionnaires.answerNamed", { name }) })));
    }
    body.append(h("section", { "aria-labelledby": "due-h" },
      h("h3", { id: "due-h", class: "section-title", text: t("questionnaires.due") }),
      due.error ? h("p", { class: "hint", text: t("questionnaires.dueError", { reason: due.error }) }) : null,
      due.due.length ? dueList : h("p", { class: "muted", text: t("questionnaires.nothingDue") })));

    if (waiting.length) {
      const list = h("ul", { class: "daylist" });
      for (const item of waiting.sort((a, b) => a.saved_at - b.saved_at)) {
        const discard = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("questionnaires.discard"),
          "aria-label": t("questionnaires.discardNamed", { name: names[item.body.instrument] || item.body.instrument, date: D.shortDate(item.body.answered_on) }) });
        discard.addEventListener("click", () => outbox.discardAnswer(item.client_request_id));
        list.append(h("li", { class: "dayline answer-line", "data-request": item.client_request_id },
          h("strong", { text: names[item.body.instrument] || item.body.instrument }),
          h("span", { text: D.shortDate(item.body.answered_on) }),
          stateBadge(item),
          item.message ? h("span", { class: item.state === "invalid" ? "error-text" : "muted", text: item.message }) : null,
          item.state === "invalid" ? discard : null));
      }
      body.append(h("section", { "aria-labelledby": "waiting-h" },
        h("h3", { id: "waiting-h", class: "section-title", text: t("questionnaires.waiting") }), list));
    }

    body.append(h("section", { "aria-labelledby": "take-h" },
      h("h3", { id: "take-h", class: "section-title", text: t("questionnaires.answerOne") }),
      h("ul", { class: "menu" }, instruments.map((i) => h("li", {},
        h("a", { class: "card menu-item", href: `#/questionnaires/${encodeURIComponent(i.code)}` },
          h("span", { class: "menu-title", text: i.name }),
          h("span", { class: "hint", text: t("questionnaires.questions", { count: i.items.length }) })))))));
    body.append(h("p", {}, h("a", { href: "#/trends", text: t("questionnaires.seeTrends") })));
    body.dataset.loaded = "true";
  }

  const off = outbox.onChange(() => (main.isConnected ? draw() : off()));
  await draw();
  return off;
}

function stateBadge(item) {
  const kinds = { pending: "pending", synced: "ok", auth: "warn", invalid: "error" };
  return badge(kinds[item.state] ? t(`questionnaires.state.${item.state}`) : item.state, kinds[item.state] || "muted");
}

/** The crisis resources: prominent, announced at once (role="alert"), the text verbatim. */
export function crisisAlert(text) {
  const id = uid("crisis");
  return h("section", { class: "crisis", role: "alert", "aria-labelledby": id },
    h("h3", { id, class: "crisis-title", text: t("questionnaires.crisisTitle") }),
    h("p", { class: "crisis-text", text }));
}

// ----- the form: one page, a radio group per question -----
async function renderForm(main, ctx, code) {
  const inst = await Q.instrument(code).catch(() => null);
  const back = h("p", { class: "back-link" }, h("a", { href: "#/questionnaires", text: t("questionnaires.back") }));
  if (!inst) {
    main.append(back, h("h2", { id: "view-heading", tabindex: "-1", text: t("questionnaires.notFound") }),
      h("p", { class: "notice notice-info", role: "status", text: t("questionnaires.notFoundText") }));
    return;
  }
  const crisis = await Q.crisisText();
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: inst.name });
  const form = h("form", { class: "scale-form", novalidate: true, "aria-labelledby": heading.id, "data-instrument": inst.code });
  const safeguard = h("div", { class: "safeguard" });
  const error = h("div", { "aria-live": "assertive" });
  const progress = h("p", { class: "hint scale-progress", "aria-live": "polite" });
  const answers = inst.items.map(() => null);
  let alerted = false;

  // Shown once, the moment a safety item is answered 1 or more, right below that question
  // (where the person is looking); it stays while the form is open.
  const showSafeguard = (below) => {
    if (alerted) return;
    alerted = true;
    const alert = crisisAlert(crisis);
    if (below) below.after(alert);
    else safeguard.append(alert);
    alert.scrollIntoView({ block: "nearest" });
  };

  main.append(back, heading);
  if (inst.instructions || inst.preamble) main.append(h("p", { class: "scale-instructions", text: inst.instructions || inst.preamble }));
  main.append(safeguard, form);

  inst.items.forEach((item, index) => {
    const legendId = uid("q");
    const name = `q${item.number}`;
    const group = h("fieldset", { class: "card scale-item", "aria-labelledby": legendId, "data-item": String(item.number) },
      h("legend", { id: legendId, class: "scale-question" },
        h("span", { class: "scale-number", text: `${item.number}. ` }), item.text));
    if (item.note) group.append(h("p", { class: "hint scale-note", text: item.note }));
    const choices = h("div", { class: "choices" });
    for (const option of item.options) {
      const input = h("input", { type: "radio", name, value: String(option.value), id: uid("opt") });
      input.addEventListener("change", () => {
        answers[index] = option.value;
        drawProgress();
        if (Q.isSafetyAnswer(inst, item.number, option.value)) showSafeguard(group);
      });
      choices.append(h("label", { class: "choice", for: input.id }, input, h("span", { text: option.label })));
    }
    group.append(choices);
    form.append(group);
  });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: t("questionnaires.send") });
  form.append(progress, error, h("div", { class: "actions" }, submit));
  const drawProgress = () => {
    progress.textContent = t("questionnaires.progress", { done: answers.filter((a) => a !== null).length, count: answers.length });
  };
  drawProgress();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    const missing = inst.items.filter((_, i) => answers[i] === null).map((item) => item.number);
    if (missing.length === answers.length) {
      error.append(h("p", { class: "notice notice-error", role: "alert", text: t("questionnaires.answerOneFirst") }));
      form.querySelector("input")?.focus();
      return;
    }
    if (missing.length && !(await confirmDialog({
      title: t("questionnaires.unansweredTitle"),
      text: `${t("questionnaires.unanswered", { count: missing.length, numbers: missing.join(", ") })} ${inst.missing_items || t("questionnaires.incomplete")}`,
      yes: t("questionnaires.sendAnyway"),
      no: t("questionnaires.goBack"),
    }))) {
      form.querySelector(`[data-item="${missing[0]}"] input`)?.focus();
      return;
    }
    // The safeguard comes before the network, whatever happens to the request.
    const triggered = Q.safeguardNeeded(inst, answers);
    if (triggered) showSafeguard();
    submit.disabled = true;
    const item = await Q.submit(inst, [...answers]);
    confirmation(main, inst, item.client_request_id, triggered ? crisis : null);
  });
}

// ----- the confirmation: the safeguard (if any) stays; the score once the server has it -----
function confirmation(main, inst, clientRequestId, crisis) {
  main.replaceChildren();
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: t("questionnaires.saved", { name: inst.name }) });
  const status = h("div", { class: "scale-result", role: "status", "data-request": clientRequestId });
  main.append(heading);
  if (crisis) main.append(crisisAlert(crisis));
  main.append(status,
    h("p", { class: "row gap wrap" },
      h("a", { class: "btn btn-secondary", href: "#/questionnaires", text: t("questionnaires.backTo") }),
      h("a", { class: "btn btn-quiet", href: "#/trends", text: t("questionnaires.scores") })));
  heading.focus();

  async function draw() {
    if (!main.isConnected) return off();
    const state = await Q.answerState(clientRequestId);
    status.replaceChildren();
    if (state?.state === "synced") {
      const r = state.response;
      const band = Q.bandLabel(r.band || Q.bandOf(inst, r.total)?.label);
      status.dataset.state = "synced";
      status.append(h("p", { class: "scale-total" }, h("strong", { text: t("questionnaires.total", { total: r.total ?? t("questionnaires.notScored") }) }),
        r.total !== null && r.total !== undefined ? t("questionnaires.outOf", { max: inst.max }) : "", band ? ` · ${band}` : ""),
      h("p", { class: "hint", text: t("questionnaires.sent") }));
      return off();
    }
    status.dataset.state = state?.state || "pending";
    if (state?.state === "invalid") {
      status.append(h("p", { class: "notice notice-error", text: t("questionnaires.notAccepted", { reason: state.message || "" }) }));
    } else if (state?.state === "auth") {
      status.append(h("p", { class: "notice notice-warn" }, t("questionnaires.savedHere"), " ", h("a", { href: "#/signin", text: t("questionnaires.signInToSend") })));
    } else {
      status.append(h("p", {}, badge(t("questionnaires.state.pending"), "pending"), " ",
        h("span", { class: "muted", text: t("questionnaires.whenOnline") })));
    }
  }
  const off = outbox.onChange(() => draw());
  draw();
  announce(crisis ? t("questionnaires.savedCrisis") : t("questionnaires.savedAnnounce"));
}
