/*!
 * Website chat for the Dutch patient assistant (Rasa Socket.IO channel).
 *
 * Embed:
 *   <div id="patient-chat"></div>
 *   <script src="/chat/chat.js" data-server="https://assistent.example.nl"></script>
 *
 * Attributes on the script tag (all optional):
 *   data-server      Rasa server URL (default http://localhost:5005)
 *   data-target      id of the element to render into (default "patient-chat";
 *                    when missing, the chat is appended to <body>)
 *   data-socket-path Socket.IO path (default /socket.io/)
 *   data-transports  comma-separated Engine.IO transports (default "websocket":
 *                    `rasa run` without --cors rejects cross-origin XHR polling)
 *
 * Security: message text (bot or user) is only ever put into the page with
 * textContent / createTextNode. Links are built with createElement and only for
 * http(s): and tel: URLs. There is no innerHTML anywhere in this file.
 */
(function () {
  "use strict";

  var script = document.currentScript || findOwnScript();
  var base = script && script.src ? new URL(".", script.src).href : "";

  var NOTICE = "Deze chat geeft algemene informatie, geen persoonlijk medisch advies. Bij levensgevaar: bel 112.";
  var HISTORY_MAX_ITEMS = 80;          // small transcript, re-rendered after a reload
  var HISTORY_MAX_AGE_MS = 12 * 3600e3; // older conversations start fresh
  var REPLY_TIMEOUT_MS = 25000;
  var SHORT_NUMBERS = { "112": true, "1733": true };

  function findOwnScript() {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/(^|\/)chat\.js(\?|#|$)/.test(all[i].getAttribute("src") || "")) return all[i];
    }
    return null;
  }

  function attr(name, fallback) {
    var v = script && script.getAttribute(name);
    return v && v.trim() ? v.trim() : fallback;
  }

  var cfg = {
    server: attr("data-server", "http://localhost:5005").replace(/\/+$/, ""),
    path: attr("data-socket-path", "/socket.io/"),
    target: attr("data-target", "patient-chat"),
    transports: attr("data-transports", "websocket").split(",").map(function (s) {
      return s.trim();
    }).filter(Boolean)
  };

  // ---------------------------------------------------------------- storage
  var storage = (function () {
    try {
      var k = "__zorgchat_test";
      window.localStorage.setItem(k, k);
      window.localStorage.removeItem(k);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or blocked: the chat still works, without persistence
    }
  })();
  var STORE_KEY = "zorgchat:v1:" + cfg.server;

  function loadState() {
    var empty = { sessionId: null, updated: 0, items: [] };
    if (!storage) return empty;
    try {
      var s = JSON.parse(storage.getItem(STORE_KEY) || "null");
      if (!s || typeof s !== "object" || !Array.isArray(s.items)) return empty;
      if (Date.now() - (s.updated || 0) > HISTORY_MAX_AGE_MS) return empty;
      return {
        sessionId: typeof s.sessionId === "string" ? s.sessionId : null,
        updated: s.updated,
        items: s.items.filter(function (it) {
          return it && (it.from === "bot" || it.from === "user") && typeof it.text === "string";
        })
      };
    } catch (e) {
      return empty;
    }
  }

  function saveState() {
    if (!storage) return;
    state.items = state.items.slice(-HISTORY_MAX_ITEMS);
    state.updated = Date.now();
    try {
      storage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* quota: ignore */ }
  }

  function clearState() {
    state = { sessionId: null, updated: 0, items: [] };
    if (storage) {
      try { storage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
    }
  }

  var state = loadState();

  // ---------------------------------------------------------- DOM helpers
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return "zc-" + prefix + "-" + uid;
  }

  // ------------------------------------------------------ text to DOM nodes
  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  // A run that may be a phone number: digits with spaces, dashes, slashes, brackets.
  var PHONE_CANDIDATE_RE = /\+?\(?\d[\d \u00a0()\/\-\u2013\u2014]*\d/g;

  function trimUrl(url) {
    // Drop trailing punctuation that belongs to the sentence, keep balanced ")".
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (".,;:!?'\"]}".indexOf(last) >= 0) {
        url = url.slice(0, -1);
      } else if (last === ")" && (url.split("(").length - 1) < (url.split(")").length - 1)) {
        url = url.slice(0, -1);
      } else {
        return url;
      }
    }
  }

  function safeHttpUrl(url) {
    try {
      var u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function isWordChar(ch) {
    return !!ch && /[0-9A-Za-z\u00c0-\u024f]/.test(ch);
  }

  function digitsOf(s) {
    return s.replace(/\D/g, "");
  }

  /* Returns {text, href} for a phone number at the start of `cand`, or null.
     National numbers (0...) have 8 to 10 digits, international ones (+..) 10 to 12;
     trailing groups beyond that ("... 6674 24 uur") are not part of the number. */
  function parsePhone(cand) {
    var international = cand.charAt(0) === "+";
    if (!international && !/^\(?0/.test(cand)) return null;
    var max = international ? 12 : 10;
    var min = international ? 10 : (/^\(?0[89]/.test(cand) ? 8 : 9);
    var text = cand;
    while (digitsOf(text).length > max) {
      var cut = text.search(/[ \u00a0][^ \u00a0]*$/);
      if (cut <= 0) return null;
      text = text.slice(0, cut).replace(/[ \u00a0\-\u2013\u2014\/(]+$/, "");
    }
    if (digitsOf(text).length < min) return null;
    if (text.split("(").length !== text.split(")").length) return null; // "(0" without ")"
    var digits = digitsOf(international ? text.replace(/\(0\)/, "") : text);
    return { text: text, href: "tel:" + (international ? "+" : "") + digits };
  }

  function appendPhones(parent, text) {
    var pos = 0;
    var m;
    PHONE_CANDIDATE_RE.lastIndex = 0;
    while ((m = PHONE_CANDIDATE_RE.exec(text)) !== null) {
      var start = m.index;
      var before = text.charAt(start - 1);
      var found = null;
      if (!isWordChar(before) && ".,:/".indexOf(before || " ") < 0) {
        found = parsePhone(m[0]);
        if (!found && SHORT_NUMBERS[m[0]]) {
          var after = text.charAt(start + m[0].length);
          var afterNext = text.charAt(start + m[0].length + 1);
          if (!isWordChar(after) && !(/[.,]/.test(after) && /\d/.test(afterNext))) {
            found = { text: m[0], href: "tel:" + m[0] };
          }
        }
        if (found && isWordChar(text.charAt(start + found.text.length))) found = null;
      }
      if (!found) continue;
      if (start > pos) parent.appendChild(document.createTextNode(text.slice(pos, start)));
      var a = el("a", "zc-link zc-tel", found.text);
      a.href = found.href;
      parent.appendChild(a);
      pos = start + found.text.length;
      PHONE_CANDIDATE_RE.lastIndex = pos;
    }
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function appendRichText(parent, text) {
    var pos = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var raw = trimUrl(m[0]);
      var href = safeHttpUrl(raw);
      if (!href) continue;
      if (m.index > pos) appendPhones(parent, text.slice(pos, m.index));
      var a = el("a", "zc-link", raw);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(el("span", "zc-visually-hidden", " (opent in een nieuw venster)"));
      parent.appendChild(a);
      pos = m.index + raw.length;
      URL_RE.lastIndex = pos;
    }
    if (pos < text.length) appendPhones(parent, text.slice(pos));
  }

  // --------------------------------------------------------------- widget
  var ui = {};
  var socket = null;
  var confirmedSession = null;
  var outbox = [];
  var replyTimer = null;

  function build() {
    var host = document.getElementById(cfg.target);
    if (!host) {
      host = el("div");
      host.id = cfg.target;
      document.body.appendChild(host);
    }
    var titleId = nextId("title");
    var inputId = nextId("input");
    var noticeId = nextId("notice");

    var root = el("section", "zc");
    root.setAttribute("aria-labelledby", titleId);

    var header = el("div", "zc-header");
    var headings = el("div", "zc-headings");
    var title = el("h2", "zc-title", "Digitale assistent");
    title.id = titleId;
    headings.appendChild(title);
    headings.appendChild(el("p", "zc-subtitle", "Vragen over je pijnbehandeling"));
    header.appendChild(headings);
    ui.reset = el("button", "zc-reset", "Nieuw gesprek");
    ui.reset.type = "button";
    ui.reset.addEventListener("click", resetConversation);
    header.appendChild(ui.reset);
    root.appendChild(header);

    var notice = el("p", "zc-notice");
    notice.id = noticeId;
    appendRichText(notice, NOTICE);
    root.appendChild(notice);

    ui.log = el("div", "zc-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-relevant", "additions");
    ui.log.setAttribute("aria-label", "Gesprek met de digitale assistent");
    ui.log.tabIndex = 0; // scrollable with the keyboard
    root.appendChild(ui.log);

    ui.status = el("p", "zc-status");
    ui.status.setAttribute("role", "status");
    root.appendChild(ui.status);

    ui.form = el("form", "zc-form");
    ui.form.setAttribute("aria-label", "Stel een vraag");
    ui.form.noValidate = true;
    var label = el("label", "zc-visually-hidden", "Je vraag aan de digitale assistent");
    label.htmlFor = inputId;
    ui.input = el("input", "zc-input");
    ui.input.id = inputId;
    ui.input.type = "text";
    ui.input.name = "bericht";
    ui.input.autocomplete = "off";
    ui.input.maxLength = 1000;
    ui.input.placeholder = "Typ je vraag…";
    ui.input.setAttribute("enterkeyhint", "send");
    ui.input.setAttribute("aria-describedby", noticeId);
    ui.send = el("button", "zc-send", "Verstuur");
    ui.send.type = "submit";
    ui.form.appendChild(label);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);
    ui.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      sendMessage(text, text);
      ui.input.focus();
    });
    root.appendChild(ui.form);

    // Earlier messages are rendered before the widget enters the page, so a
    // screen reader does not read the whole transcript again after a reload.
    if (state.items.length) {
      state.items.forEach(function (item, i) {
        var last = i === state.items.length - 1;
        renderMessage(item.from, item.text, last && item.from === "bot" ? item.buttons : null);
      });
      var sep = el("p", "zc-history-note", "Eerdere berichten in dit gesprek");
      ui.log.insertBefore(sep, ui.log.firstChild);
    } else {
      renderMessage("bot", "Hallo! Ik beantwoord algemene vragen over je pijnbehandeling, " +
        "zoals voorbereiding, nazorg en autorijden. Waarmee kan ik je helpen?", null, true);
    }

    host.appendChild(root);
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // local: a greeting from the widget itself, not part of the Rasa conversation or transcript
  function renderMessage(from, text, buttons, local) {
    var row = el("div", "zc-msg zc-msg--" + from + (local ? " zc-msg--local" : ""));
    row.appendChild(el("span", "zc-visually-hidden", from === "bot" ? "Assistent: " : "Jij: "));
    var bubble = el("div", "zc-bubble");
    var body = el("div", "zc-text");
    appendRichText(body, text);
    bubble.appendChild(body);
    row.appendChild(bubble);
    ui.log.appendChild(row);
    if (buttons && buttons.length) renderButtons(buttons);
  }

  function renderButtons(buttons) {
    var group = el("div", "zc-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Kies een antwoord");
    buttons.forEach(function (b) {
      var btn = el("button", "zc-reply", b.title);
      btn.type = "button";
      btn.addEventListener("click", function () {
        sendMessage(b.payload, b.title);
        ui.input.focus();
      });
      group.appendChild(btn);
    });
    ui.log.appendChild(group);
  }

  function removeButtons() {
    var groups = ui.log.querySelectorAll(".zc-replies");
    for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
    state.items.forEach(function (it) { delete it.buttons; });
  }

  function addMessage(from, text, buttons) {
    renderMessage(from, text, buttons);
    var item = { from: from, text: text };
    if (buttons && buttons.length) item.buttons = buttons;
    state.items.push(item);
    saveState();
    scrollToEnd();
  }

  function setStatus(text) {
    if (ui.status.textContent !== text) ui.status.textContent = text;
    ui.status.className = "zc-status" + (text ? " zc-status--visible" : "");
  }

  var WAITING_TEXT = "De assistent zoekt een antwoord…";
  var waitingForReply = false;

  function setWaiting(waiting) {
    clearTimeout(replyTimer);
    waitingForReply = waiting;
    if (waiting) {
      setStatus(WAITING_TEXT);
      replyTimer = setTimeout(function () {
        setStatus("Er komt geen antwoord. Probeer het later opnieuw. Bij spoed: bel je ziekenhuis of huisarts.");
      }, REPLY_TIMEOUT_MS);
    } else if (socket && socket.connected) {
      setStatus("");
    }
  }

  // ---------------------------------------------------------------- socket
  function sendMessage(payload, shownText) {
    removeButtons();
    addMessage("user", shownText, null);
    outbox.push(payload);
    flush();
    setWaiting(true);
  }

  function flush() {
    if (!socket || !socket.connected || !confirmedSession) return;
    while (outbox.length) {
      socket.emit("user_uttered", { message: outbox.shift(), session_id: confirmedSession });
    }
  }

  function normaliseButtons(list) {
    if (!Array.isArray(list)) return null;
    var out = [];
    list.forEach(function (b) {
      if (b && typeof b.title === "string" && typeof b.payload === "string") {
        out.push({ title: b.title, payload: b.payload });
      }
    });
    return out.length ? out : null;
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    var text = typeof data.text === "string" ? data.text : "";
    var buttons = normaliseButtons(data.quick_replies) || normaliseButtons(data.buttons);
    var att = data.attachment;
    if (!text && att && att.payload && typeof att.payload.src === "string") {
      var src = safeHttpUrl(att.payload.src);
      if (src) text = "Afbeelding: " + src; // shown as a link, never loaded inline
    }
    if (!text && !buttons) return;
    setWaiting(false);
    addMessage("bot", text, buttons);
  }

  function connect() {
    if (typeof window.io !== "function") {
      setStatus("De chat kon niet laden. Vernieuw de pagina of probeer het later opnieuw.");
      return;
    }
    setStatus("Verbinding maken…");
    socket = window.io(cfg.server, {
      path: cfg.path,
      transports: cfg.transports,
      reconnectionDelayMax: 10000
    });
    socket.on("connect", function () {
      confirmedSession = null;
      // Ask for the stored session: Rasa puts this socket in that room again.
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (data) {
      var id = data && typeof data === "object" ? data.session_id : data;
      if (typeof id !== "string" || !id) return;
      confirmedSession = id;
      if (state.sessionId !== id) {
        state.sessionId = id;
        saveState();
      }
      setStatus(waitingForReply ? WAITING_TEXT : "");
      flush();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", function () {
      setStatus("Geen verbinding met de chat. We proberen het opnieuw…");
    });
    socket.on("disconnect", function (reason) {
      confirmedSession = null;
      if (reason !== "io client disconnect") setStatus("Verbinding verbroken. We proberen het opnieuw…");
    });
  }

  function resetConversation() {
    clearState();
    outbox = [];
    while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
    renderMessage("bot", "Je bent een nieuw gesprek gestart. Waarmee kan ik je helpen?", null, true);
    setWaiting(false);
    if (socket) {
      // A fresh socket leaves the old session's room; the server gives a new session id.
      socket.disconnect();
      socket.connect();
    }
    ui.input.focus();
  }

  function ensureStyles() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/(^|\/)chat\.css(\?|#|$)/.test(links[i].getAttribute("href") || "")) return;
    }
    var link = el("link");
    link.rel = "stylesheet";
    link.href = base + "chat.css";
    document.head.appendChild(link);
  }

  function start() {
    ensureStyles();
    build();
    if (typeof window.io === "function") {
      connect();
    } else {
      var s = el("script");
      s.src = base + "vendor/socket.io.min.js";
      s.onload = connect;
      s.onerror = connect;
      document.head.appendChild(s);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
