// The page of `memsnap report DB --html FILE`: DATA.reports holds every named
// report as `memsnap report --format json DB NAME` prints it.

const R = DATA.reports;
function rows(report, sectionName) { return ((R[report] || {})[sectionName]) || []; }
function one(report, sectionName) { return rows(report, sectionName)[0] || {}; }

const KIND_COLORS = {
  text: "#4c78a8", rodata: "#9ecae9", data: "#f58518", bss: "#ffbf79", heap: "#54a24b",
  stack: "#b279a2", thread_stack: "#d6a5c9", anon: "#e45756", file: "#72b7b2", shm: "#17becf",
  vdso: "#eeca3b", vvar: "#bab0ac", vsyscall: "#9d755d", guard: "#d8d8d8",
};
function kindColor(k) { return KIND_COLORS[k] || "#888"; }

const CATS = [ // the heap map's states, in drawing order from the bottom of a cell
  ["definite", "definitely lost", "var(--definite)", "#d62728"],
  ["indirect", "indirectly lost", "var(--indirect)", "#ff7f0e"],
  ["possible", "possibly lost", "var(--possible)", "#e4c21a"],
  ["used", "in use, reachable", "var(--used)", "#4c78a8"],
  ["free", "free (bins, tcache)", "var(--free)", "#9fd49b"],
  ["top", "top chunk", "var(--top)", "#c9ced6"],
];

