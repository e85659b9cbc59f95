// Today: the controller of the diary day screen. It picks the day, loads it (outbox, then the
// server), holds its state (loaded, unsaved changes) and saves or deletes it; the form itself is
// built by today_form.js. Each anchor's usual time comes from GET /usual, /targets and
// /work-days, kept in IndexedDB so that "As usual" works offline.
import { h, field, announce, confirmDialog, errorBox } from "../ui.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import * as store from "../store.js";
import * as outbox from "../outbox.js";
import * as D from "../diary.js";
import { dayForm } from "./today_form.js";
import { tripPrompt } from "./trip_prompt.js";

const USUAL_KEY = "usual_times";
const EMPTY = () => ({ mood: null, activities: {}, note: null });
const NOON = 12 * 60;

export async function render(main, ctx, params) {
  const todayIso = D.today();
  let usual = await store.getKV(USUAL_KEY).catch(() => null);
  const fresh = navigator.onLine ? fetchUsual() : Promise.resolve(null);
  // The first time only (later the cached copy is used at once), and not for long.
  if (!usual) usual = await Promise.race([fresh, new Promise((done) => setTimeout(() => done(null), 3000))]);
  const asked = params.get("date");
  let date = asked || (await homeDay(todayIso, usual));
  if (date > todayIso) date = todayIso;
  const night = !asked && date !== todayIso;
  const isToday = date === todayIso;
  const tracked = ctx.user.tracked_activities?.length ? ctx.user.tracked_activities : D.DEFAULT_TRACKED;

  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: isToday ? t("today.heading") : D.longDate(date) });
  const dateInput = h("input", { type: "date", id: "diary-date", name: "date", value: date, max: todayIso, required: true });
  const quick = h("div", { class: "row gap" },
    h("button", { type: "button", class: "btn btn-quiet", text: t("today.yesterday"), on: { click: () => go(D.addDays(todayIso, -1)) } }),
    h("button", { type: "button", class: "btn btn-quiet", text: t("today.today"), on: { click: () => go(todayIso) } }));
  const alerts = h("div", { class: "day-alerts" });
  // Built before the first paint: a card inserted above a drawn form would shift the page.
  const notices = h("div", {}, (isToday && (await lastNight(todayIso))) || null);
  const form = h("form", { class: "diary", novalidate: true, "aria-labelledby": "view-heading", "data-date": date, "data-home": asked ? null : "true" });
  const error = h("div", { id: "form-error", "aria-live": "assertive" });
  const status = h("span", { class: "day-status", role: "status" });
  const saveBar = h("div", { class: "save-bar" },
    h("button", { type: "submit", class: "btn btn-primary", text: t("today.save") }), status);
  const fieldsSlot = h("div");
  form.append(fieldsSlot, error, saveBar);
  const deleteSlot = h("div", { class: "delete-day" });
  main.append(heading);
  if (night) main.append(nightNotice(date, () => go(todayIso)));
  main.append(h("div", { class: "card date-card" }, field(t("today.diaryDay"), dateInput, t("today.diaryDayHint")), quick),
    notices, tripPrompt(), alerts, form, deleteSlot);

  dateInput.addEventListener("change", () => {
    if (dateInput.value) go(dateInput.value > todayIso ? todayIso : dateInput.value);
  });

  // Always with the date: a plain #/today may open the night's diary day instead (homeDay).
  function go(next) {
    ctx.navigate(`#/today?date=${next}`);
  }

  let dirty = false;
  let loaded = null; // the outbox item or server copy: {state, body}; body null = deleted here
  let fields = null;

  const bodyNow = () => loaded?.body || EMPTY();

  function renderForm(body) {
    const codes = D.CODES.filter((c) => tracked.includes(c) || body.activities[c]);
    fields = dayForm({
      date, body, codes, isToday,
      usualOf: (code) => usualOf(usual, code, date, D.markOf(body) ?? null),
      timezone: ctx.user.timezone || D.deviceZone(),
      onNow: saveNow,
    });
    fieldsSlot.replaceChildren(fields.el);
    error.replaceChildren();
  }

  function show() {
    status.replaceChildren();
    alerts.replaceChildren();
    const state = dirty ? "unsaved" : !loaded ? "empty" : loaded.body === null && loaded.state === "pending" ? "deleting" : loaded.state;
    status.append(h("span", { class: `save-state save-state-${state}`, text: t(`today.state.${state}`) }));
    status.dataset.state = state;
    if (!dirty && loaded?.state === "pending") status.append(h("span", { class: "muted", text: t("today.pendingHint") }));
    if (loaded?.state === "conflict") alerts.append(h("p", { class: "notice notice-warn" }, h("a", { href: `#/sync?date=${date}`, text: t("today.conflictLink") })));
    if (loaded?.state === "auth") alerts.append(h("p", { class: "notice notice-warn" }, h("a", { href: "#/signin", text: t("today.authLink") })));
    if (loaded?.state === "invalid") alerts.append(errorBox(loaded.message || ""));
    deleteSlot.replaceChildren();
    if (loaded?.body) {
      deleteSlot.append(h("button", { type: "button", class: "btn btn-quiet btn-danger-text", text: t("today.delete"), on: { click: remove } }));
    }
  }

  async function save() {
    const built = fields.read();
    error.replaceChildren();
    if (built.error) {
      error.append(errorBox(built.error));
      return false;
    }
    await outbox.saveDay(date, built.body);
    dirty = false;
    loaded = await outbox.stateOf(date);
    show();
    announce(t("today.savedAnnounce", { date: D.longDate(date) }));
    return true;
  }

  /** "Now" fills its own field (today_form.js) and saves the day at once, confirmed in place. */
  async function saveNow(code) {
    const time = form.elements[`time-${code}`].value;
    if (await save()) fields.confirmAt(code, t("today.timeSaved", { time: D.displayTime(code, time) }));
  }

  async function remove() {
    const yes = await confirmDialog({
      title: t("today.deleteTitle"),
      text: t("today.deleteText", { date: D.longDate(date) }),
      yes: t("today.deleteYes"),
      no: t("today.deleteNo"),
    });
    if (!yes) return;
    await outbox.deleteDay(date);
    dirty = false;
    loaded = await outbox.stateOf(date);
    renderForm(EMPTY());
    show();
    announce(t("today.deleted", { date: D.longDate(date) }));
    heading.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.addEventListener("input", () => {
    if (!dirty) {
      dirty = true;
      show();
    }
  });
  form.addEventListener("change", (event) => {
    // Radios and selects report a change, not always an input.
    if (!dirty && event.target.name !== "date") {
      dirty = true;
      show();
    }
  });

  async function load() {
    loaded = await outbox.stateOf(date);
    renderForm(bodyNow());
    show();
    if (navigator.onLine && (!loaded || loaded.state === "synced")) {
      // Fetch this day with its ETag so an edit is sent against what the server holds.
      const before = JSON.stringify(loaded?.body || null);
      await outbox.refreshDay(date);
      const latest = await outbox.stateOf(date);
      if (!dirty && JSON.stringify(latest?.body || null) !== before && main.isConnected) {
        loaded = latest;
        renderForm(bodyNow());
        show();
      }
    }
  }

  const off = outbox.onChange(async () => {
    if (!main.isConnected) return off();
    loaded = await outbox.stateOf(date);
    show();
  });
  await load();
  form.dataset.loaded = "true";
  // Fresh usual times (after this device's cached ones): new "As usual" buttons if untouched.
  fresh.then((next) => {
    if (next && JSON.stringify(next) !== JSON.stringify(usual) && !dirty && main.isConnected) {
      usual = next;
      renderForm(bodyNow());
    }
  }).finally(() => (form.dataset.usual = "ready"));
  return off;
}

