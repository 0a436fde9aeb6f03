"""Cost-growth sweeps (`scripts/ladder --sweeps`): time against work for a few rungs, and how linear it is.

Each sweep is `mandel sweep --json` (a Rust kernel) or `python_baselines/sweep.py` (Numba parallel): the
canonical rectangle at sizes 240..3840 (200 iterations) and at caps 50..5000 (960x960), every point
verified before it is timed. Here they are picked, fitted and written:

- `pick_kernels`: the best brute-force Rust rung and the best scalar one, from the run's summary;
- `fit`: per kernel and axis, time = a + b * iterations by ordinary least squares, with R^2, and the
  points more than 20% off the line (relative to their own time) flagged. Ordinary least squares is
  steered by the largest problems, where the cost per iteration has settled; a small problem with a
  fixed cost (thread start-up, a call's set-up) then shows as a point above the line, not as a bent
  line that fits nothing well;
- `write_all`: sweeps.json (raw sweeps and fits), sweeps.csv (one row per kernel and point), sweeps.md,
  and one log-log SVG per axis, time against total iterations, fit lines dashed.
"""

import csv
import io
import json
import math
from xml.sax.saxutils import escape

SCHEMA = "mandel-ladder-sweeps/1"
SCALAR_ISAS = {"scalar", "fma"}
OFF_LINE = 0.20  # relative residual above which a point is flagged as off the line
CSV_COLUMNS = ["kernel", "isa", "precision", "threads", "axis", "width", "height", "pixels", "max_iters",
               "iterations", "min_s", "median_s", "timed_calls", "ns_per_iteration", "fit_s", "off_fit"]


def pick_kernels(summary, registry):
    """(best brute-force Rust kernel, best scalar Rust kernel) by median time in this run's summary: ok rows
    computing counts; brute force = not an algorithmic rung; scalar = one thread on a scalar ISA path.
    None where no row qualifies."""
    rung = {k["name"]: k.get("rung", "") for k in registry or []}
    rows = [r for r in (summary or {}).get("rows", []) if r.get("language") == "Rust" and r.get("status") == "ok"
            and r.get("computes") == "counts" and r.get("kernel") and r.get("median_s")]
    brute = [r for r in rows if not rung.get(r["kernel"], r["kernel"]).startswith("algorithmic")
             and "algorithmic" not in r["kernel"]]
    scalar = [r for r in brute if r.get("isa") in SCALAR_ISAS and r.get("threads_n") == 1]

    def best(candidates):
        return min(candidates, key=lambda r: r["median_s"])["kernel"] if candidates else None
    return best(brute), best(scalar)


def fit(points):
    """Fit time = a + b * iterations to `points` (dicts with iterations, median_s) by ordinary least
    squares. Returns {intercept_s, ns_per_iteration, r2, max_rel_residual, off_line: [indices]}."""
    n = len(points)
    if n < 2:
        return None
    xs = [float(p["iterations"]) for p in points]
    ts = [float(p["median_s"]) for p in points]
    w = [1.0] * n
    sw = sum(w)
    mx = sum(wi * x for wi, x in zip(w, xs)) / sw
    mt = sum(wi * t for wi, t in zip(w, ts)) / sw
    sxx = sum(wi * (x - mx) ** 2 for wi, x in zip(w, xs))
    slope = sum(wi * (x - mx) * (t - mt) for wi, x, t in zip(w, xs, ts)) / sxx if sxx > 0 else 0.0
    intercept = mt - slope * mx
    pred = [intercept + slope * x for x in xs]
    mean_t = sum(ts) / n
    ss_tot = sum((t - mean_t) ** 2 for t in ts)
    ss_res = sum((t - p) ** 2 for t, p in zip(ts, pred))
    rel = [abs(t - p) / t for t, p in zip(ts, pred)]
    return {"intercept_s": intercept, "ns_per_iteration": slope * 1e9,
            "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0,
            "max_rel_residual": max(rel), "off_line": [i for i, r in enumerate(rel) if r > OFF_LINE]}