function header() {
  const p = one("summary", "process");
  const exe = p.exe ? p.exe.replace(/.*\//, "") : "process";
  document.title = `memsnap report: ${exe} (pid ${p.pid})`;
  PAGE.append(el("h1", {}, `${exe} `, el("span", { class: "sub" }, `pid ${p.pid}`)));
  PAGE.append(el("p", { class: "note" },
    el("code", {}, p.cmdline || p.exe || ""), el("br"),
    `captured ${p.captured_at || "at an unknown time"} from a ${p.source} core`,
    p.pause_ms !== null && p.pause_ms !== undefined ? `, paused ${p.pause_ms} ms` : "",
    ` · glibc ${p.glibc_version || "?"} · allocators: ${p.allocators || "none found"} · `,
    fig("process.threads", p.threads), " threads · ", fig("process.warnings", p.warnings), " warnings · ",
    el("code", {}, DATA.database)));
}

function memory() {
  const m = one("summary", "memory");
  const s = section("memory", "Memory, as top counts it",
    `From ${m.figures_from}. VIRT = VmSize, RES = VmRSS, SHR = RssFile + RssShmem, DATA = VmData + VmStk, CODE = VmExe.`);
  const kb = v => v === null || v === undefined ? "–" : human(v * 1024);
  s.append(el("div", { class: "cards" },
    card("VIRT", fig("memory.virt_kb", m.virt_kb, kb)),
    card("RES", fig("memory.res_kb", m.res_kb, kb)),
    card("SHR", fig("memory.shr_kb", m.shr_kb, kb)),
    card("DATA", fig("memory.data_kb", m.data_kb, kb)),
    card("CODE", fig("memory.code_kb", m.code_kb, kb)),
    card("SWAP", fig("memory.swap_kb", m.swap_kb, kb))));
}

// The address space: every mapping in address order, its width growing with
// the square root of its size (a 4 KiB page stays visible beside a 1 GiB heap),
// unmapped gaps cut to a short break; lanes wrap like lines of text.
function addressSpace() {
  const segs = rows("segments", "segments").filter(r => r.kind !== "total");
  const kinds = rows("summary", "mappings");
  const total = kinds.find(k => k.kind === "total") || {};
  const s = section("address-space", "Address space",
    "Each mapping in address order, coloured by kind; width grows with √size, unmapped gaps are cut to a white break. " +
    "Point at a mapping for its figures (pmap -x's columns).");
  s.append(legend(kinds.filter(k => k.kind !== "total").map(k =>
    [kindColor(k.kind), k.kind, el("span", { class: "sub" }, fig(`mappings.${k.kind}.virt_kb`, k.virt_kb, v => v === null ? "–" : human(v * 1024)))])));
  const LANE = 30, GAP = 6, PAD = 1;
  const box = el("div");
  s.append(box);
  const cv = canvas(box, LANE);
  const scale = Math.max(...segs.map(g => Math.sqrt(g.end - g.start)), 1);
  const unit = Math.max(4, Math.min(160, cv.w / 8)) / scale; // the biggest mapping at most an eighth of a lane
  const placed = [];
  let x = 0, lane = 0, prevEnd = null;
  for (const g of segs) {
    const w = Math.max(2, Math.sqrt(g.end - g.start) * unit);
    if (prevEnd !== null && g.start !== prevEnd) x += GAP;
    if (x + w > cv.w) { lane++; x = 0; }
    placed.push({ g, x, lane, w });
    x += w + PAD;
    prevEnd = g.end;
  }
  resizeCanvas(cv, (lane + 1) * LANE);
  for (const p of placed) {
    cv.g.fillStyle = kindColor(p.g.kind);
    cv.g.fillRect(p.x, p.lane * LANE + 3, p.w, LANE - 6);
    // resident share as a darker band at the foot
    if (p.g.rss_kb !== null && p.g.size_kb > 0) {
      cv.g.fillStyle = "rgba(0,0,0,.28)";
      cv.g.fillRect(p.x, p.lane * LANE + LANE - 7, p.w * Math.min(1, p.g.rss_kb / p.g.size_kb), 4);
    }
  }
  cv.c.addEventListener("mousemove", ev => {
    const r = cv.c.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    const hit = placed.find(p => p.lane === Math.floor(my / LANE) && mx >= p.x && mx < p.x + p.w + PAD);
    tip(ev, hit ? `${hex(hit.g.start)}–${hex(hit.g.end)}  ${hit.g.perms}  ${hit.g.kind}\n${hit.g.mapping}\n` +
      `size ${human(hit.g.size_kb * 1024)}, RSS ${hit.g.rss_kb === null ? "–" : human(hit.g.rss_kb * 1024)}, ` +
      `dirty ${hit.g.dirty_kb === null ? "–" : human(hit.g.dirty_kb * 1024)}, in core ${human(hit.g.in_core)}` : null);
  });
  cv.c.addEventListener("mouseleave", ev => tip(ev, null));
  s.append(el("p", { class: "note" }, "The dark band at a mapping's foot is its resident share (RSS / size)."));
  s.append(el("h3", {}, "By kind, as pmap would sum them"));
  s.append(table(kinds, [
    { key: "kind", label: "kind", swatch: r => r.kind === "total" ? "transparent" : kindColor(r.kind) },
    { key: "segments", label: "mappings", kind: "num", fig: r => `mappings.${r.kind}.segments` },
    { key: "virt_kb", label: "size", kind: "kb" },
    { key: "res_kb", label: "RSS", kind: "kb", fig: r => `mappings.${r.kind}.res_kb` },
    { key: "pss_kb", label: "PSS", kind: "kb" },
    { key: "swap_kb", label: "swap", kind: "kb" },
    { key: "in_core", label: "in core", kind: "bytes", fig: r => `mappings.${r.kind}.in_core` },
  ], { rowClass: r => r.kind === "total" ? "total" : null }));
  const det = el("details", {}, el("summary", {}, `All ${count(segs.length)} mappings (report segments)`));
  det.addEventListener("toggle", () => {
    if (det.open && det.children.length === 1)
      det.append(table(segs, [
        { key: "start", label: "start", kind: "addr" }, { key: "end", label: "end", kind: "addr" },
        { key: "size_kb", label: "size", kind: "kb" }, { key: "rss_kb", label: "RSS", kind: "kb" },
        { key: "dirty_kb", label: "dirty", kind: "kb" }, { key: "perms", label: "perms" },
        { key: "kind", label: "kind", swatch: r => kindColor(r.kind) }, { key: "mapping", label: "mapping" },
      ]));
  });
  s.append(det);
  s.dataset.mappings = String(segs.length);
}

function heapFigures() {
  const h = one("summary", "heap");
  const s = section("heap", "Heap (glibc malloc)",
    "As mallinfo2() counts it: used = chunks in use outside tcaches; free = in fastbins, the unsorted, small and large bins; " +
    "top = the arenas' top chunks; mmapped = chunks with a mapping of their own. Sizes are whole chunks.");
  s.append(el("div", { class: "cards" },
    card("arenas", fig("heap.arenas", h.arenas)),
    card("system", fig("heap.system_bytes", h.system_bytes, human), "from the kernel"),
    card("used", fig("heap.used_bytes", h.used_bytes, human), el("span", {}, fig("heap.used_chunks", h.used_chunks), " chunks")),
    card("tcache", fig("heap.tcache_bytes", h.tcache_bytes, human), el("span", {}, fig("heap.tcache_chunks", h.tcache_chunks), " chunks")),
    card("free", fig("heap.free_bytes", h.free_bytes, human), el("span", {}, fig("heap.free_chunks", h.free_chunks), " chunks")),
    card("top", fig("heap.top_bytes", h.top_bytes, human)),
    card("mmapped", fig("heap.mmapped_bytes", h.mmapped_bytes, human), el("span", {}, fig("heap.mmapped_chunks", h.mmapped_chunks), " chunks"))));
  const alloc = rows("heap", "allocators");
  if (alloc.length)
    s.append(el("p", { class: "note" }, "Allocators: " + alloc.map(a =>
      `${a.name} (${a.state}${a.serves_malloc ? ", serves malloc" : ""}${a.walked ? ", read" : ", not read"})`).join("; ")));
  const arenas = rows("heap", "arenas");
  if (arenas.length)
    s.append(table(arenas, [
      { key: "arena", label: "arena" }, { key: "address", label: "address", kind: "addr" },
      { key: "system_bytes", label: "system", kind: "bytes" }, { key: "heaps", label: "heaps", kind: "num" },
      { key: "used_chunks", label: "used chunks", kind: "num" }, { key: "used_bytes", label: "used", kind: "bytes" },
      { key: "tcache_bytes", label: "tcache", kind: "bytes" }, { key: "fast_bytes", label: "fast", kind: "bytes" },
      { key: "unsorted_bytes", label: "unsorted", kind: "bytes" }, { key: "small_bytes", label: "small", kind: "bytes" },
      { key: "large_bytes", label: "large", kind: "bytes" }, { key: "top_bytes", label: "top", kind: "bytes" },
      { key: "mmapped_bytes", label: "mmapped", kind: "bytes" },
    ], { rowClass: r => r.arena === "total" ? "total" : null }));
  return s;
}

// The heap map: report heapmap's bins (equal slices of the segments holding
// chunks, laid end to end), one cell per bin or per run of bins, each cell
// filled from the bottom by the share of its bytes in each state.
function heapMap(s) {
  const regions = rows("heapmap", "regions");
  const bins = rows("heapmap", "bins");
  s.append(el("h3", {}, "Heap map"));
  if (!regions.length) {
    s.append(el("p", { class: "note" }, "No chunks: memsnap read no glibc heap in this snapshot."));
    return;
  }
  const binSize = regions[0].bin_size;
  const nbins = regions.reduce((n, r) => Math.max(n, r.first_bin + r.bins), 0);
  const cat = {};
  for (const [k] of CATS) cat[k] = new Float64Array(nbins);
  const starts = new Uint32Array(nbins);
  const totals = { chunks: 0 };
  for (const [k] of CATS) totals[k] = 0;
  for (const b of bins) {
    for (const [k] of CATS) { cat[k][b.bin] = b[k + "_bytes"]; totals[k] += b[k + "_bytes"]; }
    starts[b.bin] = b.chunks;
    totals.chunks += b.chunks;
  }
    function regionOf(bin) {
    let lo = 0, hi = regions.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (regions[mid].first_bin <= bin) lo = mid; else hi = mid - 1; }
    return regions[lo];
  }
  function regionName(r) { return r.arena === null ? "mmapped chunks" : r.arena === "main" ? "main arena" : `arena ${r.arena}`; }
  function binAddress(bin) { const r = regionOf(bin); return r.start + (bin - r.first_bin) * binSize; }

  s.append(el("p", { class: "note" },
    `${count(regions.length)} segment${regions.length === 1 ? "" : "s"} holding chunks, ${human(regions.reduce((n, r) => n + r.size, 0))} in all, cut into `,
    fig("heapmap.bins", nbins), ` bins of ${human(binSize)}. Each cell fills from the bottom with the bytes of its bins in each state; ` +
    "a black tick marks where a segment starts. Scroll or click to zoom in, shift-click or the buttons to zoom out."));
  s.append(legend(CATS.map(([k, label, color]) =>
    [color, label, el("span", { class: "sub" }, fig(`heapmap.${k}_bytes`, totals[k], human))]).concat(
    [["#e2e6ec", "no chunk", null]])));
  const status = el("div", { class: "status" });
  const where = el("span");
  const bar = el("div", { class: "toolbar" },
    el("button", { onclick: () => zoom(0.5, (view.lo + view.hi) / 2) }, "zoom in"),
    el("button", { onclick: () => zoom(2, (view.lo + view.hi) / 2) }, "zoom out"),
    el("button", { onclick: () => { view = { lo: 0, hi: nbins }; draw(); } }, "whole heap"),
    where);
  s.append(bar);
  const box = el("div");
  s.append(box);
  const cv = canvas(box, 300);
  s.append(status);
  s.append(el("p", { class: "note" }, "Chunks that start in the map: ", fig("heapmap.chunks", totals.chunks), "."));

  let view = { lo: 0, hi: nbins };
  let layout = null;
  const MAX_H = 360;

  function draw() {
    const n = view.hi - view.lo;
    // cell side: as big as fits, 3 px at least (then a cell takes several bins), 28 px at most
    let side = Math.max(3, Math.min(28, Math.floor(Math.sqrt((cv.w * MAX_H) / n))));
    while (side > 3 && Math.floor(cv.w / side) * Math.floor(MAX_H / side) < n) side--;
    const cols = Math.floor(cv.w / side);
    const maxCells = cols * Math.floor(MAX_H / side);
    const per = Math.max(1, Math.ceil(n / maxCells));
    // cells never straddle two segments; a segment of a quarter row or more starts a row of its own
    const cells = [];
    let slot = 0;
    for (const r of regions) {
      const a0 = Math.max(view.lo, r.first_bin), b0 = Math.min(view.hi, r.first_bin + r.bins);
      if (a0 >= b0) continue;
      if (slot % cols && (b0 - a0) / per >= cols / 4) slot += cols - (slot % cols);
      for (let a = a0; a < b0; a += per) cells.push({ a, b: Math.min(b0, a + per), slot: slot++, mark: a === r.first_bin });
    }
    const rowsN = Math.ceil(slot / cols);
    resizeCanvas(cv, Math.max(side, rowsN * side));
    const g = cv.g;
    g.clearRect(0, 0, cv.w, cv.h);
    const inner = side > 4 ? side - 1 : side;
    for (const cell of cells) {
      const x = (cell.slot % cols) * side, y = Math.floor(cell.slot / cols) * side;
      const cap = (cell.b - cell.a) * binSize;
      g.fillStyle = "#e2e6ec";
      g.fillRect(x, y, inner, inner);
      let filled = 0;
      for (let c = 0; c < CATS.length; c++) {
        let t = 0;
        for (let j = cell.a; j < cell.b; j++) t += cat[CATS[c][0]][j];
        if (!t) continue;
        const hgt = Math.max(1, inner * t / cap);
        g.fillStyle = CATS[c][3];
        g.fillRect(x, y + inner - filled - hgt, inner, hgt);
        filled += hgt;
      }
      if (cell.mark) { g.fillStyle = "#000"; g.fillRect(x, y, Math.max(1, Math.round(side / 5)), side); }
    }
    layout = { side, cols, per, cells, bySlot: new Map(cells.map(c => [c.slot, c])) };
    where.textContent = `showing ${hex(binAddress(view.lo))} … in ${regionName(regionOf(view.lo))} to ` +
      `${regionName(regionOf(view.hi - 1))}: ${count(n)} bins, ${human(per * binSize)} per cell`;
  }

  function cellAt(ev) {
    const r = cv.c.getBoundingClientRect();
    const cx = Math.floor((ev.clientX - r.left) / layout.side), cy = Math.floor((ev.clientY - r.top) / layout.side);
    if (cx < 0 || cx >= layout.cols || cy < 0) return null;
    const cell = layout.bySlot.get(cy * layout.cols + cx);
    return cell ? cell : null;
  }

  function zoom(factor, center) {
    const n = Math.min(nbins, Math.max(16, Math.round((view.hi - view.lo) * factor)));
    let lo = Math.round(center - n / 2);
    lo = Math.max(0, Math.min(nbins - n, lo));
    view = { lo, hi: lo + n };
    draw();
  }

  cv.c.addEventListener("mousemove", ev => {
    const cell = cellAt(ev);
    if (cell === null) { tip(ev, null); status.textContent = ""; return; }
    const a = cell.a, b = cell.b;
    const r = regionOf(a);
    let nstart = 0;
    for (let j = a; j < b; j++) nstart += starts[j];
    const parts = CATS.map(([k, label]) => { let t = 0; for (let j = a; j < b; j++) t += cat[k][j]; return t ? `${label} ${human(t)}` : null; })
      .filter(Boolean);
    const text = `${hex(binAddress(a))}–${hex(binAddress(b - 1) + binSize)} in ${regionName(r)} (segment ${hex(r.start)})\n` +
      `${count(nstart)} chunks start here\n${parts.join("\n") || "no chunk"}`;
    tip(ev, text);
    status.textContent = text.split("\n")[0];
  });
  cv.c.addEventListener("mouseleave", ev => tip(ev, null));
  cv.c.addEventListener("click", ev => {
    const cell = cellAt(ev);
    if (cell !== null) zoom(ev.shiftKey ? 4 : 0.25, (cell.a + cell.b) / 2);
  });
  cv.c.addEventListener("wheel", ev => {
    const cell = cellAt(ev);
    if (cell === null) return;
    ev.preventDefault();
    zoom(ev.deltaY < 0 ? 0.5 : 2, (cell.a + cell.b) / 2);
  }, { passive: false });
  draw();

  s.append(el("details", {}, el("summary", {}, regions.length === 1 ? "The segment of the map" : `The ${regions.length} segments of the map`),
    table(regions, [
      { label: "holds", value: regionName, kind: "text" }, { key: "start", label: "start", kind: "addr" },
      { key: "end", label: "end", kind: "addr" }, { key: "size", label: "size", kind: "bytes" },
      { key: "chunks", label: "chunks", kind: "num" }, { key: "first_bin", label: "first bin", kind: "num" },
    ])));
}

