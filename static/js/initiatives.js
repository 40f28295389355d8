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
