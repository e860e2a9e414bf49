// Civic Assistant agent console. Plain JavaScript, no build step, no CDN.
// Everything a citizen typed is shown with textContent, never innerHTML.
"use strict";

const state = { me: null, csrf: null, selected: null, ticket: null, canned: [], events: null, revealed: false, queue: null };
const $ = (id) => document.getElementById(id);
const TITLE = "Civic Assistant – agent console";
const SENDERS = { citizen: "citizen", bot: "assistant", agent: "agent", system: "system" };

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
  state.selected = null;
  if (state.events) { state.events.close(); state.events = null; }
  $("nav").hidden = true;
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = true;
  $("login-view").hidden = false;
  document.title = TITLE;
}

async function startSession(data, fromLogin) {
  state.me = data.agent;
  state.csrf = data.csrf_token;
  $("login-view").hidden = true;
  $("nav").hidden = false;
  const name = data.agent.display_name || data.agent.username;
  $("whoami").textContent = name + " (" + data.agent.role +
    (data.agent.team ? ", " + data.agent.team : "") + ")";
  $("tab-dashboard").hidden = data.agent.role !== "supervisor";
  showDesk();
  state.canned = await api("GET", "/api/v1/agent/canned").catch(() => []);
  await loadColleagues();
  connectEvents();
  await refreshQueue();
  if (fromLogin) focusQueue();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const data = await api("POST", "/api/v1/agent/login", {
      username: $("username").value, password: $("password").value, session: "cookie",
    });
    $("password").value = "";
    await startSession(data, true);
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/v1/agent/logout").catch(() => null);
  state.csrf = null;
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
$("tab-dashboard").addEventListener("click", async () => {
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = false;
  $("tab-dashboard").setAttribute("aria-pressed", "true");
  $("tab-desk").setAttribute("aria-pressed", "false");
  $("dashboard-title").focus();
  await loadReport();
});

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
  source.onopen = () => { $("live").textContent = "live"; $("live").classList.add("on"); };
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").classList.remove("on"); };
  let pending = null;
  source.onmessage = (event) => {
    const [kind, id] = String(event.data).split(":");
    if (pending) clearTimeout(pending);
    pending = setTimeout(async () => {
      pending = null;
      await refreshQueue();
      if (state.selected !== null && Number(id) === state.selected) await openTicket(state.selected, { quiet: true });
      if (!$("dashboard-view").hidden) await loadReport();
    }, 150);
    void kind;
  };
}

// --- the queue ---------------------------------------------------------------------------

const LANGUAGES = { en: "English", zh: "Chinese" };

/** What is left of the pick-up target, in words (never only a colour). */
function slaText(t) {
  if (t.kind !== "live") return null;
  const left = t.sla_target_s - t.waited_s;
  if (t.sla_breached) return "SLA breached " + duration(-left) + " ago (target " + duration(t.sla_target_s) + ")";
  if (t.sla_at_risk) return "At risk: " + duration(left) + " left to pick up";
  return duration(left) + " left to pick up";
}

function ticketItem(t, held, where) {
  const li = el("li");
  const card = el("button", null, "ticket-card");
  card.type = "button";
  card.dataset.ticket = String(t.id);
  card.id = where + "-" + t.id;
  if (state.selected === t.id) card.setAttribute("aria-current", "true");
  if (!held && t.sla_breached) card.classList.add("breached");
  else if (!held && t.sla_at_risk) card.classList.add("at-risk");
  const head = el("span", null, "line");
  head.appendChild(el("strong", "#" + t.id + " "));
  head.appendChild(el("span", [LANGUAGES[t.lang] || t.lang, t.topic || "no topic"].filter(Boolean).join(" · ")));
  card.appendChild(head);
  if (t.simple_mode || t.priority > 0) card.appendChild(el("span", "Simplified mode (priority)", "line"));
  if (t.last_message) card.appendChild(el("span", "“" + t.last_message + "”", "said"));
  const meta = [t.kind === "live" ? null : t.kind, t.team || null, "waited " + duration(t.waited_s),
    held ? "held by " + (t.agent_name || t.agent) : "place " + t.position];
  card.appendChild(el("span", meta.filter(Boolean).join(" · "), "line muted"));
  if (!held) { const sla = slaText(t); if (sla) card.appendChild(el("span", sla, "sla")); }
  if (held && t.awaiting_reply_s !== null) card.appendChild(el("span", "Citizen waiting for a reply " + duration(t.awaiting_reply_s), "sla"));
  card.appendChild(el("span", "conversation " + t.conversation_id, "line muted"));
  card.addEventListener("click", async () => {
    showDesk();
    await openTicket(t.id);
    $("ticket-title").focus();
  });
  li.appendChild(card);
  return li;
}

