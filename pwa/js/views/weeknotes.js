// Under the week grid: the diary's notes, who was there, and the week's life events. The same
// section serves the client ("Your notes") and their linked clinician ("Their notes").
import { h } from "../ui.js";
import * as D from "../diary.js";
import { t, formatDate } from "../i18n.js";
import { kindWord, disruptionWord, eventDays } from "./events.js";
import { scrollBox } from "./evidence.js";

const people = (p) => (typeof D.peopleText === "function" ? D.peopleText(p) : D.PEOPLE[p] || String(p));

/** People present as the SRM worksheet records them: a code 0–3 per anchor and day. */
function peopleTable(days, byDate, own) {
  const codes = D.CODES.filter((c) => days.some((d) => byDate[d]?.activities?.[c]?.people !== undefined && byDate[d]?.activities?.[c]?.people !== null));
  if (!codes.length) return null;
  return scrollBox(t(own ? "history.notes.peopleOwn" : "history.notes.peopleTheir"), h("table", { class: "data people-table" },
    h("caption", { class: "sr-only", text: t(own ? "history.notes.peopleCaptionOwn" : "history.notes.peopleCaptionTheir") }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("history.week.anchor") }),
      days.map((d) => h("th", { scope: "col" }, h("abbr", { title: D.longDate(d), text: formatDate(d, { weekday: "narrow" }) }))))),
    h("tbody", {}, codes.map((c) => h("tr", {}, h("th", { scope: "row", text: D.shortLabel(c) }),
      days.map((d) => {
        const p = byDate[d]?.activities?.[c]?.people;
        if (p === null || p === undefined) return h("td", { class: "empty" }, h("span", { "aria-hidden": "true", text: "·" }), h("span", { class: "sr-only", text: t("history.week.notLoggedShort") }));
        return h("td", { class: p === 0 ? "alone" : null }, h("span", { "aria-hidden": "true", text: String(p) }), h("span", { class: "sr-only", text: people(p).toLowerCase() }));
      }))))));
}

export function weekNotes({ days, byDate, events = [], eventsError = null, own }) {
  const notes = days.filter((d) => byDate[d]?.note).map((d) => h("li", { "data-date": d },
    h("strong", { text: D.shortDate(d) }), h("p", { class: "day-note", text: byDate[d].note })));
  const table = peopleTable(days, byDate, own);
  const eventItems = events.map((ev) => h("li", {},
    h("strong", { text: kindWord(ev.kind) }),
    ` ${eventDays(ev)} · ${disruptionWord(ev.disruption).toLowerCase()}`,
    ev.note ? h("p", { class: "day-note", text: ev.note }) : null));
  return h("section", { class: "card week-notes", "aria-labelledby": "week-notes-h" },
    h("h3", { id: "week-notes-h", class: "section-title", text: t(own ? "history.notes.titleOwn" : "history.notes.titleTheir") }),
    h("h4", { text: t("history.notes.notes") }),
    notes.length ? h("ul", { class: "day-notes" }, notes)
      : h("p", { class: "muted", text: t(own ? "history.notes.noneOwn" : "history.notes.noneTheir") }),
    h("h4", { text: t("history.notes.people") }),
    table ? [table, h("p", { class: "hint", text: t("history.notes.peopleKey") })]
      : h("p", { class: "muted", text: t("history.notes.peopleNone") }),
    h("h4", { text: t("history.notes.events") }),
    eventItems.length ? h("ul", { class: "day-notes" }, eventItems)
      : h("p", { class: "muted", text: eventsError ? t("history.notes.eventsError", { error: eventsError }) : t("history.notes.eventsNone") }),
    own ? h("p", {}, h("a", { href: "#/events", text: t("history.notes.eventsLink") })) : null);
}
