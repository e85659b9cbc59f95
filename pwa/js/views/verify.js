// Opened from the mailed link #/verify?token=…: confirms the address, signed in or not.
import { h } from "../ui.js";
import * as api from "../api.js";

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Verify your address" }));
  const out = h("div", { "aria-live": "polite" });
  main.append(out);
  const token = params.get("token") || "";
  if (!token) return out.append(h("p", { class: "notice notice-error", role: "alert", text: "This link has no token. Open the link from the mail again." }));
  out.append(h("p", { class: "muted", text: "Checking the link…" }));
  const result = await api.request("POST", "/auth/verify", { body: { token }, auth: false });
  const next = ctx.user
    ? h("a", { href: "#/", class: "btn btn-primary", text: "Continue" })
    : h("a", { href: "#/signin", class: "btn btn-primary", text: "Sign in" });
  if (!api.ok(result)) {
    out.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text: api.message(result) }), next);
    return;
  }
  if (ctx.user) await ctx.setUser({ email_verified: true });
  out.replaceChildren(
    h("p", { class: "notice notice-info", role: "status", text: "Your address is verified. You can now share your diary with a clinician and join studies." }),
    next);
}
