// Offline copies of the client's own IPT records (the `ipt` store in IndexedDB, never the Cache
// API): the relapse-prevention plan must open without a network, and tasks must be there to mark
// done offline. Only a client's own screens use it; a clinician always reads the server.
import * as api from "./api.js";
import * as store from "./store.js";

/** The stored copy under `key`: {key, body, etag, at} or null. */
export async function cached(key) {
  try {
    return (await store.get("ipt", key)) || null;
  } catch {
    return null;
  }
}

export async function keep(key, body, etag = null) {
  try {
    await store.put("ipt", { key, body, etag, at: Date.now() });
  } catch {
    /* storage full or blocked: the screen still works online */
  }
}

// Worth falling back to the copy: no network, the server down, or a session that ended (the
// person's own data, on their own device, stays readable until they sign in again).
const unreachable = (result) => result.status === 0 || result.status === 401 || result.status >= 500;

/**
 * GET `path`; a fresh answer replaces the copy under `key`. When the server cannot be reached
 * the copy is returned instead, marked `offline` with the time it was saved.
 * → {ok, body, etag, offline, at, result}
 */
export async function load(key, path) {
  const result = await api.get(path);
  if (api.ok(result)) {
    await keep(key, result.body, result.etag);
    return { ok: true, body: result.body, etag: result.etag, offline: false, at: Date.now(), result };
  }
  if (unreachable(result)) {
    const copy = await cached(key);
    if (copy) return { ok: true, body: copy.body, etag: copy.etag, offline: true, at: copy.at, result };
  }
  return { ok: false, result };
}
