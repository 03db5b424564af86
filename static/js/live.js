// Live updates: one WebSocket per page to /ws/live/. Elements name what they show with
// data-live="station:12" (several names separated by spaces); the page asks to watch them and
// each event is re-dispatched on <body> as "live:<name>", "live:<name>:<kind>" and "live:<kind>", so an htmx element
// refreshes itself with hx-trigger="live:station:12 from:body". Events say what changed,
// never the new state: fragments re-fetch it. Reconnects with backoff after a drop.
(function () {
  "use strict";
  var retry = 1000;

  function names() {
    var found = {};
    document.querySelectorAll("[data-live]").forEach(function (element) {
      element.getAttribute("data-live").split(/\s+/).forEach(function (name) {
        if (name) { found[name] = true; }
      });
    });
    return Object.keys(found);
  }

  function emit(type, detail) {
    document.body.dispatchEvent(new CustomEvent(type, { detail: detail, bubbles: true }));
  }

  function namesOf(event) {
    var found = [];
    if (event.station !== undefined) { found.push("station:" + event.station); }
    if (event.transaction !== undefined) { found.push("transaction:" + event.transaction); }
    return found;
  }

  function connect() {
    var watched = names();
    if (!watched.length) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/live/");
    socket.onopen = function () {
      retry = 1000;
      socket.send(JSON.stringify({ watch: watched }));
      document.body.setAttribute("data-live-state", "open");
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.watching) { emit("live:ready", data); return; }
      (data.events || []).forEach(function (event) {
        namesOf(event).forEach(function (name) {
          emit("live:" + name, event);
          // Kind by kind too: htmx trigger filters ([detail.kind==…]) need eval, which the
          // Content-Security-Policy forbids.
          emit("live:" + name + ":" + event.kind, event);
        });
        if (event.station !== undefined && watched.indexOf("network") !== -1) {
          emit("live:network", event);
        }
        emit("live:" + event.kind, event);
      });
    };
    socket.onclose = function () {
      document.body.setAttribute("data-live-state", "closed");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
