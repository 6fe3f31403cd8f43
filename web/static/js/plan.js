/* The plan page: its print button (print CSS hides the page's navigation and buttons), and opening a plan whose
   address carries the conversation's key after "#" (which browsers never send): the page is fetched again with the
   key in a header and shown. The key then leaves the address bar and stays in this tab only (sessionStorage), so a
   copied address holds the id alone, which opens nothing. */
(function () {
  "use strict";
  var KEY_HEADER = "X-Conversation-Key";
  var STORE = "skillpath.plan.";

  function wirePrint() {
    var button = document.getElementById("print-plan");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  }

  function keyFor(id) {
    var found = /(?:^#|&)key=([^&]+)/.exec(window.location.hash);
    var key = found ? decodeURIComponent(found[1]) : null;
    try {
      if (key) { window.sessionStorage.setItem(STORE + id, key); } else { key = window.sessionStorage.getItem(STORE + id); }
    } catch (e) { /* storage blocked: the key lives as long as the page */ }
    if (found && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return key;
  }

  function headers(key) {
    var h = {"Accept": "text/html"};
    h[KEY_HEADER] = key;
    return h;
  }

  function open(locked) {
    var id = decodeURIComponent(window.location.pathname.split("/").pop() || "");
    var key = id && keyFor(id);
    if (!key || !window.fetch || !window.DOMParser) { return; }
    var message = locked.textContent;
    locked.textContent = locked.getAttribute("data-opening");
    fetch(window.location.pathname + window.location.search,
          {headers: headers(key), cache: "no-store"})
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (!html) { locked.textContent = message; return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var main = doc.getElementById("main");
        if (!main || doc.getElementById("plan-shell")) { locked.textContent = message; return; }
        document.getElementById("main").replaceWith(document.importNode(main, true));
        document.title = doc.title;
        wirePrint();
      })
      .catch(function () { locked.textContent = message; });
  }

  wirePrint();
  var locked = document.getElementById("plan-locked");
  if (locked) { open(locked); }
})();
