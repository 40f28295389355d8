// Initiatives: live totals on the timesheet. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var form = document.getElementById("timesheet-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".ts-hours"));
  var total = document.getElementById("ts-total");
  var split = document.getElementById("ts-split");
  var warning = document.getElementById("ts-warning");
  var max = parseFloat(total.getAttribute("data-max")) || 80;

  function value(input) {
    var number = parseFloat((input.value || "").replace(",", "."));
    return isNaN(number) || number < 0 ? 0 : number;
  }

  function format(number) {
    return (Math.round(number * 10) / 10).toString();
  }

  function update() {
    var sum = 0;
    var requests = 0;
    inputs.forEach(function (input) {
      var hours = value(input);
      sum += hours;
      if (input.getAttribute("data-category") === "request") { requests += hours; }
    });
    total.textContent = format(sum);
    split.textContent = sum > 0 ? "One-off requests: " + Math.round(requests * 100 / sum) + " %" : "";
    var over = sum > max;
    total.classList.toggle("text-danger", over);
    warning.textContent = over ? "That is " + format(sum) + " hours: a week holds at most " + max + "." : "";
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("input", update);
    // Enter moves to the next line instead of submitting half-filled.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && index < inputs.length - 1) {
        event.preventDefault();
        inputs[index + 1].focus();
        inputs[index + 1].select();
      }
    });
  });
  update();
})();

// The top-3 board (_plan_board.html): after a reorder, add or removal swaps the board, focus goes
// back to the same initiative's same button (or its first one still enabled), so a keyboard user
// can press "Move up" again without hunting for it.
(function () {
  "use strict";
  var last = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-initiative]")) { return; }
    var submitter = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent
      ? event.detail.requestConfig.triggeringEvent.submitter : null;
    last = { initiative: form.getAttribute("data-initiative"), action: submitter ? submitter.value : "" };
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!last || !event.detail.elt || event.detail.elt.id !== "plan-board") { return; }
    var board = document.getElementById("plan-board");
    var forms = board.querySelectorAll('form[data-initiative="' + last.initiative + '"]');
    var target = null;
    forms.forEach(function (form) {
      if (target) { return; }
      target = form.querySelector('button[value="' + last.action + '"]:not([disabled])') ||
        form.querySelector("button:not([disabled])");
    });
    if (target) { target.focus(); }
    last = null;
  });
})();
