/*
 * Shopbot chat widget. Embed with one tag:
 *   <script src="https://shop.example/widget/shopbot-widget.js"
 *           data-shopbot='{"title": "Shop assistant", "language": "en", "colors": {"primary": "#2457d6"}}'></script>
 * or call window.ShopbotWidget.init({serverUrl, title, language, colors}) yourself.
 * Speaks Rasa's socket.io protocol. Every text is inserted with textContent: never as HTML.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "shopbot.session";
  var TEXT = {
    en: { placeholder: "Type a message…", send: "Send", open: "Chat with us", close: "Close chat",
          typing: "Assistant is typing", details: "Details", similar: "Similar",
          noRating: "No ratings yet", reconnecting: "Reconnecting…", hello: "Hi! How can I help?",
          person: "Talk to a person", rate: "Did this help?", thanks: "Thanks for telling us.",
          comment: "Anything to add? (optional)" },
    zh: { placeholder: "输入消息…", send: "发送", open: "在线咨询", close: "关闭",
          typing: "助手正在输入", details: "详情", similar: "相似商品",
          noRating: "暂无评分", reconnecting: "正在重新连接…", hello: "您好！有什么可以帮您？",
          person: "转人工", rate: "这次有帮到您吗？", thanks: "谢谢您的反馈。",
          comment: "还有什么想说的吗？（可选）" }
  };

  function scriptConfig() {
    var tag = document.currentScript || document.querySelector("script[data-shopbot]");
    var config = {};
    if (tag && tag.getAttribute("data-shopbot")) {
      try { config = JSON.parse(tag.getAttribute("data-shopbot")); } catch (e) { config = {}; }
    }
    if (!config.serverUrl && tag && tag.src) { config.serverUrl = new URL(tag.src).origin; }
    return config;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
    svg.appendChild(path);
    return svg;
  }

  function loadScript(src, onload) {
    if (window.io) { onload(); return; }
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = onload;
    document.head.appendChild(tag);
  }

  function loadStyle(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function Widget(config) {
    this.config = config;
    this.serverUrl = (config.serverUrl || window.location.origin).replace(/\/$/, "");
    this.text = TEXT[config.language] || TEXT.en;
    this.unread = 0;
    this.open = false;
    this.session = this.loadSession();
    this.pending = [];
    this.streams = {};  // stream_id -> the bubble a description is being written into
    this.build();
  }

  Widget.prototype.loadSession = function () {
    try { return JSON.parse(window.localStorage.getItem(STORAGE_KEY)) || null; }
    catch (e) { return null; }
  };

  Widget.prototype.saveSession = function (session) {
    this.session = session;
    try { window.localStorage.setItem(STORAGE_KEY, JSON.stringify(session)); } catch (e) { /* private mode */ }
  };

  Widget.prototype.build = function () {
    var t = this.text, self = this;
    var root = el("div", "shopbot");
    root.style.setProperty("--shopbot-primary", (this.config.colors || {}).primary || "#2457d6");

    this.launcher = el("button", "shopbot-launcher");
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-label", t.open);
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.appendChild(chatIcon());
    this.badge = el("span", "shopbot-badge");
    this.badge.hidden = true;
    this.launcher.appendChild(this.badge);
    this.launcher.addEventListener("click", function () { self.toggle(); });

    this.panel = el("section", "shopbot-panel");
    this.panel.hidden = true;
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-label", this.config.title || "Chat");
    var header = el("header", "shopbot-header");
    header.appendChild(el("h2", "shopbot-title", this.config.title || "Shop assistant"));
    // always there: a shopper never has to talk the bot into handing them to a person
    var person = el("button", "shopbot-person", t.person);
    person.type = "button";
    person.addEventListener("click", function () { self.send(t.person, "/contact_human_agent"); });
    header.appendChild(person);
    var close = el("button", "shopbot-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", t.close);
    close.addEventListener("click", function () { self.toggle(false); });
    header.appendChild(close);

    this.log = el("div", "shopbot-messages");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.typing = el("div", "shopbot-typing");
    this.typing.setAttribute("aria-label", t.typing);
    this.typing.appendChild(el("span"));
    this.typing.appendChild(el("span"));
    this.typing.appendChild(el("span"));
    this.typing.hidden = true;

    this.form = el("form", "shopbot-form");
    this.input = el("input", "shopbot-input");
    this.input.type = "text";
    this.input.maxLength = 2000;
    this.input.placeholder = t.placeholder;
    this.input.setAttribute("aria-label", t.placeholder);
    var send = el("button", "shopbot-send", t.send);
    send.type = "submit";
    this.form.appendChild(this.input);
    this.form.appendChild(send);
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = self.input.value.trim();
      if (value) { self.send(value, value); self.input.value = ""; }
    });

    this.panel.appendChild(header);
    this.panel.appendChild(this.log);
    this.panel.appendChild(this.typing);
    this.panel.appendChild(this.form);
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { self.toggle(false); }
    });
    root.appendChild(this.panel);
    root.appendChild(this.launcher);
    document.body.appendChild(root);
  };

  Widget.prototype.toggle = function (force) {
    this.open = force === undefined ? !this.open : force;
    this.panel.hidden = !this.open;
    this.launcher.setAttribute("aria-expanded", String(this.open));
    if (this.open) {
      this.unread = 0;
      this.badge.hidden = true;
      this.input.focus();
      this.scroll();
    } else {
      this.launcher.focus();
    }
  };

  Widget.prototype.connect = function () {
    var self = this;
    this.socket = window.io(this.serverUrl, { path: "/socket.io", transports: ["websocket", "polling"] });
    this.socket.on("connect", function () {
      var request = self.session ? { session_id: self.session.session_id, token: self.session.token } : {};
      self.socket.emit("session_request", request);
    });
    this.socket.on("session_confirm", function (confirmed) {
      var sessionId = confirmed && confirmed.session_id ? confirmed.session_id : confirmed;
      var resumed = self.session && self.session.session_id === sessionId;
      self.saveSession({ session_id: sessionId, token: confirmed && confirmed.token });
      if (resumed && !self.restored) { self.restoreHistory(); }
      else if (!self.restored) { self.restored = true; self.system(self.text.hello); }
      self.flush();
    });
    this.socket.on("bot_uttered", function (message) { self.receive(message); });
    this.socket.on("bot_stream", function (event) { self.stream(event); });
    this.socket.on("bot_typing", function (state) { self.showTyping(Boolean(state && state.typing)); });
    this.socket.on("agent_joined", function (info) { self.system((info && info.text) || "An agent joined the chat."); });
    this.socket.on("agent_left", function (info) {
      self.system((info && info.text) || "The agent left the chat.");
      self.askSatisfaction("handoff");
    });
    this.socket.on("disconnect", function () { self.showTyping(false); });
  };

  Widget.prototype.restoreHistory = function () {
    var self = this, session = this.session;
    this.restored = true;
    fetch(this.serverUrl + "/api/conversations/" + encodeURIComponent(session.session_id) + "/messages",
          { headers: { Authorization: "Bearer " + session.token } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (body) {
        body.messages.forEach(function (line) {
          if (line.sender === "user") { self.bubble("user", line.text); }
          else {
            self.receive({ text: line.text, custom: line.custom,
                           quick_replies: (line.buttons || []).map(function (b) { return { title: b.title, payload: b.payload }; }) },
                         true);
          }
        });
      })
      .catch(function () { /* history is a convenience; the chat still works */ });
  };

  Widget.prototype.send = function (shown, payload) {
    if (shown) { this.bubble("user", shown); }
    this.pending.push(payload);
    this.showTyping(true);
    this.flush();
  };

  Widget.prototype.flush = function () {
    if (!this.socket || !this.socket.connected || !this.session) { return; }
    while (this.pending.length) {
      this.socket.emit("user_uttered", { message: this.pending.shift(), session_id: this.session.session_id,
                                         customData: { language: this.config.language || "en" } });
    }
  };

  // A reply arrives as Rasa's socket.io output sends it, one `bot_uttered` per part: its text
  // (the last paragraph with the quick replies), then its custom payload, then its image. A
  // custom payload belongs to the text just before it: product cards go under that text, the
  // checked text of a description takes the place of what was streamed. History lines come
  // whole and are taken apart the same way.
  Widget.prototype.receive = function (message, fromHistory) {
    if (!fromHistory) { this.showTyping(false); this.quietLater(); }
    if (!message) { return; }
    var line = fromHistory ? null : this.last;
    this.last = null;
    if (typeof message.text === "string") {
      var notice = message.metadata && message.metadata.notice;
      line = { row: this.bubble(notice ? "notice" : "bot", message.text), text: message.text };
      if (message.quick_replies && message.quick_replies.length) { this.quickReplies(message.quick_replies); }
      if (!fromHistory) { this.countUnread(); }
      this.last = line;
    }
    if (message.custom) {
      this.attach(message.custom, line);
      this.last = null;
    }
    if (message.attachment && message.attachment.type === "image") {
      var img = el("img", "shopbot-image");
      img.alt = "";
      img.src = message.attachment.payload.src;
      this.log.appendChild(img);
      this.last = null;
      if (!fromHistory) { this.countUnread(); }
    }
    this.scroll();
  };

  // What a custom payload adds to the line of text it came with (none: it stands alone).
  Widget.prototype.attach = function (custom, line) {
    var streamed = custom.stream_id && this.streams[custom.stream_id];
    if (streamed) {  // the checked text replaces what was streamed while it was written
      delete this.streams[custom.stream_id];
      streamed.row.textContent = line ? line.text : streamed.kept.textContent;
      streamed.row.classList.remove("shopbot-streaming");
      if (line) { this.log.removeChild(line.row); }
    } else if (custom.type === "product_cards" && custom.products) {
      var cards = this.cards(custom.products);
      if (!line) { this.log.appendChild(cards); return; }
      line.row.textContent = line.text.split("\n")[0];  // the cards show what the text lists for text-only clients
      this.log.insertBefore(cards, line.row.nextSibling);
    } else if (line && (custom.type === "agent_joined" || custom.type === "agent_left")) {  // from history
      line.row.className = "shopbot-message shopbot-system";
    } else if (line && custom.type === "agent_message") {
      line.row.className = "shopbot-message shopbot-agent";
      line.row.textContent = "";
      line.row.appendChild(el("span", "shopbot-agent-name", String(custom.agent || "Agent")));
      line.row.appendChild(el("span", null, line.text));
    }
  };

  // Generated text as it is written: tokens go into a draft, a checked sentence replaces the
  // draft, a retracted draft disappears.
  Widget.prototype.stream = function (event) {
    if (!event || typeof event.stream_id !== "string") { return; }
    var current = this.streams[event.stream_id];
    if (!current) {
      this.showTyping(false);
      var row = this.bubble("bot", "");
      row.classList.add("shopbot-streaming");
      current = { row: row, kept: el("span"), draft: el("span", "shopbot-draft") };
      row.appendChild(current.kept);
      row.appendChild(current.draft);
      this.streams[event.stream_id] = current;
    }
    var text = typeof event.text === "string" ? event.text : "";
    if (event.kind === "token") {
      current.draft.textContent += text;
    } else if (event.kind === "sentence") {
      current.kept.textContent += (current.kept.textContent ? " " : "") + text;
      current.draft.textContent = current.kept.textContent ? " " : "";
    } else if (event.kind === "retract") {
      current.draft.textContent = current.kept.textContent ? " " : "";
    }
    this.scroll();
  };

  Widget.prototype.bubble = function (who, text) {
    var row = el("div", "shopbot-message shopbot-" + who, text);
    this.log.appendChild(row);
    this.scroll();
    return row;
  };

  Widget.prototype.system = function (text) { return this.bubble("system", text); };

  // 👍/👎 once a handoff is resolved, or once the conversation has been quiet a while:
  // one tap records the vote, a comment is optional (POST .../satisfaction, session token).
  var QUIET_MS = 120000;
  Widget.prototype.quietLater = function () {
    var self = this;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(function () { self.askSatisfaction("quiet"); }, QUIET_MS);
  };

  Widget.prototype.askSatisfaction = function (after) {
    if (!this.session || this.asked === after) { return; }
    this.asked = after;
    var self = this, t = this.text, box = el("div", "shopbot-message shopbot-system shopbot-rate", t.rate);
    var post = function (vote, comment) {
      var body = { vote: vote, asked_after: after };
      if (comment) { body.comment = comment; }
      return fetch(self.serverUrl + "/api/conversations/" + encodeURIComponent(self.session.session_id) +
                   "/satisfaction", { method: "POST", body: JSON.stringify(body),
                   headers: { "Content-Type": "application/json", Authorization: "Bearer " + self.session.token } });
    };
    ["up", "down"].forEach(function (vote) {
      var button = el("button", "shopbot-rate-" + vote, vote === "up" ? "👍" : "👎");
      button.type = "button";
      button.setAttribute("aria-label", vote === "up" ? "yes" : "no");
      button.addEventListener("click", function () {
        post(vote);
        box.textContent = t.thanks;
        var form = el("form", "shopbot-rate-comment"), input = el("input");
        input.placeholder = t.comment;
        input.maxLength = 500;
        form.appendChild(input);
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (input.value.trim()) { post(vote, input.value.trim()); }
          form.remove();
        });
        box.appendChild(form);
      });
      box.appendChild(button);
    });
    this.log.appendChild(box);
    this.scroll();
  };

  Widget.prototype.countUnread = function () {
    if (this.open) { return; }
    this.unread += 1;
    this.badge.textContent = String(this.unread);
    this.badge.hidden = false;
  };

  Widget.prototype.quickReplies = function (replies) {
    var self = this, box = el("div", "shopbot-quick-replies");
    replies.forEach(function (reply) {
      var button = el("button", "shopbot-quick-reply", reply.title);
      button.type = "button";
      button.addEventListener("click", function () { self.send(reply.title, reply.payload); });
      box.appendChild(button);
    });
    this.log.appendChild(box);
  };

  Widget.prototype.cards = function (products) {
    var self = this, t = this.text, list = el("div", "shopbot-cards");
    products.forEach(function (product) {
      var card = el("article", "shopbot-card");
      card.appendChild(el("h3", "shopbot-card-title", product.title));
      card.appendChild(el("p", "shopbot-card-price", product.price_label || ""));
      var rating = product.rating ? "★ " + product.rating + " (" + product.review_count + ")" : t.noRating;
      card.appendChild(el("p", "shopbot-card-rating", rating));
      var actions = el("div", "shopbot-card-actions");
      [[t.details, "/product_details"], [t.similar, "/recommend"]].forEach(function (pair) {
        var button = el("button", "shopbot-card-button", pair[0]);
        button.type = "button";
        button.addEventListener("click", function () {
          self.send(pair[0] + ": " + product.title, pair[1] + JSON.stringify({ product_id: product.id }));
        });
        actions.appendChild(button);
      });
      card.appendChild(actions);
      list.appendChild(card);
    });
    return list;
  };

  Widget.prototype.showTyping = function (on) {
    this.typing.hidden = !on;
    if (on) { this.scroll(); }
  };

  Widget.prototype.scroll = function () { this.log.scrollTop = this.log.scrollHeight; };

  function init(config) {
    config = config || {};
    var serverUrl = (config.serverUrl || window.location.origin).replace(/\/$/, "");
    loadStyle(serverUrl + "/widget/shopbot-widget.css");
    var widget = new Widget(config);
    loadScript(serverUrl + "/widget/vendor/socket.io.min.js", function () { widget.connect(); });
    window.ShopbotWidget.instance = widget;
    return widget;
  }

  window.ShopbotWidget = { init: init };
  var config = scriptConfig();
  if (config && (config.title || config.serverUrl)) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { init(config); });
    } else { init(config); }
  }
})();
