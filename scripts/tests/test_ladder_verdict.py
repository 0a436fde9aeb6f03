"""The verdict rule for two runs of one machine (ladderlib.verdict), on fixture rows: a clear change,
overlapping intervals, a change inside the noise floor, missing and failed rungs, the CI failure list."""

import math

import pytest

from ladderlib import verdict


def row(median, lo=None, hi=None, status="ok", isa="avx512", name="simd-f32"):
    return {"name": name, "status": status, "median_s": median if status == "ok" else None,
            "spread_low_s": lo, "spread_high_s": hi, "isa": isa,
            "verified_ok": False if status == "failed" else True}


def test_a_clear_change_either_way():
    a = row(4.5e-3, 4.4e-3, 4.6e-3)
    slower = verdict.judge(a, row(6.0e-3, 5.9e-3, 6.1e-3), noise_floor=0.10)
    assert slower["verdict"] == "slower" and slower["change"] == pytest.approx(1 / 3)
    faster = verdict.judge(a, row(3.0e-3, 2.9e-3, 3.1e-3), noise_floor=0.10)
    assert faster["verdict"] == "faster" and faster["change"] == pytest.approx(-1 / 3)


def test_overlapping_intervals_are_no_change_even_beyond_the_floor():
    # B's median is 30% slower, but its interval reaches down into A's: not established
    got = verdict.judge(row(1.0, 0.9, 1.2), row(1.3, 1.1, 1.5), noise_floor=0.10)
    assert got["verdict"] == "no change" and got["why"] == "intervals overlap"
    assert got["change"] == pytest.approx(0.3)
    # the same the other way: 30% faster, B's interval reaching up into A's
    got = verdict.judge(row(1.0, 0.9, 1.2), row(0.7, 0.6, 0.95), noise_floor=0.10)
    assert got["verdict"] == "no change" and got["change"] == pytest.approx(-0.3)


def test_disjoint_intervals_within_the_noise_floor_are_no_change():
    # Criterion's tight intervals, 4% apart: the usual drift between two runs of an unchanged tree
    got = verdict.judge(row(1.00, 0.995, 1.005), row(1.04, 1.035, 1.045), noise_floor=0.05)
    assert got["verdict"] == "no change" and got["why"] == "intervals apart, within the noise floor"
    # ...and the same pair is slower under a 3% floor
    assert verdict.judge(row(1.00, 0.995, 1.005), row(1.04, 1.035, 1.045), noise_floor=0.03)["verdict"] == "slower"
    # the other way: 4% faster, apart, within a 5% floor (and faster under a 3% one)
    got = verdict.judge(row(1.04, 1.035, 1.045), row(1.00, 0.995, 1.005), noise_floor=0.05)
    assert got["verdict"] == "no change" and got["why"] == "intervals apart, within the noise floor"
    assert verdict.judge(row(1.04, 1.035, 1.045), row(1.00, 0.995, 1.005), noise_floor=0.03)["verdict"] == "faster"


def test_a_row_of_fewer_than_three_calls_gets_no_verdict():
    """A Python rung of one call a side (python-pure, numpy-vectorize) was judged from n = 1 against a 10%
    floor, though a single pass moves about that far between two runs of one tree."""
    a, b = {**row(5.0), "repeats": 1}, {**row(6.0), "repeats": 1}  # no spread: one timed call each
    assert verdict.interval(a) == (5.0, 5.0)
    got = verdict.judge(a, b, 0.10)
    assert got["verdict"] == "no verdict" and got["change"] == pytest.approx(0.2)
    assert got["why"] == "1 call in A and 1 call in B: fewer than 3 a side cannot tell a change from one pass's noise"
    two = verdict.judge({**row(5.0, 4.9, 5.1), "repeats": 5}, {**row(8.0, 7.9, 8.1), "repeats": 2}, 0.10)
    assert two["verdict"] == "no verdict" and two["why"].startswith("2 calls in B:")
    # three calls a side: judged by their intervals, as any row not in rounds
    three = verdict.judge({**row(5.0, 4.9, 5.1), "repeats": 3}, {**row(8.0, 7.9, 8.1), "repeats": 3}, 0.10)
    assert three["verdict"] == "slower"


