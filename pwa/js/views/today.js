// Today: the diary day form. Every anchor has a one-tap "Now" button and an editable time.
import { h, field, stateBadge, announce, uid } from "../ui.js";
import * as outbox from "../outbox.js";
import * as D from "../diary.js";
import { tripPrompt } from "./trip_prompt.js";

export async function render(main, ctx, params) {
  const todayIso = D.today();
  let date = params.get("date") || todayIso;
  if (date > todayIso) date = todayIso;
  const tracked = ctx.user.tracked_activities?.length ? ctx.user.tracked_activities : D.DEFAULT_TRACKED;

  const heading = h("h2", { id: "view-heading", tabindex: "-1", text: "Today" });
  const dateInput = h("input", { type: "date", id: "diary-date", name: "date", value: date, max: todayIso, required: true });
  const quick = h("div", { class: "row gap" },
    h("button", { type: "button", class: "btn btn-quiet", text: "Yesterday", on: { click: () => go(D.addDays(todayIso, -1)) } }),
    h("button", { type: "button", class: "btn btn-quiet", text: "Today", on: { click: () => go(todayIso) } }));
  const status = h("div", { class: "day-status", role: "status", "aria-live": "polite" });
  const notices = h("div");
  const form = h("form", { class: "diary", novalidate: true, "aria-labelledby": "view-heading", "data-date": date });
  main.append(heading, h("div", { class: "card date-card" }, field("Diary day", dateInput,
    "A diary day starts when you get out of bed."), quick), notices, tripPrompt(), status, form);

  dateInput.addEventListener("change", () => {
    if (dateInput.value) go(dateInput.value > todayIso ? todayIso : dateInput.value);
  });

  function go(next) {
    ctx.navigate(next === todayIso ? "#/today" : `#/today?date=${next}`);
  }

  let dirty = false;
  let loaded = null; // {state, body}
  const rows = {};

  async function load() {
    loaded = await outbox.stateOf(date);
    const body = loaded?.body || { mood: null, activities: {}, note: null };
    heading.textContent = date === todayIso ? "Today" : D.longDate(date);
    renderNotices();
    renderForm(body);
    showStatus();
    if (navigator.onLine && (!loaded || loaded.state === "synced")) {
      // Fetch this day with its ETag so an edit is sent against what the server holds.
      const before = JSON.stringify(loaded?.body || null);
      await outbox.refreshDay(date);
      const fresh = await outbox.stateOf(date);
      if (!dirty && JSON.stringify(fresh?.body || null) !== before && main.isConnected) {
        loaded = fresh;
        renderForm(fresh?.body || body);
        showStatus();
      }
    }
  }

  function renderNotices() {
    notices.replaceChildren();
    const hour = new Date().getHours();
    if (date === todayIso && hour < 12) notices.append(lastNight(ctx, todayIso));
  }

  function showStatus() {
    status.replaceChildren();
    if (!loaded) {
      status.append(h("span", { class: "muted", text: "Nothing logged for this day yet." }));
      return;
    }
    status.append(stateBadge(loaded));
    if (loaded.state === "pending") status.append(" ", h("span", { class: "muted", text: "It will sync when you are online." }));
    if (loaded.state === "conflict")
      status.append(" ", h("a", { href: `#/sync?date=${date}`, text: "This day changed on another device: compare and choose" }));
    if (loaded.state === "auth") status.append(" ", h("a", { href: "#/signin", text: "Sign in to send it" }));
    if (loaded.state === "invalid") status.append(" ", h("span", { class: "error-text", text: loaded.message || "" }));
  }

  function renderForm(body) {
    form.replaceChildren();
    const codes = D.CODES.filter((c) => tracked.includes(c) || body.activities[c]);
    const anchors = h("div", { class: "anchors" });
    for (const code of codes) anchors.append(anchorRow(code, body.activities[code]));
    const mood = moodField(body.mood);
    const workDay = workDayField(body.work_day);
    const note = h("textarea", { id: "note", name: "note", rows: "3", maxlength: "2000" });
    note.value = body.note || "";
    const error = h("div", { id: "form-error", "aria-live": "assertive" });
    form.append(
      h("h3", { class: "section-title", text: "Daily anchors" }),
      anchors,
      mood.el,
      workDay.el,
      h("div", { class: "card" }, field("Note (optional)", note)),
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary btn-wide", text: "Save day" })),
    );
    form.onsubmit = async (event) => {
      event.preventDefault();
      const built = build(body, mood, note, workDay);
      error.replaceChildren();
      if (built.error) {
        error.append(h("p", { class: "notice notice-error", role: "alert", text: built.error }));
        return;
      }
      await outbox.saveDay(date, built.body);
      dirty = false;
      announce(`${D.longDate(date)} saved on this device.`);
    };
    form.oninput = () => (dirty = true);
  }

  function anchorRow(code, activity) {
    const name = D.label(code);
    const time = h("input", { type: "time", id: `time-${code}`, name: `time-${code}`, class: "time-input" });
    time.value = activity?.time || "";
    const people = h("select", { id: `people-${code}`, name: `people-${code}` },
      h("option", { value: "", text: "Not recorded" }),
      D.PEOPLE.map((text, i) => h("option", { value: String(i), text })));
    people.value = activity?.people === null || activity?.people === undefined ? "" : String(activity.people);
    const midnight = h("p", { class: "after-midnight", id: `midnight-${code}`, "aria-live": "polite" });
    const updateMidnight = () => {
      midnight.replaceChildren();
      if (D.isAfterMidnight(code, time.value)) {
        midnight.append(h("strong", { text: "After midnight" }),
          ` – counted on this diary day (${D.shortDate(date)}) as ${Number(time.value.slice(0, 2)) + 24}:${time.value.slice(3)}.`);
      }
    };
    time.addEventListener("input", updateMidnight);
    updateMidnight();
    const now = h("button", {
      type: "button", class: "btn btn-now", text: "Now",
      "aria-label": `Now: ${name}`,
      on: { click: () => tapNow(code, time) },
    });
    const clear = h("button", {
      type: "button", class: "btn btn-quiet btn-small", text: "Clear", "aria-label": `Clear ${name}`,
      on: { click: () => { time.value = ""; people.value = ""; dirty = true; updateMidnight(); time.focus(); } },
    });
    rows[code] = { time, people };
    const legendId = uid("lg");
    return h("fieldset", { class: "anchor card", "aria-labelledby": legendId },
      h("legend", { id: legendId, class: "sr-only", text: name }),
      h("div", { class: "anchor-head" }, h("span", { class: "anchor-name", "aria-hidden": "true", text: name }), clear),
      h("div", { class: "anchor-row" },
        h("div", { class: "field field-time" }, h("label", { for: time.id, text: "Time" }), time),
        now,
        h("div", { class: "field field-people" }, h("label", { for: people.id, text: "Who was involved" }), people)),
      midnight);
  }

  async function tapNow(code, input) {
    const clock = D.nowTime();
    if (code === "to_bed" && date === todayIso && D.isAfterMidnight(code, clock)) {
      // Going to bed after midnight: that bedtime belongs to yesterday's diary day.
      const yesterday = D.addDays(todayIso, -1);
      await saveBedtime(yesterday, clock);
      announce(`Bedtime ${clock} saved on ${D.longDate(yesterday)}, after midnight.`);
      notices.replaceChildren(h("p", { class: "notice notice-info", role: "status" },
        `Bedtime ${clock} saved on yesterday's diary day (${D.shortDate(yesterday)}), after midnight.`));
      return;
    }
    input.value = clock;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    form.requestSubmit();
  }

  function build(base, mood, note, workDay) {
    const activities = {};
    for (const [code, { time, people }] of Object.entries(rows)) {
      if (!time.value) continue;
      const a = { time: time.value, day_offset: D.isAfterMidnight(code, time.value) ? 1 : 0 };
      if (people.value !== "") a.people = Number(people.value);
      activities[code] = a;
    }
    const wake = activities.out_of_bed && D.diaryMinutes("out_of_bed", activities.out_of_bed);
    const bed = activities.to_bed && D.diaryMinutes("to_bed", activities.to_bed);
    if (wake !== undefined && bed !== undefined && bed <= wake) {
      return { error: "Bedtime must come after getting up on the same diary day." };
    }
    if (date > D.today()) return { error: "This date is in the future." };
    const body = {
      timezone: base.timezone || ctx.user.timezone || D.deviceZone(),
      mood: mood.value(),
      activities,
      note: note.value.trim() || null,
    };
    // The mark only when set, or to clear one the day had: an untouched day sends what it did.
    const mark = workDay.value();
    if (mark !== null || D.markOf(base) !== undefined) body.work_day = mark;
    return { body };
  }

  const off = outbox.onChange(async () => {
    if (!main.isConnected) return off();
    const fresh = await outbox.stateOf(date);
    loaded = fresh;
    showStatus();
  });
  await load();
  form.dataset.loaded = "true";
  return off;
}

