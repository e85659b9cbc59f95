// The diary day form, built from a day's body: no state, no loading, no saving
// (pwa/js/views/today.js drives it). dayForm() returns {el, read(), ...}: the DOM, and read()
// turning what is on screen into a PUT body (or an error to show).
import { h, uid } from "../ui.js";
import { t } from "../i18n.js";
import * as D from "../diary.js";

const MOODS = [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5];
/** The id of a mood chip: mood-m5 … mood-0 … mood-p5, mood-none for "Not rated". */
export const moodId = (mood) =>
  mood === null || mood === undefined ? "mood-none" : `mood-${mood < 0 ? `m${-mood}` : mood > 0 ? `p${mood}` : "0"}`;

/**
 * options:
 * - date, body: the diary day and its PUT body (an empty one for a day not logged);
 * - codes: the anchors to show, in order;
 * - usualOf(code): the usual "HH:MM" for this day (target or habitual), or null;
 * - isToday: the day open is the calendar day (the mood's legend says so);
 * - timezone: the zone a new day is written in;
 * - onNow(code): "Now" was tapped on that anchor, after its time was filled.
 */
export function dayForm({ date, body, codes, usualOf, isToday, timezone, onNow }) {
  const rows = {};
  const anchors = h("div", { class: "anchors" });
  for (const code of codes) anchors.append(anchorRow(code, body.activities[code]));
  const usualCodes = codes.filter((code) => usualOf(code));
  const filled = h("p", { class: "usual-done", role: "status" });
  const allUsual = usualCodes.length
    ? h("div", { class: "all-usual" },
      h("button", { type: "button", class: "btn btn-secondary btn-wide", text: t("today.allUsual"),
        "aria-describedby": "all-usual-hint", on: { click: fillAllUsual } }),
      h("p", { class: "hint", id: "all-usual-hint", text: t("today.allUsualHint") }),
      filled)
    : h("p", { class: "hint", text: t("today.noUsualYet") });
  const mood = moodField(body.mood, isToday ? t("today.moodToday") : t("today.moodThatDay"));
  const workDay = workDayField(body.work_day);
  const note = h("textarea", { id: "note", name: "note", rows: "3", maxlength: "2000" });
  note.value = body.note || "";

  const el = h("div", { class: "day-fields" },
    h("h3", { class: "section-title", text: t("today.anchors") }),
    allUsual,
    anchors,
    mood.el,
    workDay.el,
    h("div", { class: "card" }, h("div", { class: "field" }, h("label", { for: note.id, text: t("today.note") }), note)));

  function anchorRow(code, activity) {
    const name = D.label(code);
    const time = h("input", { type: "time", id: `time-${code}`, name: `time-${code}`, class: "time-input" });
    time.value = activity?.time || "";
    const people = h("select", { id: `people-${code}`, name: `people-${code}` },
      h("option", { value: "", text: t("today.notRecorded") }),
      D.PEOPLE.map((_, i) => h("option", { value: String(i), text: D.peopleText(i) })));
    people.value = activity?.people === null || activity?.people === undefined ? "" : String(activity.people);
    const midnight = h("p", { class: "after-midnight", id: `midnight-${code}`, "aria-live": "polite" });
    const confirm = h("p", { class: "anchor-confirm", id: `confirm-${code}`, role: "status" });
    const updateMidnight = () => {
      midnight.replaceChildren();
      if (D.isAfterMidnight(code, time.value)) {
        midnight.append(h("strong", { text: t("today.afterMidnight") }),
          t("today.afterMidnightNote", { date: D.shortDate(date) }));
      }
    };
    const set = (value) => {
      time.value = value;
      // As if typed: the controller hears it (unsaved changes), the note follows.
      time.dispatchEvent(new Event("input", { bubbles: true }));
    };
    time.addEventListener("input", () => {
      updateMidnight();
      confirm.textContent = "";
    });
    updateMidnight();
    const now = h("button", {
      type: "button", class: "btn btn-now", text: t("today.now"), "aria-label": t("today.nowLabel", { name }),
      on: { click: () => {
        set(D.nowTime());
        onNow(code);
      } },
    });
    const usual = usualOf(code);
    const usualText = usual && t("today.asUsual", { time: D.clockText(usual) });
    const asUsual = usual && h("button", {
      type: "button", class: "btn btn-usual", "data-code": code,
      text: usualText,
      // The name starts with the visible text, so speech input ("click As usual 07:10") works.
      "aria-label": t("today.asUsualLabel", { usual: usualText, name }),
      on: { click: () => set(usual) },
    });
    const clear = h("button", {
      type: "button", class: "btn btn-quiet btn-small", text: t("today.clear"), "aria-label": t("today.clearLabel", { name }),
      on: { click: () => {
        people.value = "";
        set("");
        time.focus();
      } },
    });
    rows[code] = { time, people, confirm, usual, set };
    const legendId = uid("lg");
    return h("fieldset", { class: "anchor card", "aria-labelledby": legendId, "data-code": code },
      h("legend", { id: legendId, class: "sr-only", text: name }),
      h("div", { class: "anchor-head" }, h("span", { class: "anchor-name", "aria-hidden": "true", text: name }), clear),
      h("div", { class: "anchor-times" },
        h("div", { class: "field field-time" }, h("label", { for: time.id, class: "sr-only", text: t("today.timeOf", { name }) }), time),
        now, asUsual),
      midnight,
      confirm,
      peopleField(people));
  }

  /** One tap for a usual day: every empty time that has a usual one gets it. */
  function fillAllUsual() {
    let count = 0;
    for (const code of usualCodes) {
      const row = rows[code];
      if (row.time.value) continue;
      row.set(row.usual);
      count += 1;
    }
    filled.textContent = count ? t("today.allUsualDone", { count }) : t("today.allUsualNothing");
  }

  function read() {
    const activities = {};
    for (const [code, { time, people }] of Object.entries(rows)) {
      if (!time.value) continue;
      const a = { time: time.value, day_offset: D.isAfterMidnight(code, time.value) ? 1 : 0 };
      if (people.value !== "") a.people = Number(people.value);
      activities[code] = a;
    }
    // A logged anchor not shown (no longer tracked) is kept as it was.
    for (const [code, a] of Object.entries(body.activities)) if (!rows[code]) activities[code] = a;
    const wake = activities.out_of_bed && D.diaryMinutes("out_of_bed", activities.out_of_bed);
    const bed = activities.to_bed && D.diaryMinutes("to_bed", activities.to_bed);
    if (wake !== undefined && bed !== undefined && bed <= wake) return { error: t("today.errBedBeforeWake") };
    if (date > D.today()) return { error: t("today.errFuture") };
    const next = {
      timezone: body.timezone || timezone,
      mood: mood.value(),
      activities,
      note: note.value.trim() || null,
    };
    // The mark only when set, or to clear one the day had: an untouched day sends what it did.
    const mark = workDay.value();
    if (mark !== null || D.markOf(body) !== undefined) next.work_day = mark;
    return { body: next };
  }

  /** Confirm next to an anchor's field ("Saved: 00:40 (after midnight)"). */
  function confirmAt(code, text) {
    if (rows[code]) rows[code].confirm.textContent = text;
  }

  return { el, read, confirmAt, fillAllUsual };
}

