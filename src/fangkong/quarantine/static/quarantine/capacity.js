/* The capacity chart: rooms needed (bars, red where short) against usable rooms (line) over
   the next days, drawn with the vendored ECharts from the data the page embeds (json_script). */
(function () {
  "use strict";
  var el = document.getElementById("capacity-chart");
  var source = document.getElementById("capacity-data");
  if (!window.echarts || !el || !source) { return; }
  var d = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var chart = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
  window.addEventListener("resize", function () { chart.resize(); });

  var needed = d.needed.map(function (v, i) {
    return { value: v, itemStyle: { color: d.shortfall[i] > 0 ? "#b3261e" : "#1f5fa8" } };
  });
  chart.setOption({
    textStyle: { fontFamily: FONT, color: "#1d2733" },
    animationDuration: 400,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
               formatter: function (items) {
                 var i = items[0].dataIndex, lines = [echarts.format.encodeHTML(d.days[i])];
                 lines.push(echarts.format.encodeHTML(d.labels.needed) + ": " + d.needed[i]);
                 lines.push(echarts.format.encodeHTML(d.labels.usable) + ": " + d.usable[i]);
                 lines.push(echarts.format.encodeHTML(d.labels.occupied) + ": " + d.occupied[i]);
                 if (d.shortfall[i] > 0) {
                   lines.push("<strong>" + echarts.format.encodeHTML(d.labels.shortfall) + ": " + d.shortfall[i] + "</strong>");
                 }
                 return lines.join("<br>");
               } },
    legend: { top: 0, textStyle: { color: "#6a7684" }, data: [d.labels.needed, d.labels.usable] },
    grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.days, axisTick: { show: false } },
    yAxis: { type: "value", name: d.labels.rooms, minInterval: 1, splitLine: { lineStyle: { color: "#dde3ea" } } },
    series: [
      { name: d.labels.needed, type: "bar", data: needed, barMaxWidth: 32,
        itemStyle: { color: "#1f5fa8" } },
      { name: d.labels.usable, type: "line", data: d.usable, step: "middle", symbol: "none",
        lineStyle: { color: "#2e9e6b", width: 2.5 }, itemStyle: { color: "#2e9e6b" } }
    ]
  });
  chart.on("finished", function () { el.dataset.ready = "1"; });
})();
