// Client: who else read or changed my data, newest first (the audit trail about me).
import { h, loading, errorBox, badge, when } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import { personName } from "./share.js";

// Catalogue keys: access.noun.<noun>, access.verb.<verb>, access.role.<role>.
const NOUNS = ["diary", "entries", "scores", "flags", "flag_settings", "targets", "course", "events", "caseload", "care", "research", "studies", "export", "auth"];
const VERBS = ["read", "write", "ack", "delete", "export", "revoke", "link", "verify_email"];
const ROLES = ["clinician", "researcher", "admin"];

export function describe(action) {
  const [noun, verb] = String(action).split(":");
  const verbText = VERBS.includes(verb) ? t(`access.verb.${verb}`) : verb || t("access.verb.other");
  const nounText = NOUNS.includes(noun) ? t(`access.noun.${noun}`) : noun.replace(/_/g, " ");
  return t("access.action", { verb: verbText, noun: nounText });
}

export async function render(main, ctx, params) {
  const page = Math.max(1, Number(params.get("page") || 1));
  const size = 50;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("access.heading") }),
    h("p", { text: t("access.intro") }));
  const body = h("div", {}, loading());
  main.append(body);
  const [log, links] = await Promise.all([api.get(`/me/access-log?page=${page}&page_size=${size}`), api.get("/care/links")]);
  body.replaceChildren();
  if (!api.ok(log)) return body.append(errorBox(api.message(log)));
  const names = {};
  for (const link of (api.ok(links) && links.body.links) || []) names[link.clinician.id] = personName(link.clinician);
  const events = log.body.events || [];
  if (!events.length) return body.append(h("p", { class: "notice notice-info", text: t("access.none") }));
  body.append(h("ol", { class: "plain access-log" }, events.map((e) => {
    const who = names[e.who?.id] || (e.who?.role === "clinician" ? t("access.formerClinician", { id: e.who.id })
      : ROLES.includes(e.who?.role) ? t(`access.role.${e.who.role}`) : t("access.someone"));
    return h("li", { class: "access-item" },
      h("p", {}, h("strong", { text: who }), ` ${describe(e.action)}`,
        e.outcome !== "ok" ? [" ", badge(e.outcome === "denied" ? t("access.refused") : e.outcome, "warn")] : null),
      h("p", { class: "muted" }, h("time", { datetime: e.at, text: when(e.at) })));
  })));
  const pages = Math.ceil((log.body.total || 0) / size);
  if (pages > 1) {
    body.append(h("nav", { class: "row between pager", "aria-label": t("access.pages") },
      page > 1 ? h("a", { class: "btn btn-quiet", href: `#/access?page=${page - 1}`, text: t("access.newer") }) : h("span"),
      h("span", { class: "muted", text: t("access.page", { page, pages }) }),
      page < pages ? h("a", { class: "btn btn-quiet", href: `#/access?page=${page + 1}`, text: t("access.older") }) : h("span")));
  }
}