def axes(sweep):
    """{axis: [points]} in the sweep's order."""
    out = {}
    for p in sweep["points"]:
        out.setdefault(p["axis"], []).append(p)
    return out


def fits(sweeps):
    """[{kernel, axis, points, fit}] for every sweep and axis."""
    return [{"kernel": s["kernel"], "axis": axis, "points": len(pts), **(fit(pts) or {})}
            for s in sweeps for axis, pts in axes(s).items()]


def csv_rows(sweeps):
    rows = []
    for s in sweeps:
        for axis, pts in axes(s).items():
            f = fit(pts)
            for i, p in enumerate(pts):
                predicted = f["intercept_s"] + f["ns_per_iteration"] * 1e-9 * p["iterations"] if f else None
                rows.append({
                    "kernel": s["kernel"], "isa": s.get("isa"), "precision": s.get("precision"),
                    "threads": s.get("threads"), "axis": axis, "width": p["width"], "height": p["height"],
                    "pixels": p["width"] * p["height"], "max_iters": p["max_iters"], "iterations": p["iterations"],
                    "min_s": p["min_s"], "median_s": p["median_s"], "timed_calls": len(p.get("times_s", [])),
                    "ns_per_iteration": p["median_s"] / p["iterations"] * 1e9 if p["iterations"] else None,
                    "fit_s": predicted, "off_fit": bool(f and i in f["off_line"]),
                })
    return rows


def to_csv(sweeps):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in csv_rows(sweeps):
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()


