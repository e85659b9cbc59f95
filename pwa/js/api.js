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