def test_missing_and_failed_rungs():
    a = row(1.0, 0.9, 1.1)
    assert verdict.judge(a, None) == {"verdict": "missing", "change": None, "why": "not timed in B"}
    assert verdict.judge(row(None, status="missing"), a)["why"] == "not timed in A"
    assert verdict.judge(None, None)["why"] == "not timed in A and B"
    assert verdict.judge(a, row(None, status="failed")) == {"verdict": "failed", "change": None,
                                                          "why": "failed verification in B"}


def summary(rows):
    return {"machine_id": "m", "rows": rows}


def test_verdicts_cover_every_rung_of_either_run_and_note_isa_changes():
    a = summary([row(4.5e-3, 4.4e-3, 4.6e-3), row(0.08, 0.079, 0.081, isa="fma", name="fma-f64"),
                 row(0.1, 0.099, 0.101, isa="scalar", name="naive-f64")])
    b = summary([row(5.3e-3, 5.2e-3, 5.4e-3, isa="avx2"), row(0.081, 0.080, 0.082, isa="fma", name="fma-f64"),
                 row(1.0, 0.99, 1.01, isa="scalar", name="new-kernel")])
    got = {e["name"]: e for e in verdict.verdicts(a, b, noise_floor=0.10)}
    assert list(got) == ["simd-f32", "fma-f64", "naive-f64", "new-kernel"]
    assert got["simd-f32"]["verdict"] == "slower" and got["simd-f32"]["isa"] == "ISA avx512 -> avx2"
    assert got["fma-f64"]["verdict"] == "no change" and got["fma-f64"]["isa"] == ""
    assert got["naive-f64"]["verdict"] == "missing" and got["new-kernel"]["verdict"] == "missing"
    assert verdict.counts(got.values()) == {"slower": 1, "no change": 1, "missing": 2}


def test_failures_for_ci():
    a = summary([row(1.0, 0.99, 1.01, name="x"), row(1.0, 0.99, 1.01, name="y"), row(1.0, 0.99, 1.01, name="z"),
                 row(1.0, 0.99, 1.01, name="w")])
    b = summary([row(1.5, 1.49, 1.51, name="x"), row(1.15, 1.14, 1.16, name="y"),
                 row(None, status="failed", name="z")])
    entries = verdict.verdicts(a, b, noise_floor=0.10)
    assert verdict.failures(entries) == []
    assert verdict.failures(entries, fail_above=0.20) == ["x: +50.0% slower (threshold 20%)",
                                                           "z: fails verification in B"]
    assert verdict.failures(entries, fail_above=0.10)[:2] == ["x: +50.0% slower (threshold 10%)",
                                                               "y: +15.0% slower (threshold 10%)"]
    assert verdict.failures(entries, fail_on_missing=True) == ["w: not timed in B"]


def test_geometric_mean():
    assert verdict.geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert verdict.geomean([0.5, 2.0, 1.0]) == pytest.approx(1.0)
    assert verdict.geomean([]) is None and verdict.geomean([None, 0]) is None
    assert math.isclose(verdict.geomean([10.0] * 5), 10.0)


# --- what a mutation check of the verdicts found untested ------------------------------------------


def test_the_interval_always_holds_the_median():
    assert verdict.interval({"median_s": 1.0, "spread_low_s": 1.1, "spread_high_s": 1.2}) == (1.0, 1.2)
    assert verdict.interval({"median_s": 1.3, "spread_low_s": 1.1, "spread_high_s": 1.2}) == (1.1, 1.3)
    assert verdict.interval({"median_s": 1.0, "spread_low_s": None, "spread_high_s": 1.2}) == (1.0, 1.0)


