// A driver's notifications as they happen: live.js watches "me" (the element with
// data-live="me" in templates/portal/_notifications.html) and re-dispatches each event on
// <body> as "live:notification"; this shows it as a toast, newest last, for a while.
(function () {
  "use strict";
  var SHOW_MS = 15000;

  function toast(container, event) {
    var item = document.createElement("div");
    item.className = "notification-toast";
    item.setAttribute("data-notification", String(event.notification));
    item.setAttribute("data-type", event.type || "");
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", container.getAttribute("data-close-label") || "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { item.remove(); });
    var title = document.createElement("strong");
    title.textContent = event.title || "";
    var body = document.createElement("p");
    body.textContent = event.body || "";
    item.appendChild(close);
    item.appendChild(title);
    item.appendChild(body);
    var url = container.getAttribute("data-list-url");
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = container.getAttribute("data-list-label") || url;
      item.appendChild(link);
    }
    container.appendChild(item);
    setTimeout(function () { item.remove(); }, SHOW_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("notification-toasts");
    if (!container) { return; }
    var shown = {};
    document.body.addEventListener("live:notification", function (e) {
      var event = e.detail || {};
      // One toast per notification, however many times an event reaches the page.
      if (shown[event.notification]) { return; }
      shown[event.notification] = true;
      toast(container, event);
    });
  });
})();
