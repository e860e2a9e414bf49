// The agent console's ticket pane: one ticket's transcript, form data and guides, canned
// replies, the simplified-mode warning, and claim / release / transfer / close (asking first).
// Uses console.js's state and helpers (loaded before it). Every word from the catalogues; what a
// citizen typed only ever goes in textContent.
"use strict";
// --- one ticket --------------------------------------------------------------------------

function closeTicketPane(key, values) {
  state.selected = null;
  state.ticket = null;
  $("ticket").hidden = true;
  $("no-ticket").hidden = false;
  say($("ticket-notice"), key, values);
  document.querySelectorAll(".ticket-card[aria-current]").forEach((b) => b.removeAttribute("aria-current"));
}

/** The queue's card of a ticket assigned to someone and not accepted yet, else undefined. */
function offered(id) {
  return state.queue ? state.queue.held.find((h) => h.id === id && !h.accepted) : undefined;
}

async function openTicket(id, options = {}) {
  if (state.selected !== id) state.revealed = false;
  state.selected = id;
  state.revealed = state.revealed || !!options.reveal;
  document.querySelectorAll(".ticket-card").forEach((b) => {
    if (b.dataset.ticket === String(id)) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
  });
  const accepting = offered(id);  // opening a ticket assigned to you accepts it
  let ticket;
  const query = state.revealed ? "?reveal=true" : "";
  try { ticket = await api("GET", "/api/v1/agent/tickets/" + id + query); } catch (error) {
    // gone from this agent's view (transferred, closed by a supervisor, …): say so, show nothing stale
    if (error.status === 404) closeTicketPane("ticket.gone", { id });
    else { closeTicketPane(null); sayProblem($("ticket-notice"), error); }
    return null;
  }
  if (state.selected !== id) return null;  // the agent moved on meanwhile
  const changed = !state.ticket || state.ticket.id !== ticket.id;
  state.ticket = ticket;
  $("no-ticket").hidden = true;
  $("ticket").hidden = false;
  say($("ticket-notice"), null);
  if (changed) { say($("ticket-error"), null); state.warning = null; renderWarning(); }
  renderTicket(ticket, changed);
  if (accepting && accepting.agent === state.me.username) {
    say($("ticket-notice"), "ticket.accepted", { id });
    refreshQueue();
  }
  return ticket;
}

function renderTicket(ticket, fresh) {
  const me = state.me.username;
  $("ticket-title").textContent = [t("ticket.number", { id: ticket.id }), languageName(ticket.lang), ticket.topic].filter(Boolean).join(" · ");
  const waitingAccept = ticket.holder !== me ? offered(ticket.id) : undefined;  // a colleague's, seen by a supervisor
  const meta = [t("ticket_status." + ticket.status), t("kind." + ticket.kind), t("meta.team", { team: ticket.team || "–" }),
    ticket.simple_mode ? t("meta.simple") : null,
    ticket.holder ? (ticket.holder === me ? t("meta.held_by_you", { name: ticket.holder }) : t("meta.held_by", { name: ticket.holder })) : null,
    waitingAccept ? t("meta.not_accepted", { left: I18N.duration(waitingAccept.accept_within_s) }) : null,
    ticket.callback_at ? t("meta.callback", { when: I18N.dateTime(ticket.callback_at) }) : null,
    ticket.contact ? t("meta.phone", { phone: ticket.contact }) : null,
    ticket.rating ? t("meta.rating", { rating: ticket.rating }) : null,
    t("card.conversation", { id: ticket.conversation_id })];
  $("ticket-meta").textContent = meta.filter(Boolean).join(" · ");
  const mine = ticket.holder === me;
  const supervisor = state.me.role === "supervisor";
  const acting = !!ticket.holder && (mine || supervisor);
  $("claim").hidden = ticket.status !== "waiting";
  $("release").hidden = !acting;
  $("transfer").hidden = $("transfer-to").hidden = !acting;
  $("reply-form").hidden = !acting;
  $("reveal").hidden = !ticket.masked || !(mine || supervisor);
  $("close-form").hidden = !acting;
  renderTranscript(ticket.transcript, fresh);
  renderContext(ticket);
  renderCanned(ticket.lang);
}

/** System lines (queue bookkeeping) are folded into one collapsible group per run. */
function renderTranscript(lines, fresh) {
  const list = $("transcript");
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.first));
  const top = list.scrollTop;
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const before = list.querySelectorAll("li[data-id]").length;
  clear(list);
  let group = null;
  lines.forEach((line) => {
    const item = el("li", null, line.sender);
    item.dataset.id = String(line.id);
    item.appendChild(el("span", t("transcript.who", { sender: t("sender." + line.sender), time: I18N.time(line.created_at) }), "who"));
    const words = line.label_wording ? t(line.label_wording.key, line.label_wording.values) : line.label;
    const shown = words ? el("span", words, "label") : el("span", line.text);
    if (words) shown.title = line.text;
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
    group.node.querySelector("summary").textContent = group.count === 1
      ? t("transcript.system_one") : t("transcript.system_many", { count: I18N.number(group.count) });
    group.node.querySelector("ol").appendChild(item);
  });
  list.scrollTop = fresh || atEnd ? list.scrollHeight : top;
  const added = lines.filter((l) => l.sender === "citizen").slice(-1)[0];
  if (!fresh && lines.length > before && added) {
    $("transcript-live").textContent = t("transcript.new", { text: said(added.label_wording, added.label) || added.text });
  }
}

