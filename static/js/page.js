// Small behaviours any page may ask for by attribute (no inline handlers: the
// Content-Security-Policy runs only scripts from our own files):
//   data-print                 a button that prints the page;
//   data-disable-on-submit     a form whose submit button is disabled once sent (no double posts).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-disable-on-submit]")) { return; }
    form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (button) {
      button.disabled = true;
    });
  });
})();
