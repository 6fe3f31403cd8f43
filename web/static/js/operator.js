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
          ["versions", "rollback", "serving-version"].forEach(function (id) {
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

  // ---- the import button: the import runs in its request; meanwhile its stage and percentage are polled ------
  function importForm() {
    var form = document.getElementById("import-form");
    if (!form || !window.fetch || !window.FormData) { return; }  // without them the form posts as it is
    var T = JSON.parse(document.getElementById("import-strings").textContent);
    var panel = document.getElementById("import-progress-panel");
    var bar = document.getElementById("import-progress");
    var percent = document.getElementById("import-percent");
    var stage = document.getElementById("import-stage");
    var button = form.querySelector("button[type=submit]");
    var url = form.getAttribute("data-progress-url");
    var timer = null, finished = false;

    function show(p) {
      var pct = Math.round(p.percent);
      bar.value = p.percent;
      bar.textContent = pct + "%";
      percent.textContent = pct + "%";
      var text = fill(T[p.stage] || p.stage, { done: p.stage === "writing" ? p.done + 1 : p.done, total: p.total,
                                                 error: p.error || "" });
      if (stage.textContent !== text) { stage.textContent = text; }
    }

    function poll() {
      fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (p) { if (!finished) { show(p); } })
        .catch(function () { /* the next poll may answer; the import goes on either way */ })
        .then(function () { if (!finished) { timer = window.setTimeout(poll, 500); } });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      panel.hidden = false;
      show({ stage: "waiting", percent: 0, done: 0, total: 0 });
      timer = window.setTimeout(poll, 300);
      var token = form.querySelector("input[name=csrf_token]").value;
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
                           headers: { accept: "text/html", "X-CSRF-Token": token } })
        .then(function (r) {
          finished = true;
          window.clearTimeout(timer);
          if (r.ok && r.redirected) {
            show({ stage: "done", percent: 100, done: 1, total: 1 });
            window.location.assign(r.url);
            return null;
          }
          return r.text().then(function (html) {  // refused: the answer is the page naming why
            var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
            var main = document.querySelector("main");
            if (fresh && main) { main.innerHTML = fresh.innerHTML; } else { window.location.reload(); }
          });
        })
        .catch(function () {
          finished = true;
          window.clearTimeout(timer);
          show({ stage: "failed", percent: 100, done: 0, total: 0, error: "network" });
          button.disabled = false;
        });
    });
  }

  uploadForm();
  importForm();
  Array.prototype.forEach.call(document.querySelectorAll("form.op-once"), function (form) {
    if (form.id !== "refresh-form" && form.id !== "import-form") { disableOnSubmit(form); }
  });
  refreshPanel();
})();
