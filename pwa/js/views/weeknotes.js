// Under the week grid: the diary's notes, who was there, and the week's life events. The same
// section serves the client ("Your notes") and their linked clinician ("Their notes").
import { h } from "../ui.js";
import * as D from "../diary.js";
import { eventWord } from "./trends.js";
import { scrollBox } from "./evidence.js";

const DISRUPTION = ["no disruption", "mild disruption", "moderate disruption", "severe disruption"];

/** People present as the SRM worksheet records them: a code 0–3 per anchor and day. */
function peopleTable(days, byDate, Their) {
  const codes = D.CODES.filter((c) => days.some((d) => byDate[d]?.activities?.[c]?.people !== undefined && byDate[d]?.activities?.[c]?.people !== null));
  if (!codes.length) return null;
  return scrollBox(`${Their} people present`, h("table", { class: "data people-table" },
    h("caption", { class: "sr-only", text: `${Their} people present, by anchor and day` }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Anchor" }),
      days.map((d) => h("th", { scope: "col" }, h("abbr", { title: D.longDate(d), text: D.fromIso(d).toLocaleDateString("en-GB", { weekday: "narrow" }) }))))),
    h("tbody", {}, codes.map((c) => h("tr", {}, h("th", { scope: "row", text: D.shortLabel(c) }),
      days.map((d) => {
        const p = byDate[d]?.activities?.[c]?.people;
        if (p === null || p === undefined) return h("td", { class: "empty" }, h("span", { "aria-hidden": "true", text: "·" }), h("span", { class: "sr-only", text: "not logged" }));
        return h("td", { class: p === 0 ? "alone" : null }, h("span", { "aria-hidden": "true", text: String(p) }), h("span", { class: "sr-only", text: (D.PEOPLE[p] || String(p)).toLowerCase() }));
      }))))));
}

export function weekNotes({ days, byDate, events = [], eventsError = null, own }) {
  const Their = own ? "Your" : "Their";
  const notes = days.filter((d) => byDate[d]?.note).map((d) => h("li", { "data-date": d },
    h("strong", { text: D.shortDate(d) }), h("p", { class: "day-note", text: byDate[d].note })));
  const table = peopleTable(days, byDate, Their);
  const eventItems = events.map((ev) => h("li", {},
    h("strong", { text: eventWord(ev.kind) }),
    ` ${D.dayMonth(ev.start)}${ev.end !== ev.start ? ` – ${D.dayMonth(ev.end)}` : ""} · ${DISRUPTION[ev.disruption] ?? `disruption ${ev.disruption}`}`,
    ev.note ? h("p", { class: "day-note", text: ev.note }) : null));
  return h("section", { class: "card week-notes", "aria-labelledby": "week-notes-h" },
    h("h3", { id: "week-notes-h", class: "section-title", text: `${Their} notes, people and life events` }),
    h("h4", { text: "Notes" }),
    notes.length ? h("ul", { class: "day-notes" }, notes)
      : h("p", { class: "muted", text: own ? "No notes this week." : "They wrote no notes this week." }),
    h("h4", { text: "People present" }),
    table ? [table, h("p", { class: "hint", text: "0 alone · 1 others present · 2 others actively involved · 3 others very stimulating" })]
      : h("p", { class: "muted", text: "Not logged this week." }),
    h("h4", { text: "Life events" }),
    eventItems.length ? h("ul", { class: "day-notes" }, eventItems)
      : h("p", { class: "muted", text: eventsError ? `Not available: ${eventsError}` : "None this week." }));
}
