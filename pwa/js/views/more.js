// Client: settings, sharing, privacy, research and reminders.
import { h } from "../ui.js";
import { t } from "../i18n.js";

// [route, key]: the title is settings.more.<key>, its hint settings.more.<key>Hint.
const ITEMS = [
  ["settings", "settings"],
  ["events", "events"],
  ["share", "share"],
  ["targets", "targets"],
  // IPT (pwa/js/views/plan.js, tasks.js, goals.js, people.js)
  ["plan", "plan"],
  ["tasks", "tasks"],
  ["goals", "goals"],
  ["people", "people"],
  ["access", "access"],
  ["studies", "studies"],
  ["reminders", "reminders"],
  ["work-days", "workDays"],
];

export async function render(main, ctx) {
  const user = ctx.user || {};
  // The name the person gave (Settings): also what their clinician sees.
  const who = user.display_name ? t("settings.more.hello", { name: user.display_name }) : null;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("settings.more.title") }),
    who ? h("p", { class: "muted more-hello", text: who }) : null,
    h("ul", { class: "menu" }, ITEMS.map(([route, key]) =>
      h("li", {}, h("a", { class: "card menu-item", href: `#/${route}` },
        h("span", { class: "menu-title", text: t(`settings.more.${key}`) }), h("span", { class: "hint", text: t(`settings.more.${key}Hint`) }))))));
}
