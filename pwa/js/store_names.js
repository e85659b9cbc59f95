// IndexedDB names shared by the page (pwa/js/store.js) and the service worker (pwa/sw.js, a
// module worker that imports this file): the worker reads the bearer token for a reminder's
// "opened" ping, so both must agree on where the token lives. Names only: no code runs here.
export const DB_NAME = "cadence";
/** The key-value store: the token, the profile and small settings. */
export const KV_STORE = "kv";
/** The bearer token's key in KV_STORE. */
export const TOKEN_KEY = "token";
