// Problem-area goals (docs/api-ipt.md §2): agreed for the one or two problem areas of the course,
// reviewed each session, re-evaluated at the midpoint. The client reads them (offline too, from
// the last copy); the clinician adds goals, changes their status and records reviews. What the
// client reads is in their language; the clinician's forms are English for now.
import { h, loading, errorBox, announce, uid, showErrors, when, badge } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as D from "../diary.js";
import { load } from "../ipt_cache.js";

export const AREAS = [["grief", "Grief"], ["role_dispute", "Role dispute"], ["role_transition", "Role transition"], ["interpersonal_deficits", "Interpersonal deficits"]];
export const areaText = (area) => (AREAS.some(([a]) => a === area) ? t(`ipt.area.${area}`) : String(area).replace(/_/g, " "));
export const PROGRESS = ["None", "A little", "Some", "Much", "Achieved"];
const STATUS = [["active", "Active"], ["achieved", "Achieved"], ["revised", "Revised"], ["dropped", "Dropped"]];
const STATUS_KIND = { active: "pending", achieved: "ok", revised: "muted", dropped: "muted" };
const statusText = (s) => (STATUS.some(([k]) => k === s) ? t(`goals.status.${s}`) : s);
const progressWord = (p) => (PROGRESS[p] !== undefined ? t(`goals.progress.${p}`) : String(p));
const progressText = (p) => (p === null || p === undefined ? t("goals.notReviewed") : t("goals.progressOf", { word: progressWord(p), p }));

export async function render(main, ctx) {
  const own = !ctx.base;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("goals.heading") }),
    h("p", { class: "hint", text: own ? t("goals.introOwn") : t("goals.introClient") }));
  const body = h("div", { class: "goals-view" }, loading());
  main.append(body);
  await refresh(body, ctx);
}

async function refresh(body, ctx, focusGoal = null) {
  const own = !ctx.base;
  const got = own ? await load("goals", "/goals") : fromResult(await api.get(`${ctx.base}/goals`));
  body.replaceChildren();
  if (!got.ok) return body.append(errorBox(t("goals.unavailable", { reason: api.message(got.result) })));
  const data = got.body || {};
  if (got.offline) body.append(h("p", { class: "notice notice-warn", role: "status", text: t("goals.offline", { when: when(new Date(got.at).toISOString()) }) }));
  body.append(overview(data, ctx));
  const reload = (goalId) => refresh(body, ctx, goalId);
  if (!own && (data.problem_areas || []).length) body.append(goalForm(ctx, data.problem_areas, reload));
  const goals = data.goals || [];
  if (!goals.length) body.append(h("p", { class: "notice notice-info", text: own ? t("goals.noneOwn") : t("goals.none") }));
  else body.append(h("ul", { class: "plain goals" }, goals.map((g) => goalItem(g, ctx, data, reload))));
  body.dataset.loaded = "true";
  if (focusGoal) body.querySelector(`[data-goal="${focusGoal}"] h3`)?.focus();
}

const fromResult = (result) => (api.ok(result) ? { ok: true, body: result.body } : { ok: false, result });

function overview(data, ctx) {
  const own = !ctx.base;
  const areas = data.problem_areas || [];
  const box = h("div", { class: "card card-soft goals-overview" });
  if (areas.length) box.append(h("p", {}, h("strong", { text: t("goals.areas") }), areas.map(areaText).join(", ")));
  else if (own) box.append(h("p", { text: t("goals.noAreas") }));
  else box.append(h("p", {}, "Record the course's problem areas first: ", h("a", { href: `${ctx.routeBase}/course`, text: "Course" }), "."));
  const m = data.midpoint || {};
  if (m.reviewed) box.append(h("p", { class: "midpoint" }, badge(t("goals.midpointDone"), "ok")));
  else if (m.due) {
    const passed = m.due <= D.today();
    box.append(h("p", { class: "midpoint" }, badge(passed ? t("goals.midpointDue") : t("goals.midpoint"), passed ? "warn" : "muted"),
      ` ${t(passed ? "goals.since" : "goals.on", { date: D.longDate(m.due) })}`));
  }
  return box;
}

function goalItem(goal, ctx, data, reload) {
  const own = !ctx.base;
  const titleId = uid("goal");
  const li = h("li", { class: `card goal goal-${goal.status}`, "aria-labelledby": titleId, "data-goal": String(goal.id) },
    h("h3", { id: titleId, class: "section-title", tabindex: "-1", text: goal.text }),
    h("p", { class: "row gap wrap" }, badge(statusText(goal.status), STATUS_KIND[goal.status] || "muted"),
      h("span", { class: "muted", text: areaText(goal.problem_area) })),
    h("p", { class: "goal-progress", text: t("goals.latest", { progress: progressText(goal.latest_progress) }) }));
  const reviews = goal.reviews || [];
  if (reviews.length) {
    li.append(h("h4", { class: "goal-reviews-title", text: t("goals.reviews") }),
      h("ul", { class: "goal-reviews" }, reviews.map((r) => h("li", { "data-kind": r.kind },
        h("strong", { text: t(r.kind === "midpoint" ? "goals.reviewMidpoint" : "goals.reviewSession", { date: D.dayMonth(r.session_date) }) }),
        progressWord(r.progress),
        r.note ? h("span", {}, " · ", h("q", { text: r.note })) : null,
        r.by ? h("span", { class: "muted", text: ` · ${r.by.name}` }) : null))));
  }
  if (own) return li;
  const actions = h("div", { class: "row gap wrap goal-actions" });
  const review = h("button", { type: "button", class: "btn btn-secondary", text: "Add review", "aria-describedby": titleId });
  const edit = h("button", { type: "button", class: "btn btn-quiet", text: "Edit goal", "aria-describedby": titleId });
  actions.append(review, edit);
  li.append(actions);
  const open = (form) => {
    actions.hidden = true;
    li.append(form);
    form.querySelector("input, select, textarea")?.focus();
  };
  const close = (form) => {
    form.remove();
    actions.hidden = false;
  };
  review.addEventListener("click", () => open(reviewForm(goal, ctx, data, titleId, close, reload)));
  edit.addEventListener("click", () => open(editForm(goal, ctx, data, titleId, close, reload)));
  return li;
}

