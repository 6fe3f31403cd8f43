// The counsellor console: keeps a session page live while the job seeker chats, and prints the plan.
// Plain script, no libraries. Without it every page still works; only the live updates stop.
(function () {
  "use strict";

  var POLL_MS = 2500;
  var MAX_BACKOFF_MS = 30000;

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) { window.print(); }
  });

  // Removing a line of the profile changes what the job seeker is told: ask first (data-confirm holds the question).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  var root = document.getElementById("case");
  if (!root || !window.fetch) { return; }

  var list = document.getElementById("messages");
  var scroller = document.getElementById("messages-scroll");
  var status = document.getElementById("live-status");
  var state = document.getElementById("live-state");
  var phase = document.getElementById("case-phase");
  var version = root.getAttribute("data-version");
  var after = parseInt(root.getAttribute("data-after"), 10) || 0;
  var delay = POLL_MS;
  var timer = null;
  var composing = false;
  var stopped = false;

  // An input method (pinyin) is mid-word: replacing the DOM now would drop the half-typed characters.
  document.addEventListener("compositionstart", function () { composing = true; });
  document.addEventListener("compositionend", function () { composing = false; });

  function say(text) {
    // Cleared first so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function atBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  }

  function addMessages(messages) {
    if (!messages.length) { return; }
    var follow = atBottom();
    var empty = document.getElementById("messages-empty");
    if (empty) { empty.remove(); }
    var fromUser = [];
    messages.forEach(function (m) {
      if (document.getElementById("msg-" + m.ordinal)) { return; }
      list.insertAdjacentHTML("beforeend", m.html);
      var item = list.lastElementChild;
      if (item) { item.classList.add("is-new"); }
      if (m.role === "user") { fromUser.push(m.text); }
    });
    if (follow) { scroller.scrollTop = scroller.scrollHeight; }
    if (fromUser.length) {
      var last = fromUser[fromUser.length - 1];
      say(root.getAttribute("data-say-user") + (last.length > 200 ? last.slice(0, 200) + "…" : last));
    } else {
      say(root.getAttribute("data-say-reply"));
    }
  }

  // Replace a region's markup but keep what the counsellor is doing in it: typed values, open <details>, focus.
  function swapRegion(region, html) {
    var typed = {};
    region.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
      if (field.type === "hidden") { return; }
      if (field.value !== field.defaultValue || field.tagName === "SELECT") { typed[field.id] = field.value; }
    });
    var open = [];
    region.querySelectorAll("details[id][open]").forEach(function (d) { open.push(d.id); });
    var active = document.activeElement;
    var focusId = active && region.contains(active) ? active.id : null;
    var selection = focusId && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;

    region.innerHTML = html;

    Object.keys(typed).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && region.contains(field)) { field.value = typed[id]; }
    });
    open.forEach(function (id) {
      var d = document.getElementById(id);
      if (d) { d.open = true; }
    });
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) {
        again.focus({ preventScroll: true });
        if (selection && again.setSelectionRange) { again.setSelectionRange(selection[0], selection[1]); }
      }
    }
  }

  function busyIn(region) {
    // Someone typing in the region right now: wait for the next poll rather than touch it.
    var active = document.activeElement;
    return composing || (active && region.contains(active) && active.matches("input, textarea, select") &&
                         active.value !== active.defaultValue && active.type !== "hidden");
  }

  function stop(message) {
    stopped = true;
    state.textContent = message;
    state.classList.add("paused");
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    if (!stopped && !document.hidden) { timer = window.setTimeout(poll, ms); }
  }

  function poll() {
    var url = root.getAttribute("data-poll") + "?after=" + after + "&version=" + encodeURIComponent(version);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          stop(root.getAttribute("data-say-logged-out"));
          return null;
        }
        if (response.status === 404) {
          stop(root.getAttribute("data-say-paused"));
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (!body) { return; }
        addMessages(body.messages || []);
        after = body.last_ordinal || after;
        if (phase && body.phase_label) { phase.textContent = body.phase_label; }
        if (body.changed && body.regions) {
          var pending = false;
          Object.keys(body.regions).forEach(function (name) {
            var region = document.querySelector('[data-live-region="' + name + '"]');
            if (!region) { return; }
            if (busyIn(region)) { pending = true; return; }
            swapRegion(region, body.regions[name]);
          });
          // A region left alone keeps the old version, so the next poll brings it again.
          if (!pending) {
            version = body.version;
            if (!(body.messages || []).some(function (m) { return m.role === "user"; })) {
              say(root.getAttribute("data-say-profile"));
            }
          }
        }
        delay = POLL_MS;
        schedule(delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);  // the server is busy or restarting: ask less often
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(0); }
  });
  if (scroller) { scroller.scrollTop = scroller.scrollHeight; }
  var transcript = document.getElementById("transcript");
  if (transcript && scroller) {
    // Collapsed by default; opened, it shows the newest messages first.
    transcript.addEventListener("toggle", function () { if (transcript.open) { scroller.scrollTop = scroller.scrollHeight; } });
  }
  schedule(delay);
})();
