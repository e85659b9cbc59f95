// Research studies. Researchers: create studies, see consent counts and join codes, data
// coverage, consent versions and exports (study_panels.js). Clients: join a study with its code
// after reading the consent text; consent again to a new text; withdraw. The client's screens
// speak the person's language; the researcher's stay English (researchers work in English).
import { h, field, loading, errorBox, announce, confirmDialog, showErrors, codeBlock, when, badge } from "../ui.js";
import * as api from "../api.js";
import { t, locale } from "../i18n.js";
import { panels } from "./study_panels.js";

export async function render(main, ctx, params) {
  return ctx.user.role === "researcher" ? researcher(main) : participant(main, params);
}

const unavailable = () => h("p", { class: "notice notice-info", text: t("studies.unavailable") });
const day = (iso) => new Date(iso).toLocaleDateString(locale(), { day: "numeric", month: "long", year: "numeric" });

// ----- researcher -----
async function researcher(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Studies" }));
  const list = h("div", {}, loading());
  main.append(createForm(list), h("section", { "aria-labelledby": "studies-h" },
    h("h3", { id: "studies-h", class: "section-title", text: "My studies" }), list));
  const result = await api.get("/studies");
  list.replaceChildren();
  if (result.status === 404) return list.append(unavailable());
  if (!api.ok(result)) return list.append(errorBox(api.message(result)));
  const studies = result.body.studies || [];
  if (!studies.length) list.append(h("p", { class: "muted empty-studies", text: "No studies yet." }));
  for (const study of studies) list.append(studyCard(study));
}

function createForm(list) {
  const name = h("input", { type: "text", id: "study-name", name: "name", required: true, maxlength: "120" });
  // maxlength as api/resources/studies/schemas.py allows: the form never accepts what the API refuses.
  const description = h("textarea", { id: "study-description", name: "description", rows: "2", maxlength: "5000" });
  const version = h("input", { type: "text", id: "study-consent-version", name: "consent_version", required: true, maxlength: "40", placeholder: "1.0" });
  const text = h("textarea", { id: "study-consent-text", name: "consent_text", rows: "6", required: true, maxlength: "20000" });
  const inputs = { name, description, consent_version: version, consent_text: text };
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "create-h" },
    field("Name", name), field("Description (optional)", description),
    field("Consent version", version, "Change it whenever the consent text changes."),
    field("Consent text", text, "Participants read this before they tick to consent."),
    error, h("button", { type: "submit", class: "btn btn-primary", text: "Create study" }));
  const details = h("details", { class: "create-study" }, h("summary", { id: "create-h", text: "Create a study" }), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), consent_version: version.value.trim(), consent_text: text.value.trim() };
    if (description.value.trim()) body.description = description.value.trim();
    const result = await api.post("/studies", body);
    if (!api.ok(result)) return showErrors(error, result, inputs, api);
    showErrors(error, null, inputs, api);
    form.reset();
    details.open = false;
    list.querySelector(".empty-studies")?.remove();
    const card = studyCard(result.body);
    list.prepend(card);
    card.querySelector("h4").focus();
    announce(`Study ${result.body.name} created. Its join code is shown.`);
  });
  return details;
}

function studyCard(study) {
  const id = `study-${study.id}`;
  const counts = study.participants || { consenting: 0, withdrawn: 0 };
  return h("article", { class: "card study", "data-study": String(study.id) },
    h("h4", { id, tabindex: "-1", text: study.name }),
    study.description ? h("p", { text: study.description }) : null,
    h("p", { class: "counts" },
      h("span", { class: "count", "data-count": "consenting", text: `${counts.consenting} consenting` }), " · ",
      h("span", { class: "count", "data-count": "withdrawn", text: `${counts.withdrawn} withdrawn` })),
    codeBlock(study.code, "Join code for participants:"),
    h("p", { class: "muted", text: `Consent version ${study.consent_version} · created ${day(study.created_at)}` }),
    h("details", {}, h("summary", { text: "Consent text" }), h("p", { class: "consent-text", text: study.consent_text })),
    panels(study));
}

