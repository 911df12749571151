// Tessera's web console: line charts drawn in the page as inline SVG (no library, no fetch).
"use strict";

T.SVG = "http://www.w3.org/2000/svg";

T.svg = function (tag, attrs, ...children) {
  const e = document.createElementNS(T.SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};

/**
 * A line chart: series of [x, y] points (x in epoch ms), one colour class each (c0..c5), scaled
 * to share the axes; the y range starts at 0 unless the data go below it. Returns a figure with
 * a legend; an empty one says so. {@code marks} ([x, label] pairs, optional) draw as labelled
 * vertical lines: a re-split, a restart, a growth of the job.
 */
T.chart = function (id, title, series, yLabel, marks) {
  const el = T.el, svg = T.svg;
  const W = 640, H = 220, L = 56, R = 12, TOP = 10, B = 28;
  const all = series.flatMap(s => s.points);
  const fig = el("figure", { id: id, class: "chart" }, el("figcaption", {}, title));
  if (all.length < 1) {
    fig.append(el("p", { class: "muted" }, "no data yet"));
    return fig;
  }
  const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1000);
  const y0 = Math.min(0, ...ys), y1 = yLabel === "%" ? 100 : Math.max(...ys, y0 + 1e-9) * 1.05; // percentages: 0-100
  const X = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const Y = y => TOP + (1 - (y - y0) / (y1 - y0)) * (H - TOP - B);
  const g = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, class: "plot" });
  g.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }),
    svg("line", { x1: L, y1: TOP, x2: L, y2: H - B, class: "axis" }));
  for (const v of [y0, (y0 + y1) / 2, y1]) {
    g.append(svg("text", { x: L - 6, y: Y(v) + 4, class: "tick", "text-anchor": "end" }, T.short(v)));
    g.append(svg("line", { x1: L, y1: Y(v), x2: W - R, y2: Y(v), class: "grid" }));
  }
  g.append(svg("text", { x: L, y: H - 8, class: "tick" }, "0:00"),
    svg("text", { x: W - R, y: H - 8, class: "tick", "text-anchor": "end" }, T.duration((x1 - x0) / 1000)));
  if (yLabel) g.append(svg("text", { x: L + 6, y: TOP + 10, class: "tick" }, yLabel));
  for (const [x, label] of (marks || []).filter(m => m[0] >= x0 && m[0] <= x1)) {
    g.append(svg("line", { x1: X(x), y1: TOP, x2: X(x), y2: H - B, class: "mark" }),
      svg("text", { x: X(x) + 3, y: TOP + 22, class: "tick mark-label" }, label));
  }
  const legend = el("div", { class: "legend" });
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const cls = "line c" + (s.colour === undefined ? i : s.colour) + (s.dashed ? " dashed" : "");
    g.append(svg("polyline", { class: cls, points: s.points.map(p => X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1)).join(" ") }));
    const last = s.points[s.points.length - 1];
    legend.append(el("span", { class: "key " + cls }, s.name + " " + T.short(last[1])));
  });
  fig.append(g, legend);
  return fig;
};

/** A number in at most 4 significant digits, 1.2k style above 10,000. */
T.short = function (v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
  if (a === 0) return "0";
  return a < 0.01 ? v.toExponential(1) : Number(v.toPrecision(4)).toString();
};