function renderContext(ticket) {
  if (ticket.form.active_form) say($("form-name"), "context.active_form", { form: ticket.form.active_form });
  else say($("form-name"), "context.no_form");
  const slots = $("form-slots");
  clear(slots);
  Object.entries(ticket.form.slots).forEach(([name, value]) => {
    slots.appendChild(el("dt", name));
    slots.appendChild(el("dd", typeof value === "string" ? value : JSON.stringify(value)));
  });
  if (ticket.last_question) $("last-question").textContent = t("text.quote", { text: ticket.last_question });
  else say($("last-question"), "context.no_question");
  const list = $("suggestions");
  clear(list);
  ticket.suggestions.forEach((s) => {
    const li = el("li");
    li.appendChild(el("strong", s.title));
    const section = I18N.has("section." + s.section) ? t("section." + s.section) : s.section;  // a guide's part
    li.appendChild(el("div", t("context.snippet", { section, snippet: s.snippet }), "muted"));
    list.appendChild(li);
  });
  renderUnsettled(ticket);
}

// --- labelling the questions the assistant could not answer (feeds `civic kb calibrate`) --

const guideLists = {};  // lang -> [{guide_id, title}] for the "another guide" list
let unsettledDrawn = null;  // what is on screen (a live refresh with nothing new redraws nothing)

async function guideList(lang) {
  if (!guideLists[lang]) {
    try { guideLists[lang] = await api("GET", "/api/v1/agent/guides?lang=" + encodeURIComponent(lang)); } catch (error) { return []; }
  }
  return guideLists[lang];
}

function labelWords(q) {
  if (!q.labelled) return t("label.none_yet");
  const who = q.labelled_by === state.me.username ? t("label.by_you") : q.labelled_by;
  return q.guide ? t("label.is_guide", { guide: q.guide.title, name: who }) : t("label.is_none", { name: who });
}

