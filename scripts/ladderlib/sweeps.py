"""Cost-growth sweeps (`scripts/ladder --sweeps`): time against work for a few rungs, each point verified before it
is timed (`mandel sweep --json`, or python_baselines.sweep for Numba parallel). Picked by `pick_kernels`, fitted
by `fit`, written by `write_all`: sweeps.json, .csv, .md and a log-log SVG per axis."""

import json
import math

from . import atomic, fmt, writers
from .readers import MIN_TIME_S, InputError, Items, Opt, check, ordered  # MIN_TIME_S: 1/time^2, a weight, may overflow below it
from . import svg as svglib

SCHEMA = "mandel-ladder-sweeps/1"
# What `write_all` writes (a chart per axis of `mandel describe`'s sweep grid), checked before any work.
OUTPUTS = ["sweeps.json", "sweeps.csv", "sweeps.md", "sweep-size.svg", "sweep-iters.svg"]
OFF_LINE = 0.20  # relative residual above which a point is flagged as off the line
CSV_COLUMNS = ["kernel", "isa", "precision", "threads", "axis", "width", "height", "pixels", "max_iters",
               "iterations", "min_s", "median_s", "timed_calls", "ns_per_iteration", "fit_s", "off_fit"]


# A sweep as `mandel sweep --json` and python_baselines.sweep print it, and the large image as `mandel render --json`
# reports it: checked before anything is fitted or written (`checked`), so a bad field is a message naming it.
POINT = {"axis": "name", "width": "int1", "height": "int1", "max_iters": "int1", "iterations": "count",
         "differing": "count?", "allowed": "count?", "median_s": "s", "min_s": "s", "times_s": Opt(["s"])}
SWEEP = {"kernel": "name", "isa": "text?", "precision": "text?", "threads": "int1?",
         "points": Items("point", POINT, nonempty=True)}
LARGE = {"kernel": "name", "isa": "name", "threads": "int1", "width": "int1", "height": "int1", "max_iters": "int1",
         "iterations": "count?", "times_s": Items("time", "s", nonempty=True), "paging_s": "num0",
         **{k: "num0?" for k in ("user_s", "sys_s", "process_user_s", "process_sys_s")},
         # The render's sampled check against the f64 reference; absent from a report older than it.
         "check": Opt({"checked": "int1", "differing": "count", "allowed": "count", "ok": "bool"})}


def checked(data, spec, what):
    """`data` if it has `spec`'s shape, every point verified (differing <= allowed) and the large image's check
    (where it has one) passed, else InputError naming `what` and the field."""
    check(data, spec, what, "the output", "root")
    c = data.get("check")
    if c is not None and not (c["ok"] and c["differing"] <= c["allowed"]):
        raise InputError(f"{what}: failed its check against the reference ({c['differing']} of {c['checked']} pixels "
                         f"differ, {c['allowed']} allowed, ok {c['ok']}): the times of counts that are not the "
                         "reference's are never reported")
    if data.get("iterations") is not None:  # the large image
        possible(data, what, "the image")
    for i, p in enumerate(data.get("points", [])):
        ordered(p, ["min_s", "median_s"], what, f"point #{i}")
        if "times_s" in p and p["times_s"] is None:  # absent is allowed (older outputs), null is not a list
            raise InputError(f"{what}: point #{i} times_s should be a list of times in seconds, found None")
        possible(p, what, f"point #{i}")
        if p.get("differing") is not None and p.get("allowed") is not None and p["differing"] > p["allowed"]:
            raise InputError(f"{what}: point #{i} failed verification ({p['differing']} pixels differ, "
                             f"{p['allowed']} allowed): a point outside its tolerance is never fitted")
    return data


def possible(p, what, where):
    """InputError unless `p`'s iterations are work its pixels can do: no pixel counts past max_iters, and mandel sums
    counts in 64 bits (beyond either, a float of it may also overflow in the fit)."""
    most = min(p["width"] * p["height"] * p["max_iters"], 2**64 - 1)
    if p["iterations"] > most:
        shown = p["iterations"] if p["iterations"] < 10**30 else f"about 10^{len(str(p['iterations'])) - 1}"
        raise InputError(f"{what}: {where} iterations ({shown}) is above {most}, width x height x max_iters (at most "
                         "2^64 - 1): more work than its pixels can do")