// Chunks by power-of-two size class: used and free bytes side by side.
function sizes() {
  const rs = rows("sizes", "sizes");
  const s = section("sizes", "Chunk sizes",
    "Chunks by power-of-two size class (a class holds sizes from it up to the next): bytes in use and free, and how many chunks.");
  if (!rs.length) { s.append(el("p", { class: "note" }, "No chunks.")); return; }
  s.append(legend([["var(--used)", "used bytes"], ["var(--free)", "free bytes"]]));
  const max = Math.max(...rs.map(r => Math.max(r.used_bytes || 0, r.free_bytes || 0)), 1);
  const box = el("div", { class: "bars" });
  let usedChunks = 0, freeChunks = 0;
  for (const r of rs) {
    usedChunks += r.used_chunks || 0;
    freeChunks += r.free_chunks || 0;
    const w = v => (100 * (v || 0) / max).toFixed(2) + "%";
    box.append(el("div", { class: "row" },
      el("div", { class: "label" }, human(r.size_class)),
      el("div", { class: "track" },
        el("div", { class: "bar", style: `background:var(--used);width:${w(r.used_bytes)};top:0;height:8px` }),
        el("div", { class: "bar", style: `background:var(--free);width:${w(r.free_bytes)};top:8px;height:6px` })),
      el("div", { class: "mono", title: `${count(r.used_bytes)} B used, ${count(r.free_bytes)} B free` },
        `${human(r.used_bytes)} in ${count(r.used_chunks)}`, r.free_chunks ? ` · ${human(r.free_bytes)} free` : "")));
  }
  s.append(box);
  s.append(el("p", { class: "note" }, fig("sizes.used_chunks", usedChunks), " chunks in use, ",
    fig("sizes.free_chunks", freeChunks), " free."));
}

