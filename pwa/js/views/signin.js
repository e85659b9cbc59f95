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
  // Shown once the server answers that this account signs in with a code (two-factor).
  const otp = h("input", { type: "text", id: "otp", name: "otp", autocomplete: "one-time-code", autocapitalize: "off",
    spellcheck: "false", maxlength: "32" });
  const otpField = field("Code from your authenticator app", otp, "The 6 digits the app shows now, or one of your recovery codes.");
  otpField.hidden = true;
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: register ? "Create account" : "Sign in" });
  const form = h("form", { class: "card auth", novalidate: true },
    field("Email", email),
    register ? field("Name (optional)", name, "How Cadence greets you.") : null,
    field("Password", password, register ? "At least 10 characters. A short sentence works well." : null),
    otpField, error, submit);
  main.append(form, h("p", { class: "switch" }, register
    ? h("a", { href: "#/signin", text: "I already have an account" })
    : h("a", { href: "#/signin?mode=register", text: "Create an account" })));
  if (!register) main.append(h("p", { class: "switch" }, h("a", { href: "#/reset", text: "Forgot your password?" })));
  if (ctx.user?.email) email.value = ctx.user.email;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (!email.value || !password.value) return show("Enter your email and password.");
    if (register && password.value.length < 10) return show("The password needs at least 10 characters.");
    submit.disabled = true;
    // Registration answers alike for a new and a taken address; the sign-in that follows
    // works when the account is new (or the password is the account's own).
    let registered = false;
    try {
      if (register) {
        const body = { email: email.value.trim(), password: password.value, timezone: deviceZone() };
        if (name.value.trim()) body.display_name = name.value.trim();
        const created = await api.request("POST", "/auth/register", { body, auth: false });
        if (!api.ok(created)) return show(api.message(created));
        registered = true;
      }
      const credentials = { email: email.value.trim(), password: password.value };
      if (!otpField.hidden && otp.value.trim()) credentials.otp = otp.value.trim();
      const result = await api.request("POST", "/auth/token", { body: credentials, auth: false });
      if (!api.ok(result)) {
        if (result.status === 401 && result.body?.otp_required) return askForCode(result.body);
        if (registered && result.status === 401) return show("We sent a mail to this address: follow it to continue.");
        return show(result.status === 401 ? "Wrong email or password." : api.message(result));
      }
      await ctx.signedIn(result.body);
      if (registered) ctx.notice("We sent a link to verify your address. Open it to share your diary with a clinician or join a study.");
    } finally {
      submit.disabled = false;
    }
  });

  // The password was right; the account needs a code from its authenticator app.
  function askForCode(body) {
    otp.value = "";
    if (body.otp_enrolled === false) return show(body.message);
    const first = otpField.hidden;
    otpField.hidden = false;
    otp.focus();
    show(first ? "Enter the code from your authenticator app." : body.message || "Wrong code.");
  }

  function show(text) {
    error.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text }));
  }
}
