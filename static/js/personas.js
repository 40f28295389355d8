// Personas pages: print the card, filter lists as you pick, confirm deletions. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  // Filter bars submit as soon as a select or date changes; typing a search still waits for Enter.
  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = field.closest("form[data-autosubmit]");
    if (form && (field.tagName === "SELECT" || field.type === "date")) {
      form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
