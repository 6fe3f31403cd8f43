/* SkillPath operator console: checks an upload's size before sending it, keeps forms from being sent twice,
   and drives the index refresh panel (POST /api/operator/refresh, then GET it every second until it ends). */
(function () {
  "use strict";

  var POLL_MS = 1000;

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // A second click on Import, Rollback or Start refresh must not send the form again while the first is on its way.
  function disableOnSubmit(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      // After this tick: a button disabled during the submit event would drop out of the submission.
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  }

  // ---- the upload form ---------------------------------------------------------------------------------
  function uploadForm() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var input = document.getElementById("upload-file");
    var error = document.getElementById("upload-error");
    var status = document.getElementById("upload-status");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    if (error.textContent.trim()) { input.setAttribute("aria-invalid", "true"); }
    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      // The server refuses these too; saying so here spares sending 64 MiB only to hear it.
      var problem = !file ? form.getAttribute("data-no-file")
        : (max && file.size > max ? form.getAttribute("data-too-large") : "");
      if (problem) {
        event.preventDefault();
        error.textContent = problem;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      status.textContent = form.getAttribute("data-busy");
    });
    disableOnSubmit(form);
  }

  // ---- the refresh panel -------------------------------------------------------------------------------
  function refreshPanel() {
    var panel = document.getElementById("refresh");
    if (!panel || !window.fetch) { return; }
    var T = JSON.parse(document.getElementById("refresh-strings").textContent);
    var url = panel.getAttribute("data-status-url");
    var form = document.getElementById("refresh-form");
    var button = document.getElementById("refresh-start");
    var bar = document.getElementById("refresh-progress");
    var percent = document.getElementById("refresh-percent");
    var detail = document.getElementById("refresh-detail");
    var status = document.getElementById("refresh-status");
    var error = document.getElementById("refresh-error");
    var token = form.querySelector("input[name=csrf_token]").value;
    var timer = null;
    var spoken = status.textContent.trim();

    function setError(text) {
      if (error.textContent !== text) { error.textContent = text; }  // an alert repeats itself only when it changes
    }

    function headline(s) {
      if (s.phase === "done") { return fill(T.done_version, { version: s.version_id }); }
      if (s.phase === "failed") { return fill(T.failed_error, { error: s.error }); }
      return T.phases[s.phase] || s.phase;
    }

    function show(s) {
      var pct = Math.round(s.percent);
      bar.value = s.percent;
      bar.textContent = pct + "%";
      percent.textContent = pct + "%";
      detail.textContent = s.phase === "embedding" && s.to_embed
        ? fill(T.embedding_n, { done: s.embedded.toLocaleString(), total: s.to_embed.toLocaleString() }) : "";
      var text = headline(s);
      if (text !== spoken) { status.textContent = text; spoken = text; }
      button.disabled = !!s.running;
      panel.setAttribute("data-running", s.running ? "true" : "false");
      panel.setAttribute("data-phase", s.phase);
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, POLL_MS);
    }

    // A finished refresh changes the versions table and the rollback target: take both from a fresh copy of the page.
    function reloadVersions() {
      fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          ["versions", "rollback"].forEach(function (id) {
            var now = document.getElementById(id), next = fresh.getElementById(id);
            if (now && next) { now.innerHTML = next.innerHTML; }
          });
        })
        .catch(function () { /* the table stays as it was; reloading the page shows the new version */ });
    }

    function poll() {
      fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          setError("");
          show(s);
          if (s.running) { schedule(); } else if (s.phase === "done") { reloadVersions(); }
        })
        .catch(function () { setError(T.poll_failed); schedule(); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      setError("");
      fetch(url, { method: "POST", credentials: "same-origin",
                   headers: { accept: "application/json", "X-CSRF-Token": token } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) {  // 409: one is running already (its progress is shown next); 403: the page is stale
            setError(fill(T.start_failed, { error: res.body.detail || res.body.error }));
            button.disabled = false;
            poll();
            return;
          }
          show(res.body);
          schedule();
        })
        .catch(function () {  // no answer: it may have started all the same, and polling will say so
          setError(fill(T.start_failed, { error: "network" }));
          button.disabled = false;
          schedule();
        });
    });

    if (panel.getAttribute("data-running") === "true") { schedule(); }
  }

  uploadForm();
  Array.prototype.forEach.call(document.querySelectorAll("form.op-once"), function (form) {
    if (form.id !== "refresh-form") { disableOnSubmit(form); }
  });
  refreshPanel();
})();
