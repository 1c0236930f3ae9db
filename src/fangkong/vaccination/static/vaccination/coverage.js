/* The vaccination coverage map: the child units coloured by the share of their elderly fully
   vaccinated. Data comes embedded in the page (json_script); Leaflet is the vendored copy. */
(function () {
  "use strict";
  var BANDS = { low: "#b42318", mid: "#d99a00", high: "#1e7b45", none: "#c9d1da" };
  var el = document.getElementById("vac-map");
  var source = document.getElementById("vac-map-data");
  if (!el || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function pct(value) { return value === null ? "—" : value.toFixed(1) + " %"; }

  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var permanent = data.features.length <= 30;
  var layer = L.geoJSON(data, {
    style: function (f) {
      return { color: "#1d2733", weight: 1.2, fillOpacity: 0.7, fillColor: BANDS[f.properties.band] };
    },
    onEachFeature: function (f, item) {
      var p = f.properties;
      var text = "<strong>" + escape(p.name) + "</strong> " + pct(p.percent) + "<br>" +
        escape(el.dataset.labelElderly) + ": " + p.elderly.toLocaleString() + "<br>" +
        escape(el.dataset.labelAll) + ": " + pct(p.all);
      if (permanent) {
        item.bindTooltip(escape(p.name) + "<br><small>" + pct(p.percent) + "</small>",
                         { permanent: true, direction: "center", className: "unit-label" });
      } else {
        item.bindTooltip(text, { sticky: true });
      }
      item.on("click", function () { window.location.href = p.url; });
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  } else if (data.center) {
    map.setView(data.center, 13);
  } else {
    map.setView([0, 0], 2);
  }
  el.dataset.ready = "1";
})();
