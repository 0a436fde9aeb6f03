"""speedup.svg: log-scale bars of the speedup over pure Python (over the slowest timed rung when it is missing, the
title says so); missing and failed rungs keep their line, with the reason."""

from . import atomic, fmt
from . import svg as svglib

COLOURS = {"Python": "#d95f02", "Rust": "#1b6ca8", "bitmap": "#bbb"}


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
    subtitle = f"speedup over {base}, log scale" if base else "no timed rung"
    if base and base != "pure Python":
        subtitle += " (pure Python missing: relative to the slowest timed rung)"
    legend = "orange: Python, blue: Rust, grey: computes a bitmap, not counts"
    bars = []
    for row, value in values:
        bitmap = row["computes"] == "bitmap"
        kind = "bitmap" if bitmap else "Python" if row["language"] == "Python" else "Rust"
        why = {"failed": "failed verification", "missing": "missing"}.get(row["status"], "no comparable speedup")
        bars.append({"label": row["name"] + (" (bitmap only)" if bitmap else ""), "value": value,
                     "colour": COLOURS[kind], "attrs": {"data_rung": row["name"]},
                     "text": f"{fmt.speedup(value)}×" if value else "", "missing": why})
    return svglib.bar_chart(f"Mandelbrot speedup ladder, {summary['machine_id']}", [subtitle, legend], bars,
                            lambda v: f"{v:g}×")


def write_svg(summary, path):
    atomic.write_text(path, svg(summary))