def pick_kernels(summary, registry):
    """(best brute-force, best scalar) Rust kernel by median: ok rows of registered kernels computing counts; brute
    force: not algorithmic; scalar: one thread, one lane. None where no row qualifies."""
    flags = {k["name"]: k for k in registry or []}
    rows = [r for r in (summary or {}).get("rows", []) if r.get("language") == "Rust" and r.get("status") == "ok"
            and r.get("computes") == "counts" and r.get("kernel") in flags and r.get("median_s")]
    brute = [r for r in rows if not flags[r["kernel"]].get("algorithmic")]
    scalar = [r for r in brute if flags[r["kernel"]].get("one_lane") and r.get("threads_n") == 1]

    def best(candidates):
        return min(candidates, key=lambda r: r["median_s"])["kernel"] if candidates else None
    return best(brute), best(scalar)


def _line(xs, ts, keep, relative=True):
    """time = a + b * x through the points `keep`, minimising relative residuals (else absolute ones): (a, b,
    weighted R^2)."""
    w = {i: 1.0 / ts[i] ** 2 if relative else 1.0 for i in keep}
    sw = sum(w.values())
    mx = sum(w[i] * xs[i] for i in keep) / sw
    mt = sum(w[i] * ts[i] for i in keep) / sw
    sxx = sum(w[i] * (xs[i] - mx) ** 2 for i in keep)
    slope = sum(w[i] * (xs[i] - mx) * (ts[i] - mt) for i in keep) / sxx if sxx > 0 else 0.0
    intercept = mt - slope * mx
    ss_tot = sum(w[i] * (ts[i] - mt) ** 2 for i in keep)
    ss_res = sum(w[i] * (ts[i] - intercept - slope * xs[i]) ** 2 for i in keep)
    return intercept, slope, 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0


def unfit(points):
    """Why `points` cannot be fitted, or None when they can."""
    if why := _unplaceable(points):
        return why
    if _fit(points)["ns_per_iteration"] <= 0:  # a cost that falls as work grows is no line to report
        return "time does not grow with work: the fitted cost per iteration is not positive"
    return None


def _unplaceable(points):
    """Why no line can be drawn through `points` at all, or None."""
    if len(points) < 2:
        return "fewer than two points"
    # Relative residuals and logarithms need positive times and work; a zero time (a timer too coarse for the
    # point) cannot be fitted, nor one so small that its weight 1/time^2 overflows.
    if any(not (p["median_s"] >= MIN_TIME_S and p["iterations"] > 0) for p in points):
        return f"a point's time under {MIN_TIME_S:g} s or its work not positive"
    if len({p["iterations"] for p in points}) == 1:
        return "no spread in work: every point did the same iterations"
    return None


def _residuals(xs, ts, keep):
    """The line through the points `keep` (`_line`) and every point's relative residual from it."""
    intercept, slope, r2 = _line(xs, ts, keep)
    return intercept, slope, r2, [abs(t - intercept - slope * x) / t for x, t in zip(xs, ts)]


def _spread(xs, ts, keep):
    """The sum of squared relative residuals of the points `keep` from their line."""
    rel = _residuals(xs, ts, keep)[3]
    return sum(rel[i] ** 2 for i in keep)


def fit(points):
    """time = a + b * iterations by least squares on relative residuals (so the largest of three decades does not
    steer the line alone), refitted without one more point (the one whose absence fits the rest best) while a
    kept point is off by more than OFF_LINE, keeping at least three: an outlier (a small image dominated by thread
    start-up) is flagged rather than dragging the line. None where the points cannot be fitted (`unfit`)."""
    if _unplaceable(points):
        return None
    f = _fit(points)
    return f if f["ns_per_iteration"] > 0 else None  # else no fit: `unfit` says why


def _fit(points):
    """`fit`'s line, on points that are not `_unplaceable`."""
    n = len(points)
    xs = [float(p["iterations"]) for p in points]
    ts = [float(p["median_s"]) for p in points]
    keep = list(range(n))
    while True:
        intercept, slope, r2, rel = _residuals(xs, ts, keep)
        if max(rel[i] for i in keep) <= OFF_LINE or len(keep) <= 3:
            break
        # Leave out the point whose absence leaves the rest closest to their line, not the one farthest from this
        # line: a point far off bends it until a good one looks worst; and the largest subset that passes can be
        # two slow points bending the line towards them, a good point dropped instead.
        keep.remove(min(keep, key=lambda i: _spread(xs, ts, [j for j in keep if j != i])))
    # Log-log slope of all points by ordinary least squares: how time grows with work, whatever the offset (never
    # _line's 0.0 for work without spread: `unfit` refused that).
    _, exponent, _ = _line([math.log(x) for x in xs], [math.log(t) for t in ts], range(n), relative=False)
    return {"intercept_s": intercept, "ns_per_iteration": slope * 1e9, "r2": r2, "exponent": exponent,
            "fitted_points": len(keep), "max_rel_residual": max(rel),
            "off_line": [i for i, r in enumerate(rel) if r > OFF_LINE]}


