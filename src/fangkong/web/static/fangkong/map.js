/* The unit map: Leaflet over the city's own GeoJSON, no tile server. Each unit is shaded by its
   residents; a click opens the unit (or the building, on a grid's map). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var residents = el.dataset.labelResidents || "residents";
  var special = el.dataset.labelSpecial || "special";

  function shade(value, min, max) {
    var t = max > min ? (value - min) / (max - min) : 0.5;
    var light = Math.round(88 - 45 * t);
    return "hsl(211, 60%, " + light + "%)";
  }

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function hasCounts(p) { return p.kind === "unit" && p.residents !== null && p.residents !== undefined; }

  function hover(p) {
    if (!hasCounts(p)) { return escape(p.name); }
    return "<strong>" + escape(p.name) + "</strong><br>" + residents + ": " +
      p.residents.toLocaleString() + "<br>" + special + ": " + p.special.toLocaleString();
  }

  function tag(p) {
    var count = hasCounts(p) ? "<br><small>" + p.residents.toLocaleString() + "</small>" : "";
    return escape(p.name) + count;
  }

  function draw(data) {
    var units = data.features.filter(function (f) { return f.properties.kind === "unit"; });
    var counts = units.map(function (f) { return f.properties.residents || 0; });
    var max = Math.max.apply(null, counts.concat([0]));
    var min = Math.min.apply(null, counts.concat([max]));
    var permanent = units.length <= 30;
    var layer = L.geoJSON(data, {
      style: function (f) {
        if (f.properties.kind !== "unit") {
          return { radius: 6, color: "#7a1712", weight: 1, fillColor: "#b3261e", fillOpacity: 0.9 };
        }
        return { color: "#1f5fa8", weight: 1.5, fillOpacity: 0.75,
                 fillColor: hasCounts(f.properties) ? shade(f.properties.residents, min, max) : "#dbe6f3" };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6 });
      },
      onEachFeature: function (f, item) {
        var isUnit = f.properties.kind === "unit";
        if (isUnit && permanent) {
          item.bindTooltip(tag(f.properties), { permanent: true, direction: "center", className: "unit-label" });
        } else {
          item.bindTooltip(hover(f.properties), { sticky: true });
        }
        item.on("click", function () { window.location.href = f.properties.url; });
        item.on("mouseover", function () { if (item.setStyle && isUnit) { item.setStyle({ weight: 3 }); } });
        item.on("mouseout", function () { if (item.setStyle && isUnit) { item.setStyle({ weight: 1.5 }); } });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12] });
    } else if (data.center) {
      map.setView(data.center, 13);
    } else {
      map.setView([0, 0], 2);
    }
    el.dataset.ready = "1";
  }

  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () { el.dataset.ready = "error"; });
})();
