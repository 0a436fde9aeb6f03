"""The sweeps' report (`mandel-report sweeps`: crates/report/src/sweeps.rs) asked as scripts/ladder asks it
(`sweeps.report`), for the tests: `fit`, `unfit` and `describe_fit` (the fit's sentence in sweeps.md) of one axis's
points, `markdown`, `svg`, `to_csv` and `files` of sweeps. The binary is verdict_rule's MANDEL_REPORT."""

from ladderlib import sweeps
from verdict_rule import MANDEL_REPORT

FIT_KEYS = ("intercept_s", "ns_per_iteration", "r2", "exponent", "fitted_points", "max_rel_residual", "off_line")


def axes(sweep):
    """A sweep's points by axis, in the order the axes come."""
    out = {}
    for p in sweep["points"]:
        out.setdefault(p["axis"], []).append(p)
    return out


def _one_axis(points):
    """`points` as the one axis of one sweep, the fields a report reads but a test leaves out filled in."""
    return [{"kernel": "k", "points": [{"min_s": p["median_s"], **p, "axis": "fitted"} for p in points]}]


def _entry(points):
    (entry,) = sweeps.report(MANDEL_REPORT, _one_axis(points), "")["fits"]
    return entry


def fit(points):
    """The line through `points` {intercept_s, ns_per_iteration, r2, exponent, fitted_points, max_rel_residual,
    off_line}, or None where they cannot be fitted."""
    entry = _entry(points)
    return None if "unfit" in entry else {k: entry[k] for k in FIT_KEYS}


def unfit(points):
    """Why `points` cannot be fitted, or None."""
    return _entry(points).get("unfit")


def describe_fit(points):
    """sweeps.md's sentence on where the fit of `points` is not linear (after "fitted on N of M points; ")."""
    (row,) = [line for line in markdown(_one_axis(points), "m").splitlines() if "| fitted on " in line]
    return row.split(" points; ", 1)[1].removesuffix(" |")


def files(data, machine_id="m", large=None):
    """{name: text} of sweeps.md and a chart per axis."""
    return sweeps.report(MANDEL_REPORT, data, machine_id, large)["files"]


def markdown(data, machine_id="m"):
    return files(data, machine_id)["sweeps.md"]


def svg(data, axis, machine_id="m"):
    return files(data, machine_id)[f"sweep-{axis}.svg"]


def to_csv(data):
    return sweeps.report(MANDEL_REPORT, data, "m")["csv"]
