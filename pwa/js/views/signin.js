// Sign in, or create an account.
import { h, field } from "../ui.js";
import * as api from "../api.js";
import { deviceZone } from "../diary.js";

export async function render(main, ctx, params) {
  const mode = params.get("mode") === "register" ? "register" : "signin";
  const register = mode === "register";
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: register ? "Create an account" : "Sign in" }));
  if (ctx.needsSignIn) main.append(h("p", { class: "notice notice-warn", role: "status", text: "Your session has ended. Sign in again: days saved on this device are kept and will be sent." }));

  const email = h("input", { type: "email", id: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", { type: "password", id: "password", name: "password", required: true, minlength: register ? "10" : null,
    autocomplete: register ? "new-password" : "current-password" });
  const name = register ? h("input", { type: "text", id: "display-name", name: "display_name", autocomplete: "nickname", maxlength: "80" }) : null;
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: register ? "Create account" : "Sign in" });
  const form = h("form", { class: "card auth", novalidate: true },
    field("Email", email),
    register ? field("Name (optional)", name, "How Cadence greets you.") : null,
    field("Password", password, register ? "At least 10 characters. A short sentence works well." : null),
    error, submit);
  main.append(form, h("p", { class: "switch" }, register
    ? h("a", { href: "#/signin", text: "I already have an account" })
    : h("a", { href: "#/signin?mode=register", text: "Create an account" })));
  if (ctx.user?.email) email.value = ctx.user.email;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (!email.value || !password.value) return show("Enter your email and password.");
    if (register && password.value.length < 10) return show("The password needs at least 10 characters.");
    submit.disabled = true;
    try {
      if (register) {
        const body = { email: email.value.trim(), password: password.value, timezone: deviceZone() };
        if (name.value.trim()) body.display_name = name.value.trim();
        const created = await api.request("POST", "/auth/register", { body, auth: false });
        if (!api.ok(created)) return show(api.message(created));
      }
      const result = await api.request("POST", "/auth/token", { body: { email: email.value.trim(), password: password.value }, auth: false });
      if (!api.ok(result)) return show(result.status === 401 ? "Wrong email or password." : api.message(result));
      await ctx.signedIn(result.body);
    } finally {
      submit.disabled = false;
    }
  });

  function show(text) {
    error.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text }));
  }
}
