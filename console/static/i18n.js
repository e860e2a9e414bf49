// The console's words, from console/i18n/{en,zh}.json (served at /console/i18n/<lang>.json).
// Markup names its strings with data-i18n (text), data-i18n-label (aria-label),
// data-i18n-placeholder and data-i18n-title; scripts call I18N.t(key, {name: value}).
// The choice is remembered in the browser (localStorage) and, once logged in, with the account.
"use strict";
const I18N = (() => {
  const LANGS = ["en", "zh"];
  let lang = "en";
  let words = {};
  const initial = () => {
    const saved = localStorage.getItem("civic-console-lang");
    if (LANGS.includes(saved)) return saved;
    return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  };
  const t = (key, values) => {
    let text = words[key];
    if (text === undefined) text = key;
    if (values) Object.entries(values).forEach(([k, v]) => { text = text.replaceAll("{" + k + "}", String(v)); });
    return text;
  };
  const apply = (root) => {
    const scope = root || document;
    scope.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    scope.querySelectorAll("[data-i18n-label]").forEach((node) => node.setAttribute("aria-label", t(node.dataset.i18nLabel)));
    scope.querySelectorAll("[data-i18n-placeholder]").forEach((node) => node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder)));
    scope.querySelectorAll("[data-i18n-title]").forEach((node) => node.setAttribute("title", t(node.dataset.i18nTitle)));
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  };
  let latest = 0;
  const load = async (wanted) => {
    const next = LANGS.includes(wanted) ? wanted : "en";
    const mine = ++latest;  // the last choice wins, whichever catalogue arrives first
    const response = await fetch(`/console/i18n/${next}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`no catalogue for ${next}`);
    const loaded = await response.json();
    if (mine !== latest) return lang;
    words = loaded;
    lang = next;
    localStorage.setItem("civic-console-lang", lang);
    apply();
    document.dispatchEvent(new CustomEvent("i18n:changed", { detail: { lang } }));
    return lang;
  };
  return { t, apply, load, initial, get lang() { return lang; }, other: () => (lang === "zh" ? "en" : "zh") };
})();
