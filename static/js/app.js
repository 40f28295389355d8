// PMM Portal behaviour shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Messages fade away after a while unless they are errors.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".messages .alert:not(.alert-danger)").forEach(function (el) {
      window.setTimeout(function () {
        if (window.bootstrap && document.body.contains(el)) {
          window.bootstrap.Alert.getOrCreateInstance(el).close();
        }
      }, 8000);
    });
  });
  // Tell the user when an HTMX request failed instead of silently doing nothing.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403 ? "You do not have permission to do that." :
      status === 429 ? "Too many requests: wait a minute and try again." :
      "Something went wrong (" + status + "). Reload the page and try again.";
    var box = document.createElement("div");
    box.className = "alert alert-danger alert-dismissible fade show";
    box.setAttribute("role", "alert");
    box.textContent = text;
    var close = document.createElement("button");
    close.type = "button"; close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert"); close.setAttribute("aria-label", "Dismiss");
    box.appendChild(close);
    var main = document.getElementById("main");
    if (main) { main.prepend(box); }
  });
})();
// Print buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest(".js-print") : null;
  if (target) { event.preventDefault(); window.print(); }
});
// Global search: "/" jumps to the search box (on a phone, where the top bar shows only its
// button, to the search page); Escape leaves the box. Never while the user is typing elsewhere.
(function () {
  "use strict";
  function isTyping(element) {
    if (!element || !element.closest) { return false; }
    return element.isContentEditable ||
      element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") !== null;
  }
  function isShown(element) {
    return element.offsetParent !== null || element.getClientRects().length > 0;
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) { return; }
    var target = event.target;
    if (event.key === "Escape" && target && target.matches && target.matches("[data-search-input]")) {
      event.preventDefault();  // blur, keeping what was typed (a search box would clear itself)
      target.blur();
      return;
    }
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(target)) { return; }
    var inputs = document.querySelectorAll("[data-search-input]");
    for (var i = 0; i < inputs.length; i++) {
      if (isShown(inputs[i])) {
        event.preventDefault();
        inputs[i].focus();
        inputs[i].select();
        return;
      }
    }
    var link = document.querySelector("[data-search-link]");
    if (link && isShown(link)) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();

// Offers that last a few seconds (the queue's "Undo"): [data-expires-in="<seconds>"] is removed
// when its time is up, whether it came with the page or with an HTMX swap.
(function () {
  "use strict";
  function arm(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-expires-in]").forEach(function (element) {
      if (element.dataset.armed) { return; }
      element.dataset.armed = "1";
      window.setTimeout(function () { element.remove(); }, Number(element.dataset.expiresIn) * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  document.addEventListener("htmx:afterSwap", function (event) { arm(event.detail.elt || document); });
  document.addEventListener("htmx:load", function (event) { arm(event.detail.elt || document); });
})();
