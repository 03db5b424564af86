// The site map: a Leaflet map with the site's marker. Tiles only when MAP_TILE_URL is set
// (data-tile-url); without it the marker stands on the plain background and nothing is fetched
// from outside the app.
(function () {
  "use strict";

  function draw(element) {
    var latitude = parseFloat(element.getAttribute("data-latitude"));
    var longitude = parseFloat(element.getAttribute("data-longitude"));
    if (isNaN(latitude) || isNaN(longitude)) { return; }
    L.Icon.Default.imagePath = element.getAttribute("data-icon-path");
    var map = L.map(element, { scrollWheelZoom: false }).setView([latitude, longitude], 15);
    var tiles = element.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    L.marker([latitude, longitude], { title: element.getAttribute("data-name") || "" })
      .addTo(map)
      .bindPopup(document.createTextNode(element.getAttribute("data-name") || ""));
    element.setAttribute("data-map-ready", "true");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#site-map").forEach(draw);
  });
})();
