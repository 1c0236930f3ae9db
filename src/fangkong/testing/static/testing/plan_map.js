/* The capacity plan on a map: grid boundaries from the city's own GeoJSON (no tile server),
   each planned site a circle sized by its tables and coloured by its mean wait against the
   policy's limit. Sites of one grid share its centre, so they are spread on a small ring. */
(function () {
  "use strict";
  var el = document.getElementById("plan-map");
  var source = document.getElementById("plan-data");
  if (!el || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var label = el.dataset;

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function colour(wait) {
    if (wait === null) { return "#b42318"; }
    var share = wait / (data.max_queue || 20);
    return share < 0.25 ? "#1e7b45" : share < 0.5 ? "#d99a00" : "#b42318";
  }

  function position(site, counts) {
    var n = counts[site.grid_id];
    if (n <= 1) { return [site.lat, site.lon]; }
    var angle = 2 * Math.PI * (site.number - 1) / n;
    var r = 0.0012;
    return [site.lat + r * Math.sin(angle), site.lon + r * Math.cos(angle)];
  }

  function hover(site) {
    var wait = site.wait_minutes === null ? "∞" : site.wait_minutes.toFixed(1);
    return "<strong>" + escape(site.grid_name) + " · " + label.labelSite + " " + site.number +
      "</strong><br>" + label.labelPeople + ": " + site.people.toLocaleString() +
      "<br>" + label.labelTables + ": " + site.tables + "<br>" + label.labelWait + ": " + wait;
  }

  var grids = L.geoJSON(data.grids, {
    style: function () { return { color: "#1f5fa8", weight: 1.2, fillColor: "#dbe6f3", fillOpacity: 0.45 }; },
    onEachFeature: function (f, item) {
      item.bindTooltip(escape(f.properties.name) + "<br><small>" + label.labelPeople + ": " +
        f.properties.people.toLocaleString() + "</small>", { sticky: true });
    }
  }).addTo(map);
  var counts = {};
  data.sites.forEach(function (s) { counts[s.grid_id] = (counts[s.grid_id] || 0) + 1; });
  var markers = L.featureGroup(data.sites.map(function (s) {
    return L.circleMarker(position(s, counts), {
      radius: 4 + 2.5 * Math.sqrt(s.tables), color: "#1b1f24", weight: 1,
      fillColor: colour(s.wait_minutes), fillOpacity: 0.9, className: "plan-site"
    }).bindTooltip(hover(s));
  })).addTo(map);
  var bounds = grids.getBounds();
  if (markers.getLayers().length) { bounds.extend(markers.getBounds()); }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
  } else {
    map.setView([0, 0], 2);
  }
  el.dataset.ready = "1";
  el.dataset.sites = String(markers.getLayers().length);
})();
