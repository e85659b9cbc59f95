// Client: sharing, privacy, research and reminders.
import { h } from "../ui.js";

const ITEMS = [
  ["settings", "Settings", "Name, time zone, anchors, language, theme, password and your account."],
  ["events", "Life events", "Travel, illness, celebrations: what explains a disrupted week."],
  ["share", "Share with my clinician", "Enter an invitation code, or stop sharing."],
  ["targets", "My target times", "The times agreed in therapy; propose a change."],
  // IPT (pwa/js/views/plan.js, tasks.js, goals.js, people.js)
  ["plan", "My plan", "Warning signs, what you will do, who can help. Works offline; printable."],
  ["tasks", "Tasks", "What you agreed to try before the next session."],
  ["goals", "Goals", "Your problem-area goals and how each session reviewed them."],
  ["people", "My people", "The relationships you go through with your therapist."],
  ["access", "Who looked at my data", "Every time someone else read or changed your data."],
  ["studies", "Research studies", "Join a study with a code, or withdraw."],
  ["reminders", "Reminders", "Daily reminder times and notifications."],
  ["work-days", "Work days", "The weekdays you usually work, for your sleep and rhythm measures."],
];

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "More" }),
    h("ul", { class: "menu" }, ITEMS.map(([key, text, hint]) =>
      h("li", {}, h("a", { class: "card menu-item", href: `#/${key}` },
        h("span", { class: "menu-title", text }), h("span", { class: "hint", text: hint }))))));
}