function renderUnsettled(ticket, force) {
  const box = $("unsettled-box");
  const list = $("unsettled");
  const questions = ticket.unsettled || [];
  const acting = ticket.holder === state.me.username || state.me.role === "supervisor" || ticket.status !== "waiting";
  const drawn = JSON.stringify([ticket.id, I18N.lang, acting, questions]);
  if (!force && drawn === unsettledDrawn) return;
  unsettledDrawn = drawn;
  box.hidden = !questions.length;
  clear(list);
  questions.forEach((q) => {
    const li = el("li");
    li.dataset.message = String(q.message_id);
    li.appendChild(el("div", t("text.quote", { text: q.text }), "question"));
    li.appendChild(el("div", t("label.outcome." + q.outcome, { time: I18N.time(q.at) }), "muted"));
    const status = el("div", labelWords(q), "label-state");
    li.appendChild(status);
    if (!acting) { list.appendChild(li); return; }
    const group = el("div", null, "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("label.choices", { text: q.text.length > 60 ? q.text.slice(0, 57) + "…" : q.text }));
    const chosen = q.labelled ? (q.guide ? q.guide.guide_id : "") : null;
    const choices = q.choices.slice();
    if (q.guide && !choices.some((c) => c.guide_id === q.guide.guide_id)) choices.unshift(q.guide);
    choices.forEach((c) => group.appendChild(labelButton(ticket, q, c.guide_id, c.title, chosen)));
    group.appendChild(labelButton(ticket, q, "", t("label.no_guide"), chosen));
    li.appendChild(group);
    const other = el("div", null, "other");
    const select = el("select");
    select.setAttribute("aria-label", t("label.other_label"));
    say(select.appendChild(el("option")), "label.other").value = "";
    select.addEventListener("focus", async () => {
      if (select.options.length > 1) return;
      (await guideList(ticket.lang)).forEach((g) => { const o = el("option", g.title); o.value = g.guide_id; select.appendChild(o); });
    }, { once: true });
    const apply = el("button", t("label.apply"), "secondary");
    apply.type = "button";
    apply.addEventListener("click", () => {
      if (!select.value) { select.focus(); return; }
      sendLabel(ticket, q, select.value, select.selectedOptions[0].textContent);
    });
    other.appendChild(select);
    other.appendChild(apply);
    li.appendChild(other);
    list.appendChild(li);
  });
}

function labelButton(ticket, q, guideId, title, chosen) {
  const button = el("button", title, "secondary");
  button.type = "button";
  button.dataset.guide = guideId;
  button.setAttribute("aria-pressed", String(chosen === guideId));
  button.addEventListener("click", () => sendLabel(ticket, q, guideId, title));
  return button;
}

async function sendLabel(ticket, q, guideId, title) {
  say($("ticket-error"), null);
  try {
    const saved = await api("POST", "/api/v1/agent/tickets/" + ticket.id + "/labels", { message_id: q.message_id, guide_id: guideId || null });
    Object.assign(q, { labelled: true, guide: saved.guide, labelled_by: saved.labelled_by });
  } catch (error) {
    sayProblem($("ticket-error"), error, { 404: "label.error.gone", 422: "label.error.guide" });
    return;
  }
  const focused = document.activeElement;
  const where = focused && focused.dataset ? focused.dataset.guide : undefined;
  renderUnsettled(ticket, true);
  say($("label-status"), guideId ? "label.saved_guide" : "label.saved_none", { guide: title });
  // keep the keyboard where it was: on the same choice of the same question
  const item = $("unsettled").querySelector('li[data-message="' + q.message_id + '"]');
  const again = item && where !== undefined ? [...item.querySelectorAll("button[data-guide]")].find((b) => b.dataset.guide === where) : null;
  if (again) again.focus();
  else if (item) (item.querySelector("button[data-guide]") || item).focus();
}

function renderCanned(lang) {
  const select = $("canned");
  clear(select);
  say(select.appendChild(el("option")), "ticket.canned").value = "";
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

/** Ask before anything that hands the citizen over or ends the conversation (keys: the
 * catalogue's title, text and yes-button words; values: their placeholders). */
function confirmAction(keys, values) {
  const dialog = $("confirm");
  say($("confirm-title"), keys[0], values);
  say($("confirm-text"), keys[1], values);
  say($("confirm-yes"), keys[2]);
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

const NOT_HELD = { 404: "ticket.error.gone", 409: "ticket.error.not_held" };

async function act(method, path, body, keys) {
  say($("ticket-error"), null);
  try {
    const data = await api(method, path, body);
    await refreshQueue();
    if (state.selected !== null) await openTicket(state.selected, { quiet: true });
    return data;
  } catch (error) {
    sayProblem($("ticket-error"), error, keys || NOT_HELD);
    return null;
  }
}

/** After a release, transfer or close: the agent's next held ticket, else the queue. */
async function moveOn(done, key, values) {
  say($("ticket-error"), null);
  const queue = await refreshQueue();
  const next = queue && queue.held.find((h) => h.id !== done && (h.agent === state.me.username));
  if (next) {
    await openTicket(next.id);
    say($("ticket-notice"), key, values);
    $("ticket-title").focus();
  } else {
    closeTicketPane(key, values);
    focusQueue();
  }
}

async function finish(path, body, key, values) {
  const done = state.selected;
  say($("ticket-error"), null);
  try { await api("POST", path, body); } catch (error) {
    sayProblem($("ticket-error"), error, NOT_HELD);
    return false;
  }
  await moveOn(done, key, values);
  return true;
}

const ticketPath = (suffix) => "/api/v1/agent/tickets/" + state.selected + "/" + suffix;

async function claim() {
  if (!state.ticket || state.ticket.status !== "waiting") return;
  await act("POST", ticketPath("claim"), undefined, { 404: "ticket.error.claim", 409: "ticket.error.claim" });
  if (!$("reply-form").hidden) $("reply").focus();
}

$("claim").addEventListener("click", claim);
$("release").addEventListener("click", async () => {
  const id = state.selected;
  if (!await confirmAction(["release.title", "release.text", "release.yes"], { id })) return;
  await finish(ticketPath("release"), undefined, "release.done", { id });
});
$("transfer").addEventListener("click", async () => {
  const target = $("transfer-to").value;
  if (!target) { say($("ticket-error"), "transfer.missing"); $("transfer-to").focus(); return; }
  const id = state.selected;
  const [kind, name] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  const label = $("transfer-to").selectedOptions[0].textContent;
  if (!await confirmAction(["transfer.title", "transfer.text", "transfer.yes"], { id, target: label })) return;
  await finish(ticketPath("transfer"), kind === "agent" ? { to_agent: name } : { to_team: name }, "transfer.done", { id, target: label });
});
$("reveal").addEventListener("click", () => openTicket(state.selected, { reveal: true }));

// Simplified mode: warn while the agent types a reply that is too long or too hard.
function renderWarning() {
  const w = state.warning;
  $("reply-warning").textContent = w && w.wording ? t(w.sent ? "warning.sent" : "warning.shown", { warning: t(w.wording.key, w.wording.values) }) : "";
}

let checkTimer = null;
$("reply").addEventListener("input", () => {
  clearTimeout(checkTimer);
  const text = $("reply").value.trim();
  if (!text || !state.ticket || !state.ticket.simple_mode) { state.warning = null; renderWarning(); return; }
  checkTimer = setTimeout(async () => {
    try {
      const result = await api("POST", ticketPath("check"), { text });
      state.warning = { sent: false, wording: result.warning_wording };
    } catch (error) { state.warning = null; }
    renderWarning();
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
  if (sent) {
    $("reply").value = "";
    state.warning = { sent: true, wording: sent.warning_wording };
    renderWarning();
  }
});
$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = state.selected;
  if (!await confirmAction(["close.title", "close.text", "close.yes"], { id })) return;
  if (await finish(ticketPath("close"), { note: $("note").value || null }, "close.done", { id })) $("note").value = "";
});
