// Requests queue: show only the fields the chosen triage decision needs. No inline scripts (CSP).
(function () {
  "use strict";
  function sync(form) {
    var checked = form.querySelector("input[name=decision]:checked");
    var value = checked ? checked.value : "";
    form.querySelectorAll(".rq-decision-fields").forEach(function (box) {
      // Without a choice every field stays visible, so nothing is hidden from keyboard users.
      box.hidden = value !== "" && box.getAttribute("data-rq-for") !== value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.rq-decision").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    });
  });
})();
