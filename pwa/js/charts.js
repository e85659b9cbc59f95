// Hand-written SVG charts. Sizes are in viewBox units; CSS scales them to the container width.
// Colours come from classes in app.css, never from inline styles.
const NS = "http://www.w3.org/2000/svg";

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === "text") el.textContent = value;
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

function svg(width, height, labelText, cls = "chart") {
  return s("svg", { viewBox: `0 0 ${width} ${height}`, class: cls, role: "img", "aria-label": labelText });
}

const round = (n) => Math.round(n * 10) / 10;

/**
 * A line chart of points {x: index, y: value|null} over n slots.
 * opts: {yMin, yMax, yTicks: [[value, text]], xLabels: [[index, text]], bands: [[from, to, text]],
 *        label, cls, reference: [value, text], tickSize}
 * tickSize (viewBox units, default 12) sets the tick text's size: the viewBox is scaled to the
 * card, so on a 320 px phone 16 units are the 12 px that 12 units are not.
 * x labels that would touch are left out, the latest kept (see fitLabels).
 */
export function lineChart(points, n, opts) {
  const W = 340, H = opts.height || 170;
  const tickSize = opts.tickSize || 12;
  const tickCls = tickSize === 12 ? "tick" : `tick tick-${tickSize}`;
  const left = tickSize > 12 ? Math.round(tickSize * 3.6) : 44, right = 8, top = 10, bottom = Math.round(tickSize * 2.2);
  const pw = W - left - right, ph = H - top - bottom;
  const x = (i) => left + (n <= 1 ? pw / 2 : (i * pw) / (n - 1));
  const y = (v) => top + ph - ((v - opts.yMin) / (opts.yMax - opts.yMin)) * ph;
  const root = svg(W, H, opts.label);
  for (const [from, to, text] of opts.bands || []) {
    const x0 = Math.max(left, x(from) - pw / Math.max(n - 1, 1) / 2);
    const x1 = Math.min(W - right, x(to) + pw / Math.max(n - 1, 1) / 2);
    root.append(s("rect", { x: round(x0), y: top, width: round(Math.max(x1 - x0, 3)), height: ph, class: "band" },
      s("title", { text })));
  }
  for (const [value, text] of opts.yTicks || []) {
    root.append(s("line", { x1: left, x2: W - right, y1: round(y(value)), y2: round(y(value)), class: "grid" }));
    root.append(s("text", { x: left - 6, y: round(y(value)) + tickSize / 3, class: tickCls, "text-anchor": "end", text }));
  }
  if (opts.reference) {
    const [value, text] = opts.reference;
    root.append(s("line", { x1: left, x2: W - right, y1: round(y(value)), y2: round(y(value)), class: "reference" }));
    root.append(s("text", { x: W - right, y: round(y(value)) - 4, class: tickCls, "text-anchor": "end", text }));
  }
  for (const { at, text, anchor } of fitLabels(opts.xLabels || [], x, { min: left, max: W, tickSize })) {
    root.append(s("text", { x: round(at), y: H - 6, class: `${tickCls} x-tick`, "text-anchor": anchor, text }));
  }
  const series = opts.series || [{ points, cls: opts.cls || "line-a" }];
  for (const line of series) {
    let d = "";
    let pen = false;
    for (const p of line.points) {
      if (p.y === null || p.y === undefined) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${round(x(p.x))},${round(y(p.y))}`;
      pen = true;
    }
    if (d) root.append(s("path", { d, class: `line ${line.cls}` }));
    for (const p of line.points) {
      if (p.y === null || p.y === undefined) continue;
      root.append(s("circle", { cx: round(x(p.x)), cy: round(y(p.y)), r: 3.5, class: `dot ${line.cls}` },
        p.title ? s("title", { text: p.title }) : null));
    }
  }
  return root;
}

/**
 * The x labels that fit side by side: each label's extent is estimated from its length (0.62 em
 * a character, generous for digits and short month names), labels near an edge are anchored to
 * it, and going from the latest back, one that would come within a gap of the one kept after it
 * is left out. Estimated, not measured: the SVG is built before it is in the page.
 */
export function fitLabels(labels, x, { min, max, tickSize = 12 }) {
  const gap = tickSize * 0.5;
  const placed = labels.map(([i, text]) => {
    const at = x(i), width = String(text).length * tickSize * 0.62;
    const anchor = at + width / 2 > max ? "end" : at - width / 2 < min ? "start" : "middle";
    const from = anchor === "end" ? at - width : anchor === "start" ? at : at - width / 2;
    return { at, text, anchor, from, to: from + width };
  });
  const kept = [];
  for (const label of placed.slice().reverse()) {
    if (!kept.length || label.to + gap <= kept[kept.length - 1].from) kept.push(label);
  }
  return kept.reverse();
}

/** A tiny trend line for lists (caseload), 0..7 SRM scale. */
export function sparkline(values, labelText, yMax = 7) {
  const W = 96, H = 28;
  const root = svg(W, H, labelText, "sparkline");
  const pts = values.map((v, i) => [values.length <= 1 ? W / 2 : 2 + (i * (W - 4)) / (values.length - 1), v]);
  let d = "";
  let pen = false;
  for (const [px, v] of pts) {
    if (v === null || v === undefined) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${round(px)},${round(H - 3 - (v / yMax) * (H - 6))}`;
    pen = true;
  }
  if (d) root.append(s("path", { d, class: "line line-a" }));
  const last = pts.filter(([, v]) => v !== null && v !== undefined).pop();
  if (last) root.append(s("circle", { cx: round(last[0]), cy: round(H - 3 - (last[1] / yMax) * (H - 6)), r: 2.5, class: "dot line-a" }));
  return root;
}
