// Driver portal: a running session's duration ticks every second between live refreshes.
// Elements with data-since="<ISO start time>" show the time since then as H:MM:SS, counted on
// the server's clock (data-now: the server's time when it rendered them), so a phone whose
// clock is off still shows the right duration; a card swapped in by htmx is found on the next
// tick.
(function () {
  "use strict";

  function text(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (element) {
      if (element.portalOffset === undefined) {
        var rendered = Date.parse(element.getAttribute("data-now") || "");
        element.portalOffset = isNaN(rendered) ? 0 : rendered - now;
      }
      var since = Date.parse(element.getAttribute("data-since"));
      if (!isNaN(since)) { element.textContent = text((now + element.portalOffset - since) / 1000); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
  });
})();
