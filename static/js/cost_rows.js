// The costs step: "Add another cost" adds an empty row without saving first, from the
// formset's empty form in <template id="cost-item-template">. Without this script the
// button stays hidden and saving the draft adds a row, as before.
(function () {
  "use strict";
  var button = document.getElementById("add-cost-item");
  var template = document.getElementById("cost-item-template");
  var rows = document.getElementById("cost-items");
  var total = document.querySelector('input[name$="-TOTAL_FORMS"]');
  var maximum = document.querySelector('input[name$="-MAX_NUM_FORMS"]');
  if (!button || !template || !rows || !total) {
    return;
  }
  button.hidden = false;
  var withoutScript = document.getElementById("add-cost-item-without-script");
  if (withoutScript) {
    withoutScript.hidden = true;
  }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (maximum && index >= parseInt(maximum.value, 10)) {
      return;
    }
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector("fieldset");
    rows.appendChild(row);
    total.value = String(index + 1);
    // Keyboard and screen reader users land in the row they asked for.
    var first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) {
      first.focus();
    }
  });
})();
