// The request queue: bulk triage (the step's own fields, how many are ticked), the decide dialog
// (a row's decision, the chosen decision's fields only) and the keyboard (j/k move, x ticks,
// c takes on, a accepts, s snoozes, d marks a duplicate, ? lists them; Esc closes a dialog).
// No inline scripts (CSP); everything still works without this file, by mouse and forms.
(function () {
  "use strict";
  var bar = document.getElementById("bulk-form");
  var table = document.querySelector("[data-queue-row]") ? document.querySelector("[data-queue-row]").closest("table") : null;
  if (!bar || !table) { return; }
  var action = bar.querySelector("[name=bulk-action]");
  var count = bar.querySelector("[data-bulk-count]");

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("input[name=bulk-ids][form=bulk-form]")); }
  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tr[data-queue-row]")); }

  function syncFields() {
    bar.querySelectorAll("[data-bulk-for]").forEach(function (box) {
      box.hidden = box.getAttribute("data-bulk-for") !== action.value;
    });
  }
  function syncCount() {
    var ticked = boxes().filter(function (b) { return b.checked; }).length;
    count.textContent = ticked ? ticked + " selected" : "Tick requests below, then choose a step.";
  }
  action.addEventListener("change", syncFields);
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bulk-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    syncCount();
  });
  syncFields();
  syncCount();

  // --- Keyboard ---------------------------------------------------------------------------------
  var currentId = null;
  function current() {
    return currentId ? document.getElementById(currentId) : null;
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    all.forEach(function (row) { row.classList.remove("rq-current"); });
    var row = all[index];
    row.classList.add("rq-current");
    currentId = row.id;
    var link = row.querySelector("a[href]");
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }
  function isTyping(element) {
    return element && element.closest && element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") !== null;
  }
  // --- The decide dialog (a row's decision without leaving the queue) ------------------------------
  var dialog = document.getElementById("rq-decide-dialog");
  var dialogBody = document.getElementById("rq-decide-body");
  function syncDecide(form) {
    var move = form.querySelector("[data-decide-move]");
    form.querySelectorAll("[data-decide-for]").forEach(function (box) {
      box.hidden = box.getAttribute("data-decide-for") !== move.value;
    });
  }
  function focusDecide(form) {
    var invalid = form.querySelector(".is-invalid");
    var move = form.querySelector("[data-decide-move]").value;
    var box = form.querySelector("[data-decide-for='" + move + "']");
    // What to fix first; else the scores when the request has none; else the decision's first field.
    var first = invalid || form.querySelector("[name=reusability]") || (box && box.querySelector("select, input, textarea"));
    if (first && first.tomselect) { first.tomselect.focus(); } else if (first) { first.focus(); }
  }
  function focusRow(id) {
    var row = id ? document.getElementById(id) : null;
    var link = row ? row.querySelector("a[href]") : null;
    if (link) { link.focus({ preventScroll: true }); }
  }
  function openDecide(row, move) {
    var opener = row.querySelector("[data-decide-open]");
    if (!opener || !dialog || typeof htmx === "undefined") { return false; }
    htmx.ajax("GET", opener.getAttribute("hx-get") + "?move=" + encodeURIComponent(move), {
      target: dialogBody, swap: "innerHTML",
    });
    return true;
  }
  if (dialog) {
    dialog.addEventListener("close", function () {
      var form = dialogBody.querySelector("[data-decide]");
      var id = form ? form.getAttribute("data-row") : null;
      dialogBody.innerHTML = "";
      if (id) { currentId = id; focusRow(id); }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }  // a click on the backdrop
      if (event.target.closest && event.target.closest("[data-decide-close]")) { dialog.close(); }
    });
    dialog.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("[data-decide-move]")) {
        syncDecide(event.target.closest("[data-decide]"));
      }
    });
    dialog.addEventListener("keydown", function (event) {
      // Enter applies the decision from a picker too (browsers submit only from text fields).
      if (event.key === "Enter" && event.target.matches && event.target.matches("[data-decide] select:not([data-typeahead])")) {
        event.preventDefault();
        event.target.closest("form").requestSubmit();
      }
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target === dialogBody) {  // a decide form arrived: opened, or back with what to fix
      var form = dialogBody.querySelector("[data-decide]");
      if (!form) { return; }
      syncDecide(form);
      if (!dialog.open) { dialog.showModal(); }
      focusDecide(form);
      return;
    }
    var row = event.target.matches && event.target.matches("tr[data-queue-row]") ? event.target : null;
    if (!row) { return; }
    if (dialog && dialog.open) {
      var open = dialogBody.querySelector("[data-decide]");
      if (open && open.getAttribute("data-row") === row.id) { dialog.close(); return; }  // decided
    }
    // A row redrawn after a step keeps the keyboard where it was: on that row.
    if (document.activeElement === document.body || !document.activeElement) { focusRow(row.id); }
  });

  function openDetail(row, anchor) {
    var link = row.querySelector("a[href]");
    if (link) { window.location.assign(link.getAttribute("href") + anchor); }
  }
  var help = document.getElementById("queue-shortcuts");
  document.addEventListener("htmx:afterSettle", function () {
    var row = current();
    if (row) { row.classList.add("rq-current"); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (dialog && dialog.open) { return; }  // the decide dialog has the keyboard
    if (isTyping(event.target)) { return; }
    var row = current();
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      if (help.open) { help.close(); } else { help.showModal(); }
      return;
    }
    if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
      return;
    }
    if (!row) { return; }
    if (key === "x") {
      event.preventDefault();
      var box = row.querySelector("input[name=bulk-ids]");
      box.checked = !box.checked;
      syncCount();
    } else if (key === "c") {
      var take = row.querySelector("[data-step]");
      if (take) {
        event.preventDefault();
        take.click();
        var first = row.querySelector(".rq-actions details[open] select, .rq-actions details[open] input:not([type=hidden])");
        if (first) { first.focus(); }
      }
    } else if (key === "a") {
      event.preventDefault();
      if (!openDecide(row, "accept")) { openDetail(row, "#triage"); }
    } else if (key === "d") {
      event.preventDefault();
      if (!openDecide(row, "duplicate")) { openDetail(row, "#likely-duplicates"); }
    } else if (key === "s") {
      event.preventDefault();
      // Ticked requests are snoozed together (the bulk bar); otherwise this one, in place.
      if (!boxes().some(function (b) { return b.checked; }) && openDecide(row, "snooze")) { return; }
      if (!boxes().some(function (b) { return b.checked; })) {
        row.querySelector("input[name=bulk-ids]").checked = true;
        syncCount();
      }
      action.value = "snooze";
      syncFields();
      bar.querySelector("[name=bulk-until]").focus();
    }
  });
})();
