// Target times are agreed in therapy. The clinician sets them, decides on the client's proposals
// and sets this client's flag thresholds (defaults next to overrides; an empty field uses the
// default). The client sees their targets read-only and may propose a change. The client's
// screen speaks the person's language; the clinician's forms are English for now.
import { h, field, loading, errorBox, announce, showErrors, when, uid } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as D from "../diary.js";
import { scrollBox } from "./evidence.js";

export const THRESHOLDS = [
  ["shift_minutes", "Getting-up or bedtime shift (minutes)", "Flag when getting up or going to bed moves more than this from the usual time.", 1, 720, 1],
  ["short_sleep_minutes", "Short sleep (minutes in bed)", "Flag nights with less time in bed than this.", 0, 1440, 1],
  ["srm_drop", "SRM drop (points)", "Flag a week whose SRM falls this far below the usual.", 0.1, 7, 0.1],
  ["mood_high", "High mood (at or above)", "Mood rated from −5 to +5.", 1, 5, 1],
  ["mood_low", "Low mood (at or below)", "Mood rated from −5 to +5.", -5, -1, 1],
  ["missing_days", "Diary gaps (days in a row)", "Flag this many days without a diary.", 1, 365, 1],
];

export async function render(main, ctx) {
  if (!ctx.base) return renderOwn(main, ctx);
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Targets and thresholds" }));
  const body = h("div", {}, loading());
  main.append(body);
  const [targets, settings, proposals] = await Promise.all([api.get(`${ctx.base}/targets`), api.get(`${ctx.base}/flag-settings`),
    api.get(`${ctx.base}/targets/proposals?status=pending`)]);
  body.replaceChildren();
  const current = api.ok(targets) ? targets.body.targets || {} : {};
  if (api.ok(proposals) && (proposals.body.proposals || []).length) body.append(pendingProposals(ctx, current, proposals.body.proposals, () => {
    main.replaceChildren();
    return render(main, ctx);
  }));
  body.append(api.ok(targets) ? targetForm(ctx, current) : errorBox(`Target times are not available: ${api.message(targets)}`));
  body.append(api.ok(settings) ? thresholdForm(ctx, settings.body) : errorBox(`Flag thresholds are not available: ${api.message(settings)}`));
}

const timeOf = (target) => (target ? `${target.time}${target.day_offset ? t("targets.afterMidnight") : ""}` : t("targets.noneTime"));

