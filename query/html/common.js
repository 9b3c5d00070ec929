// What report.js and trend.js share: the data, elements, units, tables, legends.
// A figure the page shows is a span with data-fig (its name) and data-value
// (the exact number), so a test reads back what a person sees.

const DATA = JSON.parse(document.getElementById("data").textContent);
const PAGE = document.getElementById("page");

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "style") e.style.cssText = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// 1536 -> "1.5 KiB", as the text reports write sizes for people
function human(bytes) {
  if (bytes === null || bytes === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = Math.abs(bytes), u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  const s = u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
  return (bytes < 0 ? "-" : "") + s + " " + units[u];
}

function count(n) {
  return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US");
}

// addresses are stored as SQLite's signed 64-bit integers: the vsyscall page reads negative
function hex(a) {
  if (a === null || a === undefined) return "–";
  return "0x" + BigInt.asUintN(64, BigInt(a)).toString(16);
}

function pct(x) { return (Math.round(x * 10) / 10).toFixed(1) + "%"; }

// A shown figure: fig("leaks.definite.bytes", 123, human) -> <span data-fig data-value>123 B</span>
function fig(name, value, format) {
  const f = format || count;
  return el("span", { class: "fig", "data-fig": name, "data-value": value === null ? "" : String(value),
                      title: value === null ? null : count(value) }, f(value));
}

function card(label, figure, hint, bad) {
  return el("div", { class: "card" + (bad ? " bad" : "") },
    el("div", { class: "label" }, label), el("div", { class: "value" }, figure),
    hint ? el("div", { class: "hint" }, hint) : null);
}

function section(id, title, note) {
  const s = el("section", { id });
  s.append(el("h2", {}, title));
  if (note) s.append(el("p", { class: "note" }, note));
  PAGE.append(s);
  return s;
}

// columns: [{key, label, kind: "bytes"|"kb"|"addr"|"num"|"text", fig: row => name}]
function table(rows, columns, opts) {
  const o = opts || {};
  const t = el("table", { class: o.class });
  t.append(el("thead", {}, el("tr", {}, columns.map(c =>
    el("th", { class: c.kind && c.kind !== "text" && c.kind !== "addr" ? "num" : null }, c.label)))));
  const body = el("tbody");
  const limit = o.limit || rows.length;
  rows.slice(0, limit).forEach(r => {
    const tr = el("tr", { class: o.rowClass ? o.rowClass(r) : null });
    for (const c of columns) {
      const v = c.value ? c.value(r) : r[c.key];
      let shown;
      if (c.kind === "bytes") shown = human(v);
      else if (c.kind === "kb") shown = v === null ? "–" : human(v * 1024);
      else if (c.kind === "addr") shown = hex(v);
      else if (c.kind === "num") shown = count(v);
      else shown = v === null || v === undefined ? "" : v;
      const name = c.fig ? c.fig(r) : null;
      const cell = name ? el("span", { "data-fig": name, "data-value": v === null ? "" : String(v) }, shown) : shown;
      tr.append(el("td", { class: c.kind === "addr" ? "addr" : c.kind && c.kind !== "text" ? "num" : null,
                           title: (c.kind === "bytes" || c.kind === "kb") && v !== null ? count(v) + (c.kind === "kb" ? " KiB" : " B") : null },
                   c.swatch ? el("span", { class: "swatch", style: "background:" + c.swatch(r) }) : null, cell));
    }
    body.append(tr);
  });
  t.append(body);
  if (rows.length > limit)
    return el("div", {}, t, el("p", { class: "note" }, `… and ${count(rows.length - limit)} more rows (memsnap report shows them all)`));
  return t;
}

function legend(items) {
  return el("div", { class: "legend" }, items.map(([color, label, extra]) =>
    el("span", { class: "item" }, el("span", { class: "swatch", style: "background:" + color }), label, extra ? " " : null, extra)));
}

const TIP = document.getElementById("tip");
function tip(ev, text) {
  if (!text) { TIP.hidden = true; return; }
  TIP.textContent = text;
  TIP.hidden = false;
  const x = Math.min(ev.clientX + 14, window.innerWidth - TIP.offsetWidth - 8);
  const y = ev.clientY + 16 + TIP.offsetHeight > window.innerHeight ? ev.clientY - TIP.offsetHeight - 8 : ev.clientY + 16;
  TIP.style.left = x + "px";
  TIP.style.top = y + "px";
}

// A canvas as wide as its container, sharp on high-density screens.
function canvas(parent, height) {
  const c = el("canvas");
  parent.append(c);
  const w = Math.max(320, parent.clientWidth || PAGE.clientWidth - 48);
  const ratio = window.devicePixelRatio || 1;
  c.width = Math.round(w * ratio);
  c.height = Math.round(height * ratio);
  c.style.width = w + "px";
  c.style.height = height + "px";
  const g = c.getContext("2d");
  g.scale(ratio, ratio);
  return { c, g, w, h: height, ratio };
}

function resizeCanvas(cv, height) {
  cv.h = height;
  cv.c.height = Math.round(height * cv.ratio);
  cv.c.style.height = height + "px";
  cv.g.setTransform(cv.ratio, 0, 0, cv.ratio, 0, 0);
}

// Runs the page's drawing; an exception shows on the page as well as in the console.
function run(draw) {
  try {
    draw();
    document.body.dataset.ready = "1";
  } catch (e) {
    PAGE.append(el("p", { class: "error" }, "this page failed to draw: " + e.message));
    throw e;
  }
}
