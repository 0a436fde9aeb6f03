"""The verdict rule for two runs of one machine (`mandel-report verdicts`, through `verdict_rule.judged` as the scripts
call it), on fixture rows: a clear change, overlapping intervals, a change inside the noise floor, missing and failed
rungs, the CI failure list. Its statistics and the drift: the Rust tests of crates/report/src/verdict.rs."""

import pytest

import compare_report
import verdict_rule as verdict


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
    assert verdict.verdicts([a], [b])[0]["interval"] == [[5.0, 5.0], [6.0, 6.0]]
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
    assert verdict.judge({**a, "status": "missing"}, {**a, "status": "missing"})["why"] == "not timed in A and B"
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
    assert verdict.report(a, b)["counts"] == {"slower": 1, "no change": 1, "missing": 2}


def test_failures_for_ci():
    a = summary([row(1.0, 0.99, 1.01, name="x"), row(1.0, 0.99, 1.01, name="y"), row(1.0, 0.99, 1.01, name="z"),
                 row(1.0, 0.99, 1.01, name="w")])
    b = summary([row(1.5, 1.49, 1.51, name="x"), row(1.15, 1.14, 1.16, name="y"),
                 row(None, status="failed", name="z")])
    assert verdict.failures(a, b) == []
    assert verdict.failures(a, b, fail_above=0.20) == ["x: +50.0% slower (threshold 20%)", "z: fails verification in B"]
    assert verdict.failures(a, b, fail_above=0.10)[:2] == ["x: +50.0% slower (threshold 10%)",
                                                           "y: +15.0% slower (threshold 10%)"]
    assert verdict.failures(a, b, fail_on_missing=True) == ["w: not timed in B"]


# --- what a mutation check of the verdicts found untested ------------------------------------------


def test_fail_above_fails_on_a_verification_failing_in_b_only():
    failed, timed = [row(None, status="failed")], [row(1.0, 0.9, 1.1)]
    assert verdict.verdicts(failed, timed)[0]["verdict"] == verdict.verdicts(timed, failed)[0]["verdict"] == "failed"
    assert verdict.failures(failed, timed, fail_above=0.1) == []
    assert verdict.failures(timed, failed, fail_above=0.1) == ["simd-f32: fails verification in B"]


def test_an_isa_note_needs_both_paths():
    got = verdict.verdicts([row(1.0, 0.9, 1.1), row(1.0, 0.9, 1.1, name="x")],
                           [row(1.0, 0.9, 1.1, isa="avx2"), row(1.0, 0.9, 1.1, name="x", isa=None)])
    assert [e["isa"] for e in got] == ["ISA avx512 -> avx2", ""]


def test_a_failed_row_with_a_time_is_not_timed():
    failed = {**row(1.0, 0.9, 1.1), "status": "failed"}
    (e,) = verdict.verdicts([failed], [row(1.0, 0.9, 1.1)])
    assert e["interval"] == [None, [0.9, 1.1]]


def _changes(changes):
    """Two runs of one rung per change: A's median 1, B's 1 + change (None: not timed in B)."""
    a = [row(1.0, 1.0, 1.0, name=f"r{i}") for i in range(len(changes))]
    b = [row(1.0 + c, 1.0 + c, 1.0 + c, name=f"r{i}") if c is not None else row(None, status="missing", name=f"r{i}")
         for i, c in enumerate(changes)]
    return a, b


def _drift_notes(a, b):
    return [line for line in compare_report.runs_summary(a, b) if line.startswith("every rung moved")]


def test_a_drift_of_every_rung_is_named_and_a_real_change_is_not():
    """The drift note on reports (the drift's edges: crates/report's tests)."""
    # A measured A/A (Zen 4, two passes back to back): every rung faster in the second pass.
    aa = _changes([-.018, -.043, -.020, -.042, -.016, -.014, -.023, -.027, -.039, -.040,
                   -.010, -.017, -.064, -.061, -.025, -.025, -.115, -.042, -.116, -.097])
    report = verdict.report(*aa)
    assert report["drift"] == pytest.approx((-.039 + -.027) / 2) and report["changes"] == 20
    (note,) = _drift_notes(*aa)
    assert "faster in at least 90% of the 20 timed in both, median -3.3%. A code change rarely moves" in note
    # A measured A/B (MANDEL_ISA=avx2): half the rungs slower, the others unmoved either way.
    ab = _changes([.011, -.011, -.013, -.035, -.012, -.001, .185, .206, .149, .338,
                   -.014, -.006, .272, .278, .391, .355, .027, -.011, .515, .412])
    assert verdict.report(*ab)["drift"] is None and _drift_notes(*ab) == []
    # untimed rungs do not count
    assert verdict.report(*_changes([.05] * 8 + [None] * 5))["changes"] == 8


def test_the_report_states_its_rule():
    got = verdict.report([row(1.0, 0.9, 1.1)], [row(1.0, 0.9, 1.1)])
    assert (got["alpha"], got["min_calls"]) == (verdict.ALPHA, 3)


def test_a_change_exactly_at_the_noise_floor_is_no_change_either_way():
    """A change must pass the floor, not reach it, as in the rounds' rule."""
    a, b = row(1.00, 0.995, 1.005), row(1.20, 1.195, 1.205)
    up, down = b["median_s"] / a["median_s"] - 1, a["median_s"] / b["median_s"] - 1
    assert verdict.judge(a, b, noise_floor=up)["verdict"] == "no change"
    assert verdict.judge(a, b, noise_floor=up * 0.999)["verdict"] == "slower"
    assert verdict.judge(b, a, noise_floor=-down)["verdict"] == "no change"
    assert verdict.judge(b, a, noise_floor=-down * 0.999)["verdict"] == "faster"