/** Anchor | now | proposed, for the anchors a proposal changes. */
function compare(current, proposed, captionText) {
  const codes = D.CODES.filter((c) => (current[c]?.time || null) !== (proposed[c]?.time || null));
  return scrollBox(captionText, h("table", { class: "data proposal-table" },
    h("caption", { class: "sr-only", text: captionText }),
    h("thead", {}, h("tr", {}, ["Anchor", "Now", "Proposed"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, codes.length ? codes.map((c) => h("tr", {}, h("th", { scope: "row", text: D.label(c) }),
      h("td", { text: timeOf(current[c]) }), h("td", { text: timeOf(proposed[c]) })))
      : h("tr", {}, h("td", { colspan: "3", text: "The same as the current targets." })))));
}

// Clinician: the client's waiting proposals, each accepted (it becomes the targets) or declined.
function pendingProposals(ctx, current, proposals, reload) {
  const section = h("section", { class: "card card-soft proposals", "aria-labelledby": "proposals-h" },
    h("h3", { id: "proposals-h", class: "section-title", text: `Proposed by the client (${proposals.length})` }),
    h("p", { class: "hint", text: "Accepting makes the proposed set their target times; declining keeps the current ones. Either way they see your decision and note." }));
  for (const p of proposals) {
    const noteId = uid("decision");
    const note = h("input", { type: "text", id: noteId, name: "note", maxlength: "500", autocomplete: "off" });
    const error = h("div", { "aria-live": "assertive" });
    const accept = h("button", { type: "button", class: "btn btn-primary", text: "Accept" });
    const decline = h("button", { type: "button", class: "btn btn-secondary", text: "Decline" });
    const titleId = uid("proposal");
    const item = h("div", { class: "proposal", role: "group", "aria-labelledby": titleId, "data-proposal": String(p.id) },
      h("h4", { id: titleId, text: `Proposal of ${when(p.created_at)}` }),
      compare(current, p.targets || {}, `Proposal of ${when(p.created_at)} against the current targets`),
      field("Note to the client (optional)", note), error, h("div", { class: "row gap wrap" }, accept, decline));
    const decide = async (verb) => {
      accept.disabled = decline.disabled = true;
      const result = await api.post(`${ctx.base}/targets/proposals/${p.id}/${verb}`, note.value.trim() ? { note: note.value.trim() } : {});
      if (!api.ok(result)) {
        accept.disabled = decline.disabled = false;
        return showErrors(error, result, { note }, api);
      }
      announce(verb === "accept" ? "Proposal accepted: the target times are updated." : "Proposal declined.");
      await reload();
    };
    accept.addEventListener("click", () => decide("accept"));
    decline.addEventListener("click", () => decide("decline"));
    section.append(item);
  }
  return section;
}

// Client: the agreed targets, read-only, with "Propose a change".
async function renderOwn(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("targets.heading") }),
    h("p", { class: "hint", text: t("targets.intro") }));
  const body = h("div", {}, loading());
  main.append(body);
  const [targets, proposals] = await Promise.all([api.get("/targets"), api.get("/targets/proposals")]);
  body.replaceChildren();
  if (!api.ok(targets)) return body.append(errorBox(t("targets.unavailable", { reason: api.message(targets) })));
  const current = targets.body.targets || {};
  const codes = D.CODES.filter((c) => current[c]);
  body.append(h("section", { class: "card", "aria-labelledby": "agreed-h" },
    h("h3", { id: "agreed-h", class: "section-title", text: t("targets.agreed") }),
    codes.length ? h("dl", { class: "usual" }, codes.flatMap((c) => [h("dt", { text: D.label(c) }), h("dd", { text: timeOf(current[c]) })]))
      : h("p", { class: "muted", text: t("targets.noneYet") })));
  const list = api.ok(proposals) ? proposals.body.proposals || [] : [];
  const propose = h("button", { type: "button", class: "btn btn-secondary", text: t("targets.propose") });
  const slot = h("div");
  body.append(h("div", { class: "actions" }, propose), slot);
  propose.addEventListener("click", () => {
    propose.hidden = true;
    slot.replaceChildren(proposalForm(current, () => {
      main.replaceChildren();
      return renderOwn(main, ctx);
    }, () => {
      slot.replaceChildren();
      propose.hidden = false;
      propose.focus();
    }));
    slot.querySelector("input")?.focus();
  });
  if (list.length) {
    body.append(h("section", { class: "card", "aria-labelledby": "mine-h" },
      h("h3", { id: "mine-h", class: "section-title", text: t("targets.mine") }),
      h("ul", { class: "plain" }, list.map((p) => h("li", { class: "access-item", "data-proposal": String(p.id) },
        h("p", {}, h("strong", { text: STATUSES.includes(p.status) ? t(`targets.status.${p.status}`) : p.status }),
          h("span", { class: "muted", text: ` · ${t("targets.sent", { when: when(p.created_at) })}${p.decided_by
            ? ` · ${t(p.status === "accepted" ? "targets.acceptedBy" : "targets.declinedBy", { who: p.decided_by.name || t("targets.yourClinician") })}` : ""}` })),
        h("p", { class: "hint", text: D.CODES.filter((c) => p.targets?.[c]).map((c) => `${D.label(c)} ${timeOf(p.targets[c])}`).join(" · ") || t("targets.noTargets") }),
        p.note ? h("p", {}, t("targets.note"), h("q", { text: p.note })) : null)))));
  }
}

const STATUSES = ["pending", "accepted", "declined"];