function leaks() {
  const sum = rows("leaks", "summary");
  const recs = rows("leaks", "loss_records");
  const s = section("leaks", "Leaks",
    "As valgrind's LEAK SUMMARY: definite = nothing points to the block, indirect = only lost blocks do, " +
    "possible = only pointers into its middle. Bytes are what malloc_usable_size() gives.");
  const by = Object.fromEntries(sum.map(r => [r.leak, r]));
  const c = (k, label) => card(label, fig(`leaks.${k}.bytes`, (by[k] || {}).bytes || 0, human),
    el("span", {}, fig(`leaks.${k}.blocks`, (by[k] || {}).blocks || 0), " blocks"), k === "definite" && (by[k] || {}).blocks > 0);
  s.append(el("div", { class: "cards" }, c("definite", "definitely lost"), c("indirect", "indirectly lost"),
    c("possible", "possibly lost"), c("reachable", "still reachable")));
  s.append(el("h3", {}, "Loss records"));
  if (!recs.length) { s.append(el("p", { class: "note" }, "No lost blocks.")); return; }
  s.append(el("p", { class: "note" }, `Lost blocks grouped by verdict, chunk size and type, largest first; ` +
    `the example is the lowest address (memsnap why DB ADDRESS tells what points to it).`));
  const color = { definite: "var(--definite)", indirect: "var(--indirect)", possible: "var(--possible)" };
  s.append(table(recs, [
    { key: "leak", label: "verdict", swatch: r => color[r.leak] },
    { key: "blocks", label: "blocks", kind: "num" }, { key: "bytes", label: "bytes", kind: "bytes" },
    { key: "size", label: "chunk size", kind: "bytes" }, { key: "type", label: "type" },
    { key: "example_mem", label: "example", kind: "addr" },
  ], { limit: 200 }));
  s.dataset.lossRecords = String(recs.length);
}

