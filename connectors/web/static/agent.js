/* The agent inbox page: log in, the queue, a chat pane; live over socket.io (/agent).
   Every text from a shopper, the bot or the server is inserted with textContent. */
(function () {
  "use strict";

  var state = {
    agent: null,
    csrf: null,
    canned: [],
    queue: [],
    openId: null,
    open: null,
    socket: null,
    loading: null, // the conversation fetch in flight
    reloadAgain: false,
  };

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function clock(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function since(seconds) {
    var minutes = Math.max(0, Math.round((Date.now() / 1000 - seconds) / 60));
    return minutes < 1 ? "just now" : minutes + " min ago";
  }

  async function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = state.csrf || "";
      options.body = JSON.stringify(body || {});
    }
    var response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      return { status: 0, ok: false, data: { error: "the server cannot be reached" } };
    }
    var data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    if (response.status === 401 && path.indexOf("/agent/api/") === 0) showLogin();
    return { status: response.status, ok: response.ok, data: data || {} };
  }

  // ---- login -------------------------------------------------------------------------

  function showLogin(message) {
    state.agent = state.csrf = null;
    if (state.socket) {
      state.socket.disconnect();
      state.socket = null;
    }
    $("inbox").hidden = true;
    $("logout").hidden = true;
    $("live").hidden = true;
    $("who").textContent = "";
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("login-name").focus();
  }

  async function logIn(event) {
    event.preventDefault();
    var result = await api("POST", "/agent/login", {
      name: $("login-name").value.trim(),
      password: $("login-password").value,
    });
    $("login-password").value = "";
    if (!result.ok) {
      $("login-error").textContent = result.data.error || "Logging in failed.";
      return;
    }
    start();
  }

  async function logOut() {
    await api("POST", "/agent/logout", {});
    state.openId = state.open = null;
    showLogin("You are logged out.");
  }

  async function start() {
    var result = await api("GET", "/agent/api/me");
    if (!result.ok) {
      showLogin();
      return;
    }
    state.agent = result.data.agent;
    state.csrf = result.data.csrf_token;
    state.canned = result.data.canned_replies || [];
    $("login").hidden = true;
    $("inbox").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = state.agent;
    renderCanned();
    renderChat();
    await loadQueue();
    connect();
  }

  // ---- live --------------------------------------------------------------------------

  function setLive(on) {
    var live = $("live");
    live.hidden = false;
    live.textContent = on ? "live" : "offline";
    live.className = on ? "live on" : "live";
  }

  function connect() {
    if (state.socket || typeof io !== "function") return;
    var socket = io("/agent", { path: "/agent/socket.io", auth: { csrf: state.csrf } });
    state.socket = socket;
    socket.on("connect", function () {
      setLive(true);
      loadQueue(); // catch up on what happened while the socket was away
      if (state.openId) reloadOpen();
    });
    socket.on("disconnect", function () {
      setLive(false);
    });
    socket.on("connect_error", function () {
      setLive(false);
      api("GET", "/agent/api/me"); // a 401 shows the login form
    });
    socket.on("escalated", function () {
      loadQueue();
    });
    socket.on("line", function (line) {
      if (line.conversation_id === state.openId) reloadOpen();
      loadQueue();
    });
    ["claimed", "resolved"].forEach(function (name) {
      socket.on(name, function (event) {
        if (event.conversation_id === state.openId) reloadOpen();
        loadQueue();
      });
    });
  }

  // ---- the queue ---------------------------------------------------------------------

  async function loadQueue() {
    var result = await api("GET", "/agent/api/queue");
    if (!result.ok) return;
    state.queue = result.data.conversations || [];
    renderQueue();
  }

  function stateLabel(entry) {
    if (entry.state === "waiting") return "waiting since " + clock(entry.escalated_at);
    if (entry.agent === state.agent) return "with you";
    return "with " + entry.agent;
  }

  function renderQueue() {
    var list = $("queue");
    clear(list);
    var waiting = state.queue.filter(function (entry) {
      return entry.state === "waiting";
    }).length;
    $("queue-count").textContent = waiting ? waiting + " waiting" : "";
    $("queue-empty").hidden = state.queue.length > 0;
    state.queue.forEach(function (entry) {
      list.appendChild(queueItem(entry));
    });
  }

  function queueItem(entry) {
    var summary = entry.summary || {};
    var item = el("li", "queue-item state-" + entry.state);
    item.dataset.id = entry.conversation_id;
    if (entry.conversation_id === state.openId) item.classList.add("selected");
    var head = el("div", "queue-head");
    head.appendChild(el("span", "badge", stateLabel(entry)));
    head.appendChild(el("span", "conversation-id", entry.conversation_id));
    item.appendChild(head);
    item.appendChild(el("p", "reason", entry.reason));
    var facts = [summary.language || "?", summary.channel || ""].filter(Boolean).join(" · ");
    item.appendChild(el("p", "facts", facts + " · " + since(entry.escalated_at)));
    if ((summary.intents || []).length) {
      item.appendChild(el("p", "intents", "Intents: " + summary.intents.join(", ")));
    }
    if ((summary.products_viewed || []).length) {
      item.appendChild(el("p", "products", "Viewed: " + summary.products_viewed.join(", ")));
    }
    var last = el("ol", "last-lines");
    (summary.messages || []).slice(-3).forEach(function (line) {
      var row = el("li", "from-" + line.from);
      row.appendChild(el("span", "who", line.from + ": "));
      row.appendChild(el("span", "text", line.text));
      last.appendChild(row);
    });
    item.appendChild(last);
    var actions = el("div", "queue-actions");
    if (entry.state === "waiting") {
      var claim = el("button", "claim", "Claim");
      claim.type = "button";
      claim.addEventListener("click", function (event) {
        event.stopPropagation();
        claimConversation(entry.conversation_id);
      });
      actions.appendChild(claim);
    }
    var open = el("button", "open", "Open");
    open.type = "button";
    actions.appendChild(open);
    item.appendChild(actions);
    item.addEventListener("click", function () {
      openConversation(entry.conversation_id);
    });
    return item;
  }

  // ---- the chat pane -----------------------------------------------------------------

  function path(id, action) {
    return "/agent/api/conversations/" + encodeURIComponent(id) + (action ? "/" + action : "");
  }

  async function openConversation(id) {
    state.openId = id;
    $("chat-error").textContent = "";
    $("reply").value = "";
    renderQueue();
    await reloadOpen();
  }

  async function reloadOpen() {
    if (state.loading) {
      state.reloadAgain = true; // one more fetch after this one: nothing heard is missed
      return state.loading;
    }
    var id = state.openId;
    state.loading = api("GET", path(id)).then(function (result) {
      if (id === state.openId) {
        state.open = result.ok ? result.data : null;
        if (!result.ok) $("chat-error").textContent = result.data.error || "Could not load it.";
        renderChat();
      }
    });
    try {
      await state.loading;
    } finally {
      state.loading = null;
    }
    if (state.reloadAgain) {
      state.reloadAgain = false;
      await reloadOpen();
    }
  }

  function renderChat() {
    var open = state.open;
    var mine = open && open.state === "with_agent" && open.agent === state.agent;
    $("chat-title").textContent = open ? open.conversation_id : "Pick a conversation";
    $("chat-state").textContent = open ? stateLabel(open) + " · " + open.reason : "";
    $("claim").hidden = !open || open.state !== "waiting";
    $("resolve").hidden = !mine;
    $("reply-form").hidden = !mine;
    $("canned").hidden = !mine || state.canned.length === 0;
    renderSummary(open ? open.summary || {} : null);
    var lines = $("lines");
    clear(lines);
    if (!open) return;
    (open.messages || []).forEach(function (line) {
      var row = el("li", "line from-" + line.from);
      var who = line.from === "agent" ? line.agent : line.from;
      if (line.from !== "system") row.appendChild(el("span", "who", who));
      row.appendChild(el("span", "text", line.text));
      if (line.timestamp) row.appendChild(el("time", "at", clock(line.timestamp)));
      lines.appendChild(row);
    });
    lines.scrollTop = lines.scrollHeight;
  }

  function renderSummary(summary) {
    var list = $("summary");
    clear(list);
    if (!summary) return;
    [
      ["Language", summary.language],
      ["Channel", summary.channel],
      ["Intents", (summary.intents || []).join(", ")],
      ["Products viewed", (summary.products_viewed || []).join(", ")],
      ["Orders proven", (summary.orders_proven || []).join(", ")],
    ].forEach(function (pair) {
      if (!pair[1]) return;
      list.appendChild(el("dt", "", pair[0]));
      list.appendChild(el("dd", "", pair[1]));
    });
  }

  function renderCanned() {
    var box = $("canned");
    clear(box);
    state.canned.forEach(function (text) {
      var button = el("button", "canned-reply", text);
      button.type = "button";
      button.addEventListener("click", function () {
        var reply = $("reply");
        reply.value = text;
        reply.focus();
      });
      box.appendChild(button);
    });
  }

  async function claimConversation(id) {
    state.openId = id;
    var result = await api("POST", path(id, "claim"), {});
    $("chat-error").textContent = result.ok ? "" : result.data.error || "Claiming failed.";
    await Promise.all([loadQueue(), reloadOpen()]);
  }

  async function send(event) {
    if (event) event.preventDefault();
    var reply = $("reply");
    var text = reply.value.trim();
    if (!text || !state.openId) return;
    var result = await api("POST", path(state.openId, "messages"), { text: text });
    if (result.ok) {
      reply.value = "";
      $("chat-error").textContent = "";
    } else {
      $("chat-error").textContent = result.data.error || "Sending failed.";
    }
    await reloadOpen();
  }

  async function resolve() {
    if (!state.openId) return;
    var result = await api("POST", path(state.openId, "resolve"), {});
    $("chat-error").textContent = result.ok ? "" : result.data.error || "Resolving failed.";
    await Promise.all([loadQueue(), reloadOpen()]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", logIn);
    $("logout").addEventListener("click", logOut);
    $("claim").addEventListener("click", function () {
      if (state.openId) claimConversation(state.openId);
    });
    $("resolve").addEventListener("click", resolve);
    $("reply-form").addEventListener("submit", send);
    $("reply").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) send(event);
    });
    setInterval(function () {
      if (state.agent) renderQueue(); // "n min ago"
    }, 30000);
    start();
  });
})();