def axes(sweep):
    out = {}
    for p in sweep["points"]:
        out.setdefault(p["axis"], []).append(p)
    return out


def fitted(sweeps):
    """(sweep, axis, its points, their `fit` or None) for every axis of every sweep."""
    for s in sweeps:
        for axis, pts in axes(s).items():
            yield s, axis, pts, fit(pts)


def predict(f, iterations):
    return f["intercept_s"] + f["ns_per_iteration"] * 1e-9 * iterations


def fits(sweeps):
    return [{"kernel": s["kernel"], "axis": axis, "points": len(pts), **(f or {"unfit": unfit(pts)})}
            for s, axis, pts, f in fitted(sweeps)]


def csv_rows(sweeps):
    rows = []
    for s, axis, pts, f in fitted(sweeps):
        for i, p in enumerate(pts):
            rows.append({
                "kernel": s["kernel"], "isa": s.get("isa"), "precision": s.get("precision"),
                "threads": s.get("threads"), "axis": axis, "width": p["width"], "height": p["height"],
                "pixels": p["width"] * p["height"], "max_iters": p["max_iters"], "iterations": p["iterations"],
                "min_s": p["min_s"], "median_s": p["median_s"], "timed_calls": len(p.get("times_s", [])),
                "ns_per_iteration": p["median_s"] / p["iterations"] * 1e9 if p["iterations"] else None,
                "fit_s": predict(f, p["iterations"]) if f else None, "off_fit": bool(f and i in f["off_line"]),
            })
    return rows


def to_csv(sweeps):
    return writers.csv_text(csv_rows(sweeps), CSV_COLUMNS, lineterminator="\n")


