// Light and dark themes: the system's choice (prefers-color-scheme) unless the person picked one.
// Kept on the device across sign-out, like the language: a theme is not personal data.
export const SAVED_KEY = "cadence-theme";

/** Apply the saved choice, if any, before the first render. */
export function init() {}

/** "light", "dark", or null when following the system. */
export function chosen() {
  return null;
}

/** Choose "light" or "dark", or null to follow the system again. */
export function choose(value) {}
