// Civic Assistant agent console: log-in, the queue, live updates and the keyboard shortcuts
// (ticket.js draws one ticket, dashboard.js the supervisor's dashboard; they use what is here). Plain JavaScript, no build step,
// no CDN. Every word comes from the catalogues (I18N, console/i18n/{en,zh}.json) and a change
// of language draws the screen again; everything a citizen typed is shown with textContent,
// never innerHTML. Requests go through Api (request.js).
"use strict";

const state = {
  me: null, selected: null, ticket: null, canned: [], colleagues: [], events: null,
  revealed: false, queue: null, report: null, warning: null,
};
const $ = (id) => document.getElementById(id);
const t = (key, values) => I18N.t(key, values);
const say = (node, key, values) => I18N.say(node, key, values);
const api = (method, path, body) => Api.request(method, path, body);
const LOGIN = "/api/v1/agent/login";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

/** What went wrong, in the catalogue's words, put in `node` (redrawn on a language change). */
function sayProblem(node, error, keys) { say(node, Api.problemKey(error, keys), { status: error.status || 0 }); }

/** A language's name in the agent's language ("Chinese", "中文"); an unknown code as it is. */
function languageName(code) {
  return I18N.has("language." + code) ? t("language." + code) : code;
}

Api.onSessionLost((path) => { if (path !== LOGIN) showLogin(); });

// --- login -----------------------------------------------------------------------------

function renderTitle() {
  const waiting = state.me && state.queue ? state.queue.waiting.length : 0;
  document.title = waiting ? t("page.title_waiting", { count: I18N.number(waiting) }) : t("page.title");
}

function renderWho() {
  const me = state.me;
  if (!me) { say($("whoami"), null); return; }
  const values = { name: me.display_name || me.username, role: t("role." + me.role), team: me.team || "" };
  $("whoami").textContent = t(me.team ? "nav.whoami_team" : "nav.whoami", values);
}

function setLive(key) {
  say($("live"), key);
  $("live").classList.toggle("on", key === "live.on");
}

function showLogin() {
  state.me = null;
  state.selected = null;
  state.queue = null;
  Api.csrf = null;
  if (state.events) { state.events.close(); state.events = null; }
  $("nav").hidden = true;
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = true;
  $("login-view").hidden = false;
  setLive("live.offline");
  renderTitle();
}

const DESK_ROLES = ["agent", "supervisor"];  // who works the queue

async function startSession(data, fromLogin) {
  state.me = data.agent;
  Api.csrf = data.csrf_token;
  if (data.agent.console_lang && data.agent.console_lang !== I18N.lang) await I18N.load(data.agent.console_lang).catch(() => null);
  $("login-view").hidden = true;
  $("nav").hidden = false;
  renderWho();
  $("tab-dashboard").hidden = data.agent.role !== "supervisor";
  if (!DESK_ROLES.includes(data.agent.role)) {  // caseworkers and editors have no queue: their
    $("tab-desk").hidden = true;                // own tabs (cases.js, insights.js) take over
    $("desk-view").hidden = true;
    return;
  }
  $("tab-desk").hidden = false;
  showDesk();
  state.canned = await api("GET", "/api/v1/agent/canned").catch(() => []);
  await loadColleagues();
  connectEvents();
  await refreshQueue();
  // after logging in the agent starts at the queue, unless they already went somewhere else
  // while it loaded (taking the focus back then would lose their place)
  const unmoved = document.activeElement === document.body || $("login-view").contains(document.activeElement);
  if (fromLogin && unmoved) focusQueue();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say($("login-error"), null);
  try {
    const data = await api("POST", LOGIN, { username: $("username").value, password: $("password").value, session: "cookie" });
    $("password").value = "";
    await startSession(data, true);
  } catch (error) {
    sayProblem($("login-error"), error, { 401: "login.failed", 429: "login.throttled" });
  }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/v1/agent/logout").catch(() => null);
  showLogin();
  $("username").focus();
});

// --- views -----------------------------------------------------------------------------

