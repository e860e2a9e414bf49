// Civic Assistant agent console. Plain JavaScript, no build step, no CDN.
// Everything a citizen typed is shown with textContent, never innerHTML.
"use strict";

const state = { me: null, csrf: null, selected: null, ticket: null, canned: [], events: null, revealed: false };
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function duration(s) {
  if (s === null || s === undefined) return "–";
  s = Math.round(s);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401 && path !== "/api/v1/agent/login") showLogin();
    const message = (data.error && data.error.message) || response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return data;
}

// --- login -----------------------------------------------------------------------------

function showLogin() {
  state.me = null;
  if (state.events) { state.events.close(); state.events = null; }
  $("nav").hidden = true;
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = true;
  $("login-view").hidden = false;
}

async function startSession(data) {
  state.me = data.agent;
  state.csrf = data.csrf_token;
  $("login-view").hidden = true;
  $("nav").hidden = false;
  $("whoami").textContent = data.agent.username + " (" + data.agent.role +
    (data.agent.team ? ", " + data.agent.team : "") + ")";
  $("tab-dashboard").hidden = data.agent.role !== "supervisor";
  showDesk();
  state.canned = await api("GET", "/api/v1/agent/canned").catch(() => []);
  await loadColleagues();
  connectEvents();
  await refreshQueue();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const data = await api("POST", "/api/v1/agent/login", {
      username: $("username").value, password: $("password").value, session: "cookie",
    });
    $("password").value = "";
    await startSession(data);
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/v1/agent/logout").catch(() => null);
  state.csrf = null;
  showLogin();
});

// --- views -----------------------------------------------------------------------------

function showDesk() {
  $("desk-view").hidden = false;
  $("dashboard-view").hidden = true;
  $("tab-desk").classList.add("active");
  $("tab-dashboard").classList.remove("active");
}

$("tab-desk").addEventListener("click", showDesk);
$("tab-dashboard").addEventListener("click", async () => {
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = false;
  $("tab-dashboard").classList.add("active");
  $("tab-desk").classList.remove("active");
  await loadReport();
});

// --- live updates ------------------------------------------------------------------------

function connectEvents() {
  if (state.events) state.events.close();
  const source = new EventSource("/api/v1/agent/events");
  state.events = source;
  source.onopen = () => { $("live").textContent = "live"; $("live").classList.add("on"); };
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").classList.remove("on"); };
  let pending = null;
  source.onmessage = (event) => {
    const [kind, id] = String(event.data).split(":");
    if (pending) clearTimeout(pending);
    pending = setTimeout(async () => {
      pending = null;
      await refreshQueue();
      if (state.selected !== null && Number(id) === state.selected) await openTicket(state.selected);
      if (!$("dashboard-view").hidden) await loadReport();
    }, 150);
    void kind;
  };
}

// --- the queue ---------------------------------------------------------------------------

function ticketItem(t, held) {
  const li = el("li");
  li.dataset.ticket = String(t.id);
  li.id = "ticket-" + t.id;
  if (state.selected === t.id) li.classList.add("selected");
  if (!held && t.sla_breached) li.classList.add("breached");
  else if (!held && t.sla_at_risk) li.classList.add("at-risk");
  const head = el("div");
  head.appendChild(el("strong", "#" + t.id + " "));
  head.appendChild(el("span", t.conversation_id));
  li.appendChild(head);
  const meta = [t.team || "–", t.kind, t.priority > 0 ? "simplified mode" : null,
    "waited " + duration(t.waited_s)];
  if (held) meta.push("held by " + t.agent);
  if (!held) meta.push("place " + t.position);
  li.appendChild(el("div", meta.filter(Boolean).join(" · "), "muted"));
  if (!held && t.sla_breached) li.appendChild(el("div", "SLA breached (target " + duration(t.sla_target_s) + ")", "sla"));
  if (held && t.awaiting_reply_s !== null) li.appendChild(el("div", "citizen waiting " + duration(t.awaiting_reply_s), "sla"));
  li.addEventListener("click", () => openTicket(t.id));
  return li;
}

async function refreshQueue() {
  if (!state.me) return;
  let data;
  try { data = await api("GET", "/api/v1/agent/queue"); } catch (error) { return; }
  const waiting = $("waiting"), held = $("held"), dash = $("dash-queue");
  clear(waiting); clear(held); clear(dash);
  data.waiting.forEach((t) => { waiting.appendChild(ticketItem(t, false)); dash.appendChild(ticketItem(t, false)); });
  data.held.forEach((t) => held.appendChild(ticketItem(t, true)));
  $("waiting-count").textContent = String(data.waiting.length);
}