// A squarified treemap (Bruls, Huizing, van Wijk 2000) of the owners by retained bytes.
function squarify(items, x, y, w, h) {
  const out = [];
  const total = items.reduce((n, i) => n + i.value, 0);
  if (!total) return out;
  const scale = (w * h) / total;
  let rest = items.map(i => ({ item: i, area: i.value * scale }));
  while (rest.length) {
    const side = Math.min(w, h);
    let row = [], best = Infinity;
    for (const r of rest) {
      const trial = row.concat([r]);
      const sum = trial.reduce((n, t) => n + t.area, 0);
      const worst = Math.max(...trial.map(t => Math.max((side * side * t.area) / (sum * sum), (sum * sum) / (side * side * t.area))));
      if (worst > best) break;
      best = worst;
      row = trial;
    }
    const sum = row.reduce((n, t) => n + t.area, 0);
    const thick = sum / side;
    let off = 0;
    for (const t of row) {
      const len = t.area / thick;
      if (w >= h) out.push({ item: t.item, x, y: y + off, w: thick, h: len });
      else out.push({ item: t.item, x: x + off, y, w: len, h: thick });
      off += len;
    }
    if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    rest = rest.slice(row.length);
  }
  return out;
}

function owners() {
  const list = rows("owners", "owners");
  const s = section("owners", "Who holds the memory",
    "The owners retaining the most (report owners): root holders — static variables, stack frames, registers, TLS, anonymous mappings — " +
    "and blocks no single holder dominates. A tile's area is what would be freed if its owner let go; a red frame marks a leak suspect (10% of the used heap or more).");
  if (!list.length) {
    s.append(el("p", { class: "note" }, "No owners: this snapshot has no dominator tree (roots were not named when it was analyzed)."));
    return;
  }
  const colors = { static: "#4c78a8", stack: "#b279a2", register: "#9d755d", tls: "#72b7b2", anon: "#e45756",
                   leak: "#d62728", shared: "#7f7f7f" };
  s.append(legend(Object.entries(colors).filter(([k]) => list.some(o => o.kind === k)).map(([k, c]) => [c, k])));
  const map = el("div", { class: "treemap" });
  s.append(map);
  const W = map.clientWidth || 1100, H = 340;
  const items = list.filter(o => o.retained_bytes > 0).map(o => ({ value: o.retained_bytes, o }));
  for (const t of squarify(items, 0, 0, W, H)) {
    const o = t.item.o;
    const label = `${o.owner}${o.mem !== null ? " " + hex(o.mem) : ""}`;
    map.append(el("div", {
      class: "tile" + (o.suspect ? " suspect" : ""),
      style: `left:${t.x}px;top:${t.y}px;width:${t.w}px;height:${t.h}px;background:${colors[o.kind] || "#888"}`,
      title: `${label}\n${o.kind}: retains ${human(o.retained_bytes)} (${pct(o.share_pct)} of the used heap)` +
             (o.blocks !== null ? `, ${count(o.blocks)} blocks` : "") + (o.conservative ? "\nconservative: may be a stale copy" : ""),
    }, t.w > 60 && t.h > 26 ? [label, el("br"), `${human(o.retained_bytes)} · ${pct(o.share_pct)}`] : ""));
  }
  s.append(table(list, [
    { key: "owner", label: "owner", swatch: r => colors[r.kind] || "#888" },
    { key: "kind", label: "kind" }, { key: "mem", label: "block", value: r => r.mem, kind: "addr" },
    { key: "retained_bytes", label: "retains", kind: "bytes", fig: r => `owners.${r.owner}${r.mem !== null ? "@" + r.mem : ""}` },
    { key: "share_pct", label: "share", value: r => pct(r.share_pct) },
    { key: "blocks", label: "blocks", kind: "num" },
  ]));
  const byType = rows("owners", "by_type");
  if (byType.length) {
    s.append(el("h3", {}, "By type hint, right under the owners"));
    s.append(table(byType, [
      { key: "type", label: "type", value: r => r.type === null ? "(no hint)" : r.type }, { key: "blocks", label: "blocks", kind: "num" },
      { key: "retained_bytes", label: "retains", kind: "bytes" }, { key: "share_pct", label: "share", value: r => pct(r.share_pct) },
    ]));
  }
}

