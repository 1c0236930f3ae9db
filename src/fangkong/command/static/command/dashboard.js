/* The command dashboard's map and trends, drawn from data the page embeds (json_script).
   The map shades each child unit by the chosen layer; a click drills down to it. */
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function drill(id) {
    var params = new URLSearchParams(window.location.search);
    params.set("unit", id);
    window.location.search = params.toString();
  }

  function shade(value, max) {
    if (!value) { return "#eef2f7"; }
    var t = max > 0 ? value / max : 0;
    return "hsl(4, 70%, " + Math.round(88 - 48 * t) + "%)";
  }

  function drawMap(data) {
    var el = document.getElementById("dash-map");
    var select = document.getElementById("dash-layer");
    if (!el || !window.L || !data) { return; }
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var layer = null;
    function paint(key) {
      var values = data.features.map(function (f) { return f.properties.values[key] || 0; });
      var max = Math.max.apply(null, values.concat([0]));
      if (layer) { map.removeLayer(layer); }
      layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#1f5fa8", weight: 1.5, fillOpacity: 0.8, fillColor: shade(f.properties.values[key], max) };
        },
        onEachFeature: function (f, item) {
          item.bindTooltip("<strong>" + escape(f.properties.name) + "</strong><br>" +
            escape(data.layers[key]) + ": " + (f.properties.values[key] || 0),
            { permanent: data.features.length <= 30, direction: "center", className: "unit-label" });
          item.on("click", function () { drill(f.properties.id); });
        }
      }).addTo(map);
      var legend = document.getElementById("dash-legend");
      if (legend) { legend.textContent = data.layers[key] + ": 0 – " + max; }
      el.dataset.layer = key;
      return layer;
    }
    var first = paint(select ? select.value : "cases");
    var bounds = first.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
    else if (data.center) { map.setView(data.center, 12); }
    else { map.setView([0, 0], 2); }
    if (select) {
      select.addEventListener("change", function () {
        paint(select.value);
        var params = new URLSearchParams(window.location.search);
        params.set("layer", select.value);
        window.history.replaceState(null, "", "?" + params.toString());
      });
    }
    el.dataset.ready = "1";
  }

  function drawTrends(data) {
    var box = document.getElementById("dash-trends");
    if (!box || !window.echarts || !data) { return; }
    data.charts.forEach(function (c) {
      var el = document.createElement("div");
      el.className = "dash-chart";
      el.dataset.group = c.key;
      box.appendChild(el);
      var chart = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
      window.addEventListener("resize", function () { chart.resize(); });
      chart.setOption({
        textStyle: { fontFamily: FONT }, animationDuration: 300,
        title: { text: c.title, left: 0, top: 0, textStyle: { fontSize: 12, fontWeight: 600 } },
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0, textStyle: { fontSize: 10 } },
        grid: { left: 4, right: 8, top: 28, bottom: 28, containLabel: true },
        xAxis: { type: "category", data: data.days, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
        series: c.series.map(function (s) { return { name: s.name, type: "line", data: s.data, symbolSize: 4 }; })
      });
    });
    box.dataset.ready = "1";
  }

  drawMap(json("dash-map-data"));
  drawTrends(json("dash-chart-data"));
})();
