"""speedup.svg: log-scale bars of the speedup over pure Python (over the slowest timed rung when it is missing, the
title says so); missing and failed rungs keep their line, with the reason."""

from . import atomic, fmt
from . import svg as svglib

# A bar's colour by its row's language, in legend order: Python (NumPy, Numba); the other ways out of pure Python
# (Cython, Pythran, PyPy, Mojo: any other language lands here, named in the legend); Rust; Rust called from Python;
# the C reference. A bar computing a bitmap is grey whatever its language: it is not the same result (its label says
# "bitmap only"). The legend stays one short line: the chart is as wide as its labels.
KINDS = [("Python", "orange", "#d95f02"), ("other", "green", "#1b9e77"), ("Rust", "blue", "#1b6ca8"),
         ("Rust via PyO3", "light blue", "#7fb3d5"), ("C", "pink", "#e7298a"), ("bitmap", "grey", "#bbb")]
COLOURS = {kind: colour for kind, _, colour in KINDS}


def kind(row):
    """The row's colour group (a key of COLOURS)."""
    if row["computes"] == "bitmap":
        return "bitmap"
    return row["language"] if row["language"] in ("Python", "Rust", "Rust via PyO3", "C") else "other"


def legend(rows):
    """What the colour of each of `rows` (the bars drawn) stands for; the 'other' group names its languages."""
    others = list(dict.fromkeys(r["language"] or "unknown" for r in rows if kind(r) == "other"))
    what = {"other": ", ".join(others), "bitmap": "bitmap only"}
    drawn = {kind(r) for r in rows}
    return "; ".join(f"{name}: {what.get(k, k)}" for k, name, _ in KINDS if k in drawn)


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
    bars = []
    for row, value in values:
        bitmap = row["computes"] == "bitmap"
        why = {"failed": "failed verification", "missing": "missing"}.get(row["status"], "no comparable speedup")
        bars.append({"label": row["name"] + (" (bitmap only)" if bitmap else ""), "value": value,
                     "colour": COLOURS[kind(row)], "attrs": {"data_rung": row["name"]},
                     "text": f"{fmt.speedup(value)}×" if value else "", "missing": why})
    drawn = [row for row, value in values if value]
    return svglib.bar_chart(f"Mandelbrot speedup ladder, {summary['machine_id']}", [subtitle, legend(drawn)], bars,
                            lambda v: f"{v:g}×")


def write_svg(summary, path):
    atomic.write_text(path, svg(summary))