function areaSelect(areas, value) {
  const all = value && !areas.includes(value) ? [...areas, value] : areas;
  return h("select", { id: uid("goal-area"), name: "problem_area" }, all.map((a) => h("option", { value: a, text: areaText(a), selected: a === value })));
}

function labelled(labelText, control, hint) {
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id, text: labelText }), control, hintEl);
}

function goalForm(ctx, areas, reload) {
  const text = h("textarea", { id: "goal-text", name: "text", rows: "2", maxlength: "500" });
  const area = areaSelect(areas, areas[0]);
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card goal-new", novalidate: true, "aria-labelledby": "goal-new-h" },
    h("h3", { id: "goal-new-h", class: "section-title", text: "Add a goal" }),
    labelled("Goal", text, "As agreed in session, in words the client recognises."), labelled("Problem area", area), error,
    h("button", { type: "submit", class: "btn btn-primary", text: "Add goal" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api.post(`${ctx.base}/goals`, { text: text.value.trim(), problem_area: area.value });
    if (!api.ok(result)) return showErrors(error, result, { text, problem_area: area }, api);
    announce("Goal added.");
    reload(result.body?.id);
  });
  return form;
}

function editForm(goal, ctx, data, titleId, close, reload) {
  const text = h("textarea", { id: uid("goal-edit-text"), name: "text", rows: "2", maxlength: "500" });
  text.value = goal.text;
  const area = areaSelect(data.problem_areas || [], goal.problem_area);
  const status = h("select", { id: uid("goal-status"), name: "status" }, STATUS.map(([v, t]) => h("option", { value: v, text: t, selected: v === goal.status })));
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const form = h("form", { class: "goal-form", novalidate: true, "aria-labelledby": titleId },
    labelled("Goal", text), labelled("Problem area", area),
    labelled("Status", status, "Revised: replaced by a new goal at a re-evaluation."), error,
    h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: "Save goal" }), cancel));
  cancel.addEventListener("click", () => close(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api.put(`${ctx.base}/goals/${goal.id}`, { text: text.value.trim(), problem_area: area.value, status: status.value });
    if (!api.ok(result)) return showErrors(error, result, { text, problem_area: area, status }, api);
    announce("Goal saved.");
    reload(goal.id);
  });
  return form;
}

function reviewForm(goal, ctx, data, titleId, close, reload) {
  const date = h("input", { type: "date", id: uid("review-date"), name: "session_date", value: D.today(), max: D.today() });
  const midpointDue = data.midpoint?.due && !data.midpoint.reviewed && data.midpoint.due <= D.today();
  const kindName = uid("review-kind");
  const kinds = [["session", "Session review"], ["midpoint", "Midpoint re-evaluation"]].map(([v, t]) => {
    const input = h("input", { type: "radio", id: `${kindName}-${v}`, name: kindName, value: v, checked: v === (midpointDue ? "midpoint" : "session") });
    return h("div", { class: "check" }, input, h("label", { for: input.id, text: t }));
  });
  const progress = h("select", { id: uid("review-progress"), name: "progress" },
    h("option", { value: "", text: "Choose…" }), PROGRESS.map((t, i) => h("option", { value: String(i), text: `${i} · ${t}` })));
  const note = h("textarea", { id: uid("review-note"), name: "note", rows: "2", maxlength: "1000" });
  const error = h("div", { "aria-live": "assertive" });
  const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
  const kindSet = h("fieldset", { class: "checks" }, h("legend", { text: "Kind of review" }), kinds);
  const form = h("form", { class: "goal-form review-form", novalidate: true, "aria-labelledby": titleId },
    labelled("Session date", date), kindSet, labelled("Progress", progress), labelled("Note (optional)", note), error,
    h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: "Save review" }), cancel));
  cancel.addEventListener("click", () => close(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = form.querySelector(`input[name="${kindName}"]:checked`)?.value || "session";
    const body = { session_date: date.value, kind, progress: progress.value === "" ? null : Number(progress.value), note: note.value.trim() || null };
    const result = await api.post(`${ctx.base}/goals/${goal.id}/reviews`, body);
    if (!api.ok(result)) return showErrors(error, result, { session_date: date, progress, note }, api);
    announce(kind === "midpoint" ? "Midpoint review saved." : "Review saved.");
    reload(goal.id);
  });
  return form;
}