function showDesk() {
  $("desk-view").hidden = false;
  $("dashboard-view").hidden = true;
  $("tab-desk").setAttribute("aria-pressed", "true");
  $("tab-dashboard").setAttribute("aria-pressed", "false");
}

$("tab-desk").addEventListener("click", () => { showDesk(); focusQueue(); });

/** The first waiting ticket, else the "Waiting" heading: where the agent starts. */
function focusQueue() {
  const first = document.querySelector("#waiting .ticket-card") || document.querySelector("#held .ticket-card");
  (first || $("waiting-title")).focus();
}

// --- live updates ------------------------------------------------------------------------

function connectEvents() {
  if (state.events) state.events.close();
  const source = new EventSource("/api/v1/agent/events");
  state.events = source;
  source.onopen = () => setLive("live.on");
  source.onerror = () => setLive("live.reconnecting");
  let pending = null;
  source.onmessage = (event) => {
    const id = Number(String(event.data).split(":")[1]);
    if (pending) clearTimeout(pending);
    pending = setTimeout(async () => {
      pending = null;
      await refreshQueue();
      if (state.selected !== null && id === state.selected) await openTicket(state.selected, { quiet: true });
      if (!$("dashboard-view").hidden) await loadReport();
    }, 150);
  };
}

// --- the queue ---------------------------------------------------------------------------

/** What is left of the pick-up target, in words (never only a colour). */
function slaText(item) {
  if (item.kind !== "live") return null;
  const left = item.sla_target_s - item.waited_s;
  if (item.sla_breached) return t("card.sla_breached", { ago: I18N.duration(-left), target: I18N.duration(item.sla_target_s) });
  if (item.sla_at_risk) return t("card.sla_at_risk", { left: I18N.duration(left) });
  return t("card.sla_left", { left: I18N.duration(left) });
}

function said(wording, text) {  // a citizen's line: a button press in words, else as typed
  return wording ? t(wording.key, wording.values) : text;
}

function ticketItem(item, held, where) {
  const li = el("li");
  const card = el("button", null, "ticket-card");
  card.type = "button";
  card.dataset.ticket = String(item.id);
  card.id = where + "-" + item.id;
  if (state.selected === item.id) card.setAttribute("aria-current", "true");
  if (!held && item.sla_breached) card.classList.add("breached");
  else if (!held && item.sla_at_risk) card.classList.add("at-risk");
  const head = el("span", null, "line");
  head.appendChild(el("strong", t("ticket.number", { id: item.id }) + " "));
  head.appendChild(el("span", [languageName(item.lang), item.topic || t("card.no_topic")].join(" · ")));
  card.appendChild(head);
  if (held && !item.accepted) {  // assigned automatically: opening it accepts it
    const mine = item.agent === state.me.username;
    card.classList.add("offered");
    card.appendChild(el("span", t(mine ? "card.assigned_open" : "card.assigned_other",
      { left: I18N.duration(item.accept_within_s) }), "sla"));
  }
  if (item.simple_mode || item.priority > 0) card.appendChild(el("span", t("card.simple"), "line"));
  const last = said(item.last_wording, item.last_message);
  if (last) card.appendChild(el("span", t("text.quote", { text: last }), "said"));
  const meta = [item.kind === "live" ? null : t("kind." + item.kind), item.team || null,
    t("card.waited", { time: I18N.duration(item.waited_s) }),
    held ? t("card.held_by", { name: item.agent_name || item.agent }) : t("card.place", { n: I18N.number(item.position) })];
  card.appendChild(el("span", meta.filter(Boolean).join(" · "), "line muted"));
  if (!held) { const sla = slaText(item); if (sla) card.appendChild(el("span", sla, "sla")); }
  if (held && item.awaiting_reply_s !== null) card.appendChild(el("span", t("card.awaiting_reply", { time: I18N.duration(item.awaiting_reply_s) }), "sla"));
  card.appendChild(el("span", t("card.conversation", { id: item.conversation_id }), "line muted"));
  card.addEventListener("click", async () => {
    showDesk();
    await openTicket(item.id);
    $("ticket-title").focus();
  });
  li.appendChild(card);
  return li;
}