async function saveBedtime(day, clock) {
  const current = await outbox.stateOf(day);
  const body = current?.body ? structuredClone(current.body) : { mood: null, activities: {}, note: null };
  body.activities = { ...body.activities, to_bed: { ...(body.activities.to_bed || {}), time: clock, day_offset: D.isAfterMidnight("to_bed", clock) ? 1 : 0 } };
  if (!body.timezone) body.timezone = D.deviceZone();
  await outbox.saveDay(day, body);
}

/** Before noon: log last night's bedtime on yesterday's diary day. */
function lastNight(ctx, todayIso) {
  const yesterday = D.addDays(todayIso, -1);
  const input = h("input", { type: "time", id: "last-night", name: "last-night" });
  const out = h("p", { class: "after-midnight", "aria-live": "polite" });
  const show = () => {
    out.textContent = D.isAfterMidnight("to_bed", input.value) ? "After midnight – saved on yesterday's diary day." : "";
  };
  input.addEventListener("input", show);
  const save = h("button", {
    type: "button", class: "btn btn-secondary", text: "Save bedtime",
    on: {
      click: async () => {
        if (!input.value) return input.focus();
        await saveBedtime(yesterday, input.value);
        out.textContent = `Saved: bedtime ${input.value}${D.isAfterMidnight("to_bed", input.value) ? " (after midnight)" : ""} on ${D.shortDate(yesterday)}.`;
        announce(out.textContent);
      },
    },
  });
  return h("section", { class: "card card-soft", "aria-labelledby": "last-night-h" },
    h("h3", { id: "last-night-h", class: "section-title", text: "Last night's bedtime" }),
    h("p", { class: "hint", text: `A bedtime after midnight belongs to yesterday's diary day (${D.shortDate(yesterday)}).` }),
    h("div", { class: "row gap wrap end-items" }, field("Went to bed at", input), save),
    out);
}

