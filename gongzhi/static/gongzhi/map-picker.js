// The map picker beside a form's coordinate fields (no inline script: everything comes from
// data attributes). <div data-map-picker data-tiles="…{z}/{x}/{y}…" data-crs="wgs84|gcj02"
// data-lat-field="id" data-lng-field="id" data-crs-field="id" data-center="lat,lng,zoom"
// data-attribution="…">. A click puts the point in the fields; typing in the fields moves the
// marker. The fields hold the map's own datum after a click and say so in the hidden crs field
// (gcj02 tiles give GCJ-02 points): the server converts to WGS-84 before storing
// (gongzhi/core/geo.py), so the formula lives in one place.
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  document.querySelectorAll("[data-map-picker]").forEach(function (box) {
    var lat = document.getElementById(box.dataset.latField);
    var lng = document.getElementById(box.dataset.lngField);
    var crs = document.getElementById(box.dataset.crsField);
    if (!lat || !lng || !box.dataset.tiles) return;
    var tileCrs = box.dataset.crs || "wgs84";
    var center = (box.dataset.center || "39.9087,116.3975,13").split(",").map(Number);
    box.hidden = false;
    var map = L.map(box.querySelector("[data-map]") || box, {scrollWheelZoom: false});
    L.tileLayer(box.dataset.tiles, {
      maxZoom: 19,
      subdomains: box.dataset.subdomains || "abc",
      attribution: box.dataset.attribution || ""
    }).addTo(map);
    var marker = null;

    function point() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      return isNaN(a) || isNaN(b) ? null : [a, b];
    }
    function show(where, move) {
      if (!where) return;
      if (marker) marker.setLatLng(where); else marker = L.marker(where).addTo(map);
      if (move) map.setView(where, Math.max(map.getZoom() || 0, 16));
    }
    // Typed or located points are WGS-84; on GCJ-02 tiles they are drawn ~500 m off until the
    // server has converted them, so the marker is only moved, not trusted, there.
    function typed() {
      if (crs) crs.value = "wgs84";
      show(point(), true);
    }

    var start = point();
    map.setView(start || [center[0], center[1]], start ? 16 : (center[2] || 13));
    show(start, false);
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      if (crs) crs.value = tileCrs;
      show([event.latlng.lat, event.latlng.lng], false);
    });
    lat.addEventListener("change", typed);
    lng.addEventListener("change", typed);
  });
})();
