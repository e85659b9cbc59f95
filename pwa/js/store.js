// IndexedDB: the token and profile (kv), server copies of diary days (days), the outbox of whole
// days waiting to be sent (outbox), and versions set aside after a conflict (aside).
// Health data lives here and in memory only, never in the Cache API.

export const DB_NAME = "cadence";
const DB_VERSION = 1;
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
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("kv");
        db.createObjectStore("days", { keyPath: "date" });
        db.createObjectStore("outbox", { keyPath: "date" });
        db.createObjectStore("aside", { keyPath: "id", autoIncrement: true });
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

export const getKV = (key) => get("kv", key);
export const setKV = (key, value) => put("kv", value, key);

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
