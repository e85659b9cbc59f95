// The API client: same origin, JSON, bearer token. Network failures become status 0.
import { getKV } from "./store.js";
import { t, language } from "./i18n.js";

export const BASE = "/api/v1";
let token = null;
let onUnauthorized = () => {};

export function setToken(value) {
  token = value;
}
export function getToken() {
  return token;
}
export async function loadToken() {
  token = (await getKV("token")) || null;
  return token;
}
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** {status, body, etag, retryAfter, server}; status 0 when the network (or server) is unreachable. */
export async function request(method, path, { body, headers = {}, auth = true } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (auth && token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (error) {
    return { status: 0, body: { message: t("common.error.offline") } };
  }
  let data = null;
  const text = await response.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text.slice(0, 200) };
    }
  }
  if (response.status === 401 && auth) onUnauthorized();
  // `server`: the texts in it are the server's (ui.showErrors rewords them; a form's own are kept).
  return { status: response.status, body: data, etag: response.headers.get("ETag"), retryAfter: retryAfter(response), server: true };
}

export const ok = (result) => result.status >= 200 && result.status < 300;

/** Seconds to wait, from a 429's Retry-After (seconds or an HTTP date); null when absent. */
function retryAfter(response) {
  const raw = response.headers.get("Retry-After");
  if (!raw) return null;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : null;
}

/**
 * A plain-language message for a failed request, in the person's language. The server's
 * texts are written for developers ("5 per 1 minute", "email: Already registered."), so known
 * statuses get a sentence of our own and field errors name the field by its label: `labels`
 * maps field names to the labels the form shows; `fallback` is said when nothing more precise
 * is known (the server's own sentence is English, so it is used only in English). Never quotes
 * what was sent (health data).
 */
export function message(result, labels = {}, fallback = t("common.error.generic")) {
  const status = result.status;
  const body = result.body || {};
  if (status === 0) return t("common.error.offline");
  if (status === 429) {
    // Retry-After counts to the window's end, often a second past a round minute.
    const minutes = Math.max(1, Math.round((result.retryAfter ?? 60) / 60));
    return minutes > 1 ? t("common.error.rateLimitMinutes", { count: minutes }) : t("common.error.rateLimit");
  }
  if (status >= 500) return t("common.error.server");
  // The services' own sentences are written for people (in English); the framework's are not.
  const human = body.message && language() === "en" && !DEVELOPER_TEXT.test(body.message);
  // Field errors in marshmallow's words become ours; a service's own sentence is kept whole.
  const fields = flatten(body.errors && typeof body.errors === "object" ? body.errors : {});
  const known = fields.some(([, texts]) => texts.some((text) => PATTERNS.some(([pattern]) => pattern.test(text.trim()))));
  if (fields.length && (known || !human)) return fieldMessages(body.errors, labels).join(" ");
  if (human) return body.message;
  if (status === 401) return t("common.error.unauthorized");
  if (status === 403) return t("common.error.forbidden");
  if (status === 404) return t("common.error.notFound");
  if (status === 413) return t("common.error.tooLarge");
  return fallback;
}

// Texts from the framework (werkzeug, flask-limiter, webargs), not from a service.
const DEVELOPER_TEXT = /^(\d+ per |Invalid input: |The requested URL|The server could not verify|You don't have the permission|The browser \(or proxy\)|The method is not allowed|The server encountered)/;

/** Per-field sentences, "Name is too long…", for every error in the body (nested too).
 * `beside`: shown next to the field itself, so a service's own sentence needs no label. */
export function fieldMessages(errors, labels = {}, beside = false) {
  if (!errors || typeof errors !== "object") return [];
  const out = [];
  for (const [path, texts] of flatten(errors)) {
    for (const text of texts) out.push(fieldMessage(path, text, labels, beside));
  }
  return [...new Set(out)];
}

function flatten(errors, prefix = "") {
  const out = [];
  for (const [key, value] of Object.entries(errors)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) out.push([name, value.map(String)]);
    else if (value && typeof value === "object") out.push(...flatten(value, name));
    else out.push([name, [String(value)]]);
  }
  return out;
}

/** A label for a field: the form's own, else the catalogue's, else the name in words. */
export function fieldLabel(path, labels = {}) {
  const name = String(path).split(".").filter((part) => !/^\d+$/.test(part)).pop() || String(path);
  // "Name (optional)" names the field as "Name".
  const bare = (label) => label.replace(/\s*\([^)]*\)\s*$/, "").trim();
  if (labels[path]) return bare(labels[path]);
  if (labels[name]) return bare(labels[name]);
  const known = t(`common.field.${name}`);
  if (known !== `common.field.${name}`) return known;
  const words = name.replace(/_/g, " ");
  return words[0].toUpperCase() + words.slice(1);
}

// Marshmallow's and the services' messages, as patterns: each becomes a sentence of ours.
const PATTERNS = [
  [/^Missing data for required field\.?$/, "required"],
  [/^Field may not be null\.?$/, "required"],
  [/^Shorter than minimum length (\d+)\.?$/, "tooShort", (m) => ({ min: m[1] })],
  [/^Longer than maximum length (\d+)\.?$/, "tooLong", (m) => ({ max: m[1] })],
  [/^Length must be between (\d+) and (\d+)\.?$/, "length", (m) => ({ min: m[1], max: m[2] })],
  [/^Length must be (\d+)\.?$/, "lengthExact", (m) => ({ count: Number(m[1]) })],
  [/^Not a valid email address\.?$/, "email"],
  [/^Not a valid (integer|number)\.?$/, "number"],
  [/^Not a valid (date|datetime)\.?$/, "date"],
  [/^Not a valid time\.?$/, "time"],
  [/^Not a valid (string|boolean|list|mapping)\.?$/, "type"],
  [/^Must be greater than or equal to (-?[\d.]+) and less than or equal to (-?[\d.]+)\.?$/, "range", (m) => ({ min: m[1], max: m[2] })],
  [/^Must be greater than or equal to (-?[\d.]+)\.?$/, "min", (m) => ({ min: m[1] })],
  [/^Must be less than or equal to (-?[\d.]+)\.?$/, "max", (m) => ({ max: m[1] })],
  [/^Must be one of: /, "oneOf"],
  [/^Unknown field\.?$/, "unknown"],
  [/^Already registered\.?$/, "emailTaken"],
];

function fieldMessage(path, text, labels, beside) {
  const field = fieldLabel(path, labels);
  for (const [pattern, key, vars] of PATTERNS) {
    const match = pattern.exec(text.trim());
    if (match) return t(`common.invalid.${key}`, { field, ...(vars ? vars(match) : {}) });
  }
  // A sentence the service wrote for people (a password's advice): kept in English; in another
  // language a general sentence naming the field instead.
  if (language() === "en") return beside ? text : `${field}: ${text}`;
  return /password/.test(path) ? t("common.invalid.password") : t("common.invalid.other", { field });
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, { body });
export const put = (path, body, headers) => request("PUT", path, { body, headers });
export const patch = (path, body) => request("PATCH", path, { body });
export const del = (path, body) => request("DELETE", path, { body });

/** A file download (exports): fetched with the token, never cached, saved through a Blob URL. */
export async function download(path, fallbackName) {
  let response;
  try {
    response = await fetch(BASE + path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: "no-store" });
  } catch {
    return { status: 0, body: null };
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text ? { message: text.slice(0, 200) } : null;
    }
    if (response.status === 401) onUnauthorized();
    return { status: response.status, body };
  }
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
  return { status: response.status, body: null, name, size: blob.size };
}