function renderQueue(data) {
  const waiting = $("waiting"), held = $("held"), dash = $("dash-queue");
  const active = document.activeElement;
  const focused = active && active.classList.contains("ticket-card") ? active.id : null;
  clear(waiting); clear(held); clear(dash);
  data.waiting.forEach((item) => { waiting.appendChild(ticketItem(item, false, "waiting")); dash.appendChild(ticketItem(item, false, "dash")); });
  data.held.forEach((item) => held.appendChild(ticketItem(item, true, "held")));
  $("waiting-count").textContent = I18N.number(data.waiting.length);
  $("waiting-empty").hidden = data.waiting.length > 0;
  renderTitle();
  if (focused && $(focused)) $(focused).focus();  // a live update keeps the agent's place
}

async function refreshQueue() {
  if (!state.me) return null;
  let data;
  try { data = await api("GET", "/api/v1/agent/queue"); } catch (error) { return null; }
  state.queue = data;
  renderQueue(data);
  return data;
}

function renderColleagues() {
  const select = $("transfer-to");
  const chosen = select.value;
  clear(select);
  say(select.appendChild(el("option")), "transfer.choose").value = "";
  const teams = new Set();
  state.colleagues.forEach((a) => {
    if (a.username !== state.me.username) {
      const name = a.display_name && a.display_name !== a.username ? a.display_name + " (" + a.username + ")" : a.username;
      const option = el("option", t(a.team ? "transfer.agent_team" : "transfer.agent", { name, team: a.team }));
      option.value = "agent:" + a.username;
      select.appendChild(option);
    }
    if (a.team) teams.add(a.team);
  });
  teams.forEach((team) => {
    const option = el("option", t("transfer.team", { team }));
    option.value = "team:" + team;
    select.appendChild(option);
  });
  select.value = chosen;
  if (select.selectedIndex < 0) select.value = "";
}

async function loadColleagues() {
  state.colleagues = await api("GET", "/api/v1/agent/agents").catch(() => []);
  renderColleagues();
}

// --- keyboard shortcuts (listed in the page, under the queue) ---------------------------------

function typing(target) {
  return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function stepTicket(delta) {
  const cards = [...document.querySelectorAll("#waiting .ticket-card, #held .ticket-card")];
  if (!cards.length) return;
  const current = cards.findIndex((b) => b === document.activeElement || b.getAttribute("aria-current") === "true");
  const next = cards[Math.max(0, Math.min(cards.length - 1, current < 0 ? 0 : current + delta))];
  next.focus();
  openTicket(Number(next.dataset.ticket));
}

document.addEventListener("keydown", (event) => {
  if (!state.me || event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || $("confirm").open) return;
  if ($("desk-view").hidden && event.key !== "q") return;
  const keys = {
    j: () => stepTicket(1),
    k: () => stepTicket(-1),
    c: () => claim(),
    r: () => { if (!$("reply-form").hidden) $("reply").focus(); },
    x: () => { if (!$("close-form").hidden) $("close-form").requestSubmit(); },
    q: () => { showDesk(); focusQueue(); },
  };
  const run = keys[event.key];
  if (run) { event.preventDefault(); run(); }
});

// --- another language: draw everything again (static words follow data-i18n by themselves) ----

document.addEventListener("i18n:changed", () => {
  renderTitle();
  renderWho();
  if (!state.me) return;
  if (state.queue) renderQueue(state.queue);
  renderColleagues();
  if (state.ticket && !$("ticket").hidden) renderTicket(state.ticket, false);
  renderWarning();
  if (state.report) renderReport(state.report);
});

// --- start: resume a session if the cookie is still valid -------------------------------------

document.addEventListener("DOMContentLoaded", async () => {  // every script of the page is in
  await I18N.ready;
  try { await startSession(await api("GET", "/api/v1/agent/me"), false); } catch (error) { showLogin(); }
});
