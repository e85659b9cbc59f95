// Opened from the mailed link #/verify?token=…: confirms the address, signed in or not.
import { h } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("verify.heading") }));
  const out = h("div", { "aria-live": "polite" });
  main.append(out);
  const token = params.get("token") || "";
  if (!token) return out.append(h("p", { class: "notice notice-error", role: "alert", text: t("verify.noToken") }));
  out.append(h("p", { class: "muted", text: t("verify.checking") }));
  const result = await api.request("POST", "/auth/verify", { body: { token }, auth: false });
  const next = ctx.user
    ? h("a", { href: "#/", class: "btn btn-primary", text: t("verify.continue") })
    : h("a", { href: "#/signin", class: "btn btn-primary", text: t("verify.signIn") });
  if (!api.ok(result)) {
    out.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text: api.message(result, {}, t("verify.failed")) }), next);
    return;
  }
  if (ctx.user) await ctx.setUser({ email_verified: true });
  out.replaceChildren(
    h("p", { class: "notice notice-info", role: "status", text: t("verify.done") }),
    next);
}