/**
 * "Who was involved", folded away until asked for (most days leave it empty): open when the
 * anchor has a value, its summary saying which.
 */
function peopleField(select) {
  const chosen = h("span", { class: "people-chosen" });
  const sayChosen = () => (chosen.textContent = select.value === "" ? "" : `: ${D.peopleText(Number(select.value))}`);
  select.addEventListener("change", sayChosen);
  sayChosen();
  const details = h("details", { class: "field-people" },
    h("summary", {}, h("span", { text: t("today.people") }), chosen),
    h("div", { class: "field" }, h("label", { for: select.id, class: "sr-only", text: t("today.people") }), select));
  details.open = select.value !== "";
  return details;
}

/** Work day? yes / no / as usual: the day's own mark, true, false or null (docs/science.md §2.8). */
function workDayField(initial) {
  const options = [["yes", t("today.workYes"), true], ["no", t("today.workNo"), false], ["usual", t("today.workUsual"), null]];
  const hintId = uid("wd");
  const radios = options.map(([key, text, mark]) => {
    const input = h("input", { type: "radio", id: `work-day-${key}`, name: "work_day", value: key });
    input.checked = mark === (initial ?? null);
    return [h("label", { class: "choice work-day-choice", for: input.id }, input, h("span", { text })), input, mark];
  });
  const el = h("fieldset", { class: "card work-day", "aria-describedby": hintId },
    h("legend", { class: "anchor-name", text: t("today.workDay") }),
    h("div", { class: "work-day-choices" }, radios.map(([label]) => label)),
    h("p", { class: "hint", id: hintId, text: t("today.workHint") }));
  return { el, value: () => radios.find(([, input]) => input.checked)?.[2] ?? null };
}

/**
 * Mood as eleven chips, −5 … +5, and "Not rated": one tap each, and 0 is a rating like any
 * other (a slider starting at 0 could not tell "0" from "not rated").
 */
function moodField(initial, legend) {
  const rated = initial !== null && initial !== undefined;
  const hintId = uid("mh");
  const chip = (mood) => {
    const input = h("input", { type: "radio", id: moodId(mood), name: "mood", value: mood === null ? "" : String(mood) });
    input.checked = rated ? mood === initial : mood === null;
    const tone = mood === null ? "none" : mood < 0 ? "low" : mood > 0 ? "high" : "mid";
    const name = mood === null ? t("today.notRated") : `${D.moodNumber(mood)} ${D.moodWord(mood)}`;
    return h("label", { class: `mood-chip mood-chip-${tone}`, for: input.id },
      input,
      h("span", { "aria-hidden": "true", text: mood === null ? t("today.notRated") : D.moodNumber(mood) }),
      h("span", { class: "sr-only", text: name }));
  };
  const el = h("fieldset", { class: "card mood", "aria-describedby": hintId },
    h("legend", { class: "anchor-name", id: "mood-legend", text: legend }),
    h("div", { class: "mood-chips" }, MOODS.map(chip)),
    h("div", { class: "mood-scale", id: hintId },
      h("span", { text: `−5 ${D.moodWord(-5)}` }), h("span", { text: `+5 ${D.moodWord(5)}` })),
    h("div", { class: "mood-none" }, chip(null)));
  const value = () => {
    const checked = el.querySelector('input[name="mood"]:checked');
    return checked && checked.value !== "" ? Number(checked.value) : null;
  };
  return { el, value };
}
