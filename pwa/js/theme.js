// Light and dark themes: the system's choice (prefers-color-scheme) unless the person picked one.
// Kept on the device across sign-out, like the language: a theme is not personal data.
// The CSS does the work (pwa/css/app.css): [data-theme] on <html> wins over the media query, and
// without it the media query decides, so nothing here runs on a change of the system's setting.
export const SAVED_KEY = "cadence-theme";
const THEMES = ["light", "dark"];
// The browser's own bar, per theme: the header's colour in each (--primary of .top).
const BAR = { light: "#1f5f6b", dark: "#12363d" };

// With storage blocked a choice lasts until the page is reloaded.
let unsaved = null;

function saved() {
  try {
    const value = localStorage.getItem(SAVED_KEY);
    return THEMES.includes(value) ? value : null;
  } catch {
    return unsaved;
  }
}

/** Apply the saved choice, if any, before the first render. */
export function init() {
  const value = saved();
  const root = document.documentElement;
  if (value) root.dataset.theme = value;
  else delete root.dataset.theme;
  // index.html has one theme-color per system scheme; a choice paints both with its colour.
  for (const meta of document.querySelectorAll('meta[name="theme-color"]')) {
    const scheme = (meta.media || "").includes("dark") ? "dark" : "light";
    meta.content = BAR[value || scheme];
  }
}

/** "light", "dark", or null when following the system. */
export function chosen() {
  return saved();
}

/** Choose "light" or "dark", or null to follow the system again. */
export function choose(value) {
  const next = THEMES.includes(value) ? value : null;
  unsaved = next;
  try {
    if (next) localStorage.setItem(SAVED_KEY, next);
    else localStorage.removeItem(SAVED_KEY);
  } catch {
    /* storage blocked: `unsaved` holds it */
  }
  init();
}

// Applied as soon as the module runs (app.js imports it before anything renders), so a saved
// choice never flashes the other theme's colours.
init();