/**
 * The diary day a plain #/today opens. Between midnight and the person's usual getting-up time
 * the night still belongs to yesterday's diary day (a day starts when you get out of bed), so
 * that one opens, unless its bedtime is already logged. Without a usual getting-up time: today.
 */
async function homeDay(todayIso, usual) {
  const wake = D.parseTime(usualOf(usual, "out_of_bed", todayIso, null));
  const now = new Date();
  const clock = now.getHours() * 60 + now.getMinutes();
  if (wake === null || clock >= Math.min(wake, NOON)) return todayIso;
  const yesterday = D.addDays(todayIso, -1);
  const day = await outbox.stateOf(yesterday);
  return day?.body?.activities?.to_bed ? todayIso : yesterday;
}

function nightNotice(date, openToday) {
  return h("div", { class: "notice notice-info night-notice", role: "note" },
    h("p", { text: t("today.nightNotice", { date: D.longDate(date) }) }),
    h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("today.openToday"), on: { click: openToday } }));
}

/**
 * The usual times, cached for offline use: {targets: {code: "HH:MM"}, work, free, any: {code:
 * "HH:MM"}, weekdays}. The habitual time of each day type is the latest GET /usual reports.
 * null when offline or on any error (the cached copy stays).
 */
async function fetchUsual() {
  try {
    const [found, targets, work] = await Promise.all([api.get("/usual"), api.get("/targets"), api.get("/work-days")]);
    if (!api.ok(found)) return null;
    const times = { targets: {}, work: {}, free: {}, any: {}, weekdays: api.ok(work) ? work.body.work_weekdays ?? null : null };
    for (const [code, target] of Object.entries((api.ok(targets) && targets.body.targets) || {})) {
      if (target?.time) times.targets[code] = target.time;
    }
    for (const day of found.body.days || []) { // oldest first: later days overwrite
      for (const [code, u] of Object.entries(day.usual || {})) {
        if (u.basis === "habitual_work") times.work[code] = u.time;
        else if (u.basis === "habitual_free") times.free[code] = u.time;
        if (u.basis !== "target") times.any[code] = u.time;
      }
    }
    await store.setKV(USUAL_KEY, times);
    return times;
  } catch {
    return null;
  }
}

