/* The supplies map: streets coloured by their worst days of stock, outlets as points. Data is
   embedded in the page (json_script); Leaflet is the vendored copy, no tile server. */
(function () {
  "use strict";
  var BANDS = { low: "#b42318", tight: "#d99a00", ok: "#1e7b45", none: "#c9d1da" };
  var el = document.getElementById("supplies-map");
  var src = document.getElementById("supplies-map-data");
  if (!el || !src || !window.L) { return; }
  var data = JSON.parse(src.textContent);

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function hover(p) {
    if (p.kind === "outlet") {
      return "<strong>" + escape(p.name) + "</strong><br>" + escape(p.goods.join(", "));
    }
    var low = p.low.length ? "<br>" + escape(el.dataset.labelLow) + ": " + escape(p.low.join(", ")) : "";
    return "<strong>" + escape(p.name) + "</strong>" + low + "<br>" +
      escape(el.dataset.labelAlerts) + ": " + p.alerts;
  }

  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var layer = L.geoJSON(data, {
    style: function (f) {
      return { color: "#1d2733", weight: 1.2, fillOpacity: 0.6, fillColor: BANDS[f.properties.band] };
    },
    pointToLayer: function (f, latlng) {
      if (f.properties.kind === "outlet") {
        return L.circleMarker(latlng, { radius: 4, weight: 1, color: "#1d2733",
                                        fillColor: "#1f5fa8", fillOpacity: 0.9 });
      }
      return L.circleMarker(latlng, { radius: 11, weight: 1.5, color: "#1d2733",
                                      fillColor: BANDS[f.properties.band], fillOpacity: 0.8 });
    },
    onEachFeature: function (f, item) {
      item.bindTooltip(hover(f.properties), { sticky: true });
      if (f.properties.url) {
        item.on("click", function () { window.location.href = f.properties.url; });
      }
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
  } else {
    map.setView([0, 0], 2);
  }
  el.dataset.ready = "1";
})();
