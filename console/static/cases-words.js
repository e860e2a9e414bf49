// What the back office calls things, in the console's language: forms, statuses, fields and
// their options (from /api/v1/backoffice/meta, in both languages), people, events, channels,
// ratings, dates and durations. Used by cases.js, cases-oversight.js and cases-reports.js.
"use strict";
const CasesWords = (() => {
  const t = (key, values) => I18N.t(key, values);
  const known = { forms: new Map(), people: new Map() };
  function learn(meta) {
    known.forms = new Map(meta.forms.map((f) => [f.form, f]));
    known.people = new Map(meta.caseworkers.map((p) => [p.username, p]));
  }
  const locale = () => (I18N.lang === "zh" ? "zh-CN" : "en-GB");
  const when = (iso) => new Date(iso).toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" });
  const hours = (s) => t("cases.hours", { h: (s / 3600).toFixed(1) });
  const age = (s) => (s >= 86400 ? t("cases.days", { d: Math.floor(s / 86400) }) : hours(s));
  const words = (pair) => (pair ? pair[I18N.lang] || pair.en : "");
  const formTitle = (form) => (known.forms.has(form) ? words(known.forms.get(form).title) : form);
  function statusLabel(form, status) {
    if (status === null || status === undefined) return "–";
    const own = known.forms.get(form);
    const found = (own ? [own] : [...known.forms.values()]).flatMap((f) => f.statuses).find((s) => s.id === status);
    return found ? words(found.label) : status;
  }
  function allStatuses() {
    const seen = new Map();
    known.forms.forEach((f) => f.statuses.forEach((s) => { if (!seen.has(s.id)) seen.set(s.id, s); }));
    return [...seen.values()];
  }
  const personName = (username) => { const p = known.people.get(username); return p ? p.display_name : username; };
  function actorName(actor) {
    if (actor === "citizen") return t("cases.actor.citizen");
    if (actor === "service") return t("cases.actor.service");
    if (actor.startsWith("agent:")) return personName(actor.slice(6));
    if (actor.startsWith("department:")) return t("cases.actor.department", { name: actor.slice(11) });
    return actor;
  }
  const ratingName = (n) => ({ 5: t("cases.rating.5"), 4: t("cases.rating.4"), 3: t("cases.rating.3"),
    2: t("cases.rating.2"), 1: t("cases.rating.1") }[n] || String(n));
  const channelName = (c) => ({ telegram: t("cases.channel.telegram"), web: t("cases.channel.web"), rest: t("cases.channel.rest") }[c] || c);
  const langName = (l) => ({ en: t("cases.lang.en"), zh: t("cases.lang.zh") }[l] || l);
  const senderName = (s) => ({ citizen: t("cases.sender.citizen"), bot: t("cases.sender.bot"), agent: t("cases.sender.agent"),
    system: t("cases.sender.system") }[s] || s);
  function eventText(event, form) {
    const d = event.detail || {};
    switch (event.kind) {
      case "created": return t("cases.event.created");
      case "status": return t("cases.event.status", { from: statusLabel(form, event.from_status), to: statusLabel(form, event.to_status) });
      case "assigned": return t("cases.event.assigned", { assignee: d.assignee ? personName(d.assignee) : t("cases.unassigned"), team: d.team || t("cases.no_team") });
      case "citizen_info": return t("cases.event.citizen_info");
      case "rated": return t("cases.event.rated", { rating: ratingName(d.rating) });
      case "replayed": return t("cases.event.replayed");
      default: return event.kind;
    }
  }
  function slaText(item) {
    const used = t("cases.sla_used", { used: hours(item.business_s), limit: hours(item.sla_s) });
    return item.sla_breached ? used + " · " + t("cases.sla.over") : used;
  }
  function answerText(form, name, value) {
    if (value === null || value === undefined || value === "") return "–";
    if (typeof value === "boolean") return value ? t("cases.yes") : t("cases.no");
    const field = known.forms.has(form) ? known.forms.get(form).fields[name] : null;
    if (field && typeof value === "string" && field.options[value]) return words(field.options[value]);
    if (typeof value === "object") return value.url ? t("cases.photo_at", { url: value.url }) : JSON.stringify(value);
    return String(value);
  }

  return { learn, get forms() { return known.forms; }, get people() { return known.people; }, locale, when, hours, age,
    words, formTitle, statusLabel, allStatuses, personName, actorName, ratingName, channelName, langName, senderName,
    eventText, slaText, answerText };
})();