function proposalForm(current, sent, cancelled) {
  const inputs = {};
  const shown = new Set([...D.DEFAULT_TRACKED, ...Object.keys(current)]);
  const fields = D.CODES.filter((c) => shown.has(c)).map((code) => {
    inputs[code] = h("input", { type: "time", id: `propose-${code}`, name: code, value: current[code]?.time || "" });
    return field(D.label(code), inputs[code]);
  });
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
  cancel.addEventListener("click", cancelled);
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "propose-h" },
    h("h3", { id: "propose-h", class: "section-title", text: t("targets.propose") }),
    h("p", { class: "hint", text: t("targets.proposeHint") }),
    h("div", { class: "grid-fields" }, fields), error,
    h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: t("targets.send") }), cancel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = {};
    for (const [code, input] of Object.entries(inputs)) if (input.value) wanted[code] = { time: input.value };
    // Anchors not shown keep their current target.
    for (const [code, target] of Object.entries(current)) if (!(code in inputs)) wanted[code] = { time: target.time, day_offset: target.day_offset };
    const result = await api.post("/targets/proposals", { targets: wanted });
    if (!api.ok(result)) return showErrors(error, result, {}, api);
    announce(t("targets.proposalSent"));
    await sent();
  });
  return form;
}

function targetForm(ctx, current) {
  const shown = new Set([...D.DEFAULT_TRACKED, ...Object.keys(current)]);
  const inputs = {};
  const control = (code) => {
    inputs[code] = h("input", { type: "time", id: `target-${code}`, name: code, value: current[code]?.time || "" });
    return field(D.label(code), inputs[code]);
  };
  const main = D.CODES.filter((c) => shown.has(c)).map(control);
  const others = D.CODES.filter((c) => !shown.has(c)).map(control);
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "targets-h" },
    h("h3", { id: "targets-h", class: "section-title", text: "Target times" }),
    h("p", { class: "hint", text: "Times agreed with the client. Leave empty for no target. A bedtime before 12:00 counts as after midnight." }),
    h("div", { class: "grid-fields" }, main),
    others.length ? h("details", {}, h("summary", { text: "Other anchors" }), h("div", { class: "grid-fields" }, others)) : null,
    error, h("button", { type: "submit", class: "btn btn-primary", text: "Save target times" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const targets = {};
    for (const [code, input] of Object.entries(inputs)) if (input.value) targets[code] = { time: input.value };
    const result = await api.put(`${ctx.base}/targets`, { targets });
    if (!api.ok(result)) return showErrors(error, result, {}, api);
    showErrors(error, null, {}, api);
    error.append(h("p", { class: "notice notice-info", role: "status", text: "Target times saved." }));
  });
  return form;
}

function thresholdForm(ctx, settings) {
  const { defaults = {}, overrides = {} } = settings;
  const inputs = {};
  const error = h("div", { "aria-live": "assertive" });
  const fields = THRESHOLDS.map(([name, text, hint, min, max, step]) => {
    inputs[name] = h("input", { type: "number", id: `setting-${name}`, name, min: String(min), max: String(max), step: String(step), inputmode: step < 1 ? "decimal" : "numeric",
      value: overrides[name] ?? "", placeholder: String(defaults[name] ?? "") });
    const state = overrides[name] !== undefined ? `Set for this client (default ${defaults[name]}).` : `Using the default, ${defaults[name]}.`;
    return field(text, inputs[name], `${hint} ${state}`);
  });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "thresholds-h" },
    h("h3", { id: "thresholds-h", class: "section-title", text: "Flag thresholds" }),
    h("p", { class: "hint", text: "Leave a field empty to use the default shown in it." }),
    h("div", { class: "grid-fields" }, fields), error,
    h("button", { type: "submit", class: "btn btn-primary", text: "Save thresholds" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Overrides replace the whole set: keep the ones this form does not show.
    const next = Object.fromEntries(Object.entries(overrides).filter(([k]) => !(k in inputs)));
    for (const [name, input] of Object.entries(inputs)) if (input.value !== "") next[name] = Number(input.value);
    const result = await api.put(`${ctx.base}/flag-settings`, { overrides: next });
    if (!api.ok(result)) return showErrors(error, result, inputs, api);
    form.replaceWith(thresholdForm(ctx, result.body));
    announce("Thresholds saved. Recent flags were checked again.");
  });
  return form;
}
