// The back office in the console: the Cases tab, for caseworkers and supervisors (agents and
// editors do not get it, and every route checks the role again). Its markup is cases.html, put
// into the console page, which keeps its header, login session, language switch and styles.
// Every word comes from the console's catalogues (keys cases.*, I18N.t; names of values in
// cases-words.js); supervisors' lists are cases-oversight.js, the reports screen
// cases-reports.js. Whatever a citizen typed only ever goes into the page as textContent.
"use strict";
const CasesOffice = (() => {
  const $ = (id) => document.getElementById(id);
  const t = (key, values) => I18N.t(key, values);
  const ROLES = ["caseworker", "supervisor"];
  const office = { me: null, csrf: null, meta: null, list: [], selected: null, detail: null, reveal: false,
    hidDesk: false, asking: false, view: null, tab: null };
  const { when, age, words, formTitle, statusLabel, allStatuses, personName, actorName, ratingName, channelName,
    langName, senderName, eventText, slaText, answerText } = CasesWords;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function option(value, text) { const node = el("option", text); node.value = value; return node; }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && office.csrf) headers["X-CSRF-Token"] = office.csrf;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error((data.error && data.error.message) || response.statusText);
      error.status = response.status;
      throw error;
    }
    return data;
  }
  function problem(error) {  // what went wrong, in the console's language
    const known = { 401: t("cases.error.session"), 403: t("cases.error.forbidden"), 404: t("cases.error.not_found"),
      409: t("cases.error.conflict"), 422: t("cases.error.invalid") };
    return known[error.status] || t("cases.error.failed");
  }

  // --- the filters, the list ---------------------------------------------------------------
  function fillSelect(select, rows, anyText) {
    const kept = select.value;
    select.replaceChildren(option("", anyText), ...rows.map(([value, text]) => option(value, text)));
    select.value = rows.some(([value]) => value === kept) ? kept : "";
  }
  function renderFilters() {
    fillSelect($("cases-f-form"), [...CasesWords.forms.values()].map((f) => [f.form, words(f.title)]), t("cases.any"));
    fillSelect($("cases-f-status"), allStatuses().map((s) => [s.id, words(s.label)]), t("cases.any"));
    const people = [...CasesWords.people.values()].map((p) => [p.username, p.display_name]);
    if (office.me) people.unshift([office.me.username, t("cases.me")]);
    fillSelect($("cases-f-assignee"), people.filter((p, i) => people.findIndex((q) => q[0] === p[0]) === i), t("cases.anyone"));
    $("cases-teams").replaceChildren(...office.meta.teams.map((team) => option(team, team)));
  }
  async function loadMeta() {
    office.meta = await api("GET", "/api/v1/backoffice/meta");
    CasesWords.learn(office.meta);
    renderFilters();
  }
  async function loadList() {
    const params = new URLSearchParams();
    ["form", "status", "assignee", "sla"].forEach((name) => { const v = $("cases-f-" + name).value; if (v) params.set(name, v); });
    const team = $("cases-f-team").value.trim();
    if (team) params.set("team", team);
    const [bound, limit] = $("cases-f-age").value.split(":");
    if (bound) params.set(bound === "min" ? "min_age_h" : "max_age_h", limit);
    $("cases-error").textContent = "";
    try {
      office.list = (await api("GET", "/api/v1/backoffice/cases?" + params)).cases;
    } catch (error) {
      $("cases-error").textContent = problem(error);
      return;
    }
    renderList();
  }
  function renderList() {
    const list = $("cases-list");
    const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.reference : null;
    list.replaceChildren();
    $("cases-count").textContent = t("cases.count", { n: office.list.length });
    office.list.forEach((item) => {
      const card = el("button", null, "case-card");
      card.type = "button";
      card.dataset.reference = item.reference;
      if (item.sla_breached) card.classList.add("breached");
      if (item.reference === office.selected) card.setAttribute("aria-current", "true");
      const head = el("span", null, "line");
      head.append(el("strong", item.reference), document.createTextNode(" " + formTitle(item.form)));
      card.append(head,
        el("span", [statusLabel(item.form, item.status), item.team || t("cases.no_team"),
          item.assignee ? personName(item.assignee) : t("cases.unassigned")].join(" · "), "line muted"),
        el("span", t("cases.age", { age: age(item.age_s) }) + " · " + slaText(item), item.sla_breached ? "line sla" : "line muted"));
      if (item.waiting_for_citizen) card.append(el("span", t("cases.waiting_citizen"), "line badge"));
      if (item.rating) card.append(el("span", t("cases.rated", { rating: ratingName(item.rating) }), "line muted"));
      card.addEventListener("click", () => openCase(item.reference));
      const li = el("li");
      li.append(card);
      list.append(li);
    });
    if (focused) { const again = list.querySelector(`[data-reference="${focused}"]`); if (again) again.focus(); }
  }

  // --- one case ----------------------------------------------------------------------------
  async function openCase(reference, keepFocus) {
    if (office.selected !== reference) office.reveal = false;
    office.selected = reference;
    const query = office.reveal ? "?reveal=true" : "";
    try {
      office.detail = await api("GET", `/api/v1/backoffice/cases/${encodeURIComponent(reference)}${query}`);
    } catch (error) {
      $("cases-error").textContent = problem(error);
      return;
    }
    $("cases-error").textContent = "";
    $("cases-saved").textContent = "";
    renderCase();
    document.querySelectorAll("#cases-list .case-card").forEach((b) => {
      if (b.dataset.reference === reference) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    if (!keepFocus) $("cases-case-title").focus();
  }
  function renderCase() {
    const c = office.detail;
    if (!c) return;
    $("cases-none").hidden = true;
    $("cases-case").hidden = false;
    $("cases-case-title").textContent = c.reference + " · " + formTitle(c.form);
    const facts = [[t("cases.f.status"), statusLabel(c.form, c.status) + (c.waiting_for_citizen ? " · " + t("cases.waiting_citizen") : "")],
      [t("cases.f.team"), c.team || t("cases.no_team")], [t("cases.f.assignee"), c.assignee ? personName(c.assignee) : t("cases.unassigned")],
      [t("cases.f.lang"), langName(c.lang)], [t("cases.f.channel"), channelName(c.channel)], [t("cases.f.submitted"), when(c.created_at)],
      [t("cases.f.sla"), slaText(c)], [t("cases.f.rating"), c.rating ? ratingName(c.rating) : "–"]];
    $("cases-facts").replaceChildren(...facts.flatMap(([name, value]) => [el("dt", name), el("dd", value)]));
    const form = CasesWords.forms.get(c.form);
    $("cases-answers").replaceChildren(...Object.entries(c.answers).flatMap(([name, value]) => [
      el("dt", form && form.fields[name] ? words(form.fields[name].label) : name), el("dd", answerText(c.form, name, value))]));
    $("cases-reveal").hidden = !c.masked;
    $("cases-events").replaceChildren(...c.events.map((event) => {
      const li = el("li");
      li.append(el("span", when(event.at) + " · " + actorName(event.actor), "who"), el("span", eventText(event, c.form)));
      if (event.note) li.append(el("span", event.note, "said"));
      const photo = event.detail && event.detail.photo;
      if (photo && photo.href) {
        const link = el("a", t("cases.photo"));
        link.href = photo.href;
        link.target = "_blank";
        link.rel = "noopener";
        li.append(link);
      } else if (photo && photo.url) {
        li.append(el("span", t("cases.photo_at", { url: photo.url }), "said"));
      }
      return li;
    }));
    $("cases-s-status").replaceChildren(...c.moves.map((m) => option(m.status, statusLabel(c.form, m.status))));
    $("cases-status-form").hidden = c.moves.length === 0;
    $("cases-final").hidden = c.moves.length > 0;
    const people = [...CasesWords.people.values()].map((p) => [p.username, p.display_name + (p.team ? " · " + p.team : "")]);
    if (c.assignee && !CasesWords.people.has(c.assignee)) people.unshift([c.assignee, c.assignee]);
    $("cases-a-assignee").replaceChildren(option("", t("cases.unassigned")), ...people.map(([v, text]) => option(v, text)));
    $("cases-a-assignee").value = c.assignee || "";
    $("cases-a-team").value = c.team || "";
    $("cases-conversation").replaceChildren(...c.conversation.map((line) => {
      const li = el("li", null, line.sender);
      li.append(el("span", senderName(line.sender) + " · " + when(line.created_at), "who"), el("span", line.text));
      return li;
    }));
    if (!c.conversation.length) $("cases-conversation").append(el("li", t("cases.no_conversation"), "muted"));
  }
  async function saveStatus(event) {
    event.preventDefault();
    const reference = office.selected;
    try {
      const done = await api("POST", `/api/v1/backoffice/cases/${encodeURIComponent(reference)}/status`, {
        status: $("cases-s-status").value, note: $("cases-s-note").value.trim() || null, urgent: $("cases-s-urgent").checked,
      });
      $("cases-s-note").value = "";
      $("cases-s-urgent").checked = false;
      await openCase(reference, true);
      await loadList();
      $("cases-saved").textContent = done.changed ? t("cases.status_saved", { status: statusLabel(office.detail.form, done.status) }) : t("cases.unchanged");
      if ($("cases-status-form").hidden) $("cases-case-title").focus();
    } catch (error) {
      $("cases-error").textContent = problem(error);
    }
  }
  async function saveAssignment(event) {
    event.preventDefault();
    const reference = office.selected;
    const body = { assignee: $("cases-a-assignee").value || null, team: $("cases-a-team").value.trim() || null };
    if (!body.assignee && !body.team) { $("cases-error").textContent = t("cases.error.assign_empty"); return; }
    try {
      await api("POST", `/api/v1/backoffice/cases/${encodeURIComponent(reference)}/assign`, body);
      await openCase(reference, true);
      await loadList();
      $("cases-saved").textContent = t("cases.assigned");
    } catch (error) {
      $("cases-error").textContent = problem(error);
    }
  }

  // --- the tab, the view and the session ----------------------------------------------------
  function showPart(reports) {
    $("cases-work").hidden = reports;
    $("cases-reports").hidden = !reports;
    $("cases-show-list").setAttribute("aria-pressed", String(!reports));
    $("cases-show-reports").setAttribute("aria-pressed", String(reports));
    if (reports) CasesReports.load();
  }
  async function showView() {
    const main = document.querySelector("main");
    [...main.children].forEach((node) => { if (node !== office.view) node.hidden = true; });
    document.querySelectorAll("#nav .tab").forEach((b) => { if (b !== office.tab) { b.setAttribute("aria-pressed", "false"); b.classList.remove("active"); } });
    office.view.hidden = false;
    sync();
    $("cases-title").focus();
    try { if (!office.meta) await loadMeta(); } catch (error) { $("cases-error").textContent = problem(error); return; }
    await Promise.all([loadList(), CasesOversight.load()]);
    if (!$("cases-reports").hidden) CasesReports.load();
  }
  function sync() {  // the tab shows whether the view is on screen, whoever hid it
    const on = !office.view.hidden;
    office.tab.setAttribute("aria-pressed", String(on));
    office.tab.classList.toggle("active", on);
  }
  async function refresh() {
    const nav = $("nav");
    if (nav.hidden) {
      office.me = null;
      office.meta = null;
      office.detail = null;
      office.selected = null;
      office.tab.hidden = true;
      office.view.hidden = true;
      $("cases-case").hidden = true;
      $("cases-none").hidden = false;
      if (office.hidDesk && $("tab-desk")) $("tab-desk").hidden = false;
      office.hidDesk = false;
      return;
    }
    if (office.me || office.asking) return;
    let me = null;
    office.asking = true;  // one question at a time (the nav and the start both ask)
    try { me = await api("GET", "/api/v1/agent/me"); } catch (_) { return; } finally { office.asking = false; }
    office.me = me.agent;
    office.csrf = me.csrf_token;
    office.tab.hidden = !ROLES.includes(office.me.role);
    if (office.tab.hidden) return;
    if (office.me.role === "caseworker" && $("tab-desk")) {  // no queue for them: cases first
      $("tab-desk").hidden = true;
      office.hidDesk = true;
    }
    if (office.me.role === "caseworker" || location.hash === "#cases") await showView();
  }
  async function build() {
    const nav = $("nav"), main = document.querySelector("main");
    if (!nav || !main || $("cases-view")) return;
    const response = await fetch("/console/static/cases.html", { credentials: "same-origin" });
    const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
    office.view = document.importNode(fragment.getElementById("cases-view"), true);
    main.append(office.view);
    I18N.apply(office.view);
    office.tab = el("button", t("cases.tab"), "tab");
    Object.assign(office.tab, { type: "button", id: "tab-cases", hidden: true });
    office.tab.dataset.i18n = "cases.tab";
    office.tab.setAttribute("aria-pressed", "false");
    nav.insertBefore(office.tab, $("whoami"));
    office.tab.addEventListener("click", showView);
    $("cases-show-list").addEventListener("click", () => showPart(false));
    $("cases-show-reports").addEventListener("click", () => showPart(true));
    $("cases-filters").addEventListener("submit", (event) => { event.preventDefault(); loadList(); });
    $("cases-reveal").addEventListener("click", () => { office.reveal = true; openCase(office.selected, true).then(() => $("cases-answers").focus()); });
    $("cases-status-form").addEventListener("submit", saveStatus);
    $("cases-assign-form").addEventListener("submit", saveAssignment);
    // another tab (or a shortcut) that puts its view on screen takes this one off
    new MutationObserver((records) => {
      if (records.some((r) => r.target.parentElement === main && r.target !== office.view && !r.target.hidden)) office.view.hidden = true;
      sync();
    }).observe(main, { attributes: true, attributeFilter: ["hidden"], subtree: true });
    new MutationObserver(refresh).observe(nav, { attributes: true, attributeFilter: ["hidden"] });
    document.addEventListener("i18n:changed", () => {
      if (!office.meta) return;
      renderFilters();
      renderList();
      renderCase();
      CasesOversight.load();
      CasesReports.render();
    });
    await refresh();
  }

  // after every deferred script (cases-words.js and the others) has run
  if (document.readyState === "complete") build();
  else document.addEventListener("DOMContentLoaded", build);
  return { api, el, problem, get role() { return office.me ? office.me.role : null; } };
})();
