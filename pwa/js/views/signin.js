// Sign in, or create an account.
import { h, field } from "../ui.js";
import * as api from "../api.js";
import { t } from "../i18n.js";
import { deviceZone } from "../diary.js";
import * as onboarding from "./onboarding.js";

export async function render(main, ctx, params) {
  const mode = params.get("mode") === "register" ? "register" : "signin";
  const register = mode === "register";
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: register ? t("signin.headingRegister") : t("signin.heading") }));
  if (ctx.needsSignIn) main.append(h("p", { class: "notice notice-warn", role: "status", text: t("signin.sessionEnded") }));

  // Lengths as api/resources/auth/schemas.py allows them.
  const email = h("input", { type: "email", id: "email", name: "email", autocomplete: "email", required: true, maxlength: "254" });
  const password = h("input", { type: "password", id: "password", name: "password", required: true, minlength: register ? "10" : null, maxlength: "256",
    autocomplete: register ? "new-password" : "current-password" });
  const name = register ? h("input", { type: "text", id: "display-name", name: "display_name", autocomplete: "nickname", maxlength: "80" }) : null;
  // Shown once the server answers that this account signs in with a code (two-factor).
  const otp = h("input", { type: "text", id: "otp", name: "otp", autocomplete: "one-time-code", autocapitalize: "off",
    spellcheck: "false", maxlength: "32" });
  const otpField = field(t("signin.otp"), otp, t("signin.otpHint"));
  otpField.hidden = true;
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", text: register ? t("signin.submitRegister") : t("signin.submit") });
  const form = h("form", { class: "card auth", novalidate: true },
    field(t("signin.email"), email),
    register ? field(t("signin.name"), name, t("signin.nameHint")) : null,
    field(t("signin.password"), password, register ? t("signin.passwordHint") : null),
    otpField, error, submit);
  main.append(form, h("p", { class: "switch" }, register
    ? h("a", { href: "#/signin", text: t("signin.haveAccount") })
    : h("a", { href: "#/signin?mode=register", text: t("signin.headingRegister") })));
  if (!register) main.append(h("p", { class: "switch" }, h("a", { href: "#/reset", text: t("signin.forgot") })));
  if (ctx.user?.email) email.value = ctx.user.email;

  // The server names fields by their JSON names; errors name them as the form does.
  const labels = { email: t("signin.email"), password: t("signin.password"), display_name: t("signin.name"), otp: t("signin.otp") };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (!email.value || !password.value) return show(t("signin.missing"));
    if (register && password.value.length < 10) return show(t("signin.short"));
    submit.disabled = true;
    // Registration answers alike for a new and a taken address; the sign-in that follows
    // works when the account is new (or the password is the account's own).
    let registered = false;
    try {
      if (register) {
        const body = { email: email.value.trim(), password: password.value, timezone: deviceZone() };
        if (name.value.trim()) body.display_name = name.value.trim();
        const created = await api.request("POST", "/auth/register", { body, auth: false });
        if (!api.ok(created)) return show(api.message(created, labels));
        registered = true;
      }
      const credentials = { email: email.value.trim(), password: password.value };
      if (!otpField.hidden && otp.value.trim()) credentials.otp = otp.value.trim();
      const result = await api.request("POST", "/auth/token", { body: credentials, auth: false });
      if (!api.ok(result)) {
        if (result.status === 401 && result.body?.otp_required) return askForCode(result.body);
        // Registration does not tell whether the address had an account (nobody learns who
        // uses Cadence); the mail does, so the sentence covers both cases.
        if (registered && result.status === 401) return show(t("signin.registeredExisting"));
        return show(result.status === 401 ? t("signin.wrong") : api.message(result, labels));
      }
      // Registered here just now: the first-run introduction comes before anything else.
      if (registered) onboarding.begin(result.body.user.id);
      await ctx.signedIn(result.body);
      if (registered) ctx.notice(t("signin.verifySent"));
    } finally {
      submit.disabled = false;
    }
  });

  // The password was right; the account needs a code from its authenticator app.
  function askForCode(body) {
    otp.value = "";
    if (body.otp_enrolled === false) return show(api.message({ status: 422, body: { message: body.message } }));
    const first = otpField.hidden;
    otpField.hidden = false;
    otp.focus();
    show(first ? t("signin.enterCode") : t("signin.wrongCode"));
  }

  function show(text) {
    error.replaceChildren(h("p", { class: "notice notice-error", role: "alert", text }));
  }
}
