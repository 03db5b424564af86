// Session detail: a uPlot chart of power (W), energy delivered (Wh) and state of charge (%)
// from /sessions/<pk>/series.json. On the session's live events ("live:transaction:<pk>",
// re-dispatched by live.js) it re-fetches the series at most once a second, the last event
// always answered, and then asks the summary card to refresh itself ("session:refresh").
(function () {
  "use strict";
  var MIN_INTERVAL = 1000;

  // Power and energy axes start at zero (below it for a V2X discharge), so a flat 7 kW does
  // not look like a swing.
  function fromZero(u, min, max) {
    if (min === null || max === null) { return [0, 1]; }
    var low = Math.min(0, min);
    var high = Math.max(0, max);
    if (low === high) { high = low + 1; }
    return [low, high + (high - low) * 0.05];
  }

  function setup(element) {
    var note = document.getElementById("session-chart-note");
    var plot = null;
    var lastRun = 0;
    var timer = null;
    var running = false;
    var again = false;

    function width() {
      return Math.max(element.clientWidth, 280);
    }

    function options() {
      return {
        width: width(),
        height: 300,
        scales: { x: { time: true }, W: { range: fromZero }, Wh: { range: fromZero }, pct: { range: [0, 100] } },
        series: [
          {},
          { label: element.dataset.labelPower, scale: "W", stroke: "#0b63ce", width: 2, spanGaps: true },
          { label: element.dataset.labelEnergy, scale: "Wh", stroke: "#1a7f37", width: 2, spanGaps: true },
          { label: element.dataset.labelSoc, scale: "pct", stroke: "#9a6700", width: 2, spanGaps: true }
        ],
        axes: [
          {},
          { scale: "W", label: "W", size: 60 },
          { scale: "Wh", label: "Wh", side: 1, size: 60, grid: { show: false } },
          { scale: "pct", label: "%", side: 1, size: 40, grid: { show: false } }
        ]
      };
    }

    function draw(series) {
      var data = [series.t, series.power_w, series.energy_wh, series.soc_percent];
      if (plot === null) {
        plot = new uPlot(options(), data, element);
      } else {
        plot.setData(data);
      }
      element.dataset.points = String(series.t.length);
      element.dataset.state = series.state;
      if (!series.t.length) {
        note.textContent = element.dataset.emptyText || "";
      } else if (series.stored > series.t.length) {
        note.textContent = series.t.length + " / " + series.stored;
      } else {
        note.textContent = "";
      }
    }

    function load() {
      return fetch(element.dataset.seriesUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(draw);
    }

    function run() {
      timer = null;
      if (running) { again = true; return; }
      running = true;
      lastRun = Date.now();
      load().catch(function () { /* the next event or reload tries again */ }).then(function () {
        running = false;
        document.body.dispatchEvent(new CustomEvent("session:refresh", { bubbles: true }));
        if (again) { again = false; schedule(); }
      });
    }

    function schedule() {
      if (timer !== null) { return; }
      timer = setTimeout(run, Math.max(0, lastRun + MIN_INTERVAL - Date.now()));
    }

    document.body.addEventListener(element.dataset.event, schedule);
    window.addEventListener("resize", function () {
      if (plot !== null) { plot.setSize({ width: width(), height: 300 }); }
    });
    load().catch(function () { note.textContent = element.dataset.errorText || ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("session-chart");
    if (element && window.uPlot) { setup(element); }
  });
})();