/** The usual time of `code` on `date`: the target, else the habitual time of that kind of day. */
function usualOf(usual, code, date, mark) {
  if (!usual) return null;
  if (usual.targets?.[code]) return usual.targets[code];
  const weekday = ((D.fromIso(date).getDay() + 6) % 7) + 1; // ISO: Monday 1 … Sunday 7
  const kind = mark === true ? "work" : mark === false ? "free" : usual.weekdays ? (usual.weekdays.includes(weekday) ? "work" : "free") : null;
  return (kind && usual[kind]?.[code]) || usual.any?.[code] || null;
}

/** Before noon on today: last night's bedtime, for yesterday's diary day, until it is logged. */
async function lastNight(todayIso) {
  if (new Date().getHours() >= 12) return null;
  const yesterday = D.addDays(todayIso, -1);
  if ((await outbox.stateOf(yesterday))?.body?.activities?.to_bed) return null;
  const input = h("input", { type: "time", id: "last-night", name: "last-night" });
  const out = h("p", { class: "after-midnight", "aria-live": "polite" });
  input.addEventListener("input", () => {
    out.textContent = D.isAfterMidnight("to_bed", input.value) ? t("today.lastNightAfter") : "";
  });
  const card = h("section", { class: "card card-soft last-night", "aria-labelledby": "last-night-h" });
  const save = h("button", {
    type: "button", class: "btn btn-secondary", text: t("today.saveBedtime"),
    on: {
      click: async () => {
        if (!input.value) return input.focus();
        await saveBedtime(yesterday, input.value);
        // Done: the card gives way to its confirmation, and does not come back.
        const done = h("p", { class: "notice notice-ok", role: "status", tabindex: "-1",
          text: t("today.lastNightSaved", { time: D.displayTime("to_bed", input.value), date: D.shortDate(yesterday) }) });
        card.replaceWith(done);
        done.focus();
      },
    },
  });
  card.append(
    h("h3", { id: "last-night-h", class: "section-title", text: t("today.lastNight") }),
    h("p", { class: "hint", text: t("today.lastNightHint", { date: D.shortDate(yesterday) }) }),
    h("div", { class: "row gap wrap end-items" }, field(t("today.wentToBed"), input), save),
    out);
  return card;
}

async function saveBedtime(day, clock) {
  const current = await outbox.stateOf(day);
  const body = current?.body ? structuredClone(current.body) : EMPTY();
  body.activities = { ...body.activities, to_bed: { ...(body.activities.to_bed || {}), time: clock, day_offset: D.isAfterMidnight("to_bed", clock) ? 1 : 0 } };
  if (!body.timezone) body.timezone = D.deviceZone();
  await outbox.saveDay(day, body);
}
