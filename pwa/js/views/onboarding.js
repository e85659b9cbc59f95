// First run: what an anchor is, the diary day, what the SRM means, and which anchors to track.
// Shown once, right after the account is created in this app; skippable; and it needs no network
// to show (everything is in the shell), only to save the anchors.
//
// Remembered on the device: the profile has no field for it. What is kept is "still to show"
// for the account just registered here (PENDING_KEY), set by the sign-in screen (begin()) when
// it registered the account, cleared by finishing or skipping. So a person signing in on a
// second device, or someone whose account already existed, is never stopped by it; the
// introduction stays reachable from Settings. Signing out wipes the mark with everything else.
import { h, announce, showErrors } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import { t } from "../i18n.js";

const PENDING_KEY = "cadence-onboarding";
const STEPS = ["anchors", "day", "srm", "choose"];

function pendingIds() {
  try {
    const ids = JSON.parse(localStorage.getItem(PENDING_KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

function setPending(id, on) {
  const ids = pendingIds().filter((x) => x !== id);
  if (on) ids.push(id);
  try {
    if (ids.length) localStorage.setItem(PENDING_KEY, JSON.stringify(ids));
    else localStorage.removeItem(PENDING_KEY);
  } catch {
    /* storage blocked: shown this once only */
  }
}

/** Called by the sign-in screen when the account was registered on this device just now. */
export const begin = (userId) => setPending(userId, true);

/** Whether this person should see the first-run introduction before anything else. */
export function needed(user) {
  return Boolean(user && user.role === "client" && pendingIds().includes(user.id));
}

export async function render(main, ctx, params) {
  const first = Math.max(0, STEPS.indexOf(params?.get("step")));
  let step = first;
  let shown = false;
  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: t("settings.onboarding.title") });
  const progress = h("p", { class: "muted onboarding-progress" });
  const body = h("div", { class: "onboarding-body" });
  const skip = h("button", { type: "button", class: "btn btn-quiet", text: t("settings.onboarding.skip") });
  skip.addEventListener("click", () => done(t("settings.onboarding.skipped")));
  main.append(h("section", { class: "onboarding", "aria-labelledby": "view-heading" }, heading, progress, body,
    h("div", { class: "actions onboarding-skip" }, skip)));

  function done(text) {
    setPending(ctx.user.id, false);
    announce(text);
    ctx.navigate("#/today");
  }

  function nav(withNext = true) {
    const row = h("div", { class: "row gap wrap onboarding-nav" });
    if (step > 0) {
      const back = h("button", { type: "button", class: "btn btn-secondary", text: t("settings.onboarding.back") });
      back.addEventListener("click", () => show(step - 1));
      row.append(back);
    }
    if (withNext) {
      const next = h("button", { type: "button", class: "btn btn-primary", text: t("settings.onboarding.next") });
      next.addEventListener("click", () => show(step + 1));
      row.append(next);
    }
    return row;
  }

  function para(key, vars) {
    return h("p", { text: t(key, vars) });
  }

  function show(n) {
    step = n;
    progress.textContent = t("settings.onboarding.step", { n: n + 1, total: STEPS.length });
    const name = STEPS[n];
    const title = h("h3", { id: "onboarding-step", class: "section-title", tabindex: "-1", text: t(`settings.onboarding.${name}.title`) });
    body.replaceChildren(title);
    if (name === "anchors") {
      body.append(para("settings.onboarding.anchors.p1"), para("settings.onboarding.anchors.p2"), nav());
    } else if (name === "day") {
      body.append(para("settings.onboarding.day.p1"), para("settings.onboarding.day.p2"), nav());
    } else if (name === "srm") {
      body.append(para("settings.onboarding.srm.p1"), para("settings.onboarding.srm.p2"), nav());
    } else {
      body.append(chooser(), nav(false));
    }
    // A new step moves focus to its title (the first is focused by app.js as the view's heading).
    if (shown) title.focus();
    shown = true;
  }

  function chooser() {
    const tracked = new Set(ctx.user.tracked_activities?.length ? ctx.user.tracked_activities : D.DEFAULT_TRACKED);
    const { fieldset, chosen } = anchorChecklist(tracked, "onboarding-anchors", t("settings.onboarding.choose.legend"));
    const error = h("div", { "aria-live": "assertive" });
    const save = h("button", { type: "submit", class: "btn btn-primary", text: t("settings.onboarding.choose.save") });
    const form = h("form", { class: "onboarding-choose", novalidate: true },
      para("settings.onboarding.choose.p1"), fieldset, error, h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const codes = chosen();
      if (!codes.length) {
        error.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text: t("settings.anchors.none") }));
        return;
      }
      save.disabled = true;
      const result = await api.patch("/me", { tracked_activities: codes });
      save.disabled = false;
      if (result.status === 0) {
        error.replaceChildren(h("p", { class: "notice notice-warn", role: "alert", text: t("settings.onboarding.choose.offline") }));
        return;
      }
      if (!api.ok(result)) return showErrors(error, result, {}, api);
      await ctx.setUser(result.body);
      done(t("settings.onboarding.saved"));
    });
    return form;
  }

  show(first);
}

/** Checkboxes for every anchor, `tracked` ticked; chosen() lists the ticked codes in diary order. */
export function anchorChecklist(tracked, idPrefix, legend) {
  const boxes = D.ACTIVITIES.map(([code]) => {
    const box = h("input", { type: "checkbox", id: `${idPrefix}-${code}`, name: "tracked", value: code });
    box.checked = tracked.has(code);
    return box;
  });
  const fieldset = h("fieldset", { class: "anchor-list" }, h("legend", { text: legend }),
    h("ul", { class: "plain anchor-grid" }, boxes.map((box) =>
      h("li", { class: "check" }, box, h("label", { for: box.id, text: D.label(box.value) })))));
  return { fieldset, chosen: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}
