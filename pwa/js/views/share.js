// Client: share the diary with a clinician by entering their invitation code; stop at any time.
import { h, field, loading, errorBox, announce, confirmDialog, showErrors } from "../ui.js";
import * as api from "../api.js";
import { t, locale } from "../i18n.js";

export const personName = (p) => p?.display_name || p?.email || t("share.person", { id: p?.id });

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("share.heading") }),
    h("p", { text: t("share.intro") }));

  const code = h("input", { type: "text", id: "invite-code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "32", required: true });
  if (params.get("code")) code.value = params.get("code");
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("share.submit") });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "redeem-h" },
    h("h3", { id: "redeem-h", class: "section-title", text: t("share.codeHeading") }),
    field(t("share.code"), code, t("share.codeHint")), error, submit);
  const list = h("div", {}, loading());
  main.append(form, h("section", { "aria-labelledby": "mine-h" },
    h("h3", { id: "mine-h", class: "section-title", text: t("share.mine") }), list),
  h("p", {}, h("a", { href: "#/access", text: t("access.heading") })));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showErrors(error, null, { code }, api);
    if (!code.value.trim()) return showErrors(error, { status: 422, local: true, body: { errors: { code: [t("share.codeMissing")] } } }, { code }, api);
    submit.disabled = true;
    const result = await api.post("/care/links", { code: code.value.trim() });
    submit.disabled = false;
    if (!api.ok(result)) return showErrors(error, result, { code }, api);
    code.value = "";
    const name = personName(result.body.clinician);
    error.append(h("p", { class: "notice notice-info", role: "status", text: t("share.done", { name }) }));
    await draw();
  });

  async function draw() {
    const result = await api.get("/care/links");
    list.replaceChildren();
    if (!api.ok(result)) return list.append(errorBox(api.message(result)));
    const links = result.body.links || [];
    if (!links.length) return list.append(h("p", { class: "muted", text: t("share.nobody") }));
    list.append(h("ul", { class: "plain" }, links.map((link) => linkItem(link))));
  }

  function linkItem(link) {
    const name = personName(link.clinician);
    const stop = h("button", { type: "button", class: "btn btn-danger", text: t("share.stop"), "aria-label": t("share.stopWith", { name }) });
    const problem = h("div", { "aria-live": "assertive" });
    stop.addEventListener("click", async () => {
      const sure = await confirmDialog({
        title: t("share.stopTitle", { name }),
        text: t("share.stopText"),
        yes: t("share.stop"),
        no: t("share.keep"),
      });
      if (!sure) return stop.focus();
      stop.disabled = true;
      const result = await api.del(`/care/links/${link.id}`);
      if (!api.ok(result) && result.status !== 404) {
        stop.disabled = false;
        problem.replaceChildren(errorBox(api.message(result)));
        return;
      }
      announce(t("share.stopped", { name }));
      await draw();
      main.querySelector("#mine-h")?.focus();
    });
    return h("li", { class: "card link-item", "data-link": String(link.id) },
      h("p", { class: "menu-title", text: name }),
      link.clinician?.email && link.clinician.display_name ? h("p", { class: "muted", text: link.clinician.email }) : null,
      h("p", { class: "muted", text: t("share.since", { date: new Date(link.created_at).toLocaleDateString(locale(), { day: "numeric", month: "long", year: "numeric" }) }) }),
      problem, h("div", { class: "row end" }, stop));
  }

  await draw();
}
