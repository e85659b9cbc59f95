// IndexedDB: the token and profile (kv), server copies of diary days (days), the outbox of whole
// days waiting to be sent (outbox), and versions set aside after a conflict (aside).
// Version 2 adds the questionnaires: their definitions (instruments), answers waiting to be
// sent (answer_outbox, keyed by client_request_id) and the server's scored copies (responses),
// and IPT: offline copies of the plan, tasks, goals and people (ipt) and task outcomes waiting
// to be sent (task_outbox).
// Health data lives here and in memory only, never in the Cache API.
// The database's name and where the token lives are in store_names.js: the service worker
// reads the token too (pwa/sw.js).
import { DB_NAME, KV_STORE, TOKEN_KEY } from "./store_names.js";

export { DB_NAME, KV_STORE, TOKEN_KEY };
const DB_VERSION = 2;
let opening = null;

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        // Each step runs once: a database from version 1 keeps its stores and gains the new ones.
        if (event.oldVersion < 1) {
          db.createObjectStore(KV_STORE);
          db.createObjectStore("days", { keyPath: "date" });
          db.createObjectStore("outbox", { keyPath: "date" });
          db.createObjectStore("aside", { keyPath: "id", autoIncrement: true });
        }
        if (event.oldVersion < 2) {
          db.createObjectStore("instruments", { keyPath: "code" });
          db.createObjectStore("answer_outbox", { keyPath: "client_request_id" });
          db.createObjectStore("responses", { keyPath: "id" });
          // IPT: offline copies of the plan, tasks, goals and people (ipt, keyed by name) and
          // task outcomes waiting to be sent (task_outbox, one per task: PUT /tasks/{id}/outcome).
          db.createObjectStore("ipt", { keyPath: "key" });
          db.createObjectStore("task_outbox", { keyPath: "task_id" });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab deleting the database (sign-out) must not be blocked by this connection.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

async function tx(storeName, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const store = transaction.objectStore(storeName);
    let result;
    Promise.resolve(fn(store)).then((value) => {
      result = value;
    }, reject);
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const get = (storeName, key) => tx(storeName, "readonly", (s) => promisify(s.get(key)));
export const all = (storeName) => tx(storeName, "readonly", (s) => promisify(s.getAll()));
export const put = (storeName, value, key) =>
  tx(storeName, "readwrite", (s) => promisify(key === undefined ? s.put(value) : s.put(value, key)));
export const del = (storeName, key) => tx(storeName, "readwrite", (s) => promisify(s.delete(key)));
/** Replace a store's whole content in one transaction (a fresh list from the server). */
export const replaceAll = (storeName, values) =>
  tx(storeName, "readwrite", (s) => {
    s.clear();
    for (const value of values) s.put(value);
  });

export const getKV = (key) => get(KV_STORE, key);
export const setKV = (key, value) => put(KV_STORE, value, key);

/** Close and delete the whole database: sign-out leaves nothing of the person behind. */
export async function wipe() {
  if (opening) {
    try {
      (await opening).close();
    } catch {
      /* it never opened */
    }
    opening = null;
  }
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve(); // other tabs close on versionchange; deletion completes
  });
}
