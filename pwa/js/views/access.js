// Client: who else read or changed my data, newest first (the audit trail about me).
import { h, loading, errorBox, badge, when } from "../ui.js";
import * as api from "../api.js";
import { personName } from "./share.js";

const NOUNS = {
  diary: "your diary", entries: "your diary", scores: "your scores", flags: "your flags", flag_settings: "your flag thresholds",
  targets: "your target times", course: "your therapy course", events: "your life events", caseload: "your summary in their caseload",
  care: "your sharing", research: "your study data", studies: "your study data", export: "your study data",
  auth: "your account",
};
const VERBS = { read: "viewed", write: "changed", ack: "acknowledged", delete: "deleted", export: "exported", revoke: "ended", link: "linked",
  verify_email: "confirmed the email address of" };
const ROLE_WORDS = { clinician: "A clinician", researcher: "A researcher", admin: "A Cadence administrator" };

export function describe(action) {
  const [noun, verb] = String(action).split(":");
  return `${VERBS[verb] || verb || "accessed"} ${NOUNS[noun] || noun.replace(/_/g, " ")}`;
}

export async function render(main, ctx, params) {
  const page = Math.max(1, Number(params.get("page") || 1));
  const size = 50;
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Who looked at my data" }),
    h("p", { text: "Every time someone else opened or changed your data, newest first. Your own use is not listed." }));
  const body = h("div", {}, loading());
  main.append(body);
  const [log, links] = await Promise.all([api.get(`/me/access-log?page=${page}&page_size=${size}`), api.get("/care/links")]);
  body.replaceChildren();
  if (!api.ok(log)) return body.append(errorBox(api.message(log)));
  const names = {};
  for (const link of (api.ok(links) && links.body.links) || []) names[link.clinician.id] = personName(link.clinician);
  const events = log.body.events || [];
  if (!events.length) return body.append(h("p", { class: "notice notice-info", text: "Nobody else has looked at your data." }));
  body.append(h("ol", { class: "plain access-log" }, events.map((e) => {
    const who = names[e.who?.id] || (e.who?.role === "clinician" ? `A clinician no longer linked (#${e.who.id})` : ROLE_WORDS[e.who?.role] || "Someone");
    return h("li", { class: "access-item" },
      h("p", {}, h("strong", { text: who }), ` ${describe(e.action)}`,
        e.outcome !== "ok" ? [" ", badge(e.outcome === "denied" ? "refused" : e.outcome, "warn")] : null),
      h("p", { class: "muted" }, h("time", { datetime: e.at, text: when(e.at) })));
  })));
  const pages = Math.ceil((log.body.total || 0) / size);
  if (pages > 1) {
    body.append(h("nav", { class: "row between pager", "aria-label": "Pages" },
      page > 1 ? h("a", { class: "btn btn-quiet", href: `#/access?page=${page - 1}`, text: "← Newer" }) : h("span"),
      h("span", { class: "muted", text: `Page ${page} of ${pages}` }),
      page < pages ? h("a", { class: "btn btn-quiet", href: `#/access?page=${page + 1}`, text: "Older →" }) : h("span")));
  }
}
