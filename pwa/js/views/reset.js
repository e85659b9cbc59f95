// Forgotten password: ask for a link by mail (#/reset), or choose a new password with the
// mailed link (#/reset?token=…). Every session ends; then sign in with the new password.
import { h, field } from "../ui.js";
import * as api from "../api.js";

export async function render(main, ctx, params) {
  const token = params.get("token");
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: token ? "Choose a new password" : "Forgot your password?" }));
  const out = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: token ? "Set new password" : "Send me a link" });
  const input = token
    ? h("input", { type: "password", id: "new-password", name: "password", autocomplete: "new-password", required: true, minlength: "10" })
    : h("input", { type: "email", id: "email", name: "email", autocomplete: "email", required: true });
  const form = h("form", { class: "card auth", novalidate: true },
    token
      ? field("New password", input, "At least 10 characters. A few unrelated words work well.")
      : field("Email", input, "We mail a link to choose a new password if this address has an account."),
    out, submit);
  main.append(form, h("p", { class: "switch" }, h("a", { href: "#/signin", text: "Back to sign in" })));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!input.value) return show("notice-error", token ? "Enter a new password." : "Enter your email.");
    submit.disabled = true;
    try {
      const result = token
        ? await api.request("POST", "/auth/password-reset/confirm", { body: { token, password: input.value }, auth: false })
        : await api.request("POST", "/auth/password-reset", { body: { email: input.value.trim() }, auth: false });
      if (!api.ok(result)) return show("notice-error", api.message(result));
      const text = token
        ? "Your password is changed and every device is signed out. Sign in with the new password."
        : result.body.message;
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
