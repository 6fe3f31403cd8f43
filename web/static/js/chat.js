/* SkillPath chat: sends messages to /api/chat, draws replies with their cited cards, and keeps the
   conversation's handle (its id and the key that alone opens it, "<id>.<key>") in this tab only (sessionStorage),
   so closing the tab forgets it on this device. The key goes to the server in the X-Conversation-Key header, and
   to the plan page after "#", which browsers never send: an address with only the id opens nothing. */
(function () {
  "use strict";

  var KEY = "skillpath.session";
  var KEY_HEADER = "X-Conversation-Key";
  var root = document.getElementById("chat");
  if (!root || !window.fetch) { return; }
  var T = JSON.parse(document.getElementById("chat-strings").textContent);
  var lang = root.getAttribute("data-lang");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var status = document.getElementById("chat-status");
  var errorBox = document.getElementById("chat-error");
  var chips = document.getElementById("suggestions");
  var planLink = document.getElementById("plan-link");
  var exportLink = document.getElementById("export-link");
  var delOpen = document.getElementById("delete-open");
  var delPanel = document.getElementById("delete-confirm");
  var delDone = document.getElementById("delete-done");
  var consentBox = document.getElementById("consent");
  var caseBox = document.getElementById("case-code");
  var caseValue = document.getElementById("case-code-value");
  var opening = log.innerHTML;
  var openingChips = Array.prototype.map.call(chips.querySelectorAll("button"), function (b) {
    return b.getAttribute("data-say");
  });
  var session = null;
  var busy = false;
  // The server detects each message's language (issue 4); the page's language is sent only where a message
  // cannot tell: the first message of a conversation ("ok", "1"), and the first one after the person used the
  // language switch, which is an explicit wish.
  var switched = /[?&]lang=/.test(window.location.search);

  function langFor(text) {
    var clear = /[\u4e00-\u9fff]/.test(text) || (text.match(/[A-Za-z]/g) || []).length >= 4;
    var send = switched || (!session && !clear) ? lang : null;
    switched = false;
    return send;
  }
  try { session = window.sessionStorage.getItem(KEY); } catch (e) { /* storage blocked: no restore */ }

  // ---- small DOM helpers -------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) { if (arguments[i]) { parent.appendChild(arguments[i]); } }
    return parent;
  }
  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    a.rel = "noopener noreferrer";  // the chat's address never travels to another site
    return a;
  }
  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }
  function schemeName(name) { return (name && T["scheme_" + name]) || name || ""; }
  // The handle is "<id>.<key>"; a handle stored before keys existed is a bare id, which the server refuses (404).
  function conversationId() { return session ? session.split(".")[0] : ""; }
  function keyHeaders(extra) {
    var headers = extra || {};
    var dot = session ? session.indexOf(".") : -1;
    if (dot > 0) { headers[KEY_HEADER] = session.slice(dot + 1); }
    return headers;
  }
  function showCaseCode(code) {
    if (!caseBox) { return; }
    caseValue.textContent = code || "";
    caseBox.hidden = !(session && code);
  }
  function remember(id) {
    session = id;
    try {
      if (id) { window.sessionStorage.setItem(KEY, id); } else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* storage blocked: the conversation lasts as long as the page */ }
  }

  // ---- cards ---------------------------------------------------------------------------------------------
  function isSample(c) { return !!(c.sample || (c.source && c.source.sample)); }

  function chipsLine(c) {
    var p = el("p", "card-kind");
    var kind = c.type === "step" ? T.card_kind_step.replace("{n}", c.step) + " · " + (T["step_" + c.why] || c.why)
      : T["card_kind_" + c.type] || c.type;
    add(p, el("span", "kind", kind));
    if (isSample(c)) {
      var badge = el("span", "badge sample", T.card_sample);
      add(badge, el("span", "visually-hidden", T.card_open + T.card_sample_hint + T.card_close));
      add(p, document.createTextNode(" "), badge);
    }
    return p;
  }

  function facts(pairs) {
    var dl = el("dl", "card-facts");
    pairs.forEach(function (pair) {
      if (pair[1]) { add(dl, el("dt", null, pair[0]), el("dd", null, pair[1])); }
    });
    return dl.children.length ? dl : null;
  }

  function source(c) {
    // Every card says where it comes from: taxonomy and code, provider and citation, or document and section.
    var s = c.source || {};
    var p = el("p", "card-source");
    add(p, el("span", "source-label", T.card_source + T.card_colon));
    var parts = [];
    var href = null;
    if (c.type === "occupation") {
      parts = [schemeName(s.name), c.code];  // the plan page adds the release version
      href = c.uri;
    } else if (c.type === "skill") {
      parts = s.basis ? [s.basis, c.code] : [T.card_unanchored];
      href = c.uri;
    } else if (c.type === "apprenticeship" || c.type === "training") {
      parts = [s.provider, schemeName(s.name)];
      href = c.uri;
    } else if (c.type === "step") {
      var code = s.code || (c.code || "").replace(/^[^:]+:/, "");  // "csco2022:6-18-02-04" → its code
      parts = s.document ? ["《" + s.document + "》"] : s.provider ? [s.provider]
        : [schemeName(s.name), /^https?:/.test(code) ? "" : code];  // a URI is the link, not text
      href = s.uri || c.uri;
    } else if (c.type === "policy") {
      var section = (s.section || []).slice(1).join(" › ");
      parts = ["《" + (s.document || c.title) + "》", section, c.code];
      href = c.uri;
    }
    parts.filter(Boolean).forEach(function (part, i) {
      if (i) { add(p, document.createTextNode(" · ")); }
      add(p, el("span", /^[\w:.#-]+$/.test(part) ? "code" : null, part));  // codes are not broken across lines
    });
    if (href && /^https?:/.test(href)) { add(p, document.createTextNode(" "), link(href, T.card_link)); }
    var box = el("div", "card-cite");
    add(box, p);
    if (s.citation) {
      var details = el("details");
      add(details, el("summary", null, T.card_citation), el("p", null, s.citation));
      add(box, details);
    }
    return box;
  }

  function card(c) {
    var article = el("article", "card card-" + c.type);
    add(article, chipsLine(c), el("h4", "card-title", c.title));
    var q = c.quality || {};
    if (c.type === "occupation") {
      add(article, el("p", "card-why", c.why));
      var missing = (c.skills_missing || []).map(function (m) { return m.label; });
      if (missing.length) {
        var more = missing.length > 3 ? " …" : "";
        add(article, facts([[T.card_to_learn, missing.slice(0, 3).join(T.card_sep) + more]]));
      }
      // People with these skills also work as…: each nearby occupation with what it shares and what it adds.
      var near = (c.nearby || []).map(function (n) {
        var also = (n.extra || []).slice(0, 2).join(T.card_sep);
        return n.title + (n.code ? " (" + n.code + ")" : "") + (also ? T.card_nearby_extra.replace("{x}", also) : "");
      });
      if (near.length) {
        var box = el("details", "card-more");
        add(box, el("summary", null, T.card_nearby), el("ul", null));
        near.forEach(function (line) { add(box.lastChild, el("li", null, line)); });
        add(article, box);
      }
    } else if (c.type === "apprenticeship" || c.type === "training") {
      // An online offer is taken from home: its provider's city is not where the person goes.
      var where = c.mode === "online" ? T.card_online : c.city;
      add(article, facts([[T.card_where, where], [T.card_duration, c.duration], [T.card_wage, q.wage],
                          [T.card_qualification, q.qualification]]));
      add(article, el("p", "card-why", c.why));
      var extra = facts([[T.card_subsidy, q.subsidy], [T.card_mentor, q.mentor], [T.card_agreement, q.agreement]]);
      if (extra) {
        var d = el("details", "card-more");
        add(d, el("summary", null, T.card_details), extra);
        add(article, d);
      }
    } else if (c.type === "step") {
      add(article, facts([[T.card_duration, c.duration],
                          [T.card_covers, (c.covers_labels || []).slice(0, 3).join(T.card_sep)]]));
    } else if (c.type === "policy") {
      add(article, el("blockquote", "card-quote", c.why));
    } else {
      add(article, el("p", "card-why", c.why));
    }
    add(article, source(c));
    return article;
  }

  var GROUPS = [["occupation", ["occupation"]], ["offer", ["apprenticeship", "training"]], ["skill", ["skill"]],
                ["step", ["step"]], ["policy", ["policy"]]];

  function cardGroups(cards) {
    var wrap = el("div", "cards");
    GROUPS.forEach(function (g) {
      var these = cards.filter(function (c) { return g[1].indexOf(c.type) >= 0; });
      if (!these.length) { return; }
      var list = el(g[0] === "step" ? "ol" : "ul", "card-list card-list-" + g[0]);
      these.forEach(function (c) { add(list, add(el("li"), card(c))); });
      add(wrap, el("h3", "cards-heading", T["card_group_" + g[0]]), list);
    });
    return wrap.children.length ? wrap : null;
  }

  // ---- the conversation ----------------------------------------------------------------------------------
  function addMessage(role, text, cards) {
    var msg = el("div", "msg msg-" + role);
    add(msg, el("p", "msg-who", role === "user" ? T.chat_who_user : T.chat_who_assistant),
        el("div", "msg-text", text), cards && cards.length ? cardGroups(cards) : null);
    log.appendChild(msg);
    return msg;
  }

  function setSuggestions(list) {
    chips.textContent = "";
    (list || []).forEach(function (s) {
      var b = el("button", "chip", s);
      b.type = "button";
      b.setAttribute("data-say", s);
      chips.appendChild(b);
    });
  }

  function setTools(consent) {
    planLink.hidden = !(session && consent);
    if (session) {
      var key = keyHeaders()[KEY_HEADER] || "";
      planLink.href = "/plan/" + encodeURIComponent(conversationId()) + "?lang=" + lang +
        "#key=" + encodeURIComponent(key);
    }
    // Everything the server keeps for this conversation, as a JSON file (even before consent: the empty record).
    exportLink.hidden = !session;
    if (session) { exportLink.href = "/api/chat/" + encodeURIComponent(conversationId()) + "/export"; }
    if (!session) { showCaseCode(""); }
    delOpen.hidden = !session;
    if (consent && consentBox) { consentBox.open = false; }  // agreed: fold the notice, the summary stays
  }

  function showError(text) { errorBox.textContent = text || ""; }

  function send(text) {
    text = (text || "").trim();
    if (!text) { showError(T.chat_empty); input.focus(); return; }
    if (busy) { return; }
    busy = true;
    showError("");
    delDone.hidden = true;
    addMessage("user", text);
    input.value = "";
    status.textContent = T.chat_sending;
    root.classList.add("is-busy");
    fetch("/api/chat", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({session_id: session, message: text, lang: langFor(text)})
    }).then(function (res) {
      if (res.status === 404) { return {gone: true}; }
      if (res.status === 429) {  // too fast for this conversation, or a busy office behind one address
        var limited = new Error("HTTP 429");
        limited.seconds = parseInt(res.headers.get("Retry-After"), 10) || 10;
        throw limited;
      }
      if (res.status === 400 || res.status === 413) {  // refused as written: say why, in the page's language
        return res.json().catch(function () { return {}; }).then(function (problem) {
          var refused = new Error("HTTP " + res.status);
          var long = /longer than (\d+) characters/.exec((problem && problem.detail) || "");
          refused.friendly = long ? T.chat_error_too_long.replace("{limit}", long[1]) : T.chat_error_refused;
          throw refused;
        });
      }
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.json();
    }).then(function (body) {
      if (body.gone) {
        remember(null);
        setTools(false);
        showError(T.chat_error_gone);
        return;
      }
      remember(body.session_id);
      showCaseCode(body.case_code);
      var msg = addMessage("assistant", body.reply, body.cards);
      setSuggestions(body.suggestions);
      setTools(body.consent);
      msg.scrollIntoView({block: "start", behavior: reducedMotion() ? "auto" : "smooth"});
    }).catch(function (err) {
      log.removeChild(log.lastChild);  // the message did not go: take it back into the box
      input.value = text;
      showError(err && err.friendly ? err.friendly
        : err && err.seconds ? T.chat_error_limited.replace("{seconds}", err.seconds) : T.chat_error);
    }).then(function () {
      busy = false;
      status.textContent = "";
      root.classList.remove("is-busy");
    });
  }

  function restore() {
    if (!session) { return; }
    fetch("/api/chat/" + encodeURIComponent(conversationId()), {headers: keyHeaders({"Accept": "application/json"})})
      .then(function (res) {
        if (res.status === 404) { remember(null); return null; }
        return res.ok ? res.json() : null;
      }).then(function (view) {
        if (!view) { setTools(false); return; }
        log.setAttribute("aria-busy", "true");  // one announcement for the whole history, not one per message
        view.messages.forEach(function (m) { addMessage(m.role, m.text, m.cards); });
        log.removeAttribute("aria-busy");
        if (view.messages.length) {
          setSuggestions(view.suggestions);
          status.textContent = T.chat_restored;
        }
        setTools(view.consent);
        showCaseCode(view.case_code);
      }).catch(function () { /* offline: the page still works as a new conversation */ });
  }

  function forget() {
    if (!session) { return; }
    fetch("/api/chat/" + encodeURIComponent(conversationId()), {method: "DELETE", headers: keyHeaders()})
      .then(function (res) {
      if (res.status !== 204 && res.status !== 404) { throw new Error("HTTP " + res.status); }
      remember(null);
      log.innerHTML = opening;
      setSuggestions(openingChips);
      setTools(false);
      delPanel.hidden = true;
      delOpen.setAttribute("aria-expanded", "false");
      if (consentBox) { consentBox.open = true; }
      delDone.textContent = T.chat_deleted;
      delDone.hidden = false;
      delDone.focus();
    }).catch(function () {
      delDone.textContent = T.chat_delete_failed;
      delDone.hidden = false;
      delDone.focus();
    });
  }

  // A plain link cannot send the key: the file is fetched with it and handed to the browser as a download.
  function download(e) {
    e.preventDefault();
    if (!session) { return; }
    var name = "skillpath-" + conversationId().slice(0, 8) + ".json";
    fetch(exportLink.href, {headers: keyHeaders({"Accept": "application/json"})}).then(function (res) {
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    }).catch(function () { showError(T.chat_export_failed); });
  }

  // ---- wiring --------------------------------------------------------------------------------------------
  exportLink.addEventListener("click", download);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send(input.value);
  });
  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms a Chinese input method's word is left alone.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send(input.value);
    }
  });
  chips.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-say]");
    if (!b) { return; }
    var say = b.getAttribute("data-say");
    if (/(…|\.\.\.)$/.test(say)) {  // "我不会……": a start to finish, not a reply to send
      input.value = say.replace(/(…+|\.\.\.)$/, "");
      input.focus();
      return;
    }
    // The buttons are about to be replaced: a keyboard user (a click with no pointer, detail 0) goes on in the box;
    // a tap does not focus it, which would open the phone's keyboard over the reply.
    if (e.detail === 0) { input.focus(); }
    send(say);
  });
  delOpen.addEventListener("click", function () {
    delPanel.hidden = false;
    delOpen.setAttribute("aria-expanded", "true");
    delPanel.focus();
  });
  document.getElementById("delete-no").addEventListener("click", function () {
    delPanel.hidden = true;
    delOpen.setAttribute("aria-expanded", "false");
    delOpen.focus();
  });
  document.getElementById("delete-yes").addEventListener("click", forget);

  restore();
})();
