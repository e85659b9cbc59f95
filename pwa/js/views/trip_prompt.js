// "Log this trip?": trips the diary's zones show that no travel life event covers yet
// (GET /events/suggestions, docs/science.md §2.7), offered as a travel event to log.
// Online only: offline, or on any error, nothing is shown. "Not now" hides a trip on this
// device; what is remembered is a SHA-256 of the trip (its start and zones) in IndexedDB's kv
// store, which sign-out deletes with the rest.
import { h, announce, errorBox, uid } from "../ui.js";
import * as api from "../api.js";
import * as store from "../store.js";
import * as D from "../diary.js";
import { t } from "../i18n.js";

const DISMISSED = "dismissed_trips";

/** A slot that fills itself with a card per trip to offer; empty when there is none. */
export function tripPrompt() {
  const slot = h("div", { class: "trip-prompts" });
  fill(slot)
    .catch(() => {})
    .finally(() => (slot.dataset.loaded = "true"));
  return slot;
}

async function fill(slot) {
  if (!navigator.onLine) return;
  const result = await api.get("/events/suggestions");
  if (!api.ok(result)) return;
  const dismissed = new Set((await store.getKV(DISMISSED)) || []);
  for (const trip of result.body.suggestions || []) {
    const key = await tripKey(trip);
    if (key && dismissed.has(key)) continue;
    slot.append(card(trip, key));
  }
}

/** An opaque key for a trip: the hex SHA-256 of its start and zones (none without WebCrypto). */
async function tripKey(trip) {
  if (!crypto?.subtle) return null;
  const text = JSON.stringify([trip.start, trip.zones]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "Europe/London" → "London", "America/New_York" → "New York". */
export const place = (zone) => zone.split("/").pop().replaceAll("_", " ");

/** "12–15 Nov", "28 Oct – 2 Nov", or "since 12 Nov" while the trip goes on. */
export function span(trip) {
  if (trip.ongoing) return t("today.tripSince", { date: D.dayMonth(trip.start) });
  const [a, b] = [D.fromIso(trip.start), D.fromIso(trip.end)];
  if (a.getMonth() === b.getMonth() && a.getFullYear() === b.getFullYear()) {
    return `${a.getDate()}–${D.dayMonth(trip.end)}`;
  }
  return `${D.dayMonth(trip.start)} – ${D.dayMonth(trip.end)}`;
}

function card(trip, key) {
  const headingId = uid("trip");
  const route = trip.zones.map(place).join(" → ");
  const problem = h("div", { "aria-live": "assertive" });
  const log = h("button", { type: "button", class: "btn btn-primary btn-small", text: t("today.tripLog") });
  const later = h("button", { type: "button", class: "btn btn-quiet btn-small", text: t("today.tripLater") });
  const el = h("section", { class: "card card-soft trip-prompt", "aria-labelledby": headingId, "data-start": trip.start },
    h("h3", { id: headingId, class: "section-title", text: t("today.tripTitle") }),
    h("p", { text: t("today.tripText", { route, span: span(trip) }) }),
    problem,
    h("div", { class: "row gap wrap" }, log, later));

  log.addEventListener("click", async () => {
    log.disabled = later.disabled = true;
    const result = await api.post("/events", { kind: trip.kind, start: trip.start, end: trip.end, disruption: trip.disruption });
    if (!api.ok(result)) {
      log.disabled = later.disabled = false;
      problem.replaceChildren(errorBox(api.message(result)));
      return;
    }
    gone(el);
    announce(t("today.tripLogged", { route, span: span(trip) }));
  });
  later.addEventListener("click", async () => {
    log.disabled = later.disabled = true;
    // Remembered first, then hidden: a card gone from the screen is a trip already kept hidden.
    if (key) {
      const kept = new Set((await store.getKV(DISMISSED).catch(() => null)) || []);
      kept.add(key);
      await store.setKV(DISMISSED, [...kept]).catch(() => {});
    }
    gone(el);
    announce(t("today.tripHidden"));
  });
  return el;
}

/** Remove a card without losing the keyboard's place: focus goes back to the screen's heading. */
function gone(el) {
  el.remove();
  document.getElementById("view-heading")?.focus();
}
