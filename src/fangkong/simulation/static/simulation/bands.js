/* The simulator's charts: one chart per measure; each scenario is a shaded band from the 5th
   to the 95th percentile of its runs and a line for the median, drawn with the vendored
   ECharts from the data the page embeds (json_script "sim-data"). The band is two stacked
   series: the 5th percentile (invisible) and the width up to the 95th (shaded). */
(function () {
  "use strict";
  var source = document.getElementById("sim-data");
  if (!window.echarts || !source) { return; }
  var d = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var COLORS = ["#1f5fa8", "#c2571a", "#2e9e6b", "#8a3ea8"];
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var stepWord = d.labels[d.step] || d.step;
  var charts = [];

  function seriesOf(metric) {
    var out = [];
    d.scenarios.forEach(function (s, i) {
      var b = s.series[metric];
      if (!b) { return; }
      var color = COLORS[i % COLORS.length], stack = "band" + i;
      out.push({ name: s.name + " p5", type: "line", data: b.p5, stack: stack, symbol: "none",
                 lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } });
      out.push({ name: s.name + " " + d.labels.band, type: "line", stack: stack, symbol: "none",
                 data: b.p95.map(function (hi, k) { return Math.max(0, hi - b.p5[k]); }),
                 lineStyle: { opacity: 0 }, areaStyle: { color: color, opacity: 0.18 },
                 silent: true, tooltip: { show: false } });
      out.push({ name: s.name, type: "line", data: b.p50, symbol: "none",
                 lineStyle: { color: color, width: 2.5 }, itemStyle: { color: color } });
    });
    return out;
  }

  function tooltip(metric) {
    return function (items) {
      var k = items[0].dataIndex, lines = [echarts.format.encodeHTML(stepWord + " " + k)];
      d.scenarios.forEach(function (s) {
        var b = s.series[metric];
        if (!b) { return; }
        lines.push(echarts.format.encodeHTML(s.name) + ": " + b.p50[k] +
                   " (" + b.p5[k] + "–" + b.p95[k] + ")");
      });
      return lines.join("<br>");
    };
  }

  document.querySelectorAll(".sim-chart").forEach(function (el) {
    var metric = el.dataset.metric;
    var length = 0;
    d.scenarios.forEach(function (s) {
      if (s.series[metric]) { length = Math.max(length, s.series[metric].p50.length); }
    });
    var steps = [];
    for (var k = 0; k < length; k++) { steps.push(k); }
    var chart = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
    chart.setOption({
      textStyle: { fontFamily: FONT, color: "#1d2733" },
      animationDuration: 300,
      color: COLORS,
      tooltip: { trigger: "axis", formatter: tooltip(metric) },
      legend: { top: 0, data: d.scenarios.map(function (s) { return s.name; }),
                textStyle: { color: "#6a7684" } },
      grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
      xAxis: { type: "category", data: steps, name: stepWord, nameLocation: "middle",
               nameGap: 24, boundaryGap: false },
      yAxis: { type: "value", splitLine: { lineStyle: { color: "#dde3ea" } } },
      series: seriesOf(metric)
    });
    chart.on("finished", function () { el.dataset.ready = "1"; });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