async function loadColleagues() {
  const select = $("transfer-to");
  clear(select);
  select.appendChild(el("option", "Transfer to…")).value = "";
  const agents = await api("GET", "/api/v1/agent/agents").catch(() => []);
  const teams = new Set();
  agents.forEach((a) => {
    if (a.username !== state.me.username) {
      const option = el("option", "agent " + a.username + (a.team ? " (" + a.team + ")" : ""));
      option.value = "agent:" + a.username;
      select.appendChild(option);
    }
    if (a.team) teams.add(a.team);
  });
  teams.forEach((team) => {
    const option = el("option", "team " + team);
    option.value = "team:" + team;
    select.appendChild(option);
  });
}

// --- one ticket --------------------------------------------------------------------------

async function openTicket(id, reveal = false) {
  if (state.selected !== id) state.revealed = false;
  state.selected = id;
  state.revealed = state.revealed || reveal;
  document.querySelectorAll(".tickets li").forEach((li) => li.classList.toggle("selected", li.dataset.ticket === String(id)));
  let t;
  const query = state.revealed ? "?reveal=true" : "";
  try { t = await api("GET", "/api/v1/agent/tickets/" + id + query); } catch (error) {
    $("ticket-error").textContent = error.message;
    return;
  }
  state.ticket = t;
  $("no-ticket").hidden = true;
  $("ticket").hidden = false;
  $("ticket-error").textContent = "";
  $("ticket-title").textContent = "#" + t.id + " · " + t.conversation_id;
  const meta = [t.status, t.kind, "team " + (t.team || "–"), "language " + t.lang,
    t.simple_mode ? "simplified mode" : null, t.topic ? "topic " + t.topic : null,
    t.holder ? "held by " + t.holder : null, t.callback_at ? "callback " + t.callback_at : null,
    t.contact ? "phone " + t.contact : null, t.rating ? "rating " + t.rating + "/5" : null];
  $("ticket-meta").textContent = meta.filter(Boolean).join(" · ");
  const mine = t.holder === state.me.username;
  const supervisor = state.me.role === "supervisor";
  $("claim").hidden = t.status !== "waiting";
  $("release").hidden = !(t.holder && (mine || supervisor));
  $("transfer").hidden = $("transfer-to").hidden = !(t.holder && (mine || supervisor));
  $("reply-form").hidden = !(t.holder && (mine || supervisor));
  $("reveal").hidden = !t.masked || !(mine || supervisor);
  $("close-form").hidden = !(t.holder && (mine || supervisor));
  renderTranscript(t.transcript);
  renderContext(t);
  renderCanned(t.lang);
}

function renderTranscript(lines) {
  const list = $("transcript");
  clear(list);
  lines.forEach((line) => {
    const li = el("li", null, line.sender);
    li.appendChild(el("span", line.sender + " · " + new Date(line.created_at).toLocaleTimeString(), "who"));
    li.appendChild(el("span", line.text));
    list.appendChild(li);
  });
  list.scrollTop = list.scrollHeight;
}

function renderContext(t) {
  $("form-name").textContent = t.form.active_form ? "Active form: " + t.form.active_form : "No form in progress.";
  const slots = $("form-slots");
  clear(slots);
  Object.entries(t.form.slots).forEach(([name, value]) => {
    slots.appendChild(el("dt", name));
    slots.appendChild(el("dd", typeof value === "string" ? value : JSON.stringify(value)));
  });
  $("last-question").textContent = t.last_question ? "“" + t.last_question + "”" : "";
  const list = $("suggestions");
  clear(list);
  t.suggestions.forEach((s) => {
    const li = el("li");
    li.appendChild(el("strong", s.title));
    li.appendChild(el("div", s.section + ": " + s.snippet, "muted"));
    list.appendChild(li);
  });
}

function renderCanned(lang) {
  const select = $("canned");
  clear(select);
  select.appendChild(el("option", "Canned replies…")).value = "";
  state.canned.forEach((c) => {
    const text = (c.text[lang] || c.text.en || "").replaceAll("{agent}", state.me.username);
    const option = el("option", text.length > 60 ? text.slice(0, 57) + "…" : text);
    option.value = text;
    select.appendChild(option);
  });
}

$("canned").addEventListener("change", () => {
  if ($("canned").value) $("reply").value = $("canned").value;
  $("canned").value = "";
  $("reply").focus();
});

async function act(method, path, body) {
  $("ticket-error").textContent = "";
  try {
    const data = await api(method, path, body);
    await refreshQueue();
    if (state.selected !== null) await openTicket(state.selected);
    return data;
  } catch (error) {
    $("ticket-error").textContent = error.message;
    return null;
  }
}

