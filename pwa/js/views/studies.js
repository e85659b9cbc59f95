// Research studies. Researchers: create studies, see consent counts and join codes, data
// coverage, consent versions and exports (study_panels.js). Clients: join a study with its code
// after reading the consent text; consent again to a new text; withdraw.
import { h, field, loading, errorBox, announce, confirmDialog, showErrors, codeBlock, when, badge } from "../ui.js";
import * as api from "../api.js";
import { panels } from "./study_panels.js";

export async function render(main, ctx, params) {
  return ctx.user.role === "researcher" ? researcher(main) : participant(main, params);
}

const unavailable = () => h("p", { class: "notice notice-info", text: "Research studies are not available on this server yet." });
const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });

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
  const name = h("input", { type: "text", id: "study-name", name: "name", required: true, maxlength: "200" });
  const description = h("textarea", { id: "study-description", name: "description", rows: "2" });
  const version = h("input", { type: "text", id: "study-consent-version", name: "consent_version", required: true, maxlength: "40", placeholder: "1.0" });
  const text = h("textarea", { id: "study-consent-text", name: "consent_text", rows: "6", required: true });
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
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Research studies" }),
    h("p", { text: "Taking part in research is your choice and separate from sharing with your clinician. You can withdraw at any time; you are then left out of every later export." }));
  const joinBox = h("div");
  const list = h("div", {}, loading());
  main.append(joinBox, h("section", { "aria-labelledby": "joined-h" },
    h("h3", { id: "joined-h", class: "section-title", tabindex: "-1", text: "Studies I take part in" }), list));
  drawJoin(params.get("code") || "");
  await drawJoined();

  function drawJoin(initial) {
    const code = h("input", { type: "text", id: "study-code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "32", value: initial });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "join-h" },
      h("h3", { id: "join-h", class: "section-title", text: "Join a study" }),
      field("Study code", code, "The research team gives you this code."), error,
      h("button", { type: "submit", class: "btn btn-primary", text: "Show the consent text" }));
    joinBox.replaceChildren(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!code.value.trim()) return showErrors(error, { status: 422, body: { errors: { code: ["Enter the study code."] } } }, { code }, api);
      const result = await api.get(`/studies/join?code=${encodeURIComponent(code.value.trim())}`);
      if (result.status === 404 || result.status === 405) {
        return showErrors(error, { status: 404, body: { message: "This server cannot show a study's consent text yet, so you cannot join here. Please ask the research team." } }, {}, api);
      }
      if (!api.ok(result)) return showErrors(error, result, { code }, api);
      drawConsent(code.value.trim(), result.body.study || result.body);
    });
  }

  function drawConsent(code, study) {
    const tick = h("input", { type: "checkbox", id: "consent", name: "consent", required: true });
    const error = h("div", { "aria-live": "assertive" });
    const cancel = h("button", { type: "button", class: "btn btn-quiet", text: "Cancel" });
    const form = h("form", { class: "card consent", novalidate: true, "aria-labelledby": "consent-h" },
      h("h3", { id: "consent-h", class: "section-title", tabindex: "-1", text: `Consent: ${study.name}` }),
      h("p", { class: "muted", text: `Consent version ${study.consent_version}` }),
      h("div", { class: "consent-text", tabindex: "0", role: "region", "aria-label": "Consent text" }, h("p", { text: study.consent_text })),
      h("p", { class: "muted", id: "consent-recall", text: "You may withdraw, or delete your account, at any time: you are then left out of every later export. Exports already given to the researchers cannot be recalled; they hold a pseudonym and shifted dates, never your name or email." }),
      h("div", { class: "check" }, tick, h("label", { for: "consent", text: "I have read the consent text and I agree to take part." })),
      error, h("div", { class: "row gap wrap" }, h("button", { type: "submit", class: "btn btn-primary", text: "Join the study" }), cancel));
    joinBox.replaceChildren(form);
    form.querySelector("#consent-h").focus();
    cancel.addEventListener("click", () => drawJoin(""));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!tick.checked) return showErrors(error, { status: 422, body: { errors: { consent: ["Tick the box to consent, or cancel."] } } }, { consent: tick }, api);
      const result = await api.post("/studies/join", { code, consent_version: study.consent_version });
      if (result.status === 422 && result.body?.errors?.consent_version) {
        // The text changed since it was shown: show the new one and ask again.
        return showErrors(error, result, {}, api);
      }
      if (!api.ok(result)) return showErrors(error, result, { consent: tick }, api);
      announce(`You joined ${result.body.study.name}.`);
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
    if (!studies.length) return list.append(h("p", { class: "muted", text: "You are not taking part in any study." }));
    // Each study's current consent text: a newer one than the client's asks for their consent.
    const consents = await Promise.all(studies.map((s) => api.get(`/studies/${s.id}/consent`)));
    list.append(h("ul", { class: "plain" }, studies.map((s, i) => {
      const consent = api.ok(consents[i]) ? consents[i].body : null;
      const leave = h("button", { type: "button", class: "btn btn-danger", text: "Withdraw", "aria-label": `Withdraw from ${s.name}` });
      const problem = h("div", { "aria-live": "assertive" });
      leave.addEventListener("click", async () => {
        const sure = await confirmDialog({ title: `Withdraw from ${s.name}?`, text: "You will be left out of every export from now on. You can join again later with the code.", yes: "Withdraw", no: "Stay in the study" });
        if (!sure) return leave.focus();
        const gone = await api.del(`/studies/${s.id}/consent`);
        if (!api.ok(gone)) return problem.replaceChildren(errorBox(api.message(gone)));
        announce(`You withdrew from ${s.name}.`);
        await drawJoined();
        main.querySelector("#joined-h").focus();
      });
      const review = consent?.review_needed ? reviewBox(s, consent) : null;
      return h("li", { class: "card", "data-study": String(s.id) },
        h("p", { class: "menu-title" }, s.name, review ? h("span", {}, " ", badge("New consent to review", "warn")) : null),
        h("p", { class: "muted", text: `Joined ${when(s.joined_at)} · consent version ${s.consent_version}` }),
        review, problem, h("div", { class: "row end" }, leave));
    })));
  }

  // A newer consent text: read it and agree, or withdraw. Until then the client takes part
  // under the version they agreed to.
  function reviewBox(s, consent) {
    const tick = h("input", { type: "checkbox", id: `reconsent-${s.id}`, name: "consent" });
    const error = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "consent reconsent", novalidate: true },
      h("p", { text: `The research team published consent version ${consent.consent_version}. You take part under version ${consent.my_consent_version} until you agree to the new text, or you can withdraw.` }),
      h("details", {}, h("summary", { text: "Read the new consent text" }),
        h("div", { class: "consent-text", tabindex: "0", role: "region", "aria-label": `New consent text of ${s.name}` }, h("p", { text: consent.consent_text }))),
      h("div", { class: "check" }, tick, h("label", { for: tick.id, text: "I have read the new consent text and I agree to it." })),
      error, h("button", { type: "submit", class: "btn btn-primary", text: "Agree to the new consent" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!tick.checked) return showErrors(error, { status: 422, body: { errors: { consent: ["Tick the box to agree, or withdraw."] } } }, { consent: tick }, api);
      const result = await api.put(`/studies/${s.id}/consent`, { consent_version: consent.consent_version });
      if (!api.ok(result)) return showErrors(error, result, { consent: tick }, api);
      announce(`You agreed to consent version ${consent.consent_version} of ${s.name}.`);
      await drawJoined();
      main.querySelector("#joined-h").focus();
    });
    return form;
  }
}
