/* The coverage pages: the map of child units (or a grid's buildings) coloured by the share
   accounted for, and the dashboard's progress per hour. Data comes embedded in the page
   (json_script); Leaflet and ECharts are the vendored copies. */
(function () {
  "use strict";
  var BANDS = { low: "#b42318", mid: "#d99a00", high: "#7cb342", full: "#1e7b45", none: "#c9d1da" };

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function pct(p) { return p.percent === null ? "—" : p.percent.toFixed(1) + " %"; }

  function hover(p, label) {
    return "<strong>" + escape(p.name) + "</strong> " + pct(p) + "<br>" +
      label.labelRegistered + ": " + p.registered.toLocaleString() + "<br>" +
      label.labelTested + ": " + p.tested.toLocaleString() + " · " +
      label.labelExempt + ": " + p.exempt.toLocaleString() + "<br>" +
      label.labelUntested + ": " + p.untested.toLocaleString();
  }

  function drawMap(el, data) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var permanent = data.features.length <= 30;
    var layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#1d2733", weight: 1.2, fillOpacity: 0.7, fillColor: BANDS[f.properties.band] };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 9, weight: 1.5, color: "#1d2733",
                                        fillColor: BANDS[f.properties.band], fillOpacity: 0.9 });
      },
      onEachFeature: function (f, item) {
        var p = f.properties;
        if (permanent && f.geometry.type !== "Point") {
          item.bindTooltip(escape(p.name) + "<br><small>" + pct(p) + "</small>",
                           { permanent: true, direction: "center", className: "unit-label" });
        } else {
          item.bindTooltip(hover(p, el.dataset), { sticky: true });
        }
        item.on("click", function () { window.location.href = p.url; });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else if (data.center) {
      map.setView(data.center, 14);
    } else {
      map.setView([0, 0], 2);
    }
    el.dataset.ready = "1";
  }

  function drawProgress(el, d) {
    var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
    var chart = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      textStyle: { fontFamily: '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", system-ui, sans-serif' },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.hours },
      yAxis: [{ type: "value", name: d.labels.samples, splitLine: { lineStyle: { color: "#dde3ea" } } },
              { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } }],
      series: [
        { name: d.labels.samples, type: "bar", data: d.samples, itemStyle: { color: "#1f5fa8" }, barMaxWidth: 28 },
        { name: d.labels.percent, type: "line", yAxisIndex: 1, data: d.percent, smooth: false,
          itemStyle: { color: "#1e7b45" }, lineStyle: { width: 2.5 },
          markLine: { symbol: "none", silent: true, data: [{ yAxis: 100 }],
                      lineStyle: { color: "#1e7b45", type: "dashed" }, label: { formatter: "100 %" } } }
      ]
    });
    chart.on("finished", function () { el.dataset.ready = "1"; });
  }

  var mapEl = document.getElementById("coverage-map");
  var mapData = json("coverage-map-data");
  if (mapEl && mapData && window.L) { drawMap(mapEl, mapData); }
  var chartEl = document.getElementById("progress-chart");
  var progress = json("progress-data");
  if (chartEl && progress && window.echarts) { drawProgress(chartEl, progress); }
})();