function topBlocks() {
  const list = rows("top", "top");
  const s = section("top", "Largest blocks", "The largest used blocks and up to three places that point to them (report top).");
  if (!list.length) { s.append(el("p", { class: "note" }, "No used blocks.")); return; }
  s.append(table(list, [
    { key: "mem", label: "block", kind: "addr" }, { key: "size", label: "chunk size", kind: "bytes" },
    { key: "leak", label: "verdict" }, { key: "type", label: "type" }, { key: "arena", label: "arena" },
    { key: "refs", label: "refs", kind: "num" }, { key: "owners", label: "pointed to from" },
  ]));
}

function threads() {
  const ts = rows("threads", "threads");
  const frames = rows("threads", "stacks");
  const s = section("threads", "Threads and their stacks", "Innermost frame first; frames the core could not unwind show the live stack capture --stacks recorded.");
  s.append(el("p", { class: "note" }, fig("threads.count", ts.length), " threads, ", fig("threads.frames", frames.length), " frames."));
  for (const t of ts) {
    const fs = frames.filter(f => f.tid === t.tid);
    const top = fs.length ? fs[0].function : "no frames";
    const det = el("details", { open: ts.length <= 4 ? "" : null },
      el("summary", {}, el("b", {}, `${t.name || "?"} `), `tid ${t.tid}${t.is_main ? " (main)" : ""} · ${count(fs.length)} frames · ` +
        `stack ${human(t.stack_size)} · in ${top}`));
    if (fs.length)
      det.append(table(fs, [
        { key: "depth", label: "#", kind: "num" }, { key: "pc", label: "pc", kind: "addr" },
        { key: "function", label: "function" }, { key: "module", label: "module" }, { key: "source", label: "source" },
        { key: "unwound", label: "from" },
      ]));
    s.append(det);
  }
}

run(() => {
  header();
  memory();
  addressSpace();
  heapMap(heapFigures());
  sizes();
  leaks();
  owners();
  topBlocks();
  threads();
});
