// IndexedDB names shared by the page (pwa/js/store.js) and the service worker (pwa/sw.js).
export {};
