// The page of `memsnap trend DB... --html FILE`: DATA is the object
// `memsnap trend --format json` prints (snapshots in capture order, growth
// per owner, type and size class with its least-squares fit, survivors).

const SNAPS = DATA.snapshots;
const TIMED = DATA.ordered_by === "captured_at";
const SERIES_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"];

function duration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

function signed(bytes) { return (bytes >= 0 ? "+" : "") + human(Math.round(bytes)); }

function xOf(s) { return TIMED ? s.seconds : s.snapshot; }
function xLabel(v) { return TIMED ? duration(v) : `#${v}`; }

// "nice" tick steps for a byte axis: powers of two times 1, 2 or 5 of a binary unit
function byteTicks(max) {
  if (max <= 0) return [0];
  const unit = Math.pow(1024, Math.max(0, Math.floor(Math.log(max) / Math.log(1024))));
  const v = max / unit;
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find(s => v / s <= 5) * unit;
  const out = [0];
  while (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

// A line chart of byte series over the snapshots: lines = [{label, color, values[]}]
function lineChart(parent, lines, height) {
  const W = Math.max(480, parent.clientWidth || PAGE.clientWidth - 48), H = height || 260;
  const M = { l: 78, r: 16, t: 12, b: 34 };
  const xs = SNAPS.map(xOf);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const ymax = Math.max(1, ...lines.flatMap(l => l.values.filter(v => v !== null)));
  const ticks = byteTicks(ymax);
  const ytop = ticks[ticks.length - 1];
  const X = v => M.l + (x1 === x0 ? 0.5 : (v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const Y = v => H - M.b - (v / ytop) * (H - M.t - M.b);
  const g = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  for (const t of ticks) {
    g.append(svg("line", { x1: M.l, x2: W - M.r, y1: Y(t), y2: Y(t), stroke: "#e3e7ec" }));
    g.append(svg("text", { x: M.l - 6, y: Y(t) + 4, "text-anchor": "end" }, human(t)));
  }
  const nx = Math.min(8, xs.length);
  for (let i = 0; i < nx; i++) {
    const v = x0 + (nx === 1 ? 0 : (i / (nx - 1)) * (x1 - x0));
    g.append(svg("text", { x: X(v), y: H - M.b + 16, "text-anchor": "middle" }, xLabel(TIMED ? v : Math.round(v))));
  }
  g.append(svg("text", { x: W - M.r, y: H - 4, "text-anchor": "end" },
    TIMED ? "time since the first snapshot" : "snapshot (no capture times: in command-line order)"));
  for (const l of lines) {
    const pts = l.values.map((v, i) => v === null ? null : [X(xs[i]), Y(v)]).filter(Boolean);
    g.append(svg("polyline", { points: pts.map(p => p.join(",")).join(" "), fill: "none", stroke: l.color,
                               "stroke-width": l.width || 2, "stroke-linejoin": "round" }));
    l.values.forEach((v, i) => {
      if (v === null) return;
      g.append(svg("circle", { cx: X(xs[i]), cy: Y(v), r: SNAPS.length > 60 ? 1.5 : 3, fill: l.color },
        svg("title", {}, `${l.label}, snapshot ${SNAPS[i].snapshot}${TIMED ? " at +" + duration(xs[i]) : ""}: ${human(v)}`)));
    });
  }
  parent.append(el("div", { class: "chart" }, g));
}

// A small line of one series, for a table cell.
function sparkline(values, color) {
  const W = 120, H = 24;
  const max = Math.max(1, ...values), min = Math.min(0, ...values);
  const pts = values.map((v, i) => [values.length === 1 ? W / 2 : (i / (values.length - 1)) * (W - 2) + 1,
                                    H - 2 - ((v - min) / (max - min || 1)) * (H - 4)]);
  return svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}` },
    svg("polyline", { points: pts.map(p => p.join(",")).join(" "), fill: "none", stroke: color, "stroke-width": 1.5 }));
}

function header() {
  const p = DATA.process;
  const exe = p.exe ? p.exe.replace(/.*\//, "") : "process";
  const first = SNAPS[0], last = SNAPS[SNAPS.length - 1];
  document.title = `memsnap trend: ${exe} (pid ${p.pid}), ${SNAPS.length} snapshots`;
  PAGE.append(el("h1", {}, `${exe} `, el("span", { class: "sub" }, `pid ${p.pid} · over time`)));
  PAGE.append(el("p", { class: "note" },
    fig("trend.snapshots", SNAPS.length), " snapshots",
    TIMED ? ` over ${duration(last.seconds)}, ${first.captured_at} to ${last.captured_at}` : ", in command-line order (no capture times)",
    DATA.reordered ? "; given out of order, read in capture order" : "",
    p.build_id ? ` · build id ${p.build_id}` : "", el("br"),
    el("code", {}, p.exe || "")));
}

function overview() {
  const first = SNAPS[0], last = SNAPS[SNAPS.length - 1];
  const s = section("over-time", "Memory over time",
    "RSS as the kernel counted it at each capture (VmRSS), the heap's used blocks (whole chunks, mmapped ones included), " +
    "and the blocks definitely lost (nothing points to them). Point at a dot for its figure.");
  const delta = (a, b) => (b - a >= 0 ? "+" : "") + human(b - a);
  const rss = v => v === null ? null : v * 1024;
  s.append(el("div", { class: "cards" },
    card("RSS, last", fig("trend.last.rss_bytes", rss(last.vm_rss_kb), human),
      last.vm_rss_kb !== null && first.vm_rss_kb !== null ? `${delta(rss(first.vm_rss_kb), rss(last.vm_rss_kb))} since the first` : null),
    card("used heap, last", fig("trend.last.used_bytes", last.used_bytes, human),
      `${delta(first.used_bytes, last.used_bytes)} since the first`),
    card("definitely lost, last", fig("trend.last.definite_bytes", last.definite_bytes, human),
      el("span", {}, fig("trend.last.definite_blocks", last.definite_blocks), " blocks"), last.definite_bytes > first.definite_bytes),
    card("blocks born", fig("trend.born_blocks", SNAPS.reduce((n, x) => n + x.born_blocks, 0)), "after the first snapshot"),
    card("blocks died", fig("trend.died_blocks", SNAPS.reduce((n, x) => n + x.died_blocks, 0)))));
  const lines = [
    { label: "RSS", color: "#9d755d", values: SNAPS.map(x => rss(x.vm_rss_kb)) },
    // drawn wide: a leak that is most of the heap runs on top of it
    { label: "used heap", color: "#4c78a8", width: 6, values: SNAPS.map(x => x.used_bytes) },
    { label: "definitely lost", color: "#d62728", values: SNAPS.map(x => x.definite_bytes) },
  ].filter(l => l.values.some(v => v !== null));
  s.append(legend(lines.map(l => [l.color, l.label])));
  lineChart(s, lines, 280);
  s.append(el("details", { open: SNAPS.length <= 12 ? "" : null }, el("summary", {}, `The ${SNAPS.length} snapshots`),
    table(SNAPS, [
      { key: "snapshot", label: "#", kind: "num" },
      { key: "captured_at", label: "captured at" },
      { key: "vm_rss_kb", label: "RSS", kind: "kb", fig: r => `trend.${r.snapshot}.vm_rss_kb` },
      { key: "used_blocks", label: "used blocks", kind: "num", fig: r => `trend.${r.snapshot}.used_blocks` },
      { key: "used_bytes", label: "used", kind: "bytes", fig: r => `trend.${r.snapshot}.used_bytes` },
      { key: "definite_blocks", label: "lost blocks", kind: "num", fig: r => `trend.${r.snapshot}.definite_blocks` },
      { key: "definite_bytes", label: "lost", kind: "bytes", fig: r => `trend.${r.snapshot}.definite_bytes` },
      { key: "born_blocks", label: "born", kind: "num" }, { key: "died_blocks", label: "died", kind: "num" },
      { key: "path", label: "database" },
    ])));
}

function growth() {
  const per = DATA.slope_per;
  const s = section("growth", "Fastest steady growth",
    `Each series is fitted over every snapshot (least squares); the slope is bytes per ${per}, R² says how well a line fits ` +
    "(1: steady growth; near 0: a jump or a sawtooth), and the score — slope × R² — ranks steady growth first.");
  const kinds = [["type", "By type hint"], ["size_class", "By size class"], ["owner", "By owner (bytes retained)"]];
  for (const [kind, title] of kinds) {
    const list = (DATA.growth[kind] || []);
    s.append(el("h3", {}, title));
    if (!list.length) {
      s.append(el("p", { class: "note" }, kind === "owner" ? "No owners: the snapshots carry no dominator tree." : "Nothing."));
      continue;
    }
    const name = r => r.kind === "size_class" ? `${human(r.size_class)} class` : r.name === null ? "(no type hint)" : r.name;
    const top = list.slice(0, 5).filter(r => r.score_bytes > 0);
    if (top.length) {
      s.append(legend(top.map((r, i) => [SERIES_COLORS[i], name(r)])));
      lineChart(s, top.map((r, i) => ({ label: name(r), color: SERIES_COLORS[i], values: r.bytes })), 200);
    }
    s.append(table(list, [
      { label: kind === "size_class" ? "size class" : kind === "type" ? "type" : "owner", value: name, kind: "text" },
      { label: "over time", value: r => sparkline(r.bytes, r.score_bytes > 0 ? "#d62728" : "#4c78a8"), kind: "text" },
      { label: "first", value: r => r.bytes[0], kind: "bytes" },
      { label: "last", value: r => r.bytes[r.bytes.length - 1], kind: "bytes", fig: r => `growth.${r.key}.last_bytes` },
      { label: `slope / ${per}`, value: r => signed(r.slope_bytes), kind: "text" },
      { label: "R²", value: r => r.r2.toFixed(2), kind: "text" },
      { label: `score / ${per}`, value: r => signed(r.score_bytes), kind: "text" },
    ]));
  }
}

function survivors() {
  const list = DATA.survivors || [];
  const s = section("survivors", "Blocks that survive and pile up",
    "Blocks born after the first snapshot that the last one still holds, by type hint or size class, most bytes first: " +
    "what accumulates. Definite: of them, nothing points to in the last snapshot.");
  if (!list.length) { s.append(el("p", { class: "note" }, "None: every block born after the first snapshot died again.")); return; }
  s.append(table(list, [
    { label: "group", value: r => r.type !== null ? r.type : `${human(r.size_class)} class`, kind: "text" },
    { key: "blocks", label: "blocks", kind: "num" }, { key: "bytes", label: "bytes", kind: "bytes" },
    { key: "definite_blocks", label: "definite", kind: "num" }, { key: "definite_bytes", label: "definite bytes", kind: "bytes" },
    { label: "born in snapshots", value: r => `${r.born_first}–${r.born_last} (${r.born_in} of them)`, kind: "text" },
  ]));
}

run(() => {
  header();
  overview();
  growth();
  survivors();
});
