// Shows only the identity fields that match the chosen applicant type.
(function () {
  "use strict";
  function update() {
    var chosen = document.querySelector('input[name="kind"]:checked');
    document.querySelectorAll("fieldset[data-kind]").forEach(function (set) {
      set.hidden = chosen !== null && set.dataset.kind !== chosen.value;
    });
  }
  document.querySelectorAll('input[name="kind"]').forEach(function (input) {
    input.addEventListener("change", update);
  });
  update();
})();
