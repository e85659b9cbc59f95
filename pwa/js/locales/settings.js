// Texts for the settings area, in every language (pwa/js/i18n.js merges the sections).
export default {
  en: {},
  es: {},
};
