// Client: share the diary with a clinician by entering their invitation code; stop at any time.
import { h, field, loading, errorBox, announce, confirmDialog, showErrors } from "../ui.js";
import * as api from "../api.js";

export const personName = (p) => p?.display_name || p?.email || `Person ${p?.id}`;

export async function render(main, ctx, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Share with my clinician" }),
    h("p", { text: "Your clinician gives you an invitation code. Sharing lets them see your diary, scores and flags, and set target times with you. You can stop at any time; their access ends at once." }));

  const code = h("input", { type: "text", id: "invite-code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "32", required: true });
  if (params.get("code")) code.value = params.get("code");
  const error = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Share my diary" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "redeem-h" },
    h("h3", { id: "redeem-h", class: "section-title", text: "Got a code from your clinician?" }),
    field("Invitation code", code, "Ten letters and digits, for example ABCDE-23456."), error, submit);
  const list = h("div", {}, loading());
  main.append(form, h("section", { "aria-labelledby": "mine-h" },
    h("h3", { id: "mine-h", class: "section-title", text: "Clinicians who see my diary" }), list),
  h("p", {}, h("a", { href: "#/access", text: "Who looked at my data" })));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showErrors(error, null, { code }, api);
    if (!code.value.trim()) return showErrors(error, { status: 422, body: { errors: { code: ["Enter the code your clinician gave you."] } } }, { code }, api);
    submit.disabled = true;
    const result = await api.post("/care/links", { code: code.value.trim() });
    submit.disabled = false;
    if (!api.ok(result)) return showErrors(error, result, { code }, api);
    code.value = "";
    const name = personName(result.body.clinician);
    error.append(h("p", { class: "notice notice-info", role: "status", text: `You now share your diary with ${name}.` }));
    await draw();
  });

  async function draw() {
    const result = await api.get("/care/links");
    list.replaceChildren();
    if (!api.ok(result)) return list.append(errorBox(api.message(result)));
    const links = result.body.links || [];
    if (!links.length) return list.append(h("p", { class: "muted", text: "You are not sharing your diary with anyone." }));
    list.append(h("ul", { class: "plain" }, links.map((link) => linkItem(link))));
  }

  function linkItem(link) {
    const name = personName(link.clinician);
    const stop = h("button", { type: "button", class: "btn btn-danger", text: "Stop sharing", "aria-label": `Stop sharing with ${name}` });
    const problem = h("div", { "aria-live": "assertive" });
    stop.addEventListener("click", async () => {
      const sure = await confirmDialog({
        title: `Stop sharing with ${name}?`,
        text: "They will no longer see your diary, scores or flags, starting now. You can share again later with a new code.",
        yes: "Stop sharing",
        no: "Keep sharing",
      });
      if (!sure) return stop.focus();
      stop.disabled = true;
      const result = await api.del(`/care/links/${link.id}`);
      if (!api.ok(result) && result.status !== 404) {
        stop.disabled = false;
        problem.replaceChildren(errorBox(api.message(result)));
        return;
      }
      announce(`You stopped sharing with ${name}.`);
      await draw();
      main.querySelector("#mine-h")?.focus();
    });
    return h("li", { class: "card link-item", "data-link": String(link.id) },
      h("p", { class: "menu-title", text: name }),
      link.clinician?.email && link.clinician.display_name ? h("p", { class: "muted", text: link.clinician.email }) : null,
      h("p", { class: "muted", text: `Sharing since ${new Date(link.created_at).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })}` }),
      problem, h("div", { class: "row end" }, stop));
  }

  await draw();
}
