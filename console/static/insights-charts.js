// Drawing for the insights screens (console/static/insights.js): a figure is a title, an SVG
// chart (presentation attributes only: the page's CSP allows no inline style), its table
// alternative (one row per data point) and a CSV link. Every word from the catalogues.
"use strict";
window.InsightsCharts = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#1f5eff", "#b42318", "#067647", "#93370d", "#6941c6", "#344054"];
  const W = 720, H = 260, PAD = { l: 48, r: 12, t: 12, b: 40 };
  let counter = 0;
  const t = (key, values) => I18N.t(key, values);
  const col = (name) => t("ins.col." + name);  // a column's (and a series') name

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number") return I18N.number(Math.round(value * 100) / 100);
    return String(value);
  }

  // A figure: title, chart (or a note when there is nothing to draw), table, CSV link.
  function figure(title, csvPath, columns, rows, draw, note) {
    const id = "ins-fig-" + (++counter);
    const fig = el("figure", { class: "ins-figure", "aria-labelledby": id + "-t" });
    fig.append(el("figcaption", { id: id + "-t" }, title));
    if (rows.length === 0) {
      fig.append(el("p", { class: "muted ins-empty" }, note || t("ins.no_data")));
    } else {
      const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": id + "-t", class: "ins-chart", focusable: "false" });
      draw(chart);
      fig.append(chart);
    }
    const table = el("table", { class: "ins-table" });
    table.append(el("caption", { class: "sr-only" }, t("ins.table_caption", { title })));
    const head = el("tr");
    columns.forEach((c) => head.append(el("th", { scope: "col" }, c.label || c)));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    rows.forEach((row) => {
      const tr = el("tr");
      row.forEach((cell, i) => tr.append(cell instanceof Node ? el("td", {}, cell) : el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, fmt(cell))));
      body.append(tr);
    });
    table.append(body);
    // the table scrolls in its own box, reachable by the keyboard once it is shown
    const wrap = el("div", { class: "table-wrap", role: "group", "aria-label": t("ins.table_label", { title }) }, table);
    const details = el("details", { class: "ins-details" }, el("summary", {}, t("ins.table_summary", { title })), wrap);
    const reachable = () => { if (details.open) wrap.setAttribute("tabindex", "0"); else wrap.removeAttribute("tabindex"); };
    details.addEventListener("toggle", reachable);
    fig.append(details);
    if (csvPath) fig.append(el("p", {}, el("a", { href: csvPath, download: "" }, t("ins.csv", { title }))));
    return fig;
  }

  function scale(max) { return max > 0 ? max : 1; }

  function axes(chart, labels, max, yFormat) {
    const x0 = PAD.l, y0 = H - PAD.b, x1 = W - PAD.r, y1 = PAD.t;
    chart.append(svg("line", { x1: x0, y1: y0, x2: x1, y2: y0, stroke: "#8a93a3" }));
    chart.append(svg("line", { x1: x0, y1: y0, x2: x0, y2: y1, stroke: "#8a93a3" }));
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4, y = y0 - ((y0 - y1) * i) / 4;
      chart.append(svg("text", { x: x0 - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#555e6e" }, yFormat ? yFormat(v) : fmt(Math.round(v * 100) / 100)));
      if (i) chart.append(svg("line", { x1: x0, y1: y, x2: x1, y2: y, stroke: "#eaecf0" }));
    }
    const every = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach((label, i) => {
      if (i % every) return;
      const x = x0 + ((x1 - x0) * (i + 0.5)) / labels.length;
      chart.append(svg("text", { x, y: y0 + 16, "text-anchor": "middle", "font-size": 11, fill: "#555e6e" }, label));
    });
  }

  function legend(chart, names) {
    names.forEach((name, i) => {
      const x = PAD.l + i * 130;
      chart.append(svg("rect", { x, y: H - 14, width: 10, height: 10, fill: COLORS[i % COLORS.length] }));
      chart.append(svg("text", { x: x + 14, y: H - 5, "font-size": 11, fill: "#1d2330" }, name));
    });
  }

  // series: [{name, values}], labels: x labels
  function lines(labels, series, yFormat, fixedMax) {
    return (chart) => {
      const max = fixedMax || scale(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
      axes(chart, labels, max, yFormat);
      const x0 = PAD.l, y0 = H - PAD.b, x1 = W - PAD.r;
      series.forEach((s, k) => {
        let d = "";
        s.values.forEach((v, i) => {
          if (v === null) return;
          const x = x0 + ((x1 - x0) * (i + 0.5)) / labels.length, y = y0 - ((y0 - PAD.t) * v) / max;
          d += (d ? " L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
          if (labels.length <= 60) chart.append(svg("circle", { cx: x, cy: y, r: 2.5, fill: COLORS[k % COLORS.length] }));
        });
        if (d) chart.append(svg("path", { d, fill: "none", stroke: COLORS[k % COLORS.length], "stroke-width": 2 }));
      });
      legend(chart, series.map((s) => s.name));
    };
  }

  // a label cut to fit `width` px at 11 px type (CJK characters are a full em, others about
  // half), with an ellipsis; the whole label stays in the table alternative
  function clip(label, width) {
    let used = 0, out = "";
    for (const ch of label) {
      used += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 11 : 6.2;
      if (used > width - 8) return out + "…";
      out += ch;
    }
    return out;
  }

  // horizontal bars: items [{label, value}]
  function bars(items, yFormat) {
    return (chart) => {
      const max = scale(Math.max(0, ...items.map((i) => i.value || 0)));
      const left = 190, right = W - 50, rowH = Math.max(16, Math.min(24, (H - 8) / Math.max(1, items.length)));
      chart.setAttribute("viewBox", `0 0 ${W} ${Math.max(H, items.length * rowH + 8)}`);
      items.forEach((item, i) => {
        const y = 4 + i * rowH, width = ((right - left) * (item.value || 0)) / max;
        const label = svg("text", { x: left - 6, y: y + rowH * 0.65, "text-anchor": "end", "font-size": 11, fill: "#1d2330" }, clip(item.label, left - 10));
        if (label.textContent !== item.label) label.append(svg("title", {}, item.label));
        chart.append(label);
        chart.append(svg("rect", { x: left, y: y + 2, width: Math.max(0, width), height: rowH - 4, fill: item.color || COLORS[0] }));
        chart.append(svg("text", { x: left + width + 4, y: y + rowH * 0.65, "font-size": 11, fill: "#1d2330" }, yFormat ? yFormat(item.value) : fmt(item.value)));
      });
    };
  }

  const pct = (v) => I18N.percent(v, 0);

  return { COLORS, W, H, t, col, el, svg, fmt, pct, scale, figure, lines, bars };
})();
