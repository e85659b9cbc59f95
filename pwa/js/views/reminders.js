// Reminders: up to four daily times (PATCH /me) and, where the browser allows it, notifications;
// and, for Settings, a reminder at an anchor's target or usual time (anchorReminders).
import { h, loading, errorBox, announce, showErrors } from "../ui.js";
import * as api from "../api.js";
import * as remind from "../reminders.js";
import * as D from "../diary.js";
import { t, formatClock } from "../i18n.js";

const MAX = 4;

export async function render(main, ctx) {
  const client = ctx.user.role === "client";
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("settings.rem.title") }),
    h("p", { text: t(client ? "settings.rem.introClient" : "settings.rem.introStaff") }));
  const timesCard = h("div", {}, loading());
  const pushCard = h("section", { class: "card", "aria-labelledby": "push-h" });
  main.append(timesCard, pushCard);

  const me = await api.get("/me");
  timesCard.replaceChildren();
  if (!api.ok(me)) timesCard.append(errorBox(api.message(me)));
  else timesCard.append(timesForm(me.body.reminder_times || []));
  await drawPush();

  function timesForm(saved) {
    const list = h("ul", { class: "plain times" });
    const add = h("button", { type: "button", class: "btn btn-secondary", text: t("settings.rem.add") });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "times-h" },
      h("h3", { id: "times-h", class: "section-title", text: t("settings.rem.times") }),
      list, h("div", { class: "row gap wrap" }, add), error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: t("settings.rem.save") })));
    const rows = [];
    const addRow = (value = "") => {
      const n = rows.length + 1;
      const input = h("input", { type: "time", id: `reminder-${n}`, name: "reminder_time", value });
      const remove = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("settings.rem.remove"), "aria-label": t("settings.rem.removeN", { n }) });
      const li = h("li", { class: "time-row" }, h("label", { for: input.id, text: t("settings.rem.n", { n }) }), input, remove);
      const row = { li, input };
      remove.addEventListener("click", () => {
        rows.splice(rows.indexOf(row), 1);
        li.remove();
        renumber();
        add.focus();
      });
      rows.push(row);
      list.append(li);
      renumber();
      return input;
    };
    const renumber = () => {
      rows.forEach((r, i) => {
        r.li.querySelector("label").textContent = t("settings.rem.n", { n: i + 1 });
        r.li.querySelector("button").setAttribute("aria-label", t("settings.rem.removeN", { n: i + 1 }));
      });
      add.hidden = rows.length >= MAX;
      if (!rows.length) list.replaceChildren(h("li", { class: "muted", text: t("settings.rem.none") }));
      else list.querySelector(".muted")?.remove();
    };
    for (const t of saved) addRow(t);
    renumber();
    add.addEventListener("click", () => addRow().focus());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const times = [...new Set(rows.map((r) => r.input.value).filter(Boolean))].sort();
      const result = await api.patch("/me", { reminder_times: times });
      if (!api.ok(result)) return showErrors(error, result, {}, api);
      await ctx.setUser(result.body);
      showErrors(error, null, {}, api);
      error.append(h("p", { class: "notice notice-info", role: "status", text: times.length ? t("settings.rem.saved", { times: times.join(", ") }) : t("settings.rem.off") }));
    });
    return form;
  }

  async function drawPush() {
    const state = await remind.pushState();
    pushCard.replaceChildren(h("h3", { id: "push-h", class: "section-title", text: t("settings.push.title") }));
    const fallback = client && state !== "on" ? ` ${t("settings.push.fallback")}` : "";
    const status = h("p", { role: "status", text: t(`settings.push.state.${state}`) + fallback });
    const problem = h("div", { "aria-live": "assertive" });
    pushCard.append(status, problem);
    if (state === "off") {
      const enable = h("button", { type: "button", class: "btn btn-primary", text: t("settings.push.enable") });
      enable.addEventListener("click", async () => {
        enable.disabled = true;
        problem.replaceChildren(h("p", { class: "muted", role: "status", text: t("settings.push.working") }));
        const result = await remind.enablePush().catch(() => ({ ok: false, message: t("settings.push.failed") }));
        if (!result.ok) {
          enable.disabled = false;
          problem.replaceChildren(h("p", { class: "notice notice-warn", text: result.message }));
          return;
        }
        announce(t("settings.push.turnedOn"));
        await drawPush();
      });
      pushCard.append(enable);
    } else if (state === "on") {
      const disable = h("button", { type: "button", class: "btn btn-secondary", text: t("settings.push.disable") });
      disable.addEventListener("click", async () => {
        await remind.disablePush();
        announce(t("settings.push.turnedOff"));
        await drawPush();
      });
      pushCard.append(disable);
    }
  }
}

