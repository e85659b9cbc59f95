// Reminders: up to four daily times (PATCH /me) and, where the browser allows it, notifications.
import { h, loading, errorBox, announce, showErrors } from "../ui.js";
import * as api from "../api.js";
import * as remind from "../reminders.js";

const MAX = 4;

export async function render(main, ctx) {
  const client = ctx.user.role === "client";
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Reminders" }),
    h("p", { text: client
      ? "Choose up to four times a day to be reminded to fill in your diary. Notifications never contain your diary, mood or flags."
      : "Choose up to four times a day for a reminder to look at your caseload. Notifications never contain health data." }));
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
    const add = h("button", { type: "button", class: "btn btn-secondary", text: "Add a time" });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "times-h" },
      h("h3", { id: "times-h", class: "section-title", text: "Reminder times" }),
      list, h("div", { class: "row gap wrap" }, add), error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: "Save reminder times" })));
    const rows = [];
    const addRow = (value = "") => {
      const n = rows.length + 1;
      const input = h("input", { type: "time", id: `reminder-${n}`, name: "reminder_time", value });
      const remove = h("button", { type: "button", class: "btn btn-quiet btn-small", text: "Remove", "aria-label": `Remove reminder ${n}` });
      const li = h("li", { class: "time-row" }, h("label", { for: input.id, text: `Reminder ${n}` }), input, remove);
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
        r.li.querySelector("label").textContent = `Reminder ${i + 1}`;
        r.li.querySelector("button").setAttribute("aria-label", `Remove reminder ${i + 1}`);
      });
      add.hidden = rows.length >= MAX;
      if (!rows.length) list.replaceChildren(h("li", { class: "muted", text: "No reminders." }));
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
      error.append(h("p", { class: "notice notice-info", role: "status", text: times.length ? `Saved: ${times.join(", ")}.` : "Reminders turned off." }));
    });
    return form;
  }

  async function drawPush() {
    const state = await remind.pushState();
    pushCard.replaceChildren(h("h3", { id: "push-h", class: "section-title", text: "Notifications on this device" }));
    const fallback = client ? " Cadence shows a reminder when you open it after a reminder time, if today's diary is still empty." : "";
    const texts = {
      unsupported: `This browser cannot show notifications.${fallback}`,
      denied: `Notifications are blocked for Cadence in this browser's settings.${fallback}`,
      on: "Notifications are on for this device.",
      off: `Notifications are off.${fallback}`,
    };
    const status = h("p", { role: "status", text: texts[state] });
    const problem = h("div", { "aria-live": "assertive" });
    pushCard.append(status, problem);
    if (state === "off") {
      const enable = h("button", { type: "button", class: "btn btn-primary", text: "Turn on notifications" });
      enable.addEventListener("click", async () => {
        enable.disabled = true;
        const result = await remind.enablePush();
        if (!result.ok) {
          enable.disabled = false;
          problem.replaceChildren(h("p", { class: "notice notice-warn", text: result.message }));
          return;
        }
        announce("Notifications turned on.");
        await drawPush();
      });
      pushCard.append(enable);
    } else if (state === "on") {
      const disable = h("button", { type: "button", class: "btn btn-secondary", text: "Turn off notifications" });
      disable.addEventListener("click", async () => {
        await remind.disablePush();
        announce("Notifications turned off.");
        await drawPush();
      });
      pushCard.append(disable);
    }
  }
}
