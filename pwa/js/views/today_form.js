// The diary day form, built from a day's body: no state, no loading (pwa/js/views/today.js drives it).
export {};
