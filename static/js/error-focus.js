// After a failed form, focus goes to what the page says went wrong: the error summary
// (templates/includes/form_errors.html), a panel that asks for a confirmation, or else
// an error message; it is scrolled into view, so keyboard and screen reader users start
// there. Each link of a summary moves the focus to its field.
(function () {
  "use strict";

  function focusOnLoad() {
    // A summary without tabindex lists what is missing on a page merely opened: no focus.
    var target = document.querySelector("#error-summary[tabindex], [data-focus-on-load]");
    if (target === null) {
      target = document.querySelector(".messages .message.error");
    }
    if (target === null) {
      return;
    }
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");  // an error message, focused without joining the Tab order
    }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  // The control a summary link points to: the element itself, or for a group of radio
  // buttons (whose id is on its container) the chosen one, else the first.
  function controlOf(element) {
    if (element.matches("input, select, textarea, button")) {
      return element;
    }
    return element.querySelector("input:checked") || element.querySelector("input, select, textarea, button");
  }

  function followErrorLink(event) {
    var link = event.target.closest("a[href^='#']");
    if (link === null) {
      return;
    }
    var element = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    var control = element && controlOf(element);
    if (!control) {
      return;
    }
    event.preventDefault();
    // The field's label or legend in view as well as the control itself.
    var field = control.closest(".field, fieldset, tr") || control;
    field.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("#error-summary")) {
      followErrorLink(event);
    }
  });
  focusOnLoad();
})();