def test_fail_above_fails_on_a_verification_failing_in_b_only():
    a_failed = verdict.verdicts({"rows": [row(None, status="failed")]}, {"rows": [row(1.0, 0.9, 1.1)]})
    b_failed = verdict.verdicts({"rows": [row(1.0, 0.9, 1.1)]}, {"rows": [row(None, status="failed")]})
    assert a_failed[0]["verdict"] == b_failed[0]["verdict"] == "failed"
    assert verdict.failures(a_failed, fail_above=0.1) == []
    assert verdict.failures(b_failed, fail_above=0.1) == ["simd-f32: fails verification in B"]


def test_geomean_takes_positive_values_only():
    assert verdict.geomean([2.0, 8.0, -1.0, 0.0, None]) == pytest.approx(4.0)
    assert verdict.geomean([-1.0]) is None


def test_an_isa_note_needs_both_paths():
    assert verdict.isa_note({"isa": "avx512"}, {"isa": "avx2"}) == "ISA avx512 -> avx2"
    assert verdict.isa_note({"isa": "avx512"}, {"isa": None}) == "" == verdict.isa_note(None, {"isa": "avx2"})


def test_a_failed_row_with_a_time_is_not_timed():
    failed = {**row(1.0, 0.9, 1.1), "status": "failed"}
    assert not verdict.timed(failed) and verdict.timed(row(1.0, 0.9, 1.1))


def _entries(changes):
    return [{"name": f"r{i}", "change": c} for i, c in enumerate(changes)]


def test_a_drift_of_every_rung_is_named_and_a_real_change_is_not():
    # A measured A/A (Zen 4, two passes back to back): every rung faster in the second pass.
    aa = [-.018, -.043, -.020, -.042, -.016, -.014, -.023, -.027, -.039, -.040,
          -.010, -.017, -.064, -.061, -.025, -.025, -.115, -.042, -.116, -.097]
    assert verdict.drift(_entries(aa)) == pytest.approx((-.039 + -.027) / 2)
    assert "faster in at least 90% of the 20" in verdict.drift_note(_entries(aa))
    # A measured A/B (MANDEL_ISA=avx2): half the rungs slower, the others unmoved either way.
    ab = [.011, -.011, -.013, -.035, -.012, -.001, .185, .206, .149, .338,
          -.014, -.006, .272, .278, .391, .355, .027, -.011, .515, .412]
    assert verdict.drift(_entries(ab)) is None and verdict.drift_note(_entries(ab)) is None
    # 18 of 20 the same way is the edge; 17 is not; too few rungs say nothing; untimed rungs do not count.
    assert verdict.drift(_entries([.03] * 18 + [-.01] * 2)) == pytest.approx(.03)
    assert verdict.drift(_entries([.03] * 17 + [-.01] * 3)) is None
    assert verdict.drift(_entries([.05] * 7)) is None
    # an unmoved rung (change exactly 0) moved neither way: 17 faster of 20 is not a drift
    assert verdict.drift(_entries([-.03] * 17 + [0.0] * 3)) is None
    assert verdict.drift(_entries([.03] * 17 + [0.0] * 3)) is None
    assert verdict.drift(_entries([.05] * 8 + [None] * 5)) == pytest.approx(.05)


def test_a_change_exactly_at_the_noise_floor_is_no_change_either_way():
    """A change must pass the floor, not reach it, as in the rounds' rule."""
    a, b = row(1.00, 0.995, 1.005), row(1.20, 1.195, 1.205)
    up, down = b["median_s"] / a["median_s"] - 1, a["median_s"] / b["median_s"] - 1
    assert verdict.judge(a, b, noise_floor=up)["verdict"] == "no change"
    assert verdict.judge(a, b, noise_floor=up * 0.999)["verdict"] == "slower"
    assert verdict.judge(b, a, noise_floor=-down)["verdict"] == "no change"
    assert verdict.judge(b, a, noise_floor=-down * 0.999)["verdict"] == "faster"
