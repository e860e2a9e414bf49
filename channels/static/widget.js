/* Civic Assistant chat widget: no build step, no dependencies, no CDN.
 *
 * Embed:  <script src="https://GATEWAY/static/chat/widget.js" defer></script>
 * Inline: put <div id="civic-chat"></div> in the page; otherwise a "Chat" launcher appears.
 * Options (attributes of the script tag): data-lang="en|zh", data-title="...".
 *
 * Everything the citizen or an agent wrote is put in the page with textContent, never as HTML.
 * Public API: window.civicChat.{send(text, payload), disconnect(), connect()}.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/static/chat/widget.js", window.location.href);
  var origin = base.origin;
  var wsBase = origin.replace(/^http/, "ws") + "/ws/chat";
  var TOKEN_KEY = "civic-chat-token:" + origin;
  var LANG_KEY = "civic-chat-lang:" + origin;

  var UI = {
    en: {
      title: "Lakeside City assistant", language: "Language", simple: "Simple mode",
      person: "Talk to a person", send: "Send", label: "Your message",
      placeholder: "Type your question", typing: "The assistant is typing…",
      you: "You", bot: "Assistant", agent: "Agent", system: "Info",
      offline: "Connection lost. Reconnecting…", online: "", open: "Chat with us",
      close: "Close chat", conversation: "Conversation", queued: "Waiting for a person",
      position: "Place in the queue: ",
      personText: "Talk to a person",
      simpleOn: "Simple mode: on", simpleOff: "Simple mode: off",
      waiting: "Waiting · place ", waitingNoPlace: "Waiting for a person",
      greeting: "Hello! I answer questions about city services, in English or Chinese. " +
        "Type your question below, or try one of these:",
      examples: ["How do I renew my passport?", "How do I get a senior citizen card?",
        "A streetlight on my street is broken"],
      examplesLabel: "Example questions"
    },
    zh: {
      title: "湖滨市智能助手", language: "语言", simple: "长辈模式",
      person: "转人工", send: "发送", label: "您的消息",
      placeholder: "请输入您的问题", typing: "助手正在输入…",
      you: "我", bot: "助手", agent: "客服", system: "提示",
      offline: "连接已断开，正在重新连接…", online: "", open: "在线咨询",
      close: "关闭对话", conversation: "对话记录", queued: "正在等待人工客服",
      position: "排队位置：",
      personText: "转人工",
      simpleOn: "长辈模式：开", simpleOff: "长辈模式：关",
      waiting: "正在排队 · 第", waitingNoPlace: "正在等待人工客服",
      waitingAfter: "位",
      greeting: "您好！我可以用中文或英文回答市政服务方面的问题。请在下方输入问题，或者试试这些：",
      examples: ["怎么办理护照？", "敬老卡怎么办？", "路灯不亮了怎么报修？"],
      examplesLabel: "示例问题"
    }
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function ensureStyles() {
    var href = origin + "/static/chat/widget.css";
    var links = document.querySelectorAll("link[rel=stylesheet]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) { return; }
    }
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }

  function Widget(host) {
    var self = this;
    var stored = null;
    try { stored = window.localStorage.getItem(LANG_KEY); } catch (e) { stored = null; }
    this.lang = (script && script.getAttribute("data-lang")) || stored ||
      ((navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en");
    if (!UI[this.lang]) { this.lang = "en"; }
    this.state = { mode: "bot", lang: this.lang, simple_mode: false };
    this.lastSeen = 0;
    this.seen = {};
    this.pending = [];
    this.socket = null;
    this.retry = 500;
    this.suspended = false;

    var t = UI[this.lang];
    this.root = el("section", { "class": "civic-chat", "aria-labelledby": "civic-title" });
    var header = el("div", { "class": "civic-header" });
    this.title = el("h2", { "class": "civic-title", id: "civic-title" }, t.title);
    var controls = el("div", { "class": "civic-controls" });
    this.langLabel = el("label", { "for": "civic-lang" });
    this.langText = el("span", {}, t.language);
    this.langSelect = el("select", { id: "civic-lang" });
    [["en", "English"], ["zh", "中文"]].forEach(function (pair) {
      var option = el("option", { value: pair[0], lang: pair[0] }, pair[1]);
      self.langSelect.appendChild(option);
    });
    this.langSelect.value = this.lang;
    this.langLabel.appendChild(this.langText);
    this.langLabel.appendChild(this.langSelect);
    this.simpleButton = el("button", { type: "button", "class": "civic-btn", "aria-pressed": "false" },
      t.simple);
    controls.appendChild(this.langLabel);
    controls.appendChild(this.simpleButton);
    header.appendChild(this.title);
    header.appendChild(controls);

    this.log = el("div", { "class": "civic-log", role: "log", "aria-live": "off",
      "aria-label": t.conversation, tabindex: "0" });
    this.welcome = el("div", { "class": "civic-msg civic-from-bot civic-welcome" });
    this.log.appendChild(this.welcome);
    this.typing = el("div", { "class": "civic-typing", "aria-hidden": "true" });
    this.status = el("div", { "class": "civic-status", role: "status" });
    this.announcer = el("div", { "class": "civic-sr", "aria-live": "polite", "aria-atomic": "true" });

    this.form = el("form", { "class": "civic-form" });
    this.inputLabel = el("label", { "for": "civic-input" }, t.label);
    this.input = el("textarea", { id: "civic-input", rows: "1", placeholder: t.placeholder,
      autocomplete: "off", maxlength: "4000" });
    var actions = el("div", { "class": "civic-actions" });
    this.sendButton = el("button", { type: "submit", "class": "civic-btn civic-primary" }, t.send);
    this.personButton = el("button", { type: "button", "class": "civic-btn civic-person" }, t.person);
    actions.appendChild(this.sendButton);
    actions.appendChild(this.personButton);
    this.form.appendChild(this.inputLabel);
    this.form.appendChild(this.input);
    this.form.appendChild(actions);

    [header, this.log, this.typing, this.status, this.form, this.announcer].forEach(function (n) {
      self.root.appendChild(n);
    });
    host.appendChild(this.root);

    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) { return; }
      self.input.value = "";
      self.send(text, null);
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.form.requestSubmit ? self.form.requestSubmit() : self.form.submit();
      }
    });
    this.personButton.addEventListener("click", function () {
      if (self.state.mode === "waiting_for_agent") { return; }
      self.send(UI[self.lang].personText, "/request_human");
    });
    this.simpleButton.addEventListener("click", function () {
      var on = !self.state.simple_mode;
      self.applySimple(on);
      self.send(UI[self.lang].simple, on ? "/simple_mode_on" : "/simple_mode_off");
    });
    this.langSelect.addEventListener("change", function () {
      var wanted = self.langSelect.value;
      self.setLang(wanted);
      if (self.state.lang !== wanted) {
        self.send(wanted === "zh" ? "中文" : "English", "/switch_language");
      }
    });
    this.applyLang();
    this.connect();
  }

  Widget.prototype.token = function () {
    try { return window.localStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  };

  Widget.prototype.connect = function () {
    var self = this;
    this.suspended = false;
    if (this.socket && this.socket.readyState <= 1) { return; }
    var url = wsBase + "?after=" + this.lastSeen + "&token=" + encodeURIComponent(this.token()) +
      "&lang=" + this.lang;
    var socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = function () {
      self.retry = 500;
      self.status.textContent = UI[self.lang].online;
      var queued = self.pending;
      self.pending = [];
      queued.forEach(function (frame) { socket.send(JSON.stringify(frame)); });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.receive(frame);
    };
    socket.onclose = function () {
      if (self.socket !== socket) { return; }
      self.socket = null;
      self.showTyping(false);
      if (self.suspended) { return; }
      self.status.textContent = UI[self.lang].offline;
      window.setTimeout(function () { if (!self.suspended) { self.connect(); } }, self.retry);
      self.retry = Math.min(self.retry * 2, 8000);
    };
  };

  Widget.prototype.disconnect = function () {
    this.suspended = true;
    if (this.socket) { this.socket.close(); }
  };

  Widget.prototype.send = function (text, payload) {
    this.render({ from: "citizen", text: text, buttons: [] }, false);
    var frame = { type: "message", text: text, payload: payload || null };
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(frame));
    } else {
      this.pending.push(frame);  // sent after the reconnect: nothing typed is lost
    }
  };

  Widget.prototype.receive = function (frame) {
    if (frame.type === "hello") {
      try { window.localStorage.setItem(TOKEN_KEY, frame.token); } catch (e) { /* private mode */ }
    } else if (frame.type === "message") {
      var message = frame.message;
      if (this.seen[message.id]) { return; }
      this.seen[message.id] = true;
      this.lastSeen = Math.max(this.lastSeen, message.id);
      this.render(message, !frame.history && message.from !== "citizen", !!frame.history);
    } else if (frame.type === "typing") {
      this.showTyping(frame.on);
    } else if (frame.type === "state") {
      this.state = frame.state;
      this.applySimple(frame.state.simple_mode);
      if (frame.state.lang !== this.lang) { this.setLang(frame.state.lang); }
      this.showQueue();
    } else if (frame.type === "error") {
      this.render({ from: "system", text: frame.message, buttons: [] }, true);
    }
  };

  // http(s) addresses become links; everything else stays text (nothing is parsed as HTML)
  var URL_PATTERN = /https?:\/\/[^\s<>"'）)，。]+[^\s<>"'）)，。.,;:!?]/g;

  function appendText(node, text) {
    var at = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      node.appendChild(document.createTextNode(text.slice(at, match.index)));
      var href;
      try { href = new URL(match[0]); } catch (e) { href = null; }
      if (href && (href.protocol === "http:" || href.protocol === "https:")) {
        var link = el("a", { href: href.href, target: "_blank", rel: "noopener noreferrer nofollow",
          "class": "civic-link" }, match[0]);
        node.appendChild(link);
      } else {
        node.appendChild(document.createTextNode(match[0]));
      }
      at = match.index + match[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  // A message's text without the lines that repeat its buttons (the buttons show the choices).
  function withoutChoiceLines(text, buttons) {
    if (!buttons || !buttons.length) { return text; }
    var titles = {};
    buttons.forEach(function (b) { titles[b.title.trim()] = true; });
    return text.split("\n").filter(function (line) { return !titles[line.trim()]; })
      .join("\n").replace(/\s+$/, "");
  }

  Widget.prototype.render = function (message, announce, history) {
    var self = this;
    var t = UI[this.lang];
    var item = el("div", { "class": "civic-msg civic-from-" + message.from });
    if (message.id) { item.setAttribute("data-id", String(message.id)); }
    var who = el("span", { "class": "civic-who" }, t[message.from === "citizen" ? "you" :
      message.from] || t.bot);
    var shown = withoutChoiceLines(message.text || "", message.buttons);
    var body = el("span", { "class": "civic-text" });
    appendText(body, shown);
    item.appendChild(who);
    item.appendChild(body);
    if (message.buttons && message.buttons.length) {
      var choices = el("div", { "class": "civic-choices", role: "group",
        "aria-label": shown ? shown.slice(0, 80) : t.bot });
      message.buttons.forEach(function (button) {
        // the bot's own number (simplified mode) is in the title: no second number here
        var b = el("button", { type: "button", "class": "civic-btn civic-choice" }, button.title);
        b.addEventListener("click", function () { self.send(button.title, button.payload); });
        choices.appendChild(b);
      });
      item.appendChild(choices);
    }
    this.log.appendChild(item);
    this.scrollFor(item, history ? "history" : message.from);
    if (announce && message.text) {
      var text = who.textContent + ": " + message.text;
      this.announcer.textContent = "";
      window.setTimeout(function () { self.announcer.textContent = text; }, 50);
    }
  };

  // The citizen's own message: scroll to the end. An answer: show its start, and keep the
  // start of the first unread answer in view while more of the same turn arrives.
  Widget.prototype.scrollFor = function (item, from) {
    var log = this.log;
    if (from === "citizen" || from === "history") {
      this.answerStart = null;
      log.scrollTop = log.scrollHeight;
      return;
    }
    if (!this.answerStart || !this.answerStart.isConnected) { this.answerStart = item; }
    var top = this.answerStart.offsetTop - 8;  // the log is the offset parent
    log.scrollTop = Math.max(0, Math.min(top, log.scrollHeight - log.clientHeight));
  };

  Widget.prototype.renderWelcome = function () {
    var self = this;
    var t = UI[this.lang];
    var node = this.welcome;
    while (node.firstChild) { node.removeChild(node.firstChild); }
    node.appendChild(el("span", { "class": "civic-who" }, t.bot));
    node.appendChild(el("span", { "class": "civic-text" }, t.greeting));
    var choices = el("div", { "class": "civic-choices", role: "group", "aria-label": t.examplesLabel });
    t.examples.forEach(function (question) {
      var b = el("button", { type: "button", "class": "civic-btn civic-choice civic-example" }, question);
      b.addEventListener("click", function () { self.send(question, null); });
      choices.appendChild(b);
    });
    node.appendChild(choices);
  };

  Widget.prototype.showTyping = function (on) {
    this.typing.textContent = on ? UI[this.lang].typing : "";
  };

  Widget.prototype.showQueue = function () {
    var t = UI[this.lang];
    var waiting = this.state.mode === "waiting_for_agent";
    if (waiting && this.state.queue_position) {
      this.status.textContent = t.queued + " · " + t.position + this.state.queue_position;
    } else if (this.socket && this.socket.readyState === 1) {
      this.status.textContent = "";
    }
    // while waiting the person button says so (pressing it again changes nothing)
    this.personButton.textContent = !waiting ? t.person : this.state.queue_position ?
      t.waiting + this.state.queue_position + (t.waitingAfter || "") : t.waitingNoPlace;
    this.personButton.setAttribute("aria-disabled", waiting ? "true" : "false");
  };

  Widget.prototype.applySimple = function (on) {
    this.state.simple_mode = on;
    this.root.classList.toggle("civic-simple", !!on);
    this.simpleButton.setAttribute("aria-pressed", on ? "true" : "false");
    this.simpleButton.textContent = UI[this.lang][on ? "simpleOn" : "simpleOff"];
  };

  Widget.prototype.setLang = function (lang) {
    if (!UI[lang]) { return; }
    this.lang = lang;
    try { window.localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
    this.applyLang();
  };

  Widget.prototype.applyLang = function () {
    var t = UI[this.lang];
    this.root.setAttribute("lang", this.lang === "zh" ? "zh-Hans" : "en");
    this.title.textContent = (script && script.getAttribute("data-title")) || t.title;
    this.langText.textContent = t.language;
    this.langSelect.value = this.lang;
    this.simpleButton.textContent = t[this.state.simple_mode ? "simpleOn" : "simpleOff"];
    this.log.setAttribute("aria-label", t.conversation);
    this.inputLabel.textContent = t.label;
    this.input.setAttribute("placeholder", t.placeholder);
    this.sendButton.textContent = t.send;
    this.showQueue();
    this.renderWelcome();
  };

  function mount() {
    ensureStyles();
    var host = document.getElementById("civic-chat");
    var widget;
    if (host) {
      widget = new Widget(host);
    } else {
      var panel = el("div", { "class": "civic-panel", id: "civic-panel", hidden: "" });
      document.body.appendChild(panel);
      widget = new Widget(panel);
      var launcher = el("button", { type: "button", "class": "civic-launcher",
        "aria-expanded": "false", "aria-controls": "civic-panel" }, UI[widget.lang].open);
      launcher.addEventListener("click", function () {
        var open = panel.hasAttribute("hidden");
        if (open) { panel.removeAttribute("hidden"); widget.input.focus(); }
        else { panel.setAttribute("hidden", ""); }
        launcher.setAttribute("aria-expanded", open ? "true" : "false");
        launcher.textContent = open ? UI[widget.lang].close : UI[widget.lang].open;
      });
      document.body.appendChild(launcher);
    }
    window.civicChat = {
      send: function (text, payload) { widget.send(text, payload); },
      disconnect: function () { widget.disconnect(); },
      connect: function () { widget.connect(); },
      widget: widget
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
