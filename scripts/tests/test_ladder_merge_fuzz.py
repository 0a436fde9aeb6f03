"""Property (issue 12): whatever the merge is fed, it never writes a summary with a non-positive or
non-finite time, nor drops a rung. A seeded random fuzz loop (reproducible, no extra dependency):
each case draws a registry, verify rows, Criterion results and baselines, each sometimes corrupt
(negative, zero, NaN, infinite or non-number times, negative counts, duplicate or clashing names,
missing parts). The merge must either refuse with InputError or return a summary that passes the
checks below, and that the writers and the chart accept."""

import math
import random

import pytest

import ladder_fixtures as fx
import summary_report
from ladderlib.merge import merge
from ladderlib.readers import InputError

SEED = 12
CASES = 1500
RUST = ["naive-f64", "fma-f64", "simd-f32", "rayon-fma-f64", "algorithmic-f32", "c-ref-f64"]
PYTHON = fx.PYTHON_NAMES + ["pyo3-naive-f64", "pyo3-simd-f32", "python-extra"]
GOOD_TIMES = [5.0, 0.5, 0.025, 1e-9, 123.0]
BAD_TIMES = [0, 0.0, -1, -1e-9, float("nan"), float("inf"), float("-inf"), "1 s", True, [1]]
TIME_FIELDS = ["median_s", "mean_s", "spread_low_s", "spread_high_s", "iterations_per_s", "speedup_vs_python",
               "speedup_vs_previous", "peak_share"]


def draw_time(rnd, bad_rate):
    return rnd.choice(BAD_TIMES) if rnd.random() < bad_rate else rnd.choice(GOOD_TIMES)


def draw_count(rnd, bad_rate):
    return rnd.choice([-1, 2.5, "7", None]) if rnd.random() < bad_rate else rnd.randrange(0, 10**7)


def draw_inputs(rnd):
    bad = rnd.choice([0.0, 0.0, 0.02, 0.1])  # a third of the cases have no corruption at all
    names = rnd.sample(RUST, rnd.randrange(0, len(RUST) + 1))
    registry = None if rnd.random() < 0.2 else [fx.kernel_info(n, n[-3:]) for n in names]
    if registry and rnd.random() < bad / 2:
        registry.append(dict(registry[0]))  # a kernel listed twice
    verify = {}
    for n in rnd.sample(RUST, rnd.randrange(0, len(RUST) + 1)):
        differing = draw_count(rnd, bad) if rnd.random() < 0.3 else 0
        if isinstance(differing, int) and differing > 921600:
            differing = 921600
        ok = rnd.random() < 0.9
        allowed = (differing if ok else differing - 1) if isinstance(differing, int) and differing > 0 else 0
        ok = ok if differing != 0 else True
        if rnd.random() < bad:
            ok = not ok  # a hand-edited verdict that contradicts its counts
        row = fx.verify_row(n, differing=differing, allowed=allowed, ok=ok,
                            lane_iterations=draw_count(rnd, bad / 4) or 1)
        verify[n] = row
    criterion = {}
    for n in rnd.sample(RUST, rnd.randrange(0, len(RUST) + 1)):
        m, low, high = draw_time(rnd, bad), draw_time(rnd, bad), draw_time(rnd, bad)
        if all(type(t) is float for t in (low, high)) and rnd.random() >= bad:
            low, high = sorted((low, high))  # an interval upside down only as often as other corruption
        criterion[n] = {"full_id": f"ladder/{n}/scalar", "kernel": n, "isa": "scalar", "median_s": m,
                        "ci_low_s": low, "ci_high_s": high, "ci_level": 0.95,
                        "mean_s": draw_time(rnd, bad), "iterations": draw_count(rnd, bad),
                        "samples": 10, "min_s": None, "max_s": None}
    baselines = None
    if rnd.random() < 0.8:
        rungs = []
        for n in rnd.sample(PYTHON, rnd.randrange(0, len(PYTHON) + 1)):
            r = fx.rung(n, rnd.choice(GOOD_TIMES), ok=rnd.random() < 0.9)
            if rnd.random() < bad:
                r[rnd.choice(["median_s", "min_s", "max_s"])] = rnd.choice(BAD_TIMES)
            if rnd.random() < 0.1:
                r.update(median_s=None, min_s=None, max_s=None, times_s=[], error="crashed")
            rungs.append(r)
        if rungs and rnd.random() < bad:
            rungs.append(dict(rungs[0]))  # a rung twice
        if rnd.random() < bad:
            rungs.append(fx.rung(rnd.choice(RUST), 1.0))  # a Python rung named like a Rust kernel
        baselines = fx.baselines(rungs)
    peak = None if rnd.random() < 0.5 else {"isa": "avx512", "f32_lane_fmas_per_s": draw_time(rnd, bad),
                                             "f64_lane_fmas_per_s": 4e9}
    return dict(registry=registry, verify=verify, criterion=criterion, baselines=baselines, peak=peak)


def positive(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def test_merge_never_writes_a_non_positive_time_or_drops_a_rung(tmp_path):
    rnd = random.Random(SEED)
    accepted = refused = 0
    for case in range(CASES):
        inputs = draw_inputs(rnd)
        try:
            summary = merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), **inputs)
        except InputError:
            refused += 1
            continue
        accepted += 1
        where = f"case {case} (seed {SEED}): {inputs}"
        names = [r["name"] for r in summary["rows"]]
        assert len(names) == len(set(names)), where
        expected = set(fx.PYTHON_NAMES if inputs["baselines"] else []) | set(inputs["verify"]) | set(inputs["criterion"])
        expected |= {k["name"] for k in inputs["registry"] or []}
        expected |= {r["name"] for r in (inputs["baselines"] or {}).get("rungs", [])}
        assert expected <= set(names), f"dropped {expected - set(names)}: {where}"
        for r in summary["rows"]:
            for key in TIME_FIELDS:
                assert r[key] is None or positive(r[key]), f"{r['name']} {key}={r[key]!r}: {where}"
            assert r["status"] != "ok" or positive(r["median_s"]), where
        if case % 5 == 0:  # the write-up (summary.md, speedup.svg) takes every accepted summary
            summary_report.write_all(summary, tmp_path)
    # both branches well exercised: the property is not vacuous
    assert accepted > CASES // 4 and refused > CASES // 10, (accepted, refused)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_a_hand_made_summary_with_a_bad_time_is_never_written(tmp_path, bad):
    import json

    s = merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, baselines=fx.baselines())
    s["rows"][0]["median_s"] = bad
    with pytest.raises(InputError, match="median_s"):
        summary_report.write_all(s, tmp_path)
    assert not (tmp_path / "summary.json").exists()
    json.dumps(s)  # (the summary itself is untouched by the check)