def describe_fit(f, pts):
    """One sentence on where a fit is not linear, and which way each flagged point is off."""
    if not f.get("off_line"):
        text = f"linear within {OFF_LINE:.0%} everywhere (worst point {f['max_rel_residual']:.0%} off)"
        smallest = min(pts, key=lambda p: p["iterations"])
        share = f["intercept_s"] / smallest["median_s"]
        if share > 0.1:
            text += (f"; a fixed part of {f['intercept_s'] * 1e3:.3f} ms (work that does not grow with the iterations"
                     f", e.g. per pixel or per call) is {share:.0%} of the smallest problem's time")
        if f["exponent"] > 1.02:
            text += f"; the cost per iteration grows with the work (time ~ iterations^{f['exponent']:.3f})"
        return text
    median_work = sorted(p["iterations"] for p in pts)[len(pts) // 2]
    parts = []
    for i in f["off_line"]:
        p = pts[i]
        slower = p["median_s"] > predict(f, p["iterations"])
        where = f"{p['width']}x{p['height']}/{p['max_iters']} {'slower' if slower else 'faster'} than the line"
        if slower and p["iterations"] <= median_work:
            why = "a small problem: fixed costs (thread start-up, per-call set-up) are not amortised"
        elif slower:
            why = "a large problem: memory traffic or cache misses raise the cost per iteration"
        else:
            why = "cheaper per iteration than the rest of the sweep"
        parts.append(f"{where} ({why})")
    return "; ".join(parts)


def markdown(sweeps, machine_id):
    out = [f"# Cost-growth sweeps on {fmt.md(machine_id)}", "",
           "Time against total iterations (sum of counts), fitted as time = a + b x iterations by least squares on "
           "relative residuals (every point weighs alike across three decades). Exponent: p in time ~ "
           "iterations^p (log-log slope; 1.00 is linear). Points more than 20% off the fit (relative to their own "
           "time) are flagged; the fit leaves out points, one at a time, while one it keeps is that far off.", "",
           "| kernel | threads | axis | points | ns/iteration (slope) | intercept | R² | exponent | worst point off "
           "| where not linear |",
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for s, axis, pts, f in fitted(sweeps):
        row = f"| {fmt.md(s['kernel'])} | {fmt.md(s.get('threads'))} | {fmt.md(axis)} | {len(pts)} "
        if f:
            row += (f"| {f['ns_per_iteration']:.3f} | {f['intercept_s'] * 1e3:.3f} ms | {f['r2']:.4f} "
                    f"| {f['exponent']:.3f} | {f['max_rel_residual']:.0%} "
                    f"| fitted on {f['fitted_points']} of {len(pts)} points; {fmt.md(describe_fit(f, pts))} |")
        else:
            row += f"{'| — ' * 5}| no fit: {fmt.md(unfit(pts))} |"
        out.append(row)
    out += ["", "## Points", "", "| kernel | axis | size | max_iters | iterations | median | ns/iteration |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in csv_rows(sweeps):
        ns = f"{r['ns_per_iteration']:.3f}" if r["ns_per_iteration"] is not None else "—"
        out.append(f"| {fmt.md(r['kernel'])} | {fmt.md(r['axis'])} | {r['width']}x{r['height']} | {r['max_iters']} | "
                   f"{r['iterations']:,} | {r['median_s'] * 1e3:.3f} ms | {ns}{' (off fit)' if r['off_fit'] else ''} |")
    return "\n".join(out) + "\n"


def svg(sweeps, axis, title):
    """Log-log plot of median time against iterations on one axis: a series per kernel, the fit dashed."""
    series = []
    for s in sweeps:
        # Log axes: a point with no time (or none measurable) or no work cannot be placed.
        pts = [p for p in axes(s).get(axis, []) if p["iterations"] > 0 and p["median_s"] >= MIN_TIME_S]
        if not pts:
            continue
        line = None
        f = fit(axes(s)[axis])  # every point, as the tables fit them: one unplaceable point means no fit anywhere
        if f:
            # a + b*x is curved on log-log axes unless a = 0: draw it through 33 points, where positive.
            lo, hi = min(p["iterations"] for p in pts), max(p["iterations"] for p in pts)
            xs = [lo * (hi / lo) ** (j / 32) for j in range(33)]
            line = [(x, t) for x in xs if (t := predict(f, x)) > 0]
        series.append({"name": s["kernel"], "colour": svglib.PALETTE[len(series) % len(svglib.PALETTE)],
                       "points": [(p["iterations"], p["median_s"]) for p in pts], "fit": line})
    return svglib.loglog_chart(title, series, "total iterations (sum of counts)", "median time",
                               lambda k: f"1e{k}", lambda k: f"{10.0**k:g} s",
                               footnote="dashed: linear fit" if any(s["fit"] for s in series) else None)


def axis_title(sweeps, axis):
    """What an axis swept: `sizes 240..3840 px square, 200 iterations`."""
    pts = [p for s in sweeps for p in s["points"] if p["axis"] == axis]
    if axis == "size" and pts:
        sizes = sorted({p["width"] for p in pts})
        return f"sizes {sizes[0]}..{sizes[-1]} px square, {pts[0]['max_iters']} iterations"
    if axis == "iters" and pts:
        caps = sorted({p["max_iters"] for p in pts})
        return f"caps {caps[0]}..{caps[-1]} iterations, {pts[0]['width']}x{pts[0]['height']}"
    return axis


def large_markdown(r):
    """sweeps.md's lines on the large image (`mandel render --json`), if any."""
    if not r:
        return []
    times = sorted(r["times_s"])
    user, sys_ = r.get("process_user_s"), r.get("process_sys_s")
    per = (f"; per render user {r['user_s']:.3f} s, sys {r['sys_s']:.3f} s" if r.get("user_s") is not None
           and r.get("sys_s") is not None else "")
    whole = (f"; the whole process: user {user:.3f} s, sys {sys_:.3f} s ({sys_ / (user + sys_):.1%} system time)"
             if user is not None and sys_ is not None and user + sys_ > 0 else "")
    return ["", "## Large image", "",
            f"`{fmt.md(r['kernel'])}` ({fmt.md(r['isa'])}, {fmt.md(r['threads'])} thread(s)) on {r['width']}x{r['height']} at "
            f"{r['max_iters']} iterations, in a fresh process: render {times[len(times) // 2]:.3f} s{per}; the "
            f"counts paged in before the clock in {r['paging_s']:.3f} s{whole}."]


def write_all(sweeps, out_dir, machine_id, large=None):
    """sweeps.json, .csv, .md and sweep-<axis>.svg into `out_dir`, each whole; `large`: the large image's report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {"schema": SCHEMA, "machine_id": machine_id, "sweeps": sweeps, "fits": fits(sweeps),
           **({"large": large} if large else {})}
    files = {"sweeps.json": json.dumps(doc, indent=2, allow_nan=False) + "\n", "sweeps.csv": to_csv(sweeps),
             "sweeps.md": markdown(sweeps, machine_id) + "\n".join(large_markdown(large)) + ("\n" if large else "")}
    for axis in sorted({p["axis"] for s in sweeps for p in s["points"]}):
        files[f"sweep-{axis}.svg"] = svg(sweeps, axis, f"Time vs work, {axis_title(sweeps, axis)} ({machine_id})")
    for name, text in files.items():
        atomic.write_text(out_dir / name, text)  # each file whole, or the earlier one kept
    return [out_dir / name for name in files]