// ----- client -----
async function participant(main, params) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: t("studies.heading") }),
    h("p", { text: t("studies.intro") }));
  const joinBox = h("div");
  const list = h("div", {}, loading());
  main.append(joinBox, h("section", { "aria-labelledby": "joined-h" },
    h("h3", { id: "joined-h", class: "section-title", tabindex: "-1", text: t("studies.joined") }), list));
  drawJoin(params.get("code") || "");
  await drawJoined();

  function drawJoin(initial) {
    const code = h("input", { type: "text", id: "study-code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "32", value: initial });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "join-h" },
      h("h3", { id: "join-h", class: "section-title", text: t("studies.join") }),
      field(t("studies.code"), code, t("studies.codeHint")), error,
      h("button", { type: "submit", class: "btn btn-primary", text: t("studies.showConsent") }));
    joinBox.replaceChildren(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!code.value.trim()) return showErrors(error, { status: 422, local: true, body: { errors: { code: [t("studies.codeMissing")] } } }, { code }, api);
      const result = await api.get(`/studies/join?code=${encodeURIComponent(code.value.trim())}`);
      if (result.status === 404 || result.status === 405) {
        return showErrors(error, { status: 404, local: true, body: { message: t("studies.noConsentRoute") } }, {}, api);
      }
      if (!api.ok(result)) return showErrors(error, result, { code }, api);
      drawConsent(code.value.trim(), result.body.study || result.body);
    });
  }

  function drawConsent(code, study) {
    const tick = h("input", { type: "checkbox", id: "consent", name: "consent", required: true });
    const error = h("div", { "aria-live": "assertive" });
    const cancel = h("button", { type: "button", class: "btn btn-quiet", text: t("common.cancel") });
    const form = h("form", { class: "card consent", novalidate: true, "aria-labelledby": "consent-h" },
      h("h3", { id: "consent-h", class: "section-title", tabindex: "-1", text: t("studies.consentTitle", { name: study.name }) }),
      h("p", { class: "muted", text: t("studies.consentVersion", { version: study.consent_version }) }),
      h("div", { class: "consent-text", tabindex: "0", role: "region", "aria-label": t("studies.consentText") }, h("p", { text: study.consent_text })),
      h("p", { class: "muted", id: "consent-recall", text: t("studies.recall") }),
      h("div", { class: "check" }, tick, h("label", { for: "consent", text: t("studies.agree") })),
      error, h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: t("studies.joinButton") }), cancel));
    joinBox.replaceChildren(form);
    form.querySelector("#consent-h").focus();
    cancel.addEventListener("click", () => drawJoin(""));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!tick.checked) return showErrors(error, { status: 422, local: true, body: { errors: { consent: [t("studies.tickToJoin")] } } }, { consent: tick }, api);
      const result = await api.post("/studies/join", { code, consent_version: study.consent_version });
      if (result.status === 422 && result.body?.errors?.consent_version) {
        // The text changed since it was shown: show the new one and ask again.
        return showErrors(error, result, {}, api);
      }
      if (!api.ok(result)) return showErrors(error, result, { consent: tick }, api);
      announce(t("studies.joinedAnnounce", { name: result.body.study.name }));
      drawJoin("");
      await drawJoined();
      main.querySelector("#joined-h").focus();
    });
  }

  async function drawJoined() {
    const result = await api.get("/studies/joined");
    list.replaceChildren();
    if (result.status === 404) return list.append(unavailable());
    if (!api.ok(result)) return list.append(errorBox(api.message(result)));
    const studies = result.body.studies || [];
    if (!studies.length) return list.append(h("p", { class: "muted", text: t("studies.none") }));
    // Each study's current consent text: a newer one than the client's asks for their consent.
    const consents = await Promise.all(studies.map((s) => api.get(`/studies/${s.id}/consent`)));
    list.append(h("ul", { class: "plain" }, studies.map((s, i) => {
      const consent = api.ok(consents[i]) ? consents[i].body : null;
      const leave = h("button", { type: "button", class: "btn btn-danger", text: t("studies.withdraw"), "aria-label": t("studies.withdrawFrom", { name: s.name }) });
      const problem = h("div", { "aria-live": "assertive" });
      leave.addEventListener("click", async () => {
        const sure = await confirmDialog({ title: t("studies.withdrawTitle", { name: s.name }), text: t("studies.withdrawText"), yes: t("studies.withdraw"), no: t("studies.stay") });
        if (!sure) return leave.focus();
        const gone = await api.del(`/studies/${s.id}/consent`);
        if (!api.ok(gone)) return problem.replaceChildren(errorBox(api.message(gone)));
        announce(t("studies.withdrew", { name: s.name }));
        await drawJoined();
        main.querySelector("#joined-h").focus();
      });
      const review = consent?.review_needed ? reviewBox(s, consent) : null;
      return h("li", { class: "card", "data-study": String(s.id) },
        h("p", { class: "menu-title" }, s.name, review ? h("span", {}, " ", badge(t("studies.newConsent"), "warn")) : null),
        h("p", { class: "muted", text: t("studies.joinedOn", { when: when(s.joined_at), version: s.consent_version }) }),
        review, problem, h("div", { class: "row end" }, leave));
    })));
  }

  // A newer consent text: read it and agree, or withdraw. Until then the client takes part
  // under the version they agreed to.
  function reviewBox(s, consent) {
    const tick = h("input", { type: "checkbox", id: `reconsent-${s.id}`, name: "consent" });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "consent reconsent", novalidate: true },
      h("p", { text: t("studies.reviewText", { version: consent.consent_version, mine: consent.my_consent_version }) }),
      h("details", {}, h("summary", { text: t("studies.readNew") }),
        h("div", { class: "consent-text", tabindex: "0", role: "region", "aria-label": t("studies.newTextOf", { name: s.name }) }, h("p", { text: consent.consent_text }))),
      h("div", { class: "check" }, tick, h("label", { for: tick.id, text: t("studies.agreeNew") })),
      error, h("button", { type: "submit", class: "btn btn-primary", text: t("studies.agreeNewButton") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!tick.checked) return showErrors(error, { status: 422, local: true, body: { errors: { consent: [t("studies.tickToAgree")] } } }, { consent: tick }, api);
      const result = await api.put(`/studies/${s.id}/consent`, { consent_version: consent.consent_version });
      if (!api.ok(result)) return showErrors(error, result, { consent: tick }, api);
      announce(t("studies.agreedAnnounce", { version: consent.consent_version, name: s.name }));
      await drawJoined();
      main.querySelector("#joined-h").focus();
    });
    return form;
  }
}