async function refreshQueue() {
  if (!state.me) return null;
  let data;
  try { data = await api("GET", "/api/v1/agent/queue"); } catch (error) { return null; }
  state.queue = data;
  const waiting = $("waiting"), held = $("held"), dash = $("dash-queue");
  const active = document.activeElement;
  const focused = active && active.classList.contains("ticket-card") ? active.id : null;
  clear(waiting); clear(held); clear(dash);
  data.waiting.forEach((t) => { waiting.appendChild(ticketItem(t, false, "waiting")); dash.appendChild(ticketItem(t, false, "dash")); });
  data.held.forEach((t) => held.appendChild(ticketItem(t, true, "held")));
  $("waiting-count").textContent = String(data.waiting.length);
  $("waiting-empty").hidden = data.waiting.length > 0;
  document.title = (data.waiting.length ? "(" + data.waiting.length + " waiting) " : "") + TITLE;
  if (focused && $(focused)) $(focused).focus();  // a live update keeps the agent's place
  return data;
}

async function loadColleagues() {
  const select = $("transfer-to");
  clear(select);
  select.appendChild(el("option", "Transfer to…")).value = "";
  const agents = await api("GET", "/api/v1/agent/agents").catch(() => []);
  const teams = new Set();
  agents.forEach((a) => {
    if (a.username !== state.me.username) {
      const name = a.display_name && a.display_name !== a.username ? a.display_name + " (" + a.username + ")" : a.username;
      const option = el("option", "agent " + name + (a.team ? ", " + a.team : ""));
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

function closeTicketPane(notice) {
  state.selected = null;
  state.ticket = null;
  $("ticket").hidden = true;
  $("no-ticket").hidden = false;
  $("ticket-notice").textContent = notice || "";
  document.querySelectorAll(".ticket-card[aria-current]").forEach((b) => b.removeAttribute("aria-current"));
}

async function openTicket(id, options = {}) {
  if (state.selected !== id) state.revealed = false;
  state.selected = id;
  state.revealed = state.revealed || !!options.reveal;
  document.querySelectorAll(".ticket-card").forEach((b) => {
    if (b.dataset.ticket === String(id)) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
  });
  let t;
  const query = state.revealed ? "?reveal=true" : "";
  try { t = await api("GET", "/api/v1/agent/tickets/" + id + query); } catch (error) {
    // gone from this agent's view (transferred, closed by a supervisor, …): say so, show nothing stale
    closeTicketPane(error.status === 404 ? "Ticket #" + id + " is no longer yours to see." : error.message);
    return null;
  }
  if (state.selected !== id) return null;  // the agent moved on meanwhile
  const changed = !state.ticket || state.ticket.id !== t.id;
  state.ticket = t;
  $("no-ticket").hidden = true;
  $("ticket").hidden = false;
  $("ticket-notice").textContent = "";
  if (changed) $("ticket-error").textContent = "";
  $("ticket-title").textContent = "#" + t.id + " · " + (LANGUAGES[t.lang] || t.lang) + (t.topic ? " · " + t.topic : "");
  const meta = [t.status, t.kind, "team " + (t.team || "–"), t.simple_mode ? "simplified mode" : null,
    t.holder ? "held by " + (t.holder === state.me.username ? "you (" + t.holder + ")" : t.holder) : null,
    t.callback_at ? "callback " + t.callback_at : null,
    t.contact ? "phone " + t.contact : null, t.rating ? "rating " + t.rating + "/5" : null,
    "conversation " + t.conversation_id];
  $("ticket-meta").textContent = meta.filter(Boolean).join(" · ");
  const mine = t.holder === state.me.username;
  const supervisor = state.me.role === "supervisor";
  const acting = !!t.holder && (mine || supervisor);
  $("claim").hidden = t.status !== "waiting";
  $("release").hidden = !acting;
  $("transfer").hidden = $("transfer-to").hidden = !acting;
  $("reply-form").hidden = !acting;
  $("reveal").hidden = !t.masked || !(mine || supervisor);
  $("close-form").hidden = !acting;
  renderTranscript(t.transcript, changed);
  renderContext(t);
  renderCanned(t.lang);
  return t;
}

/** System lines (queue bookkeeping) are folded into one collapsible group per run. */
function renderTranscript(lines, fresh) {
  const list = $("transcript");
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.first));
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const before = list.querySelectorAll("li[data-id]").length;
  clear(list);
  let group = null;
  lines.forEach((line) => {
    const item = el("li", null, line.sender);
    item.dataset.id = String(line.id);
    item.appendChild(el("span", (SENDERS[line.sender] || line.sender) + " · " + new Date(line.created_at).toLocaleTimeString(), "who"));
    const shown = line.label ? el("span", line.label, "label") : el("span", line.text);
    if (line.label) shown.title = line.text;
    item.appendChild(shown);
    if (line.sender !== "system") { group = null; list.appendChild(item); return; }
    if (!group) {
      group = { node: el("li", null, "system-group"), count: 0 };
      const details = el("details");
      details.dataset.first = String(line.id);
      if (open.has(details.dataset.first)) details.open = true;
      details.appendChild(el("summary"));
      details.appendChild(el("ol"));
      group.node.appendChild(details);
      list.appendChild(group.node);
    }
    group.count += 1;
    group.node.querySelector("summary").textContent = group.count === 1 ? "1 system message" : group.count + " system messages";
    group.node.querySelector("ol").appendChild(item);
  });
  if (fresh || atEnd) list.scrollTop = list.scrollHeight;
  const added = lines.filter((l) => l.sender === "citizen").slice(-1)[0];
  if (!fresh && lines.length > before && added) $("transcript-live").textContent = "Citizen: " + (added.label || added.text);
}

function renderContext(t) {
  $("form-name").textContent = t.form.active_form ? "Active form: " + t.form.active_form : "No form in progress.";
  const slots = $("form-slots");
  clear(slots);
  Object.entries(t.form.slots).forEach(([name, value]) => {
    slots.appendChild(el("dt", name));
    slots.appendChild(el("dd", typeof value === "string" ? value : JSON.stringify(value)));
  });
  $("last-question").textContent = t.last_question ? "“" + t.last_question + "”" : "No question yet.";
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
  const name = state.me.display_name || state.me.username;
  state.canned.forEach((c) => {
    const text = (c.text[lang] || c.text.en || "").replaceAll("{agent}", name);
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

/** Ask before anything that hands the citizen over or ends the conversation. */
function confirmAction(title, text, yes) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-yes").textContent = yes;
  return new Promise((resolve) => {
    const back = document.activeElement;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (back && back.isConnected && dialog.returnValue !== "yes") back.focus();
      resolve(dialog.returnValue === "yes");
    }, { once: true });
    dialog.showModal();
    $("confirm-no").focus();
  });
}

async function act(method, path, body) {
  $("ticket-error").textContent = "";
  try {
    const data = await api(method, path, body);
    await refreshQueue();
    if (state.selected !== null) await openTicket(state.selected, { quiet: true });
    return data;
  } catch (error) {
    $("ticket-error").textContent = error.message;
    return null;
  }
}

/** After a release, transfer or close: the agent's next held ticket, else the queue. */
async function moveOn(done, message) {
  $("ticket-error").textContent = "";
  const queue = await refreshQueue();
  const next = queue && queue.held.find((t) => t.id !== done && (t.agent === state.me.username));
  if (next) {
    await openTicket(next.id);
    $("ticket-notice").textContent = message;
    $("ticket-title").focus();
  } else {
    closeTicketPane(message);
    focusQueue();
  }
}

async function finish(path, body, message) {
  const done = state.selected;
  $("ticket-error").textContent = "";
  try { await api("POST", path, body); } catch (error) {
    $("ticket-error").textContent = error.message;
    return false;
  }
  await moveOn(done, message);
  return true;
}

const ticketPath = (suffix) => "/api/v1/agent/tickets/" + state.selected + "/" + suffix;

async function claim() {
  if (!state.ticket || state.ticket.status !== "waiting") return;
  await act("POST", ticketPath("claim"));
  if (!$("reply-form").hidden) $("reply").focus();
}

$("claim").addEventListener("click", claim);
$("release").addEventListener("click", async () => {
  const id = state.selected;
  if (!await confirmAction("Release ticket #" + id + "?", "The citizen goes back to the queue at their old place, and is told that you had to step away.", "Release")) return;
  await finish(ticketPath("release"), undefined, "Ticket #" + id + " is back in the queue.");
});
$("transfer").addEventListener("click", async () => {
  const target = $("transfer-to").value;
  if (!target) { $("ticket-error").textContent = "Choose an agent or a team to transfer to."; $("transfer-to").focus(); return; }
  const id = state.selected;
  const [kind, name] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  const label = $("transfer-to").selectedOptions[0].textContent;
  if (!await confirmAction("Transfer ticket #" + id + "?", "To " + label + ". You will no longer hold it.", "Transfer")) return;
  await finish(ticketPath("transfer"), kind === "agent" ? { to_agent: name } : { to_team: name },
    "Ticket #" + id + " was transferred to " + label + ".");
});
$("reveal").addEventListener("click", () => openTicket(state.selected, { reveal: true }));

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
$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    $("reply-form").requestSubmit();
  }
});

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  const sent = await act("POST", ticketPath("messages"), { text });
  if (sent) { $("reply").value = ""; $("reply-warning").textContent = sent.warning ? "⚠ Sent, but: " + sent.warning : ""; }
});
$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = state.selected;
  if (!await confirmAction("Close ticket #" + id + "?", "The conversation ends and the assistant asks the citizen for a rating.", "Close ticket")) return;
  if (await finish(ticketPath("close"), { note: $("note").value || null }, "Ticket #" + id + " is closed.")) $("note").value = "";
});

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
  try { report = await api("GET", "/api/v1/reports/handoff?" + params.toString()); } catch (error) {
    $("report-range").textContent = error.message;
    return;
  }
  // the fields show the range the report used (by default the last 7 days)
  if (!$("report-from").value) $("report-from").value = report.from.slice(0, 10);
  if (!$("report-to").value) $("report-to").value = report.to.slice(0, 10);
  $("report-range").textContent = "Tickets requested from " + new Date(report.from).toLocaleString() +
    " to " + new Date(report.to).toLocaleString() + ".";
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
  try { await startSession(await api("GET", "/api/v1/agent/me"), false); } catch (error) { showLogin(); }
})();