def describe_fit(f, pts):
    """One sentence on where a fit is not linear."""
    if not f.get("off_line"):
        return f"linear within {OFF_LINE:.0%} everywhere (worst point {f['max_rel_residual']:.0%} off)"
    where = ", ".join(f"{pts[i]['width']}x{pts[i]['height']}/{pts[i]['max_iters']}" for i in f["off_line"])
    small = all(pts[i]["iterations"] <= sorted(p["iterations"] for p in pts)[len(pts) // 2] for i in f["off_line"])
    why = ("the smallest problems: fixed costs (thread start-up, per-call overhead) are not amortised"
           if small else "large problems: memory traffic or cache effects change the cost per iteration")
    return f"off the line at {where} ({why})"


def markdown(sweeps, machine_id):
    out = [f"# Cost-growth sweeps on {machine_id}", "",
           "Time against total iterations (sum of counts), fitted as time = a + b x iterations (ordinary least "
           "squares). Points more than 20% off the fit (relative to their own time) are flagged.", "",
           "| kernel | threads | axis | points | ns/iteration (slope) | intercept | R² | worst point off | where not linear |",
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in sweeps:
        for axis, pts in axes(s).items():
            f = fit(pts)
            if not f:
                continue
            out.append(f"| {s['kernel']} | {s.get('threads')} | {axis} | {len(pts)} | {f['ns_per_iteration']:.3f} "
                       f"| {f['intercept_s'] * 1e3:.3f} ms | {f['r2']:.4f} | {f['max_rel_residual']:.0%} "
                       f"| {describe_fit(f, pts)} |")
    out += ["", "## Points", "", "| kernel | axis | size | max_iters | iterations | median | ns/iteration |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in csv_rows(sweeps):
        ns = f"{r['ns_per_iteration']:.3f}" if r["ns_per_iteration"] is not None else "—"
        out.append(f"| {r['kernel']} | {r['axis']} | {r['width']}x{r['height']} | {r['max_iters']} | "
                   f"{r['iterations']:,} | {r['median_s'] * 1e3:.3f} ms | {ns}{' (off fit)' if r['off_fit'] else ''} |")
    return "\n".join(out) + "\n"


COLOURS = ["#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a"]


def svg(sweeps, axis, title):
    """Log-log plot of median time against total iterations on one axis: a series per kernel, fit dashed."""
    series = [(s, axes(s).get(axis, [])) for s in sweeps]
    series = [(s, pts) for s, pts in series if pts]
    W, H, L, R, T, B = 720, 440, 80, 200, 50, 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family="sans-serif" font-size="12">', f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>']
    xs = [p["iterations"] for _, pts in series for p in pts if p["iterations"] > 0]
    ts = [p["median_s"] for _, pts in series for p in pts if p["median_s"] > 0]
    if not xs or not ts:
        out.append(f'<text x="{L}" y="{T + 20}">no points</text></svg>')
        return "\n".join(out) + "\n"
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ts))), math.ceil(math.log10(max(ts)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(v):
        return L + (W - L - R) * (math.log10(v) - x0) / (x1 - x0)

    def py(v):
        return H - B - (H - T - B) * (math.log10(v) - y0) / (y1 - y0)
    for k in range(x0, x1 + 1):
        out.append(f'<line x1="{px(10**k):.1f}" y1="{T}" x2="{px(10**k):.1f}" y2="{H - B}" stroke="#ddd"/>')
        out.append(f'<text x="{px(10**k):.1f}" y="{H - B + 16}" text-anchor="middle" fill="#555">1e{k}</text>')
    for k in range(y0, y1 + 1):
        out.append(f'<line x1="{L}" y1="{py(10**k):.1f}" x2="{W - R}" y2="{py(10**k):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 6}" y="{py(10**k) + 4:.1f}" text-anchor="end" fill="#555">{10.0**k:g} s</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">total iterations (sum of counts)</text>')
    out.append(f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" '
               f'text-anchor="middle">median time</text>')
    for i, (s, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        name = escape(s["kernel"])
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(p['iterations']):.1f},{py(p['median_s']):.1f}"
                        for j, p in enumerate(pts))
        out.append(f'<path class="series" data-kernel="{name}" d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in pts:
            out.append(f'<circle cx="{px(p["iterations"]):.1f}" cy="{py(p["median_s"]):.1f}" r="3" fill="{colour}"/>')
        f = fit(pts)
        if f:
            lo, hi = min(p["iterations"] for p in pts), max(p["iterations"] for p in pts)
            line = [(x, f["intercept_s"] + f["ns_per_iteration"] * 1e-9 * x) for x in (lo, hi)]
            if all(t > 0 for _, t in line):
                out.append(f'<line class="fit" x1="{px(line[0][0]):.1f}" y1="{py(line[0][1]):.1f}" '
                           f'x2="{px(line[1][0]):.1f}" y2="{py(line[1][1]):.1f}" stroke="{colour}" '
                           f'stroke-dasharray="5,4" opacity="0.7"/>')
        out.append(f'<rect x="{W - R + 12}" y="{T + 20 * i}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{W - R + 30}" y="{T + 20 * i + 11}">{name}</text>')
    out.append(f'<text x="{W - R + 12}" y="{T + 20 * len(series) + 14}" fill="#555">dashed: linear fit</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


AXIS_TITLES = {"size": "sizes 240..3840 px square, 200 iterations", "iters": "caps 50..5000 iterations, 960x960"}


def write_all(sweeps, out_dir, machine_id):
    """Write sweeps.json, sweeps.csv, sweeps.md and sweep-<axis>.svg into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {"schema": SCHEMA, "machine_id": machine_id, "sweeps": sweeps, "fits": fits(sweeps)}
    files = {"sweeps.json": json.dumps(doc, indent=2) + "\n", "sweeps.csv": to_csv(sweeps),
             "sweeps.md": markdown(sweeps, machine_id)}
    for axis in sorted({p["axis"] for s in sweeps for p in s["points"]}):
        files[f"sweep-{axis}.svg"] = svg(sweeps, axis, f"Time vs work, {AXIS_TITLES.get(axis, axis)} ({machine_id})")
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return [out_dir / name for name in files]
