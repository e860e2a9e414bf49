// The agent desk in the console: availability (online / away / offline, a heartbeat), alerts
// (a desktop notification and a sound, with a mute) for a ticket assigned to you, a citizen's
// reply, a callback falling due and an SLA at risk; the console's language; and, for
// supervisors, the management of accounts and canned replies.
// Every word comes from the catalogues (I18N.t); citizen text only ever goes in textContent.
// Requests go through Api (request.js), the helper console.js uses too.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const t = (key, values) => I18N.t(key, values);
  const api = (method, path, body) => Api.request(method, path, body);
  const HEARTBEAT_MS = 20000;
  const desk = {
    me: null, events: null, beat: null, active: false, held: new Map(), waiting: new Set(), audio: null,
    accounts: null, canned: null, link: null,
    statusChanges: 0,  // the agent's own status changes: an answer older than the last one is stale
  };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k.startsWith("data-")) node.setAttribute(k, v);
      else if (k in node) node[k] = v;
      else node.setAttribute(k, v);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function named(tag, key, attrs) {  // an element whose words follow the language
    const node = el(tag, attrs, t(key));
    node.dataset.i18n = key;
    return node;
  }

  // --- alerts ---------------------------------------------------------------------------

  const muted = () => localStorage.getItem("civic-console-muted") === "1";
  function beep() {
    if (muted()) return;
    try {
      desk.audio = desk.audio || new AudioContext();
      const tone = desk.audio.createOscillator();
      const gain = desk.audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, desk.audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, desk.audio.currentTime + 0.4);
      tone.connect(gain).connect(desk.audio.destination);
      tone.start();
      tone.stop(desk.audio.currentTime + 0.4);
    } catch (_) { /* no audio device: the banner and the notification remain */ }
  }
  function alert(key, values) {
    const text = t(key, values);
    I18N.say($("desk-banner"), key, values);
    if (muted()) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      try { new Notification(t("alert.title"), { body: text, tag: key + (values && values.ticket) }); } catch (_) { /* ignore */ }
    }
  }
  function renderMute() {
    const button = $("desk-mute");
    button.setAttribute("aria-pressed", muted() ? "true" : "false");
    button.textContent = t(muted() ? "alert.unmute" : "alert.mute");
  }

  // --- availability ---------------------------------------------------------------------

  function showStatus(status) {
    $("desk-status").value = status;
    $("desk-dot").dataset.status = status;
  }
  async function heartbeat() {
    const active = desk.active;
    desk.active = false;
    const changes = desk.statusChanges;
    try {
      const { status } = await api("POST", "/api/v1/agent/heartbeat", { active });
      // the agent changed their status while this heartbeat was on its way: its answer is
      // older than that change (it would put the old status back on screen)
      if (changes !== desk.statusChanges) return;
      if ($("desk-status").value === "online" && status === "away") alert("alert.set_away");
      showStatus(status);
    } catch (error) {
      if (error.status === 401) stop();
    }
  }
  async function refreshQueue() {
    const queue = await api("GET", "/api/v1/agent/queue").catch(() => null);
    if (!queue) return;
    desk.held = new Map(queue.held.filter((h) => h.agent === desk.me.username).map((h) => [h.id, h]));
    desk.waiting = new Set(queue.waiting.map((w) => w.id));
  }
  async function onEvent(data) {
    const [kind, raw] = String(data).split(":");
    const ticket = Number(raw);
    if (kind === "presence") {
      const mine = await api("GET", "/api/v1/agent/presence").catch(() => null);
      if (mine) showStatus(mine.status);
      return;
    }
    if (!["assigned", "citizen_replied", "callback_due", "sla_at_risk"].includes(kind)) return;
    await refreshQueue();
    const held = desk.held.get(ticket);
    if (kind === "assigned" && held && !held.accepted) {
      alert("alert.assigned", { ticket, seconds: held.accept_within_s });
    } else if (kind === "citizen_replied" && held) {
      alert("alert.reply", { ticket });
    } else if (kind === "callback_due" && desk.waiting.has(ticket)) {
      alert("alert.callback_due", { ticket });
    } else if (kind === "sla_at_risk" && desk.waiting.has(ticket)) {
      alert("alert.sla_at_risk", { ticket });
    }
  }

  // --- management (supervisors) ---------------------------------------------------------

  const ROLES = ["agent", "supervisor", "caseworker", "editor"];
  function roleSelect(value, label) {
    const select = el("select", { "aria-label": label });
    ROLES.forEach((role) => {
      const option = named("option", "role." + role);
      option.value = role;
      select.appendChild(option);
    });
    select.value = value;
    return select;
  }
  const languages = (text) => text.split(/[\s,，]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
  function confirmTwice(button, key, action) {  // the first press asks, the second acts
    button.addEventListener("click", async () => {
      if (button.dataset.armed !== "1") {
        button.dataset.armed = "1";
        button.textContent = t("manage.confirm");
        setTimeout(() => { button.dataset.armed = ""; button.textContent = t(key); }, 5000);
        return;
      }
      button.dataset.armed = "";
      button.textContent = t(key);
      await action();
    });
  }
  const REFUSED = { 404: "manage.error.missing", 409: "manage.error.conflict", 422: "manage.error.invalid" };
  function manageError(error) {
    if (error) I18N.say($("manage-error"), Api.problemKey(error, REFUSED), { status: error.status || 0 });
    else I18N.say($("manage-error"), null);
  }
  function showLink(link) {
    desk.link = link;
    const box = $("manage-link");
    box.textContent = "";
    if (!link) return;
    box.appendChild(el("span", {}, t("manage.link_once", { until: I18N.dateTime(link.expires_at) }) + " "));
    box.appendChild(el("code", {}, location.origin + link.set_password_url));
  }

  async function loadAccounts() {
    const rows = await api("GET", "/api/v1/manage/accounts").catch(manageError);
    if (!rows) return;
    desk.accounts = rows;
    renderAccounts(rows);
  }
  function renderAccounts(rows) {
    const body = $("accounts-table").tBodies[0];
    body.textContent = "";
    rows.forEach((account) => {
      const who = account.username;
      const tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, who));
      const role = roleSelect(account.role, t("manage.role") + " " + who);
      const team = el("input", { value: account.team || "", size: 10, "aria-label": t("manage.team") + " " + who });
      const langs = el("input", { value: account.languages.join(", "), size: 8, "aria-label": t("manage.languages") + " " + who });
      const capacity = el("input", { type: "number", min: 0, max: 50, value: account.capacity ?? "", "aria-label": t("manage.capacity") + " " + who });
      [role, team, langs, capacity].forEach((input) => tr.appendChild(el("td")).appendChild(input));
      tr.appendChild(el("td", {}, t("status." + account.status) + (account.active ? "" : " · " + t("manage.disabled"))));
      const actions = el("td");
      const save = named("button", "manage.save", { type: "button" });
      save.addEventListener("click", async () => {
        const change = { role: role.value, team: team.value.trim() || null, languages: languages(langs.value),
          capacity: capacity.value === "" ? null : Number(capacity.value) };
        try { await api("POST", `/api/v1/manage/accounts/${encodeURIComponent(who)}`, change); manageError(null); loadAccounts(); } catch (error) { manageError(error); }
      });
      const toggleKey = account.active ? "manage.disable" : "manage.enable";
      const toggle = named("button", toggleKey, { type: "button", className: "secondary" });
      confirmTwice(toggle, toggleKey, async () => {
        try { await api("POST", `/api/v1/manage/accounts/${encodeURIComponent(who)}`, { active: !account.active }); manageError(null); loadAccounts(); } catch (error) { manageError(error); }
      });
      const reset = named("button", "manage.reset", { type: "button", className: "secondary" });
      confirmTwice(reset, "manage.reset", async () => {
        try { showLink(await api("POST", `/api/v1/manage/accounts/${encodeURIComponent(who)}/reset-password`)); manageError(null); } catch (error) { manageError(error); }
      });
      [save, toggle, reset].forEach((b) => actions.appendChild(b));
      tr.appendChild(actions);
      body.appendChild(tr);
    });
  }

  async function loadCanned() {
    const rows = await api("GET", "/api/v1/manage/canned").catch(manageError);
    if (!rows) return;
    desk.canned = rows;
    renderCanned(rows);
  }
  function renderCanned(rows) {
    const body = $("canned-table").tBodies[0];
    body.textContent = "";
    rows.forEach((reply) => {
      const tr = el("tr");
      const label = `${reply.title} (${reply.lang})`;
      const team = el("input", { value: reply.team || "", size: 10, "aria-label": t("manage.team") + " " + label });
      const lang = el("select", { "aria-label": t("manage.lang") + " " + label });
      ["en", "zh"].forEach((code) => lang.appendChild(el("option", { value: code }, code)));
      lang.value = reply.lang;
      const title = el("input", { value: reply.title, size: 14, "aria-label": t("manage.title") + " " + label });
      const text = el("textarea", { rows: 2, cols: 40, "aria-label": t("manage.text") + " " + label });
      text.value = reply.text;
      [team, lang, title, text].forEach((input) => tr.appendChild(el("td")).appendChild(input));
      const actions = el("td");
      const save = named("button", "manage.save", { type: "button" });
      save.addEventListener("click", async () => {
        try {
          await api("POST", `/api/v1/manage/canned/${reply.id}`, { team: team.value.trim() || null, lang: lang.value, title: title.value, text: text.value });
          manageError(null);
          loadCanned();
        } catch (error) { manageError(error); }
      });
      const remove = named("button", "manage.delete", { type: "button", className: "secondary" });
      confirmTwice(remove, "manage.delete", async () => {
        try { await api("POST", `/api/v1/manage/canned/${reply.id}/delete`); manageError(null); loadCanned(); } catch (error) { manageError(error); }
      });
      actions.append(save, remove);
      tr.appendChild(actions);
      body.appendChild(tr);
    });
  }

  function buildManage() {
    const view = el("section", { id: "manage-view", hidden: true, "aria-labelledby": "manage-title" });
    view.appendChild(named("h2", "manage.heading", { id: "manage-title", tabIndex: -1 }));
    view.appendChild(el("p", { id: "manage-error", className: "error", role: "alert" }));
    view.appendChild(el("p", { id: "manage-link", className: "link-once", role: "status" }));

    const accounts = el("section", { "aria-labelledby": "accounts-title" });
    accounts.appendChild(named("h2", "manage.accounts", { id: "accounts-title" }));
    const add = el("form", { id: "account-add" });
    const field = (key, input) => { const label = el("label"); label.append(named("span", key), input); add.appendChild(label); return input; };
    const username = field("manage.username", el("input", { required: true, minLength: 2, maxLength: 100, autocomplete: "off" }));
    const role = field("manage.role", roleSelect("agent"));
    role.removeAttribute("aria-label");
    const team = field("manage.team", el("input", { size: 10 }));
    const langs = field("manage.languages", el("input", { size: 8, placeholder: "en, zh" }));
    const capacity = field("manage.capacity", el("input", { type: "number", min: 0, max: 50 }));
    add.appendChild(named("button", "manage.add", { type: "submit" }));
    add.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const added = await api("POST", "/api/v1/manage/accounts", {
          username: username.value.trim(), role: role.value, team: team.value.trim() || null,
          languages: languages(langs.value), capacity: capacity.value === "" ? null : Number(capacity.value),
        });
        showLink(added);
        manageError(null);
        add.reset();
        loadAccounts();
      } catch (error) { manageError(error); }
    });
    accounts.appendChild(add);
    const table = el("table", { id: "accounts-table" });
    const head = table.createTHead().insertRow();
    ["manage.username", "manage.role", "manage.team", "manage.languages", "manage.capacity", "manage.status", "manage.actions"]
      .forEach((key) => head.appendChild(named("th", key, { scope: "col" })));
    table.createTBody();
    accounts.appendChild(el("div", { className: "table-wrap", tabIndex: 0, role: "group", "aria-labelledby": "accounts-title" })).appendChild(table);
    view.appendChild(accounts);

    const canned = el("section", { "aria-labelledby": "canned-title" });
    canned.appendChild(named("h2", "manage.canned", { id: "canned-title" }));
    canned.appendChild(named("p", "manage.placeholders", { className: "muted" }));
    const form = el("form", { id: "canned-add" });
    const cfield = (key, input) => { const label = el("label"); label.append(named("span", key), input); form.appendChild(label); return input; };
    const cteam = cfield("manage.team", el("input", { size: 10 }));
    const clang = cfield("manage.lang", el("select"));
    ["en", "zh"].forEach((code) => clang.appendChild(el("option", { value: code }, code)));
    const ctitle = cfield("manage.title", el("input", { required: true, maxLength: 100 }));
    const ctext = cfield("manage.text", el("textarea", { required: true, rows: 2, cols: 40, maxLength: 4000 }));
    form.appendChild(named("button", "manage.add", { type: "submit" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/api/v1/manage/canned", { team: cteam.value.trim() || null, lang: clang.value, title: ctitle.value, text: ctext.value });
        manageError(null);
        form.reset();
        loadCanned();
      } catch (error) { manageError(error); }
    });
    canned.appendChild(form);
    const ctable = el("table", { id: "canned-table" });
    const chead = ctable.createTHead().insertRow();
    ["manage.team", "manage.lang", "manage.title", "manage.text", "manage.actions"]
      .forEach((key) => chead.appendChild(named("th", key, { scope: "col" })));
    ctable.createTBody();
    canned.appendChild(el("div", { className: "table-wrap", tabIndex: 0, role: "group", "aria-labelledby": "canned-title" })).appendChild(ctable);
    view.appendChild(canned);
    document.querySelector("main").appendChild(view);

    const tab = named("button", "manage.tab", { type: "button", id: "tab-manage", className: "tab" });
    tab.setAttribute("aria-pressed", "false");
    const anchor = $("tab-dashboard") || $("logout");
    anchor.after(tab);
    tab.addEventListener("click", () => {
      ["desk-view", "dashboard-view"].forEach((id) => { if ($(id)) $(id).hidden = true; });
      document.querySelectorAll("#nav .tab").forEach((b) => { b.classList.remove("active"); b.setAttribute("aria-pressed", "false"); });
      tab.classList.add("active");
      tab.setAttribute("aria-pressed", "true");
      view.hidden = false;
      $("manage-title").focus();
      loadAccounts();
      loadCanned();
    });
    ["tab-desk", "tab-dashboard"].forEach((id) => {
      if ($(id)) $(id).addEventListener("click", () => { view.hidden = true; tab.classList.remove("active"); tab.setAttribute("aria-pressed", "false"); });
    });
  }

  // --- start and stop with the session ----------------------------------------------------

  function buildControls(canDesk) {
    const box = el("span", { id: "desk-controls", className: "desk-controls" });
    if (canDesk) {
      box.appendChild(el("span", { id: "desk-dot", className: "presence-dot", "aria-hidden": "true" }));
      const status = el("select", { id: "desk-status" });
      status.dataset.i18nLabel = "status.label";
      status.setAttribute("aria-label", t("status.label"));
      ["online", "away", "offline"].forEach((s) => { const o = named("option", "status." + s); o.value = s; status.appendChild(o); });
      status.addEventListener("change", async () => {
        const change = ++desk.statusChanges;
        try {
          const answer = await api("POST", "/api/v1/agent/status", { status: status.value });
          if (change === desk.statusChanges) showStatus(answer.status);  // (not a later change's)
        } catch (_) { /* shown on the next heartbeat */ }
      });
      box.appendChild(status);
      const mute = el("button", { type: "button", id: "desk-mute", className: "secondary" });
      mute.addEventListener("click", () => {
        localStorage.setItem("civic-console-muted", muted() ? "0" : "1");
        renderMute();
        if ("Notification" in window && Notification.permission === "default" && !muted()) Notification.requestPermission();
      });
      box.appendChild(mute);
    }
    const switcher = el("button", { type: "button", id: "desk-lang", className: "secondary", lang: I18N.other() === "zh" ? "zh-CN" : "en" });
    switcher.dataset.i18n = "lang.switch";
    switcher.dataset.i18nLabel = "lang.switch_label";
    switcher.textContent = t("lang.switch");
    switcher.addEventListener("click", async () => {
      const lang = await I18N.load(I18N.other());
      switcher.lang = I18N.other() === "zh" ? "zh-CN" : "en";
      await api("POST", "/api/v1/agent/console-lang", { lang }).catch(() => null);
    });
    box.appendChild(switcher);
    $("logout").before(box);
    if (canDesk) renderMute();
  }

  async function start() {
    if (desk.me) return;
    const me = await api("GET", "/api/v1/agent/me").catch(() => null);
    if (!me) return;
    desk.me = me.agent;
    if (!Api.csrf) Api.csrf = me.csrf_token;
    await I18N.ready;
    if (desk.me.console_lang && desk.me.console_lang !== I18N.lang) await I18N.load(desk.me.console_lang).catch(() => null);
    const canDesk = desk.me.role === "agent" || desk.me.role === "supervisor";
    const banner = el("p", { id: "desk-banner", className: "desk-banner", role: "status" });
    document.querySelector("header").after(banner);
    buildControls(canDesk);
    if (desk.me.role === "supervisor") buildManage();
    if (!canDesk) return;
    const presence = await api("GET", "/api/v1/agent/presence").catch(() => null);
    showStatus(presence ? presence.status : "offline");
    ["keydown", "pointerdown"].forEach((name) => document.addEventListener(name, () => { desk.active = true; }, { passive: true }));
    desk.beat = setInterval(heartbeat, HEARTBEAT_MS);
    desk.events = new EventSource("/api/v1/agent/events");
    desk.events.onmessage = (event) => onEvent(event.data);
    await refreshQueue();
  }

  function stop() {
    if (!desk.me) return;
    desk.me = null;
    desk.accounts = desk.canned = desk.link = null;
    if (desk.events) desk.events.close();
    clearInterval(desk.beat);
    ["desk-controls", "desk-banner", "manage-view", "tab-manage"].forEach((id) => { if ($(id)) $(id).remove(); });
  }

  // another language: what is drawn from data is drawn again (data-i18n words follow by themselves)
  document.addEventListener("i18n:changed", () => {
    if (!desk.me) return;
    if ($("desk-mute")) renderMute();
    if ($("manage-view")) {
      if (desk.accounts) renderAccounts(desk.accounts);
      if (desk.canned) renderCanned(desk.canned);
      showLink(desk.link);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const nav = $("nav");
    if (!nav) return;
    const follow = () => (nav.hidden ? stop() : start());
    new MutationObserver(follow).observe(nav, { attributes: true, attributeFilter: ["hidden"] });
    follow();
  });
})();
