// The request queue: bulk triage (the step's own fields, how many are ticked) and the keyboard
// (j/k move, x ticks, c takes on, a accepts, s snoozes, d marks a duplicate, ? lists them).
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
      openDetail(row, "#triage");
    } else if (key === "d") {
      event.preventDefault();
      openDetail(row, "#likely-duplicates");
    } else if (key === "s") {
      event.preventDefault();
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
