// Settings (clients): profile, anchors, reminders at an anchor's time, language, theme,
// password, sessions, the data download and deleting the account.
import { h, field, loading, errorBox, announce, confirmDialog, showErrors } from "../ui.js";
import * as api from "../api.js";
import * as D from "../diary.js";
import * as i18n from "../i18n.js";
import * as theme from "../theme.js";
import { t } from "../i18n.js";
import { signOutEverywhere, wipeDevice } from "../signout.js";
import { anchorChecklist } from "./onboarding.js";
import { anchorTimes, anchorReminders } from "./reminders.js";

const section = (id, title, ...children) =>
  h("section", { class: "card settings-section", "aria-labelledby": id }, h("h3", { id, class: "section-title", text: title }), ...children);
const saved = (box, text) => box.append(h("p", { class: "notice notice-info", role: "status", text }));

export async function render(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("settings.title") }));
  const status = h("div", {}, loading(t("settings.loading")));
  let reminderCard; // filled by reminders(), redrawn when the anchors change
  main.append(status);
  const me = await api.get("/me");
  status.replaceChildren();
  // Offline: the profile on this device; the forms still say what failed when sent.
  const user = api.ok(me) ? me.body : ctx.user;
  if (api.ok(me)) await ctx.setUser(me.body);
  else status.append(h("p", { class: "notice notice-warn", role: "status", text: api.message(me) }));
  main.append(
    h("p", { class: "muted", text: t("settings.signedInAs", { who: user.display_name ? `${user.display_name} (${user.email})` : user.email }) }),
    profile(user), anchors(user), reminders(), looks(), password(), sessions(), data(), remove(),
    h("p", {}, h("a", { href: "#/onboarding", text: t("settings.introAgain") })));

  function profile(user) {
    const name = h("input", { type: "text", id: "settings-name", name: "display_name", maxlength: "80", autocomplete: "nickname", value: user.display_name || "" });
    const zone = h("select", { id: "settings-timezone", name: "timezone" });
    let zones = [];
    try {
      zones = Intl.supportedValuesOf("timeZone");
    } catch {
      /* an older browser: the saved zone and the device's */
    }
    const device = D.deviceZone();
    for (const z of [...new Set([user.timezone, device, "UTC", ...zones].filter(Boolean))].sort()) zone.append(h("option", { value: z, text: z }));
    zone.value = user.timezone || device;
    const useDevice = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("settings.profile.useDevice", { zone: device }) });
    useDevice.addEventListener("click", () => {
      zone.value = device;
      zone.focus();
    });
    const box = h("div", { "aria-live": "polite" });
    const form = h("form", { novalidate: true },
      field(t("settings.profile.name"), name, t("settings.profile.nameHint")),
      field(t("settings.profile.zone"), zone, t("settings.profile.zoneHint")),
      h("div", { class: "row gap wrap" }, useDevice), box,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: t("settings.profile.save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api.patch("/me", { display_name: name.value.trim() || null, timezone: zone.value });
      if (!api.ok(result)) return showErrors(box, result, { display_name: name, timezone: zone }, api);
      await ctx.setUser(result.body);
      showErrors(box, null, { display_name: name, timezone: zone }, api);
      saved(box, t("settings.profile.saved"));
    });
    return section("settings-profile-h", t("settings.profile.title"), form);
  }

  function anchors(user) {
    const tracked = new Set(user.tracked_activities?.length ? user.tracked_activities : D.DEFAULT_TRACKED);
    const { fieldset, chosen } = anchorChecklist(tracked, "settings-anchor", t("settings.anchors.legend"));
    const box = h("div", { "aria-live": "polite" });
    const form = h("form", { novalidate: true }, h("p", { class: "hint", text: t("settings.anchors.hint") }), fieldset, box,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: t("settings.anchors.save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      box.replaceChildren();
      const codes = chosen();
      if (!codes.length) return box.append(errorBox(t("settings.anchors.none")));
      const result = await api.patch("/me", { tracked_activities: codes });
      if (!api.ok(result)) return showErrors(box, result, {}, api);
      await ctx.setUser(result.body);
      saved(box, t("settings.anchors.saved", { count: codes.length }));
      drawReminders();
    });
    return section("settings-anchors-h", t("settings.anchors.title"), form);
  }

  // Reminders at an anchor's time: computed into the profile's reminder times (docs/pwa-settings.md).
  function reminders() {
    reminderCard = h("div", {}, loading(t("settings.loading")));
    drawReminders();
    return section("settings-reminders-h", t("settings.reminders.title"),
      h("p", { class: "hint", text: t("settings.reminders.hint") }), reminderCard,
      h("p", {}, h("a", { href: "#/reminders", text: t("settings.reminders.all") })));
  }
  async function drawReminders() {
    const times = await anchorTimes();
    reminderCard.replaceChildren(anchorReminders(ctx, times, () => drawReminders()));
  }

  function looks() {
    const language = h("select", { id: "settings-language", name: "language" },
      h("option", { value: "", text: t("settings.looks.sameAsDevice") }),
      Object.entries(i18n.LANGUAGES).map(([code, name]) => h("option", { value: code, text: name, lang: code })));
    language.value = i18n.chosen() || "";
    language.addEventListener("change", () => {
      i18n.choose(language.value || null);
      announce(t("settings.looks.languageChanged"));
      ctx.navigate("#/settings"); // every text again, in the new language
    });
    const look = h("select", { id: "settings-theme", name: "theme" },
      h("option", { value: "", text: t("settings.looks.sameAsDevice") }),
      h("option", { value: "light", text: t("settings.looks.light") }),
      h("option", { value: "dark", text: t("settings.looks.dark") }));
    look.value = theme.chosen() || "";
    look.addEventListener("change", () => {
      theme.choose(look.value || null);
      announce(t("settings.looks.themeChanged"));
    });
    return section("settings-looks-h", t("settings.looks.title"),
      field(t("settings.looks.language"), language), field(t("settings.looks.theme"), look, t("settings.looks.deviceHint")));
  }

  // Password managers need the account's name beside a password field; nobody sees it.
  function username() {
    return h("input", { type: "email", name: "username", autocomplete: "username", value: user.email || "", hidden: true, readonly: true, tabindex: "-1", "aria-hidden": "true" });
  }

  function password() {
    const current = h("input", { type: "password", id: "settings-current-password", name: "current_password", autocomplete: "current-password" });
    const next = h("input", { type: "password", id: "settings-new-password", name: "new_password", autocomplete: "new-password", minlength: "10" });
    const box = h("div", { "aria-live": "polite" });
    const fields = { current_password: current, new_password: next };
    const form = h("form", { novalidate: true }, username(),
      field(t("settings.password.current"), current),
      field(t("settings.password.new"), next, t("settings.password.newHint")), box,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: t("settings.password.save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const missing = {};
      if (!current.value) missing.current_password = [t("settings.password.missingCurrent")];
      if (next.value.length < 10) missing.new_password = [t("settings.password.tooShort")];
      if (Object.keys(missing).length) return showErrors(box, { status: 422, body: { errors: missing } }, fields, api);
      const result = await api.post("/me/password", { current_password: current.value, new_password: next.value });
      if (!api.ok(result)) return showErrors(box, result, fields, api);
      showErrors(box, null, fields, api);
      form.reset();
      saved(box, t("settings.password.changed"));
    });
    return section("settings-password-h", t("settings.password.title"), form);
  }

  function sessions() {
    const list = h("div", {}, loading(t("settings.loading")));
    const box = h("div", { "aria-live": "assertive" });
    const everywhere = h("button", { type: "button", class: "btn btn-danger", text: t("settings.sessions.everywhere") });
    everywhere.addEventListener("click", async () => {
      if (!(await confirmDialog({ title: t("settings.sessions.confirmTitle"), text: t("settings.sessions.confirmText"), yes: t("settings.sessions.everywhere"), no: t("settings.cancel") }))) return;
      const result = await signOutEverywhere(ctx);
      if (result.ok) return leave();
      if (result.message) box.replaceChildren(errorBox(result.message));
    });
    api.get("/me/sessions").then((result) => {
      list.replaceChildren(api.ok(result)
        ? h("p", { text: t("settings.sessions.count", { count: result.body.sessions.length }) })
        : h("p", { class: "muted", text: api.message(result) }));
    });
    return section("settings-sessions-h", t("settings.sessions.title"), list, h("p", { class: "hint", text: t("settings.sessions.hint") }), box,
      h("div", { class: "actions" }, everywhere));
  }

  function data() {
    const box = h("div", { "aria-live": "polite" });
    const button = h("button", { type: "button", class: "btn btn-secondary", text: t("settings.data.download") });
    button.addEventListener("click", async () => {
      button.disabled = true;
      box.replaceChildren(loading(t("settings.data.preparing")));
      const result = await api.download("/me/export", "cadence-my-data.zip");
      button.disabled = false;
      box.replaceChildren();
      if (!api.ok(result)) return box.append(errorBox(api.message(result)));
      saved(box, t("settings.data.done", { name: result.name }));
    });
    return section("settings-data-h", t("settings.data.title"), h("p", { class: "hint", text: t("settings.data.hint") }), box,
      h("div", { class: "actions" }, button));
  }

  function remove() {
    const pass = h("input", { type: "password", id: "settings-delete-password", name: "password", autocomplete: "current-password" });
    const otp = h("input", { type: "text", id: "settings-delete-otp", name: "otp", inputmode: "numeric", autocomplete: "one-time-code" });
    const fields = { password: pass, otp };
    const box = h("div", { "aria-live": "assertive" });
    const form = h("form", { novalidate: true }, username(),
      h("p", { text: t("settings.delete.what") }),
      field(t("settings.delete.password"), pass),
      field(t("settings.delete.otp"), otp, t("settings.delete.otpHint")), box,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-danger", text: t("settings.delete.button") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!pass.value) return showErrors(box, { status: 422, body: { errors: { password: [t("settings.delete.missing")] } } }, fields, api);
      showErrors(box, null, fields, api);
      if (!(await confirmDialog({ title: t("settings.delete.confirmTitle"), text: t("settings.delete.confirmText"), yes: t("settings.delete.yes"), no: t("settings.delete.no") }))) return;
      const body = { password: pass.value };
      if (otp.value.trim()) body.otp = otp.value.trim();
      const result = await api.del("/me", body);
      if (!api.ok(result)) return showErrors(box, result, fields, api);
      await wipeDevice(ctx);
      leave(t("settings.delete.done"));
    });
    return section("settings-delete-h", t("settings.delete.title"), form);
  }

  // Signed out (everywhere, or the account is gone): the sign-in screen, the shell's banners cleared.
  function leave(notice) {
    document.querySelectorAll("#banner .signin-banner, #banner .reminder-banner, #banner .notice-banner").forEach((el) => el.remove());
    ctx.navigate("#/signin");
    if (notice) ctx.notice(notice);
  }
}
