#!/usr/bin/env python3
"""Draws the pause against resident size from bench/capture/run -s TSV, as SVG.

  bench/capture/plot.py RESULTS.tsv > docs/capture-pause.svg

One line per tool and thread count (solid: the fewest threads, dashed: the
most), both axes logarithmic.  Python's standard library only.
"""
import math
import sys

COLORS = {"stop": "#1f77b4", "fork": "#d62728", "gcore": "#7f7f7f", "bare-fork": "#2ca02c"}
W, H, L, R, T, B = 640, 400, 70, 150, 30, 50


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
    series = {}
    for size, threads, tool, pause, *_ in rows:
        if tool not in COLORS or pause in ("", "-"):
            continue
        series.setdefault((tool, int(threads)), []).append((int(size), float(pause)))
    if not series:
        sys.exit("plot.py: no rows")
    sizes = sorted({s for pts in series.values() for s, _ in pts})
    pauses = [p for pts in series.values() for _, p in pts if p > 0]
    x0, x1 = math.log2(sizes[0]) - 0.3, math.log2(sizes[-1]) + 0.3
    y0, y1 = math.floor(math.log10(min(pauses))), math.ceil(math.log10(max(pauses)))
    threads = sorted({t for _, t in series})

    def x(s):
        return L + (math.log2(s) - x0) / (x1 - x0) * (W - L - R)

    def y(p):
        return T + (y1 - math.log10(max(p, 10 ** y0))) / (y1 - y0) * (H - T - B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="18">pause (ms, measured inside the target) against resident size</text>']
    for e in range(y0, y1 + 1):
        yy = y(10 ** e)
        out.append(f'<line x1="{L}" y1="{yy:.1f}" x2="{W - R}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 6}" y="{yy + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for s in sizes:
        xx = x(s)
        out.append(f'<line x1="{xx:.1f}" y1="{T}" x2="{xx:.1f}" y2="{H - B}" stroke="#eee"/>')
        label = f"{s // 1024} GiB" if s >= 1024 else f"{s} MiB"
        out.append(f'<text x="{xx:.1f}" y="{H - B + 18}" text-anchor="middle">{label}</text>')
    out.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 10}" text-anchor="middle">resident heap</text>')
    ly = T + 10
    for (tool, t), pts in sorted(series.items(), key=lambda kv: (list(COLORS).index(kv[0][0]), kv[0][1])):
        pts.sort()
        dash = '' if t == threads[0] else ' stroke-dasharray="6,4"'
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(s):.1f},{y(p):.1f}" for i, (s, p) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{COLORS[tool]}" stroke-width="2"{dash}/>')
        for s, p in pts:
            out.append(f'<circle cx="{x(s):.1f}" cy="{y(p):.1f}" r="3" fill="{COLORS[tool]}"/>')
        out.append(f'<line x1="{W - R + 10}" y1="{ly}" x2="{W - R + 34}" y2="{ly}" stroke="{COLORS[tool]}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{W - R + 40}" y="{ly + 4}">{tool}, {t} threads</text>')
        ly += 18
    out.append("</svg>")
    print("\n".join(out))


main()
