/* The risk-area map: Leaflet over the areas' own GeoJSON (unit boundaries, buildings as points),
   coloured by level, no tile server. Data comes embedded in the page (json_script). */
(function () {
  "use strict";
  var COLOURS = { sealed: "#d62828", controlled: "#f08c00", precaution: "#f2c94c" };
  var LIFTED = "#1e7b45";

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function colour(p) { return p.status === "lifted" ? LIFTED : (COLOURS[p.level] || "#8a94a0"); }

  function draw(el, data) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#1d2733", weight: 1.2, fillOpacity: 0.55, fillColor: colour(f.properties) };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 9, weight: 1.5, color: "#1d2733",
                                        fillColor: colour(f.properties), fillOpacity: 0.9 });
      },
      onEachFeature: function (f, item) {
        var p = f.properties;
        item.bindTooltip("<strong>" + escape(p.name) + "</strong><br>" + escape(p.code) + " · " +
                         escape(p.level_label), { sticky: true });
        if (p.url) { item.on("click", function () { window.location.href = p.url; }); }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else {
      map.setView([34.26, 108.94], 11);
    }
    el.dataset.ready = "1";
  }

  var el = document.getElementById("areas-map");
  var source = document.getElementById("areas-map-data");
  if (el && source && window.L) { draw(el, JSON.parse(source.textContent)); }
})();
