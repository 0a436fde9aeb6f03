"""Cost-growth sweeps (`scripts/ladder --sweeps`): time against work for a few rungs, each point verified before it
is timed (`mandel sweep --json`, or python_baselines.sweep for Numba parallel). Picked by `pick_kernels`, checked by
`readers.check_sweep`, fitted and written up by `mandel-report sweeps` (crates/report/src/sweeps.rs: the fits, the CSV's rows,
sweeps.md and a log-log chart per axis), written by `write_all`: sweeps.json, .csv, .md and an SVG per axis."""

import json

from . import atomic, cargo

SCHEMA = "mandel-ladder-sweeps/1"
# What `write_all` writes (a chart per axis of `mandel describe`'s sweep grid, the only axes a point may name: an
# axis is part of a file name), checked before any work.
OUTPUTS = ["sweeps.json", "sweeps.csv", "sweeps.md", "sweep-size.svg", "sweep-iters.svg"]


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
    """`mandel-report sweeps` on `checked` sweeps (and the large image's report): {fits (sweeps.json's), csv (sweeps.csv,
    a line per point), files ({name: text}: sweeps.md, then sweep-<axis>.svg per axis)}. A time JSON cannot
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
             "sweeps.csv": answer["csv"], **answer["files"]}
    for name, text in files.items():
        atomic.write_text(out_dir / name, text)  # each file whole, or the earlier one kept
    return [out_dir / name for name in files], answer["fits"]
