// A researcher's study card, below its join code: data coverage, consent versions and exports.
// Exports are background jobs: starting one queues it, the page polls it every 2 s, shows the
// rows written and, once done, a download button (the zip is fetched with the token).
import { h, field, loading, errorBox, announce, showErrors, uid, badge, when } from "../ui.js";
import * as api from "../api.js";

const POLL_MS = 2000;
const number = (n) => (n ?? 0).toLocaleString("en-GB");

export function panels(study) {
  return [coveragePanel(study), consentPanel(study), exportsPanel(study)];
}

// ----- coverage -----
function coveragePanel(study) {
  const body = h("div");
  const details = h("details", { class: "study-panel", "data-panel": "coverage" },
    h("summary", { text: "Data coverage" }), body);
  details.addEventListener("toggle", () => {
    if (details.open) drawCoverage(study, body);
  });
  return details;
}

const lastEntry = (days) =>
  days === null || days === undefined ? "none yet" : days === 0 ? "today" : days === 1 ? "yesterday" : `${days} days ago`;
const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)} %`);

async function drawCoverage(study, body) {
  body.replaceChildren(loading());
  const result = await api.get(`/studies/${study.id}/coverage?page_size=500`);
  body.replaceChildren();
  if (!api.ok(result)) return body.append(errorBox(api.message(result)));
  const c = result.body;
  body.append(h("p", { class: "hint", text: "Counted back from each participant's today, only over the days their consent covers. Labels here are not the pseudonyms in the export, and there are no dates: the counts start from today, a real date, so pairing them with an export would undo its date shift." }));
  if (!c.shown) {
    return body.append(h("p", { class: "notice notice-info", "data-coverage": "withheld",
      text: `${c.consenting} consenting; the details appear from ${c.minimum} participants on, since so few people are easy to tell apart.` }));
  }
  const t = c.totals;
  body.append(h("ul", { class: "coverage-totals", "data-coverage": "totals" },
    h("li", { text: `${c.consenting} consenting, ${c.on_current_consent} on the current consent` }),
    h("li", { text: `Days logged: ${percent(t.logged_7_share)} of the last 7, ${percent(t.logged_28_share)} of the last 28` }),
    h("li", { text: `${t.active_7} logged in the last 7 days; ${t.quiet_7} quiet for 7 days or more; ${t.never_logged} never logged` })));
  const caption = uid("cov");
  const rows = c.participants.map((p) => h("tr", { "data-label": p.label },
    h("th", { scope: "row", text: p.label }),
    h("td", {}, p.consent_current ? p.consent_version : h("span", {}, p.consent_version, " ", badge("older", "warn"))),
    h("td", { text: `${p.logged_7} of ${p.possible_7}` }),
    h("td", { text: `${p.logged_28} of ${p.possible_28}` }),
    h("td", { text: lastEntry(p.last_entry_days_ago) }),
    h("td", { text: String(p.missing_streak) }),
    h("td", { text: String(p.longest_missing_streak_28) })));
  body.append(h("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-labelledby": caption },
    h("table", { class: "data coverage" },
      h("caption", { id: caption, class: "sr-only", text: `Data coverage of ${study.name} per participant` }),
      h("thead", {}, h("tr", {}, ["Participant", "Consent", "Last 7 days", "Last 28 days", "Last entry", "Missing now (days)", "Longest gap, 28 days"].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, rows))));
}

// ----- consent versions -----
function consentPanel(study) {
  const list = h("div");
  const version = h("input", { type: "text", id: uid("consent-version"), name: "version", required: true, maxlength: "40" });
  const text = h("textarea", { id: uid("consent-text"), name: "text", rows: "5", required: true });
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { novalidate: true },
    field("New consent version", version, "A name not used before, e.g. 2.0."),
    field("New consent text", text, "Participants on an older version are asked in the app to read it and consent again."),
    error, h("button", { type: "submit", class: "btn btn-secondary", text: "Publish the new consent" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api.post(`/studies/${study.id}/consent`, { version: version.value.trim(), text: text.value.trim() });
    if (!api.ok(result)) return showErrors(error, result, { version, text }, api);
    showErrors(error, null, { version, text }, api);
    form.reset();
    drawVersions(list, result.body.versions);
    announce(`Consent version ${result.body.versions[0].version} published.`);
  });
  const details = h("details", { class: "study-panel", "data-panel": "consent" },
    h("summary", { text: "Consent versions" }), list, form);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    list.replaceChildren(loading());
    const result = await api.get(`/studies/${study.id}/consent/versions`);
    if (!api.ok(result)) return list.replaceChildren(errorBox(api.message(result)));
    drawVersions(list, result.body.versions);
  });
  return details;
}

function drawVersions(list, versions) {
  list.replaceChildren(h("ul", { class: "plain consent-versions" }, versions.map((v) =>
    h("li", { "data-version": v.version },
      h("p", {}, h("strong", { text: `Version ${v.version}` }), " ", v.current ? badge("current", "ok") : null,
        h("span", { class: "muted", text: ` · ${v.consenting} consenting on it · published ${when(v.published_at)}` })),
      h("details", {}, h("summary", { text: "Text" }), h("p", { class: "consent-text", text: v.text }))))));
}

// ----- exports -----
const STATUS = {
  queued: ["Waiting for the export worker", "pending"],
  running: ["Being written", "pending"],
  done: ["Ready", "ok"],
  failed: ["Failed", "error"],
  expired: ["Expired", "muted"],
};

function exportsPanel(study) {
  const format = h("select", { id: uid("export-format"), name: "format" },
    h("option", { value: "csv", text: "CSV" }), h("option", { value: "parquet", text: "Parquet" }), h("option", { value: "both", text: "CSV and Parquet" }));
  const small = h("input", { type: "checkbox", id: uid("allow-small"), name: "allow_small" });
  const smallBox = h("div", { class: "check", hidden: true }, small,
    h("label", { for: small.id, text: "Export it anyway, although the study is this small (the override is recorded)" }));
  const problem = h("div", { "aria-live": "assertive" });
  const jobs = h("ul", { class: "plain export-jobs", "aria-live": "polite" });
  const start = h("button", { type: "submit", class: "btn btn-primary", text: "Start export" });
  const form = h("form", { class: "export-form", novalidate: true }, field("Format", format), smallBox, problem, start);
  const section = h("section", { class: "study-panel", "data-panel": "exports", "aria-label": `Exports of ${study.name}` },
    h("h5", { class: "section-title", text: "Exports" }),
    h("p", { class: "hint deid-summary", text: DEID_SUMMARY }),
    form, jobs);
  const shown = new Map(); // job id → list item

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    start.disabled = true;
    const result = await api.post(`/studies/${study.id}/exports`, { format: format.value, allow_small: small.checked });
    start.disabled = false;
    if (result.status === 409 && /allow_small/.test(result.body?.message || "")) {
      smallBox.hidden = false;
      return problem.replaceChildren(errorBox(api.message(result)));
    }
    if (!api.ok(result)) return problem.replaceChildren(errorBox(`The export could not start: ${api.message(result)}`));
    problem.replaceChildren();
    small.checked = false;
    show(result.body, true);
    announce("Export started. Its progress is shown below.");
    poll();
  });

  function show(job, first = false) {
    const item = h("li", { class: "card card-soft export-job", "data-job": String(job.id), "data-status": job.status }, ...jobContent(study, job));
    const old = shown.get(job.id);
    if (old) old.replaceWith(item);
    else if (first) jobs.prepend(item);
    else jobs.append(item);
    shown.set(job.id, item);
  }

  let timer = null;
  async function poll() {
    clearTimeout(timer);
    if (!section.isConnected) return; // the page was left: stop asking
    const result = await api.get(`/studies/${study.id}/exports`);
    if (api.ok(result)) {
      for (const job of result.body.exports.slice().reverse()) {
        const old = shown.get(job.id);
        if (!old) show(job, true);
        else if (old.dataset.status !== job.status || old.dataset.rows !== String(job.rows_written)) show(job);
        shown.get(job.id).dataset.rows = String(job.rows_written);
      }
      if (!result.body.exports.some((j) => j.status === "queued" || j.status === "running")) return;
    }
    timer = setTimeout(poll, POLL_MS);
  }
  // The list is read when the card is first drawn; polling goes on while a job is unfinished.
  setTimeout(poll, 0);
  return section;
}

function jobContent(study, job) {
  const [label, kind] = STATUS[job.status] || [job.status, "muted"];
  const what = { csv: "CSV", parquet: "Parquet", both: "CSV and Parquet" }[job.format] || job.format;
  const parts = [h("p", { class: "export-head" }, badge(label, kind), " ", h("span", { text: `${what} · started ${when(job.created_at)}` }))];
  if (job.status === "running" || job.status === "queued") {
    parts.push(h("p", { class: "export-progress", role: "status", text: job.status === "queued" ? "Queued: it starts within seconds once a worker is free." : `${number(job.rows_written)} rows written so far…` }));
  } else if (job.status === "done") {
    parts.push(h("p", { class: "muted", text: `${number(job.participants)} participants, ${number(job.rows_written)} rows, ${(job.size_bytes / 2 ** 20).toFixed(1)} MiB; available until ${when(job.expires_at)}.` }));
    const status = h("div", { "aria-live": "polite" });
    const button = h("button", { type: "button", class: "btn btn-secondary", text: "Download", "aria-label": `Download export ${job.id} of ${study.name}` });
    button.addEventListener("click", async () => {
      button.disabled = true;
      const result = await api.download(job.download_url.replace(api.BASE, ""), `study-${study.id}-export-${job.id}.zip`);
      button.disabled = false;
      if (!api.ok(result)) return status.replaceChildren(errorBox(`The download failed: ${api.message(result)}`));
      status.replaceChildren(h("p", { class: "muted", role: "status", text: `Downloaded ${result.name}.` }));
    });
    parts.push(h("div", { class: "row gap wrap" }, button), status);
  } else if (job.status === "failed") {
    parts.push(h("p", { class: "error-text", text: job.error || "The export failed." }));
  } else if (job.status === "expired") {
    parts.push(h("p", { class: "muted", text: "Its file was deleted; start a new export." }));
  }
  return parts;
}

const DEID_SUMMARY =
  "How an export is de-identified: it holds no names, email addresses, account numbers, notes or " +
  "time zones. Each participant appears under a random pseudonym that differs from study to " +
  "study, and all of their dates move by the same random whole number of weeks, so weekdays and " +
  "times of day stay true but calendar dates do not. Only the days the consent covers are " +
  "included, with the first and last weeks trimmed so that the ends do not give the shift away. " +
  "Studies with very few participants are not exported unless you say so, which is recorded. " +
  "The README and codebook in the zip explain every field.";
