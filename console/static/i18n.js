// The console's words, from console/i18n/{en,zh}.json (served at /console/i18n/<lang>.json).
// Markup names its strings with data-i18n (text; data-i18n-values holds the values of its
// placeholders as JSON), data-i18n-label (aria-label), data-i18n-placeholder and
// data-i18n-title; scripts call I18N.t(key, {name: value}) or I18N.say(node, key, values).
// Dates, times, numbers and durations are formatted for the language.
// The choice is remembered in the browser (localStorage) and, once logged in, with the account;
// a change fires "i18n:changed" on the document so the screens draw themselves again.
"use strict";
const I18N = (() => {
  const LANGS = ["en", "zh"];
  let lang = "en";
  let words = {};
  const missing = new Set();  // keys asked for and not in the catalogue (the browser tests read it)
  const initial = () => {
    const saved = localStorage.getItem("civic-console-lang");
    if (LANGS.includes(saved)) return saved;
    return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  };
  /** The text of `key` with its placeholders filled in one pass (a value is never re-read). */
  const t = (key, values) => {
    if (words[key] === undefined && Object.keys(words).length) missing.add(key);
    const text = words[key] === undefined ? key : words[key];
    if (!values) return text;
    return text.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  };
  /** Put words in a node (as text) and remember their key, so a language change redraws them. */
  const say = (node, key, values) => {
    if (!key) {
      delete node.dataset.i18n;
      delete node.dataset.i18nValues;
      node.textContent = "";
      return node;
    }
    node.dataset.i18n = key;
    if (values) node.dataset.i18nValues = JSON.stringify(values); else delete node.dataset.i18nValues;
    node.textContent = t(key, values);
    return node;
  };
  const apply = (root) => {
    const scope = root || document;
    scope.querySelectorAll("[data-i18n]").forEach((node) => {
      node.textContent = t(node.dataset.i18n, node.dataset.i18nValues ? JSON.parse(node.dataset.i18nValues) : undefined);
    });
    scope.querySelectorAll("[data-i18n-label]").forEach((node) => node.setAttribute("aria-label", t(node.dataset.i18nLabel)));
    scope.querySelectorAll("[data-i18n-placeholder]").forEach((node) => node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder)));
    scope.querySelectorAll("[data-i18n-title]").forEach((node) => node.setAttribute("title", t(node.dataset.i18nTitle)));
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  };

  // --- formats --------------------------------------------------------------------------
  const locale = () => (lang === "zh" ? "zh-CN" : (navigator.languages || []).find((l) => l.startsWith("en")) || "en");
  const dateTime = (value) => new Date(value).toLocaleString(locale());
  const time = (value) => new Date(value).toLocaleTimeString(locale());
  const number = (value) => (value === null || value === undefined ? "–" : Number(value).toLocaleString(locale()));
  const percent = (value, digits = 1) => (value === null || value === undefined ? "–"
    : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: digits }).format(value));
  /** Seconds in words: "4 min 5 s", "4 分 5 秒". */
  const duration = (seconds) => {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.round(seconds);
    if (s < 60) return t("time.s", { s });
    if (s < 3600) return s % 60 ? t("time.min_s", { m: Math.floor(s / 60), s: s % 60 }) : t("time.min", { m: s / 60 });
    const m = Math.floor((s % 3600) / 60);
    return m ? t("time.h_min", { h: Math.floor(s / 3600), m }) : t("time.h", { h: Math.floor(s / 3600) });
  };

  let latest = 0;
  const load = async (wanted) => {
    const next = LANGS.includes(wanted) ? wanted : "en";
    const mine = ++latest;  // the last choice wins, whichever catalogue arrives first
    const response = await fetch(`/console/i18n/${next}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`no catalogue for ${next}`);
    const loaded = await response.json();
    if (mine !== latest) return lang;
    const changed = next !== lang || Object.keys(words).length === 0;
    words = loaded;
    lang = next;
    localStorage.setItem("civic-console-lang", lang);
    apply();
    if (changed) document.dispatchEvent(new CustomEvent("i18n:changed", { detail: { lang } }));
    return lang;
  };
  // the first catalogue, fetched at once: screens wait for it before drawing anything
  const ready = load(initial()).catch(() => lang);
  return {
    t, say, apply, load, initial, ready, locale, dateTime, time, number, percent, duration, missing,
    has: (key) => words[key] !== undefined,
    get lang() { return lang; }, other: () => (lang === "zh" ? "en" : "zh"),
  };
})();