/** Work day? yes / no / as usual: the day's own mark, true, false or null (docs/science.md §2.8). */
function workDayField(initial) {
  const options = [["yes", "Yes", true], ["no", "No", false], ["usual", "As usual", null]];
  const hintId = uid("wd");
  const radios = options.map(([key, text, mark]) => {
    const input = h("input", { type: "radio", id: `work-day-${key}`, name: "work_day", value: key });
    input.checked = mark === (initial ?? null);
    return [h("label", { class: "choice work-day-choice", for: input.id }, input, h("span", { text })), input, mark];
  });
  const el = h("fieldset", { class: "card work-day", "aria-describedby": hintId },
    h("legend", { class: "anchor-name", text: "Work day?" }),
    h("div", { class: "work-day-choices" }, radios.map(([label]) => label)),
    h("p", { class: "hint", id: hintId, text: "Work, study, housework or caring for someone. As usual: your work-day pattern decides, or whether you logged start work." }));
  return { el, value: () => radios.find(([, input]) => input.checked)?.[2] ?? null };
}

function moodField(initial) {
  let rated = initial !== null && initial !== undefined;
  const range = h("input", {
    type: "range", id: "mood", name: "mood", min: "-5", max: "5", step: "1",
    "aria-describedby": "mood-scale",
  });
  range.value = String(rated ? initial : 0);
  const output = h("output", { for: "mood", id: "mood-value", class: "mood-value" });
  const clear = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Clear mood" });
  const wrap = h("fieldset", { class: "card mood" },
    h("legend", { class: "anchor-name", text: "Mood today" }),
    h("label", { for: "mood", class: "sr-only", text: "Mood from −5 very depressed to +5 very elated" }),
    output,
    range,
    h("div", { class: "mood-scale", id: "mood-scale", "aria-hidden": "false" },
      h("span", { text: "−5 very depressed" }), h("span", { text: "0 normal" }), h("span", { text: "+5 very elated" })),
    h("div", { class: "row end" }, clear));
  const show = () => {
    const text = rated ? D.moodText(Number(range.value)) : "Not rated yet";
    output.textContent = text;
    range.setAttribute("aria-valuetext", text);
    wrap.classList.toggle("unrated", !rated);
  };
  for (const type of ["input", "click"]) {
    range.addEventListener(type, () => {
      rated = true;
      show();
    });
  }
  clear.addEventListener("click", () => {
    rated = false;
    range.value = "0";
    show();
    range.dispatchEvent(new Event("input", { bubbles: true }));
    rated = false;
    show();
  });
  show();
  return { el: wrap, value: () => (rated ? Number(range.value) : null) };
}
