// Sync: the state of each diary day on this device, conflicts side by side, set-aside versions.
import { h, stateBadge, announce } from "../ui.js";
import * as D from "../diary.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Sync" }));
  const actions = h("div", { class: "row gap wrap" });
  const syncNow = h("button", { type: "button", class: "btn btn-secondary", text: "Sync now" });
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    await outbox.retryNow();
    syncNow.disabled = false;
    announce("Sync finished.");
  });
  actions.append(syncNow, h("span", { class: "muted", text: navigator.onLine ? "Online" : "Offline" }));
  const body = h("div");
  main.append(actions, body);

  async function draw() {
    const items = await outbox.items();
    const aside = await outbox.setAsideFor();
    const synced = (await store.all("days")).filter((d) => !items.some((i) => i.date === d.date));
    body.replaceChildren();
    for (const item of items.filter((i) => i.state === "conflict").sort(byDate)) body.append(conflictCard(item));
    if (aside.length) {
      const sec = h("section", { "aria-labelledby": "aside-h" }, h("h3", { id: "aside-h", class: "section-title", text: "Versions set aside" }),
        h("p", { class: "hint", text: "Not kept on the server. Copy anything you still need, then dismiss." }));
      for (const a of aside.sort(byDate)) {
        const dismiss = h("button", { type: "button", class: "btn btn-quiet", text: "Dismiss", "aria-label": `Dismiss set-aside version of ${D.longDate(a.date)}` });
        dismiss.addEventListener("click", () => outbox.dismissAside(a.id));
        sec.append(h("article", { class: "card aside", "data-date": a.date },
          h("h4", { text: `${D.longDate(a.date)}: ${a.label}` }), version(a.body), h("div", { class: "row end" }, dismiss)));
      }
      body.append(sec);
    }
    const rows = [...items.filter((i) => i.state !== "conflict"), ...synced.map((d) => ({ date: d.date, state: "synced" }))].sort(byDate);
    const list = h("ul", { class: "daylist" });
    for (const item of rows) {
      list.append(h("li", { class: "dayline", "data-date": item.date },
        h("a", { href: `#/today?date=${item.date}`, text: D.shortDate(item.date) }),
        stateBadge(item),
        item.message ? h("span", { class: item.state === "invalid" ? "error-text" : "muted", text: item.message }) : null,
        item.state === "invalid" ? discardButton(item.date) : null));
    }
    body.append(h("section", { "aria-labelledby": "days-h" }, h("h3", { id: "days-h", class: "section-title", text: "Diary days on this device" }),
      rows.length ? list : h("p", { class: "muted", text: "Nothing yet." })));
    const focus = params.get("date");
    if (focus) body.querySelector(`.conflict[data-date="${focus}"] h3`)?.focus();
  }

  const off = outbox.onChange(() => (main.isConnected ? draw() : off()));
  await draw();
  return off;
}

const byDate = (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0);

function discardButton(date) {
  const b = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Discard", "aria-label": `Discard the invalid version of ${D.longDate(date)}` });
  b.addEventListener("click", () => outbox.discard(date));
  return b;
}

/** A diary day as a short description list. */
export function version(body) {
  if (!body) return h("p", { class: "muted", text: "Deleted (no entry)." });
  const b = D.bodyOf(body);
  const dl = h("dl", { class: "version" });
  dl.append(h("dt", { text: "Mood" }), h("dd", { text: D.moodText(b.mood) }));
  for (const code of D.CODES) {
    const a = b.activities[code];
    if (!a) continue;
    const after = D.diaryMinutes(code, a) >= 1440 ? " (after midnight)" : "";
    const who = a.people !== undefined && a.people !== null ? `, ${D.PEOPLE[a.people].toLowerCase()}` : "";
    dl.append(h("dt", { text: D.label(code) }), h("dd", { text: `${a.time}${after}${who}` }));
  }
  if (b.note) dl.append(h("dt", { text: "Note" }), h("dd", { class: "note", text: b.note }));
  return dl;
}

function conflictCard(item) {
  const mine = item.body;
  const theirs = item.conflict?.current || null;
  const id = `conflict-${item.date}`;
  const choose = async (choice, aside, text) => {
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    await outbox.resolve(item.date, choice, aside);
    announce(text);
  };
  const keepMine = h("button", { type: "button", class: "btn btn-primary", text: "Keep this device's version" });
  keepMine.addEventListener("click", () => choose(mine, theirs ? [["version from the other device", theirs]] : [], "Kept this device's version."));
  const keepTheirs = h("button", { type: "button", class: "btn btn-secondary", text: "Keep the other version" });
  keepTheirs.addEventListener("click", () => choose(theirs ? D.bodyOf(theirs) : mine, [["version from this device", mine]], "Kept the other version."));
  const mergeBoth = h("button", { type: "button", class: "btn btn-secondary", text: "Merge both" });
  mergeBoth.addEventListener("click", () => choose(D.merge(mine, theirs), [["version from this device", mine], ...(theirs ? [["version from the other device", theirs]] : [])], "Merged both versions."));
  const card = h("section", { class: "card conflict", "data-date": item.date, "aria-labelledby": id },
    h("h3", { id, tabindex: "-1", class: "section-title", text: `Conflict: ${D.longDate(item.date)}` }),
    h("p", { text: "This day was changed on another device while you edited it here. Both versions are kept until you choose. Merge keeps this device's answers and fills gaps from the other." }),
    h("div", { class: "compare" },
      h("article", { class: "side side-mine" }, h("h4", { text: "This device" }), version(mine)),
      h("article", { class: "side side-theirs" }, h("h4", { text: "Other device" }), version(theirs))),
    h("div", { class: "row gap wrap" }, keepMine, keepTheirs, theirs ? mergeBoth : null));
  return card;
}
