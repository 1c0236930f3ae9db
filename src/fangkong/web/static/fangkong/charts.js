/* The tracing charts, drawn with the vendored ECharts from data the page embeds with
   json_script (no second request). Each chart is optional: a page draws the ones it holds. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var INK = "#1d2733", MUTED = "#6a7684", LINE = "#dde3ea";
  var STEP_COLORS = ["#1f5fa8", "#e0892b", "#2e9e6b"];
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function chart(el) {
    var c = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  function caseUrl(template, id) { return template.replace(/0\/$/, String(id) + "/"); }

  var base = { textStyle: { fontFamily: FONT, color: INK }, animationDuration: 400 };

  function merge(a, b) {
    var out = {}, k;
    for (k in a) { if (Object.prototype.hasOwnProperty.call(a, k)) { out[k] = a[k]; } }
    for (k in b) { if (Object.prototype.hasOwnProperty.call(b, k)) { out[k] = b[k]; } }
    return out;
  }

  /* Funnel: median hours of each step per district (stacked), with the 24-hour line. */
  function drawSteps(el, d) {
    var series = d.steps.map(function (step, i) {
      var s = { name: step.name, type: "bar", stack: "h", data: step.values, barMaxWidth: 26,
                itemStyle: { color: STEP_COLORS[i % STEP_COLORS.length] },
                emphasis: { focus: "series" } };
      if (i === 0) {
        s.markLine = { symbol: "none", silent: true, data: [{ xAxis: 24 }],
                       lineStyle: { color: "#b3261e", type: "dashed", width: 1.5 },
                       label: { formatter: "24 h", color: "#b3261e", position: "start" } };
      }
      return s;
    });
    chart(el).setOption(merge(base, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v === null || v === undefined ? "—" : v.toFixed(1) + " h"; } },
      legend: { top: 0, textStyle: { color: MUTED } },
      grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: d.unit, nameLocation: "end", splitLine: { lineStyle: { color: LINE } },
               max: function (v) { return Math.max(30, Math.ceil(v.max / 6) * 6); } },
      yAxis: { type: "category", data: d.districts, inverse: true, axisTick: { show: false } },
      series: series
    }));
  }

  /* Funnel: share of cases whose close contacts were all under control within 24 hours. */
  function drawShare(el, d) {
    var data = d.share.map(function (v) {
      var color = v === null ? "#c9d1da" : v >= 0.9 ? "#2e9e6b" : v >= 0.6 ? "#e0892b" : "#b3261e";
      return { value: v === null ? null : Math.round(v * 1000) / 10, itemStyle: { color: color } };
    });
    chart(el).setOption(merge(base, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + " %"; } },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      title: { text: d.share_title, left: 0, top: 0, textStyle: { fontSize: 13, fontWeight: 600, color: MUTED } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" },
               splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: "category", data: d.districts, inverse: true, axisTick: { show: false } },
      series: [{ type: "bar", data: data, barMaxWidth: 26,
                 label: { show: true, position: "right", formatter: function (p) { return p.value === null || p.value === undefined ? "" : p.value + " %"; } } }]
    }));
  }

  /* Funnel: every case's hours from result to control over the result time; a case still
     open is drawn hollow at the hours so far. */
  function drawCases(el, d, urlTemplate) {
    var groups = { within: [], late: [], open: [] };
    // a case left open for days would flatten the rest: cap the axis, mark those above it
    var done = d.cases.filter(function (c) { return !c.open; }).map(function (c) { return c.hours; });
    var cap = Math.max(48, Math.ceil(Math.max.apply(null, done.concat([0])) * 1.15 / 12) * 12);
    d.cases.forEach(function (c) {
      var above = c.hours !== null && c.hours > cap;
      var point = { value: [c.result_at, above ? cap : c.hours], hours: c.hours, id: c.id,
                    name: "#" + c.id, open: c.open,
                    symbol: above ? "triangle" : c.open ? "emptyCircle" : "circle" };
      groups[c.within === true ? "within" : c.within === false ? "late" : "open"].push(point);
    });
    function series(key, color) {
      return { name: d.labels[key], type: "scatter", data: groups[key], symbolSize: 10,
               itemStyle: { color: color, borderWidth: 2 } };
    }
    var s = [series("within", "#2e9e6b"), series("late", "#b3261e"), series("open", "#e0892b")];
    s[0].markLine = { symbol: "none", silent: true, data: [{ yAxis: 24 }],
                      lineStyle: { color: "#b3261e", type: "dashed" },
                      label: { formatter: "24 h", color: "#b3261e" } };
    var c = chart(el);
    c.setOption(merge(base, {
      tooltip: { trigger: "item", formatter: function (p) {
        var hours = p.data.hours === null ? "—" : p.data.hours.toFixed(1) + " h";
        return p.name + "<br>" + hours + (p.data.open ? " · " + echarts.format.encodeHTML(d.labels.so_far) : ""); } },
      legend: { top: 0, textStyle: { color: MUTED } },
      grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "time", splitLine: { show: false } },
      yAxis: { type: "value", name: d.unit, max: cap, splitLine: { lineStyle: { color: LINE } } },
      series: s
    }));
    c.on("click", function (p) { if (p.data && p.data.id) { window.location.href = caseUrl(urlTemplate, p.data.id); } });
  }

  /* Chains: who infected whom, force layout, one colour per cluster; a click opens the case. */
  function drawChains(el, payload, urlTemplate) {
    var g = payload.graph, palette = payload.palette, labels = payload.labels || {};
    var categories = g.categories.map(function (k, i) {
      var color = i === g.categories.length - 1 ? payload.unlinked : palette[i % palette.length];
      return merge(k, { itemStyle: { color: color } });
    });
    var nodes = g.nodes.map(function (n) {
      var color = categories[n.category] ? categories[n.category].itemStyle.color : payload.unlinked;
      var style = n.classification === "asymptomatic"
        ? { color: "#fff", borderColor: color, borderWidth: 2.5 }  // hollow: asymptomatic
        : { color: color, borderColor: "#fff", borderWidth: 1 };
      return merge(n, { symbolSize: 16 + 6 * Math.sqrt(n.value || 0), itemStyle: style });
    });
    var few = g.categories.length <= 12;
    var c = chart(el);
    c.setOption(merge(base, {
      tooltip: { formatter: function (p) {
        if (p.dataType !== "node") { return ""; }
        var d = p.data;
        return "<strong>" + echarts.format.encodeHTML(d.name) + "</strong><br>" +
          echarts.format.encodeHTML((labels[d.classification] || d.classification || "") + " · " + (d.district || "")) +
          "<br>" + echarts.format.encodeHTML(labels.infected || "") + " " + (d.value || 0);
      } },
      legend: few ? { type: "scroll", bottom: 0, data: g.categories.map(function (k) { return k.name; }), textStyle: { color: MUTED } } : undefined,
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        top: 24, bottom: few ? 56 : 24, left: 24, right: 24,
        data: nodes, links: g.links, categories: categories,
        force: { repulsion: 320, edgeLength: [50, 110], gravity: 0.06, friction: 0.2,
                 layoutAnimation: true },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        lineStyle: { color: "#9aa7b4", width: 1.2, curveness: 0.08, opacity: 0.9 },
        label: { show: nodes.length <= 80, position: "right", fontSize: 11, color: INK,
                 formatter: function (p) { return p.data.name; } },
        emphasis: { focus: "adjacency", lineStyle: { width: 2.5 } },
        cursor: "pointer"
      }]
    }));
    c.on("click", function (p) {
      if (p.dataType === "node") { window.location.href = caseUrl(urlTemplate, p.data.id); }
    });
    c.on("finished", function () { el.dataset.ready = "1"; });
  }

  var funnel = json("funnel-data");
  if (funnel) {
    var steps = document.getElementById("funnel-steps");
    var share = document.getElementById("funnel-share");
    var cases = document.getElementById("funnel-cases");
    if (steps) { drawSteps(steps, funnel); }
    if (share) { drawShare(share, funnel); }
    if (cases) { drawCases(cases, funnel, cases.dataset.caseUrl); }
    document.body.dataset.chartsReady = "1";
  }
  var graph = json("chain-data");
  var graphEl = document.getElementById("chain-chart");
  if (graph && graphEl) { drawChains(graphEl, graph, graphEl.dataset.caseUrl); }
})();
