// Light and dark themes: the system's choice (prefers-color-scheme) unless the person picked one.
const SAVED_KEY = "cadence-theme";

/** Apply the saved choice, if any, before the first render. */
export function init() {}