// ----- reminders at an anchor's time (used by Settings) -----
// A per-anchor reminder is computed into the profile's reminder times (docs/pwa-settings.md):
// the anchor's target, agreed in therapy, else its usual time as the flags see it (GET /usual).

/** {user, times: {code: {time, basis}}, problem}: the profile and each anchor's time, where known. */
export async function anchorTimes() {
  const [me, targets, usual] = await Promise.all([api.get("/me"), api.get("/targets"), api.get("/usual")]);
  const times = {};
  if (api.ok(usual)) {
    // The newest logged day's usual time of each anchor (days come oldest first).
    for (const day of usual.body.days || []) {
      for (const [code, found] of Object.entries(day.usual || {})) {
        if (found?.time) times[code] = { time: found.time, basis: found.basis === "target" ? "target" : "usual" };
      }
    }
  }
  if (api.ok(targets)) {
    for (const [code, target] of Object.entries(targets.body.targets || {})) {
      if (target?.time) times[code] = { time: target.time, basis: "target" };
    }
  }
  const problem = [me, targets, usual].find((r) => !api.ok(r));
  return { user: api.ok(me) ? me.body : null, times, problem: problem ? api.message(problem) : null };
}

/** One row per tracked anchor: its time and a button to be reminded then (or to stop). */
export function anchorReminders(ctx, found, redraw) {
  const user = found.user || ctx.user;
  const box = h("div", { "aria-live": "polite" });
  if (!found.user) return h("div", {}, errorBox(found.problem || t("settings.reminders.offline")));
  const saved = user.reminder_times || [];
  const tracked = user.tracked_activities?.length ? user.tracked_activities : D.DEFAULT_TRACKED;
  const rows = tracked.map((code) => {
    const known = found.times[code];
    const name = D.label(code);
    if (!known) return h("li", { class: "anchor-reminder" }, h("span", { class: "anchor-name", text: name }), h("span", { class: "muted", text: t("settings.reminders.noTime") }));
    const on = saved.includes(known.time);
    const when = t(known.basis === "target" ? "settings.reminders.target" : "settings.reminders.usual", { time: formatClock(known.time) });
    const button = h("button", { type: "button", class: `btn btn-small ${on ? "btn-secondary" : "btn-primary"}`,
      text: on ? t("settings.reminders.stop") : t("settings.reminders.remind", { time: formatClock(known.time) }),
      "aria-label": on ? t("settings.reminders.stopFor", { anchor: name }) : t("settings.reminders.remindFor", { anchor: name, time: formatClock(known.time) }) });
    if (!on && saved.length >= MAX) {
      button.disabled = true;
      button.title = t("settings.reminders.full");
    }
    button.addEventListener("click", async () => {
      const next = on ? saved.filter((x) => x !== known.time) : [...saved, known.time];
      button.disabled = true;
      const result = await api.patch("/me", { reminder_times: next });
      button.disabled = false;
      if (!api.ok(result)) return showErrors(box, result, {}, api);
      await ctx.setUser(result.body);
      announce(on ? t("settings.reminders.stopped", { time: formatClock(known.time) }) : t("settings.reminders.added", { time: formatClock(known.time) }));
      redraw();
    });
    return h("li", { class: "anchor-reminder", "data-anchor": code },
      h("span", { class: "anchor-name", text: name }), h("span", { class: "muted", text: when }),
      on ? h("span", { class: "badge badge-ok", text: t("settings.reminders.on") }) : null, button);
  });
  const full = saved.length >= MAX ? h("p", { class: "hint", text: t("settings.reminders.full") }) : null;
  return h("div", {}, h("ul", { class: "plain anchor-reminders" }, rows), full, box);
}
