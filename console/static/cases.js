// The back office: cases for caseworkers and supervisors. Plain JavaScript, no build step.
// Everything a citizen typed goes into the page with textContent, never as HTML.
"use strict";

const state = { me: null, csrf: null, selected: null, reveal: false };
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function say(text, ok) {
  const line = $("case-status");
  line.textContent = text;
  line.className = ok ? "ok" : "error";
}

function hours(seconds) {
  return (seconds / 3600).toFixed(1) + " h";
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
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function showLogin() {
  state.me = null;
  $("nav").hidden = true;
  $("office-view").hidden = true;
  $("login-view").hidden = false;
}

async function start(data) {
  state.me = data.agent;
  state.csrf = data.csrf_token;
  $("login-view").hidden = true;
  $("nav").hidden = false;
  $("whoami").textContent = `${data.agent.username} (${data.agent.role})`;
  $("office-view").hidden = false;
  $("supervisor-pane").hidden = data.agent.role !== "supervisor";
  await loadCases();
  if (data.agent.role === "supervisor") await loadSupervisor();
  $("case-list").focus();
}

async function loadCases() {
  const params = new URLSearchParams();
  for (const name of ["form", "status", "assignee", "sla"]) {
    const value = $("f-" + name).value.trim();
    if (value) params.set(name, value);
  }
  $("list-error").textContent = "";
  const list = $("case-list");
  try {
    const data = await api("GET", "/api/v1/backoffice/cases?" + params);
    list.replaceChildren();
    if (!data.cases.length) list.append(el("li", "No cases.", "muted"));
    for (const item of data.cases) {
      const li = el("li");
      if (item.sla_breached) li.classList.add("breached");
      if (item.reference === state.selected) li.classList.add("selected");
      const button = el("button", null, "case");
      button.type = "button";
      button.append(el("strong", item.reference), document.createTextNode(" " + item.title),
        el("span", `${item.status_label} · ${item.team || "no team"} · ${item.assignee || "unassigned"}`, "muted"),
        el("span", `SLA ${hours(item.business_s)} of ${hours(item.sla_s)}${item.sla_breached ? " · over" : ""}`, item.sla_breached ? "sla" : "muted"));
      for (const span of button.querySelectorAll("span")) span.style.display = "block";
      button.addEventListener("click", () => openCase(item.reference));
      li.append(button);
      list.append(li);
    }
  } catch (error) {
    $("list-error").textContent = error.message;
  }
}

async function openCase(reference, keepFocus) {
  state.selected = reference;
  const query = state.reveal ? "?reveal=true" : "";
  const data = await api("GET", `/api/v1/backoffice/cases/${encodeURIComponent(reference)}${query}`);
  $("case-pane").hidden = false;
  $("case-title").textContent = `${data.reference} · ${data.title}`;
  const facts = $("case-facts");
  facts.replaceChildren();
  const rows = [["Status", data.status_label], ["Team", data.team || "—"], ["Assignee", data.assignee || "—"],
    ["Language", data.lang], ["Channel", data.channel], ["Submitted", new Date(data.created_at).toLocaleString()],
    ["SLA", `${hours(data.business_s)} of ${hours(data.sla_s)}${data.sla_breached ? " (over)" : ""}`],
    ["Rating", data.rating === null ? "—" : `${data.rating} of 5`]];
  for (const [name, value] of rows) facts.append(el("dt", name), el("dd", value));
  const answers = $("case-answers");
  answers.replaceChildren();
  for (const [name, value] of Object.entries(data.answers)) {
    answers.append(el("dt", name), el("dd", typeof value === "object" ? JSON.stringify(value) : value));
  }
  $("reveal").hidden = !data.masked;
  const events = $("case-events");
  events.replaceChildren();
  for (const event of data.events) {
    const move = event.kind === "status" ? `${event.from_status} → ${event.to_status}` : event.kind.replace("_", " ");
    const li = el("li", `${new Date(event.at).toLocaleString()} · ${event.actor} · ${move}`);
    if (event.note) li.append(el("div", event.note));
    const photo = event.detail && event.detail.photo;
    if (photo && photo.href) {
      const link = el("a", "Photo from the citizen");
      link.href = photo.href;
      link.target = "_blank";
      link.rel = "noopener";
      li.append(document.createTextNode(" "), link);
    } else if (photo && photo.url) {
      li.append(el("div", "Photo: " + photo.url));
    }
    events.append(li);
  }
  const select = $("s-status");
  select.replaceChildren();
  for (const move of data.moves) {
    const option = el("option", move.label);
    option.value = move.status;
    select.append(option);
  }
  $("status-form").hidden = data.moves.length === 0;
  const lines = $("case-conversation");
  lines.replaceChildren();
  for (const line of data.conversation) {
    const li = el("li", line.text);
    li.prepend(el("span", line.sender, "who"));
    lines.append(li);
  }
  $("case-status").textContent = "";
  if (!keepFocus) $("case-title").focus();
}

async function loadSupervisor() {
  const dead = $("dead-letters");
  dead.replaceChildren();
  for (const letter of await api("GET", "/api/v1/backoffice/dead-letters")) {
    const li = el("li", `${letter.reference} · ${letter.event_type} · ${letter.attempts} attempts · ${letter.last_error || ""}`);
    const button = el("button", "Send again");
    button.type = "button";
    button.setAttribute("aria-label", `Send ${letter.reference} ${letter.event_type} again`);
    button.addEventListener("click", async () => {
      await api("POST", `/api/v1/backoffice/dead-letters/${letter.id}/replay`);
      await loadSupervisor();
    });
    li.append(document.createTextNode(" "), button);
    dead.append(li);
  }
  if (!dead.children.length) dead.append(el("li", "None.", "muted"));
  const reviews = $("reviews");
  reviews.replaceChildren();
  for (const review of await api("GET", "/api/v1/backoffice/reviews")) {
    const li = el("li", `${review.reference} · rated ${review.rating} of 5 · ${review.assignee || "unassigned"}`);
    const button = el("button", "Done");
    button.type = "button";
    button.setAttribute("aria-label", `Review of ${review.reference} done`);
    button.addEventListener("click", async () => {
      await api("POST", `/api/v1/backoffice/reviews/${review.id}/resolve`, {});
      await loadSupervisor();
    });
    li.append(document.createTextNode(" "), button);
    reviews.append(li);
  }
  if (!reviews.children.length) reviews.append(el("li", "None.", "muted"));
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      const data = await api("POST", "/api/v1/agent/login", {
        username: $("username").value, password: $("password").value, session: "cookie",
      });
      await start(data);
    } catch (error) {
      $("login-error").textContent = error.message;
    }
  });
  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/v1/agent/logout").catch(() => null);
    showLogin();
  });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadCases(); });
  $("reveal").addEventListener("click", () => { state.reveal = true; openCase(state.selected, true); });
  $("status-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/backoffice/cases/${encodeURIComponent(state.selected)}/status`, {
        status: $("s-status").value, note: $("s-note").value.trim() || null, urgent: $("s-urgent").checked,
      });
      $("s-note").value = "";
      await openCase(state.selected, true);
      await loadCases();
      say("Status saved; the citizen will be told.", true);
    } catch (error) {
      say(error.message, false);
    }
  });
  $("assign-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/backoffice/cases/${encodeURIComponent(state.selected)}/assign`, {
        assignee: $("a-assignee").value.trim() || null, team: $("a-team").value.trim() || null,
      });
      await openCase(state.selected, true);
      await loadCases();
      say("Assigned.", true);
    } catch (error) {
      say(error.message, false);
    }
  });
  try {
    const me = await api("GET", "/api/v1/agent/me");
    await start(me);
  } catch (error) {
    showLogin();
    if (error.status === 403) $("login-error").textContent = error.message;
  }
});
