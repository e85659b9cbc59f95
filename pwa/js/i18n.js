// Languages: one catalogue (pwa/js/locales/*.js, one section per area), English and Spanish.
// The language comes from the browser unless the person chose one; dates and times use the
// locale's own formats through Intl.
import common from "./locales/common.js";
import today from "./locales/today.js";
import history from "./locales/history.js";
import settings from "./locales/settings.js";
import sync from "./locales/sync.js";
import ipt from "./locales/ipt.js";

export const LANGUAGES = { en: "English", es: "Español" };
const FALLBACK = "en";
// Kept on the device across sign-out: a language is not personal data.
const SAVED_KEY = "cadence-lang";

const CATALOGUE = { en: {}, es: {} };
for (const section of [common, today, history, settings, sync, ipt]) {
  for (const lang of Object.keys(CATALOGUE)) Object.assign(CATALOGUE[lang], section[lang] || {});
}

let lang = FALLBACK;
let localeTag = "en-GB";

/** The catalogue, for the completeness test. */
export const catalogue = () => CATALOGUE;

/** The first of the browser's languages we speak, with its region when it has one. */
export function pick(preferred = navigator.languages || [navigator.language]) {
  for (const tag of preferred || []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return { lang: base, tag: String(tag) };
  }
  return { lang: FALLBACK, tag: "en-GB" };
}

export function init() {
  let saved = null;
  try {
    saved = localStorage.getItem(SAVED_KEY);
  } catch {
    /* storage blocked */
  }
  const browser = pick();
  if (saved && saved in LANGUAGES) {
    lang = saved;
    localeTag = browser.lang === saved ? browser.tag : saved === "es" ? "es-ES" : "en-GB";
  } else {
    ({ lang, tag: localeTag } = browser);
  }
  document.documentElement.lang = lang;
}

/** Event on window after the language changed: the shell (app.js) redraws its own texts. */
export const CHANGED = "cadence:language";

/** Choose a language (null: follow the browser again). The caller re-renders its view. */
export function choose(next) {
  try {
    if (next && next in LANGUAGES) localStorage.setItem(SAVED_KEY, next);
    else localStorage.removeItem(SAVED_KEY);
  } catch {
    /* storage blocked */
  }
  const before = lang;
  init();
  if (lang !== before) window.dispatchEvent(new CustomEvent(CHANGED, { detail: { lang } }));
}

export const language = () => lang;
export const chosen = () => {
  try {
    return localStorage.getItem(SAVED_KEY);
  } catch {
    return null;
  }
};
/** The BCP 47 tag for Intl formats, e.g. "en-US", "es-ES". */
export const locale = () => localeTag;

/**
 * The text for `key` in the current language, with {name} placeholders filled from `vars`.
 * With `vars.count`, "key.one"/"key.other" (and any plural category) are tried first.
 */
export function t(key, vars = {}) {
  const table = CATALOGUE[lang];
  let text;
  if (typeof vars.count === "number") {
    const form = cached("PluralRules").select(vars.count);
    text = table[`${key}.${form}`] ?? table[`${key}.other`] ?? CATALOGUE[FALLBACK][`${key}.${form}`] ?? CATALOGUE[FALLBACK][`${key}.other`];
  }
  text ??= table[key] ?? CATALOGUE[FALLBACK][key];
  if (text === undefined) {
    console.warn(`i18n: no text for "${key}"`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

// Building an Intl formatter costs far more than using one: keep one per locale and options.
const formatters = new Map();
function cached(kind, options) {
  const key = `${kind}|${localeTag}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl[kind](localeTag, options)));
  return formatter;
}

/** A date ("YYYY-MM-DD", local) in the locale's format; `options` as Intl.DateTimeFormat's. */
export function formatDate(iso, options = { weekday: "long", day: "numeric", month: "long" }) {
  const [y, m, d] = iso.split("-").map(Number);
  return cached("DateTimeFormat", options).format(new Date(y, m - 1, d));
}

const CLOCK = { hour: "numeric", minute: "2-digit" };

/** A clock time "HH:MM" in the locale's format (24-hour or 12-hour). */
export function formatClock(hhmm) {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return cached("DateTimeFormat", CLOCK).format(new Date(2000, 0, 1, hours, minutes));
}

export const formatNumber = (value, options) => cached("NumberFormat", options).format(value);
