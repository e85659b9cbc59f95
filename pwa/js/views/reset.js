// Forgotten password: ask for a link by mail (#/reset), or choose a new password with the
// mailed link (#/reset?token=…). Every session ends; then sign in with the new password.
import { h, field } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";

export async function render(main, ctx, params) {
  const token = params.get("token");
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: token ? t("reset.headingNew") : t("reset.heading") }));
  const out = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: token ? t("reset.submitNew") : t("reset.submit") });
  const input = token
    ? h("input", { type: "password", id: "new-password", name: "password", autocomplete: "new-password", required: true, minlength: "10", maxlength: "256" })
    : h("input", { type: "email", id: "email", name: "email", autocomplete: "email", required: true, maxlength: "254" });
  const form = h("form", { class: "card auth", novalidate: true },
    token
      ? field(t("reset.newPassword"), input, t("reset.newPasswordHint"))
      : field(t("reset.email"), input, t("reset.emailHint")),
    out, submit);
  main.append(form, h("p", { class: "switch" }, h("a", { href: "#/signin", text: t("reset.back") })));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!input.value) return show("notice-error", token ? t("reset.missingPassword") : t("reset.missingEmail"));
    submit.disabled = true;
    try {
      const result = token
        ? await api.request("POST", "/auth/password-reset/confirm", { body: { token, password: input.value }, auth: false })
        : await api.request("POST", "/auth/password-reset", { body: { email: input.value.trim() }, auth: false });
      const labels = { password: t("reset.newPassword"), email: t("reset.email") };
      if (!api.ok(result)) return show("notice-error", api.message(result, labels, token ? t("reset.expired") : undefined));
      const text = token ? t("reset.changed") : t("reset.sent");
      show("notice-info", text);
      form.querySelector("button").hidden = true;
    } finally {
      submit.disabled = false;
    }
  });

  function show(kind, text) {
    out.replaceChildren(h("p", { class: `notice ${kind}`, role: kind === "notice-error" ? "alert" : "status", text }));
  }
}
