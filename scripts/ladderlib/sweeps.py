"""Cost-growth sweeps (`scripts/ladder --sweeps`): time against work for a few rungs, each point verified before it
is timed (`mandel sweep --json`, or python_baselines.sweep for Numba parallel). Picked by `pick_kernels`, checked by
`checked`, fitted and written up by `mandel-report sweeps` (crates/report/src/sweeps.rs: the fits, the CSV's rows,
sweeps.md and a log-log chart per axis), written by `write_all`: sweeps.json, .csv, .md and an SVG per axis."""

import json

from . import atomic, cargo, writers
from .readers import InputError, Items, Opt, check, ordered

SCHEMA = "mandel-ladder-sweeps/1"
# What `write_all` writes (a chart per axis of `mandel describe`'s sweep grid, the only axes a point may name: an
# axis is part of a file name), checked before any work.
OUTPUTS = ["sweeps.json", "sweeps.csv", "sweeps.md", "sweep-size.svg", "sweep-iters.svg"]
CSV_COLUMNS = ["kernel", "isa", "precision", "threads", "axis", "width", "height", "pixels", "max_iters",
               "iterations", "min_s", "median_s", "timed_calls", "ns_per_iteration", "fit_s", "off_fit"]


# A sweep as `mandel sweep --json` and python_baselines.sweep print it, and the large image as `mandel render --json`
# reports it: checked before anything is fitted or written (`checked`), so a bad field is a message naming it.
POINT = {"axis": ("size", "iters"), "width": "int1", "height": "int1", "max_iters": "int1", "iterations": "count",
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
    # mandel's sizes and counts are 64-bit, as mandel-report reads them: a larger one is no output of mandel's
    for where, obj in [("the sweep", data), *((f"point #{i}", p) for i, p in enumerate(data.get("points", [])))]:
        for key in ("width", "height", "max_iters", "threads"):
            if isinstance(obj.get(key), int) and obj[key] > 2**64 - 1:
                raise InputError(f"{what}: {where} {key} is above 2^64 - 1")
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


def report(mandel_report, sweeps, machine_id, large=None):
    """`mandel-report sweeps` on `checked` sweeps (and the large image's report): {fits (sweeps.json's), csv_rows (one
    per point, CSV_COLUMNS), files ({name: text}: sweeps.md, then sweep-<axis>.svg per axis)}. A time JSON cannot
    hold is a ValueError here, as in sweeps.json."""
    return cargo.ask_report(mandel_report, "sweeps", {"machine_id": machine_id, "sweeps": sweeps, "large": large})


def write_all(mandel_report, sweeps, out_dir, machine_id, large=None):
    """sweeps.json, .csv, .md and sweep-<axis>.svg into `out_dir`, each whole; `large`: the large image's report.
    (the paths written, the fits)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    answer = report(mandel_report, sweeps, machine_id, large)
    doc = {"schema": SCHEMA, "machine_id": machine_id, "sweeps": sweeps, "fits": answer["fits"],
           **({"large": large} if large else {})}
    files = {"sweeps.json": json.dumps(doc, indent=2, allow_nan=False) + "\n",
             "sweeps.csv": writers.csv_text(answer["csv_rows"], CSV_COLUMNS, lineterminator="\n"), **answer["files"]}
    for name, text in files.items():
        atomic.write_text(out_dir / name, text)  # each file whole, or the earlier one kept
    return [out_dir / name for name in files], answer["fits"]
