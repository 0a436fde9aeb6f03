"""speedup.svg: a log-scale horizontal bar chart, one bar per timed rung, its speedup written beside it.

The bars show the speedup over pure Python. When pure Python is missing they show the speedup over
the slowest timed rung instead, and the title says so. Missing and failed rungs keep their line, with
the reason written where the bar would be.
"""

import math
from xml.sax.saxutils import escape

from . import atomic, fmt

ROW_H, BAR_W, PAD = 24, 460, 16
COLOURS = {"Python": "#d95f02", "Rust": "#1b6ca8", "bitmap": "#bbb"}


def label(row):
    return row["name"] + (" (bitmap only)" if row["computes"] == "bitmap" else "")


def tick(v):
    return f"{v:g}×"


def chart_values(rows):
    """(what the bars are relative to, [(row, value or None)])."""
    if any(r["speedup_vs_python"] is not None for r in rows):
        return "pure Python", [(r, r["speedup_vs_python"]) for r in rows]
    timed = [r for r in rows if r["status"] == "ok" and r["computes"] == "counts"]
    if not timed:
        return None, [(r, None) for r in rows]
    base = max(timed, key=lambda r: r["median_s"])
    return base["name"], [(r, base["median_s"] / r["median_s"] if r["status"] == "ok" else None) for r in rows]


def svg(summary):
    rows = summary["rows"]
    base, values = chart_values(rows)
    present = [v for _, v in values if v and math.isfinite(v) and v > 0]  # a log scale takes nothing else
    lo = 10 ** math.floor(math.log10(min(present))) if present else 1
    hi = 10 ** math.ceil(math.log10(max(present))) if present else 10
    hi = hi if hi > lo else lo * 10
    label_w = 7 * max([len(label(r)) for r in rows] + [10]) + PAD
    top = 2 * PAD + 56
    height = top + ROW_H * len(rows) + 2 * PAD + 12
    width = label_w + BAR_W + 110

    def x(v):
        return label_w + BAR_W * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    title = f"Mandelbrot speedup ladder, {summary['machine_id']}"
    subtitle = f"speedup over {base}, log scale" if base else "no timed rung"
    if base and base != "pure Python":
        subtitle += " (pure Python missing: relative to the slowest timed rung)"
    legend = "orange: Python, blue: Rust, grey: computes a bitmap, not counts"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{PAD}" y="{PAD + 12}" font-size="15" font-weight="bold">{escape(title)}</text>',
           f'<text x="{PAD}" y="{PAD + 32}" fill="#444">{escape(subtitle)}</text>',
           f'<text x="{PAD}" y="{PAD + 48}" fill="#444">{escape(legend)}</text>']
    for k in range(round(math.log10(lo)), round(math.log10(hi)) + 1):
        gx = x(10 ** k)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{top + ROW_H * len(rows)}" stroke="#ccc"/>')
        out.append(f'<text x="{gx:.1f}" y="{top + ROW_H * len(rows) + 16}" text-anchor="middle" '
                   f'fill="#555">{escape(tick(10.0 ** k))}</text>')
    for i, (row, value) in enumerate(values):
        y = top + i * ROW_H
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label(row))}</text>')
        if value and math.isfinite(value) and value > 0:
            kind = "bitmap" if row["computes"] == "bitmap" else "Python" if row["language"] == "Python" else "Rust"
            colour = COLOURS[kind]
            bar = max(x(value) - label_w, 1.0)
            out.append(f'<rect class="bar" data-rung="{escape(row["name"])}" x="{label_w}" y="{y + 4}" '
                       f'width="{bar:.1f}" height="{ROW_H - 8}" fill="{colour}"/>')
            out.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 16}">{escape(fmt.speedup(value))}×</text>')
        else:
            why = {"failed": "failed verification", "missing": "missing"}.get(row["status"], "no comparable speedup")
            out.append(f'<text x="{label_w + 6}" y="{y + 16}" fill="#a00">{escape(why)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_svg(summary, path):
    atomic.write_text(path, svg(summary))  # made whole before the earlier chart is replaced