const ticketPath = (suffix) => "/api/v1/agent/tickets/" + state.selected + "/" + suffix;

$("claim").addEventListener("click", () => act("POST", ticketPath("claim")));
$("release").addEventListener("click", () => act("POST", ticketPath("release")));
$("transfer").addEventListener("click", () => {
  const target = $("transfer-to").value;
  if (!target) return;
  const [kind, name] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  act("POST", ticketPath("transfer"), kind === "agent" ? { to_agent: name } : { to_team: name });
});
$("reveal").addEventListener("click", () => openTicket(state.selected, true));

// Simplified mode: warn while the agent types a reply that is too long or too hard.
let checkTimer = null;
$("reply").addEventListener("input", () => {
  clearTimeout(checkTimer);
  const text = $("reply").value.trim();
  if (!text || !state.ticket || !state.ticket.simple_mode) { $("reply-warning").textContent = ""; return; }
  checkTimer = setTimeout(async () => {
    try {
      const result = await api("POST", ticketPath("check"), { text });
      $("reply-warning").textContent = result.warning ? "⚠ " + result.warning : "";
    } catch (error) { $("reply-warning").textContent = ""; }
  }, 400);
});

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  const sent = await act("POST", ticketPath("messages"), { text });
  if (sent) { $("reply").value = ""; $("reply-warning").textContent = sent.warning ? "⚠ sent, but " + sent.warning : ""; }
});
$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (await act("POST", ticketPath("close"), { note: $("note").value || null })) $("note").value = "";
});

// --- supervisor dashboard ------------------------------------------------------------------

function row(table, cells) {
  const tr = el("tr");
  cells.forEach((cell) => tr.appendChild(el("td", cell)));
  $(table).querySelector("tbody").appendChild(tr);
}

function percent(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(1) + " %"; }

async function loadReport() {
  const params = new URLSearchParams();
  if ($("report-from").value) params.set("from", $("report-from").value + "T00:00:00Z");
  if ($("report-to").value) params.set("to", $("report-to").value + "T23:59:59Z");
  let report;
  try { report = await api("GET", "/api/v1/reports/handoff?" + params.toString()); } catch (error) { return; }
  const variant = $("report-business").checked ? "business_hours" : "calendar";
  const o = report.overall[variant];
  const cards = $("report-cards");
  clear(cards);
  [["tickets", o.tickets], ["picked up", o.picked_up], ["mean pick-up", duration(o.pickup_s.mean)],
   ["p90 pick-up", duration(o.pickup_s.p90)], ["first response", duration(o.first_response_s.mean)],
   ["mean agent reply", duration(o.agent_reply_s.mean)], ["p90 agent reply", duration(o.agent_reply_s.p90)],
   ["mean resolution", duration(o.resolution_s.mean)], ["abandonment", percent(o.abandonment_rate)],
   ["rating", o.rating.mean === null ? "–" : o.rating.mean + " / 5"]].forEach(([label, value]) => {
    const card = el("div", null, "card");
    card.appendChild(el("b", value));
    card.appendChild(el("span", label, "muted"));
    cards.appendChild(card);
  });
  ["sla-table", "agent-table", "team-table", "day-table"].forEach((id) => clear($(id).querySelector("tbody")));
  Object.entries(o.sla_pickup).forEach(([priority, s]) => row("sla-table",
    [priority === "1" ? "simplified mode" : "normal", duration(s.target_s), s.met, s.eligible, percent(s.attainment)]));
  Object.entries(report.by_agent).forEach(([name, v]) => { const f = v[variant]; row("agent-table",
    [name, f.tickets, f.picked_up, duration(f.pickup_s.mean), duration(f.agent_reply_s.mean), duration(f.agent_reply_s.p90), f.rating.mean ?? "–"]); });
  Object.entries(report.by_team).forEach(([name, v]) => { const f = v[variant]; row("team-table",
    [name, f.tickets, duration(f.pickup_s.mean), percent(f.abandonment_rate), duration(f.resolution_s.mean)]); });
  Object.entries(report.by_day).forEach(([day, v]) => { const f = v[variant]; row("day-table",
    [day, f.tickets, duration(f.pickup_s.mean), duration(f.pickup_s.p90), percent(f.abandonment_rate)]); });
}

$("report-form").addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });
$("report-business").addEventListener("change", loadReport);

// --- start: resume a session if the cookie is still valid -------------------------------------

(async () => {
  try { await startSession(await api("GET", "/api/v1/agent/me")); } catch (error) { showLogin(); }
})();
