// The API client: same origin, JSON, bearer token. Network failures become status 0.
import { getKV } from "./store.js";

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

/** {status, body, etag}; status 0 when the network (or server) is unreachable. */
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
    return { status: 0, body: { message: "You are offline or the server cannot be reached." } };
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
  return { status: response.status, body: data, etag: response.headers.get("ETag") };
}

export const ok = (result) => result.status >= 200 && result.status < 300;

/** A plain-language message for a failed request. */
export function message(result) {
  if (result.status === 0) return "You are offline or the server cannot be reached.";
  const body = result.body || {};
  let text = body.message || `The server answered ${result.status}.`;
  if (body.errors && typeof body.errors === "object") {
    const details = flatten(body.errors);
    if (details.length && !text.includes(details[0])) text += " " + details.join(" ");
  }
  return text;
}

function flatten(errors, prefix = "") {
  const out = [];
  for (const [key, value] of Object.entries(errors)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out.push(`${name}: ${value.join(" ")}`);
    else if (value && typeof value === "object") out.push(...flatten(value, name));
    else out.push(`${name}: ${value}`);
  }
  return out;
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
