import copy
import re

import pytest

import ladder_fixtures as fx
import compare_report
import summary_report
from ladderlib import readers
from ladderlib.readers import InputError
from ladderlib.merge import merge


def summary(tmp_path, **over):
    inputs = dict(registry=fx.REGISTRY, verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY},
                  criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")), baselines=fx.baselines())
    inputs.update(over)
    return merge(fx.MACHINE, "intel-xeon-platinum-8488c-2c", fx.SETTINGS, **inputs)


def by_name(s):
    return {r["name"]: r for r in s["rows"]}


def test_rows_in_ladder_order_python_then_rust_then_pyo3(tmp_path):
    names = [r["name"] for r in summary(tmp_path)["rows"]]
    assert names == ["python-pure", "numpy-vectorize", "numpy-masked-bitmap", "numba",
                     # the Python rungs of run.py's table (the file's `python_rungs`) that it did not
                     # run are still listed, as missing, in the table's order
                     "numpy-masked-counts", "numba-fastmath", "numba-parallel", "cython", "pythran", "mojo-simd-f32",
                     "naive-f64", "fma-f64", "rayon-fma-f64", "pyo3-naive-f64"]


def test_speedup_over_pure_python(tmp_path):
    rows = by_name(summary(tmp_path))
    assert rows["python-pure"]["speedup_vs_python"] == pytest.approx(1.0)
    assert rows["numpy-vectorize"]["speedup_vs_python"] == pytest.approx(1.25)
    assert rows["numba"]["speedup_vs_python"] == pytest.approx(10.0)
    assert rows["naive-f64"]["speedup_vs_python"] == pytest.approx(50.0)
    assert rows["fma-f64"]["speedup_vs_python"] == pytest.approx(100.0)
    assert rows["rayon-fma-f64"]["speedup_vs_python"] == pytest.approx(200.0)
    assert rows["pyo3-naive-f64"]["speedup_vs_python"] == pytest.approx(25.0)


def test_speedup_over_previous_rung_skips_bitmap_and_missing_rows(tmp_path):
    rows = by_name(summary(tmp_path))
    assert rows["python-pure"]["speedup_vs_previous"] is None
    assert rows["numpy-vectorize"]["speedup_vs_previous"] == pytest.approx(5.0 / 4.0)
    # the bitmap rung does other work than any counts row: it has no previous rung (a review: 0.36 against
    # numpy-masked-counts)...
    assert rows["numpy-masked-bitmap"]["speedup_vs_previous"] is None
    assert rows["numpy-masked-bitmap"]["previous"] is None
    # ...and is never the previous rung of another: numba is measured against np.vectorize
    assert rows["numba"]["previous"] == "numpy-vectorize"
    assert rows["numba"]["speedup_vs_previous"] == pytest.approx(8.0)
    # three missing Python rows sit between numba and naive-f64: they are skipped
    assert rows["naive-f64"]["previous"] == "numba"
    assert rows["naive-f64"]["speedup_vs_previous"] == pytest.approx(5.0)
    assert rows["fma-f64"]["speedup_vs_previous"] == pytest.approx(2.0)
    # a pyo3-* row is measured against its own kernel's Rust row (what the boundary costs), not the row above
    assert rows["pyo3-naive-f64"]["previous"] == "naive-f64"
    assert rows["pyo3-naive-f64"]["speedup_vs_previous"] == pytest.approx(0.1 / 0.2)


def test_times_ci_and_rates_come_from_criterion(tmp_path):
    r = by_name(summary(tmp_path))["naive-f64"]
    assert r["median_s"] == pytest.approx(0.1)
    assert (r["spread_low_s"], r["spread_high_s"]) == (pytest.approx(0.099), pytest.approx(0.101))
    assert r["spread_kind"] == "95% CI of the median (Criterion)"
    assert r["iterations_per_s"] == pytest.approx(fx.ITERS / 0.1)
    assert r["repeats"] == 10
    py = by_name(summary(tmp_path))["numba"]
    assert (py["spread_low_s"], py["spread_high_s"]) == (pytest.approx(0.5), pytest.approx(0.51))
    assert py["spread_kind"] == "min-max over 3 runs"


def test_missing_baselines_say_why_and_leave_no_speedup_over_python(tmp_path):
    s = summary(tmp_path, baselines=None, baselines_missing="not run (--skip-python)")
    rows = by_name(s)
    assert not [r for r in s["rows"] if r["language"] != "Rust"]  # run.py's table comes with its file
    assert rows["naive-f64"]["speedup_vs_python"] is None  # no pure Python, no speedup over it
    assert rows["fma-f64"]["speedup_vs_previous"] == pytest.approx(2.0)
    assert any("not run (--skip-python)" in n for n in s["notes"])


def test_kernel_without_criterion_result_is_missing_not_dropped(tmp_path):
    crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
    del crit["fma-f64"]
    rows = by_name(summary(tmp_path, criterion=crit))
    assert rows["fma-f64"]["status"] == "missing"
    assert rows["fma-f64"]["median_s"] is None and rows["fma-f64"]["speedup_vs_python"] is None
    assert rows["rayon-fma-f64"]["previous"] == "naive-f64"
    assert rows["rayon-fma-f64"]["speedup_vs_previous"] == pytest.approx(4.0)


def test_failed_verification_is_flagged_and_gets_no_speedup(tmp_path):
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    verify["fma-f64"] = fx.verify_row("fma-f64", differing=5000, allowed=923, ok=False)
    base = fx.baselines()
    # failed, so untimed, as run.py records it (a failed rung with a time is refused: readers.check_baselines)
    base["rungs"][1] = {**fx.rung("numpy-vectorize", 4.0, ok=False), "median_s": None, "times_s": [], "min_s": None,
                        "max_s": None, "repeats": 0}
    s = summary(tmp_path, verify=verify, baselines=base)
    rows = by_name(s)
    for name in ("fma-f64", "numpy-vectorize"):
        assert rows[name]["status"] == "failed"
        assert rows[name]["speedup_vs_python"] is None and rows[name]["speedup_vs_previous"] is None
        assert "FAILED verification" in rows[name]["note"]
    assert rows["rayon-fma-f64"]["previous"] == "naive-f64"
    assert rows["numba"]["previous"] == "python-pure"
    header, body = summary_report.cells([rows["fma-f64"]])
    cell = dict(zip(header, body[0]))
    assert cell["speedup"] == "no (failed verification)"
    assert cell["agreement"] == "FAIL 5,000/923"
    assert any(n.startswith("fma-f64: FAILED verification: 5000 of 921600") for n in s["notes"])


def test_failed_verification_without_a_count_says_why(tmp_path):
    # `mandel bench` reports differing null when the timed build's counts differ from the verified build's
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    verify["fma-f64"] = fx.verify_row("fma-f64", differing=None, ok=False)
    row = by_name(summary(tmp_path, verify=verify))["fma-f64"]
    assert row["status"] == "failed" and row["speedup_vs_python"] is None
    assert "could not be compared" in row["note"] and "None of" not in row["note"]
    header, body = summary_report.cells([row])
    assert dict(zip(header, body[0]))["agreement"] == "FAIL"


def test_bitmap_rung_is_marked(tmp_path):
    row = by_name(summary(tmp_path))["numpy-masked-bitmap"]
    assert row["method"].endswith("(bitmap only: computes a different result)")
    assert row["computes"] == "bitmap" and row["speedup_vs_python"] == pytest.approx(5.0)


def test_peak_share_uses_measured_lanes_precision_and_pool_threads(tmp_path):
    peak = {"isa": "avx512", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9}
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    verify["fma-f64"]["lane_iterations"] = 80_000_000
    del verify["naive-f64"]["lane_iterations"]
    rows = by_name(summary(tmp_path, peak=peak, verify=verify))
    # a one-lane kernel without a count: its iterations are its lane-iterations
    assert rows["naive-f64"]["peak_share"] == pytest.approx(fx.ITERS / 0.1 / 4e9)
    assert rows["naive-f64"]["lane_iterations_source"] == "scalar: one lane"
    assert rows["fma-f64"]["peak_share"] == pytest.approx(80e6 / 0.05 / 4e9)
    # pool: the registry's 2 threads
    assert rows["rayon-fma-f64"]["threads_n"] == 2
    assert rows["rayon-fma-f64"]["peak_share"] == pytest.approx(fx.ITERS / 0.025 / (4e9 * 2))
    assert rows["pyo3-naive-f64"]["peak_share"] == pytest.approx(fx.ITERS / 0.2 / 4e9)
    assert rows["numba"]["peak_share"] is None


def test_a_run_that_recorded_no_pool_shows_it_unknown_not_the_machine_s_core_count(tmp_path):
    """The pool is Rust's to say (describe or a round); os.cpu_count() ignores affinity and cgroup quotas."""
    assert "pool_threads" not in fx.SETTINGS and fx.MACHINE["cores"] == 2
    s = summary(tmp_path)
    assert s["settings"]["pool_threads"] is None
    assert "| thread pool | unknown |" in summary_report.markdown(s)
    assert ", thread pool ?, " in compare_report.legend([s])[0]
    s = merge(fx.MACHINE, "m", {**fx.SETTINGS, "pool_threads": 3}, registry=fx.REGISTRY)
    assert s["settings"]["pool_threads"] == 3
    assert "| thread pool | 3 threads |" in summary_report.markdown(s)
    assert ", thread pool 3, " in compare_report.legend([s])[0]


def two_peaks(before, after):
    """A peak file measured before and after the benches, which differ in the f32 step ceiling only."""
    runs = [{"when": w, "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
             "f32_step_lane_iterations_per_s": f32, "f64_step_lane_iterations_per_s": 1e9}
            for w, f32 in (("before the benches", before), ("after the benches", after))]
    return {"isa": "avx512", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
            "f32_step_lane_iterations_per_s": max(before, after), "f64_step_lane_iterations_per_s": 1e9,
            "measured": runs}


def test_a_peak_measured_twice_is_noted_and_a_spread_warned(tmp_path):
    steady = summary(tmp_path, peak=two_peaks(2.0e9, 2.05e9))["notes"]
    assert any("higher of two measurements" in n and "2e+09 and 2.05e+09" in n for n in steady)
    assert not any("WARNING: the two step ceilings" in n for n in steady)
    noisy = summary(tmp_path, peak=two_peaks(1.6e9, 2.0e9))["notes"]
    assert any("WARNING: the two step ceilings differ by 25.0%" in n and "a pyo3-* row's 'vs previous'" in n
               for n in noisy)


def test_a_third_peak_after_the_python_rows_warns_of_a_change_between_the_rust_and_python_rows(tmp_path):
    """A VM whose speed changed after the Rust rounds (seen on a Xeon m207 VM, METHODOLOGY.md): pure Python, every
    speedup's denominator, and the pyo3- rows were timed at the other speed."""
    def three(after_python):
        peak = two_peaks(2.0e9, 2.02e9)
        third = {**peak["measured"][1], "when": "after the Python rows", "f32_step_lane_iterations_per_s": after_python}
        return {**peak, "f32_step_lane_iterations_per_s": max(2.02e9, after_python),
                "measured": [*peak["measured"], third]}

    steady = summary(tmp_path, peak=three(2.0e9))["notes"]
    assert any("the highest of three measurements, before and after the benches and after the Python rows (f32 step "
               "ceiling 2e+09, 2.02e+09 and 2e+09 lane-iterations/s)" in n for n in steady)
    assert not any(n.startswith("WARNING") for n in steady)
    moved = summary(tmp_path / "m", peak=three(1.5e9))["notes"]
    (warning,) = [n for n in moved if n.startswith("WARNING")]
    assert warning.startswith("WARNING: the step ceiling after the Python rows differs by 34.7% from one before or "
                              "after the benches: this machine's speed changed between the Rust rounds and the Python "
                              "rows")
    # a drift in two steps under 5% each, 8% in all (a review): the Rust rows were timed from the first on
    drift = {**three(1.84e9), "f32_step_lane_iterations_per_s": 2.0e9,
             "measured": [{**m, "f32_step_lane_iterations_per_s": f} for m, f in
                          zip(three(1.84e9)["measured"], (2.0e9, 1.92e9, 1.84e9))]}
    assert any(n.startswith("WARNING: the step ceiling after the Python rows differs by 8.7%")
               for n in summary(tmp_path / "d", peak=drift)["notes"])


def test_an_fma_peak_that_moved_alone_is_warned_of(tmp_path):
    peak = two_peaks(2.0e9, 2.0e9)
    assert not any("FMA peaks" in n for n in summary(tmp_path, peak=peak)["notes"])
    peak["measured"][1]["f32_lane_fmas_per_s"] = 5e9  # 8e9 is 60% above it, the step ceilings steady
    (warning,) = [n for n in summary(tmp_path / "m", peak=peak)["notes"] if n.startswith("WARNING")]
    assert warning.startswith("WARNING: the FMA peaks measured in this run differ by up to 60.0%")


def test_no_peak_data_leaves_share_missing_with_a_note(tmp_path):
    s = summary(tmp_path)
    assert all(r["peak_share"] is None for r in s["rows"])
    assert any("no `mandel peak --json`" in n for n in s["notes"])


def test_python_on_a_different_problem_gives_no_cross_language_speedup(tmp_path):
    params = {**fx.baselines()["params"], "width": 480, "height": 480}
    s = summary(tmp_path, baselines=fx.baselines(params=params))
    rows = by_name(s)
    assert rows["numba"]["speedup_vs_python"] == pytest.approx(10.0)
    assert rows["naive-f64"]["speedup_vs_python"] is None
    assert rows["naive-f64"]["speedup_vs_previous"] is None
    assert any("not the canonical problem" in n for n in s["notes"])


def test_python_rung_without_a_time_is_missing_with_its_error(tmp_path):
    base = fx.baselines()
    base["rungs"][3].update(median_s=None, min_s=None, max_s=None, error="numba not installed")
    rows = by_name(summary(tmp_path, baselines=base))
    assert rows["numba"]["status"] == "missing" and rows["numba"]["note"] == "numba not installed"
    assert rows["naive-f64"]["previous"] == "numpy-vectorize"
    assert rows["naive-f64"]["speedup_vs_previous"] == pytest.approx(40.0)


# --- issue 11: the efficiency column is measured against the step ceiling -----------------------


def test_read_tune_checks_its_rows(tmp_path):
    good = [{"isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v5k8", "fastest": "v5k8",
             "workload": "960x960/200", "times": [["v4k8", 0.0061], ["v5k8", 0.0058]]}]
    path = tmp_path / "tune.json"
    path.write_text(__import__("json").dumps(good))
    assert readers.read_tune(path)[0]["fastest"] == "v5k8"
    for bad in ([{"isa": "avx2"}], {"rows": []}, [{**good[0], "times": [["v4k8", -1.0]]}],
                [{**good[0], "times": [["v4k8"]]}]):
        path.write_text(__import__("json").dumps(bad))
        with pytest.raises(readers.InputError, match="tune.json"):
            readers.read_tune(path)


# --- what a mutation check of the merge found untested ---------------------------------------------


def test_without_a_lane_count_only_a_one_lane_kernel_counts_its_iterations_as_lanes(tmp_path):
    """A SIMD kernel whose lanes were not counted has no lane-iterations (and no share of the FMA peak):
    its iterations are not its lanes; a one-lane kernel's are."""
    peak = {"isa": "avx512", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9}
    registry = [fx.kernel_info("naive-f64", "f64"), fx.kernel_info("fma-f64", "f64", isa="fma", one_lane=False),
                fx.kernel_info("rayon-fma-f64", "f64", isa="fma", threads=2, pool=True)]
    verify = {k["name"]: fx.verify_row(k["name"], lane_iterations=None) for k in registry}
    rows = by_name(summary(tmp_path, peak=peak, verify=verify, registry=registry))
    assert rows["naive-f64"]["lane_iterations"] == fx.ITERS and rows["naive-f64"]["peak_share"] is not None
    assert rows["fma-f64"]["lane_iterations"] is None and rows["fma-f64"]["peak_share"] is None


def test_a_python_rung_named_like_a_rust_kernel_is_refused_saying_so(tmp_path):
    base = fx.baselines()
    base["rungs"].append(fx.rung("fma-f64", 1.0))
    with pytest.raises(readers.InputError, match="name rung.s. fma-f64 like Rust kernels"):
        summary(tmp_path, baselines=base)


def test_a_pyo3_row_takes_its_kernel_s_isa_when_the_file_omits_it(tmp_path):
    base = fx.baselines()
    del base["rungs"][-1]["isa"]  # pyo3-naive-f64
    registry = [{**k, "isa": "avx2"} if k["name"] == "naive-f64" else k for k in fx.REGISTRY]
    assert by_name(summary(tmp_path, baselines=base, registry=registry))["pyo3-naive-f64"]["isa"] == "avx2"
    base["rungs"][-1]["isa"] = "scalar"
    assert by_name(summary(tmp_path, baselines=base, registry=registry))["pyo3-naive-f64"]["isa"] == "scalar"


def test_baselines_are_foreign_on_another_family_model_or_machine_id():
    from ladderlib.merge import foreign

    here = {"cpu_model": "Intel(R) Xeon(R) Processor", "cores": 2, "cpu_family_model": "6/167"}
    base = {"machine": dict(here), "params": None}
    assert foreign(base, here) == []
    base["machine"]["cpu_family_model"] = "6/143"
    assert foreign(base, here) == ["CPU family/model 6/143 there, 6/167 here"]
    # the file's family/model unknown: the same model name, but this machine's id names its family
    base["machine"] = {"cpu_model": "Intel(R) Xeon(R) Processor", "cores": 2}
    assert foreign(base, {**here, "cpu_family_model": None}) == []
    del base["machine"]["cpu_model"]
    assert foreign(base, here) == ["the file does not record the machine it was measured on"]
    base["machine"] = {"cpu_model": "Intel(R) Xeon(R) Processor", "cores": 2, "cpu_family_model": "6/167"}
    assert foreign(base, {**here, "cpu_family_model": None}) == [
        "machine id intel-xeon-m167-2c there, intel-xeon-2c here"]


def test_step_ceilings_apart_by_more_than_five_percent_are_warned(tmp_path):
    for after, warned in ((2.08e9, False), (2.14e9, True)):  # 4% and 7% above 2.0e9
        notes = summary(tmp_path, peak=two_peaks(2.0e9, after))["notes"]
        assert any("WARNING: the two step ceilings" in n for n in notes) == warned, after


def test_a_criterion_result_without_a_throughput_takes_the_verification_s_iterations(tmp_path):
    crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
    crit["fma-f64"]["iterations"] = None
    verify = {k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}
    verify["fma-f64"]["iterations"] = 12345
    row = by_name(summary(tmp_path, criterion=crit, verify=verify))["fma-f64"]
    assert row["iterations"] == 12345 and row["iterations_per_s"] == pytest.approx(12345 / 0.05)


def test_pyo3_rows_timed_on_a_non_release_extension_are_labelled(tmp_path):
    def notes(profile):
        bl = fx.baselines()
        bl["machine"] = {**bl["machine"], "mandel_ladder_profile": profile}
        return summary(tmp_path, baselines=bl)["notes"]

    assert any("`ci` profile" in n and "pyo3-*" in n for n in notes("ci"))
    assert not any("pyo3-* rows were timed" in n for n in notes("release"))
    assert not any("pyo3-* rows were timed" in n for n in notes(None))  # files from before the label
    with pytest.raises(readers.InputError, match="mandel_ladder_profile"):  # a corrupt label is refused
        notes(5)


def test_the_finish_binary_failing_is_an_input_error_naming_it(tmp_path):
    refusing = tmp_path / "refusing"
    refusing.write_text("#!/bin/sh\necho 'mandel-report: error: no' >&2\nexit 2\n")
    refusing.chmod(0o755)
    with pytest.raises(InputError, match=f"{refusing} finish exited 2: mandel-report: error: no"):
        summary(tmp_path, mandel_report=refusing)


# --- hostile review (s31): what the merge takes from the baselines and a summary's claims -----------------------


def test_a_python_rung_allowing_half_the_image_is_never_merged_ok(tmp_path):
    base = fx.baselines()
    base["rungs"][3]["verification"].update(differing=400000, allowed=460800, ok=True)  # numba
    with pytest.raises(readers.InputError, match=r"rung 'numba' verification\.allowed is 460800"):
        summary(tmp_path, baselines=base)


def test_a_python_rung_failed_but_timed_is_refused_not_shown_with_its_time(tmp_path):
    base = fx.baselines()
    base["rungs"][3]["verification"].update(differing=5000, ok=False)  # numba, its calls kept
    with pytest.raises(readers.InputError, match=r"rung 'numba' is timed .* but failed verification"):
        summary(tmp_path, baselines=base)


@pytest.mark.parametrize("field, value, registry_says", [("threads", 2, 1), ("precision", "f32", "'f64'")])
def test_a_pyo3_rung_unlike_the_kernel_it_wraps_is_refused(tmp_path, field, value, registry_says):
    base = fx.baselines()
    base["rungs"][-1][field] = value  # pyo3-naive-f64
    with pytest.raises(readers.InputError, match=rf"rung 'pyo3-naive-f64' {field} is {value!r}, the registry's "
                                                 rf"'naive-f64' \(`mandel describe`\) has {registry_says}"):
        summary(tmp_path, baselines=base)
    if field == "threads":  # baselines merged from another machine ran on its pool: their threads stand
        settings = {**fx.SETTINGS, "python_foreign": "8 cores there, 2 here"}
        s = merge(fx.MACHINE, "m", settings, registry=fx.REGISTRY, baselines=base,
                  verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY})
        assert by_name(s)["pyo3-naive-f64"]["threads_n"] == 2


def test_a_pyo3_rung_without_the_registry_is_not_checked_against_it(tmp_path):
    base = fx.baselines()
    base["rungs"][-1]["threads"] = 2
    s = merge(fx.MACHINE, "m", fx.SETTINGS, baselines=base)
    assert by_name(s)["pyo3-naive-f64"]["threads_n"] == 2


def test_a_summarys_speedups_must_follow_from_its_medians(tmp_path):
    s = summary(tmp_path)
    readers.check_summary(s)  # as merged
    rows = by_name(s)
    assert rows["numba"]["previous"] == "numpy-vectorize"
    rows["numba"]["speedup_vs_python"] *= 1 + 1e-12  # rounding: within the 1e-9 tolerance
    readers.check_summary(s)
    for field, factor, needle in [
            ("speedup_vs_python", 2, r"row 'numba' speedup_vs_python is 20\.0+\d*, 'python-pure''s median over its own "
                                     r"is 10\.0"),
            ("speedup_vs_previous", 1.001, r"row 'numba' speedup_vs_previous is .*, 'numpy-vectorize''s median over "
                                           r"its own is 8\.0")]:  # 0.1% off: far outside rounding
        bad = summary(tmp_path)
        by_name(bad)["numba"][field] *= factor
        with pytest.raises(readers.InputError, match=needle):
            readers.check_summary(bad, "s.json")
    bad = summary(tmp_path)
    by_name(bad)["numba"]["previous"] = "no-such-row"
    with pytest.raises(readers.InputError, match=r"row 'numba' claims speedup_vs_previous 8\.0 but its divisor "
                                                 r"\('no-such-row'\) is no ok row"):
        readers.check_summary(bad)
    bad = summary(tmp_path)
    by_name(bad)["mojo-simd-f32"]["speedup_vs_python"] = 3.0  # a missing row
    with pytest.raises(readers.InputError, match=r"row 'mojo-simd-f32' is missing but claims speedup_vs_python"):
        readers.check_summary(bad)
    bad = summary(tmp_path)
    by_name(bad)["python-pure"]["problem"] = "small"  # ok, but timed on another problem: no divisor of this one's
    with pytest.raises(readers.InputError, match=r"row 'numpy-vectorize' claims speedup_vs_python 1\.25 but its divisor "
                                                 r"\('python-pure'\) is no ok row of its problem"):
        readers.check_summary(bad)
    bad = summary(tmp_path)
    by_name(bad)["python-pure"].update(status="failed", verified_ok=False, speedup_vs_python=None)
    with pytest.raises(readers.InputError, match=r"row 'numpy-vectorize' claims speedup_vs_python 1\.25 but its divisor "
                                                 r"\('python-pure'\) is no ok row"):
        readers.check_summary(bad)


def tuning_note(s):
    return next(n for n in s["notes"] if n.startswith("Tuning (vectors in flight"))


def test_the_tuning_notes_tie_band_is_the_one_the_set_recorded(tmp_path):
    pin = {"value": "f32:v4k4,f64:v4k4", "source": "mandel tune"}
    row = {"kernel": "simd", "isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
           "fastest": "v4k4", "workload": "960x960/200", "times": [["v4k4", 0.005]]}
    old = merge(fx.MACHINE, "m", {**fx.SETTINGS, "simd_tuning": pin}, tune=[row])
    assert "the default kept within a tie band (its width not recorded): MANDEL_TUNING=f32:v4k4" in tuning_note(old)
    new = merge(fx.MACHINE, "m", {**fx.SETTINGS, "simd_tuning": pin}, tune=[{**row, "default": "v3k8"}])
    assert "the default kept within 2%: MANDEL_TUNING" in tuning_note(new)
    recorded = merge(fx.MACHINE, "m", {**fx.SETTINGS, "simd_tuning": pin},
                     tune=[{**row, "default": "v3k8", "tie_band": 0.03}])
    assert "the default kept within 3%: MANDEL_TUNING" in tuning_note(recorded)
    assert "within a tie band (its width not recorded)" in tuning_note(merge(fx.MACHINE, "m", {**fx.SETTINGS,
                                                                                      "simd_tuning": pin}))


def pyo3_set(tmp_path, pyo3_isa, native_isa="scalar"):
    """The fixture's set with a step ceiling and peak, pyo3-naive-f64 recorded on `pyo3_isa` (None: not recorded),
    native naive-f64 on `native_isa`."""
    peak = {"isa": "avx2", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
            "f32_step_lane_iterations_per_s": 8e9, "f64_step_lane_iterations_per_s": 4e9}
    base = fx.baselines()
    if pyo3_isa is None:
        del base["rungs"][-1]["isa"]
    else:
        base["rungs"][-1]["isa"] = pyo3_isa
    registry = [{**k, "isa": native_isa} if k["name"] == "naive-f64" else k for k in fx.REGISTRY]
    return summary(tmp_path, baselines=base, registry=registry, peak=peak)


def test_a_pyo3_row_on_another_isa_path_is_not_compared_with_its_native_row(tmp_path):
    """Python baselines timed on AVX-512, merged into a run forced to AVX2: the pyo3 row's vs previous and its
    shares (of a ceiling and peak measured on AVX2, with AVX2's lane count) would mix the boundary's cost with the
    path's. Blanked, and a note says why; on the same path they stay."""
    same = by_name(pyo3_set(tmp_path / "same", "scalar"))["pyo3-naive-f64"]
    assert same["previous"] == "naive-f64" and same["speedup_vs_previous"] == pytest.approx(0.1 / 0.2)
    assert same["step_share"] == pytest.approx(fx.ITERS / 0.2 / 4e9) and same["peak_share"] is not None
    s = pyo3_set(tmp_path / "other", "avx512")
    row = by_name(s)["pyo3-naive-f64"]
    assert (row["previous"], row["speedup_vs_previous"], row["step_share"], row["peak_share"]) == (None,) * 4
    assert row["lane_iterations"] is None and row["isa"] == "avx512"
    assert row["speedup_vs_python"] == pytest.approx(25.0)  # its time against Python's stays
    native = by_name(s)["naive-f64"]
    assert native["step_share"] is not None and native["speedup_vs_python"] == pytest.approx(50.0)
    (note,) = [n for n in s["notes"] if n.startswith("Not compared with their native rows")]
    assert "pyo3-naive-f64 (avx512 against scalar)" in note
    md = summary_report.markdown(s)
    line = next(x for x in md.splitlines() if "(pyo3-naive-f64)" in x)
    assert "0.50" not in line and "avx512" in line


def test_a_pyo3_row_whose_isa_is_not_recorded_is_not_compared_either(tmp_path):
    s = pyo3_set(tmp_path, None)
    row = by_name(s)["pyo3-naive-f64"]
    assert (row["previous"], row["speedup_vs_previous"], row["step_share"]) == (None, None, None)
    assert any("pyo3-naive-f64 (ISA not recorded against scalar)" in n for n in s["notes"])
    assert not any("Not compared with their native rows" in n for n in pyo3_set(tmp_path / "b", "scalar")["notes"])


RUST_TUNINGS = [["simd-f32", "v4k4 (forced)"], ["simd-f64", "v4k4 (forced)"], ["c-reference", "v3k4 (forced)"]]


def tuned_pyo3_set(tmp_path, extension_tunings=None, record=True, rust_tunings=RUST_TUNINGS,
                   kernels=("simd-f32", "c-ref-f32")):
    """`kernels` (simd-f32 and c-ref-f32) timed natively in rounds that ran `rust_tunings` (None: rounds that record
    none), with their pyo3- rows from a baselines file recording `extension_tunings` (not at all unless `record`)."""
    registry = [*fx.REGISTRY, *(fx.kernel_info(name, "f32", isa="avx2", one_lane=False, reference="c-ref" in name)
                                for name in kernels)]
    crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
    for name in kernels:
        crit[name] = {**crit["naive-f64"], "median_s": 0.01, "isa": "avx2"}
    peak = {"isa": "avx2", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
            "f32_step_lane_iterations_per_s": 8e9, "f64_step_lane_iterations_per_s": 4e9}
    base = fx.baselines()
    for name in kernels:
        base["rungs"].append({**fx.rung(f"pyo3-{name}", 0.02, language="Rust via PyO3"), "precision": "f32",
                              "isa": "avx2"})
    if record:
        base["extension_tunings"] = extension_tunings
    settings = {**fx.SETTINGS, "simd_tuning": {"value": "f32:v4k4,f64:v4k4", "source": "mandel tune"},
                "c_tuning": {"value": "v3k4", "source": "mandel tune"}}
    if rust_tunings is not None:
        settings["rounds"] = {"rounds": 3, "kernel_s": 0.25, "min_renders": 3, "taken": 3, "tunings": rust_tunings}
    return merge(fx.MACHINE, "m", settings, registry=registry, verify={k["name"]: {**fx.verify_row(k["name"]),
                                                                                  "isa": k["isa"]}
                                                                         for k in registry},
                 criterion=crit, baselines=base, peak=peak)


def test_pyo3_rows_run_on_another_tuning_are_not_compared_with_their_native_rows(tmp_path):
    """A baselines file whose extension ran v12k8 and v8k8, merged into rounds that ran v4k4 and v3k4:
    pyo3-simd-f32's vs previous would call the tuning's cost the boundary's. Blanked (with the lane-iterations and
    FMA peak share, counted on the Rust row's schedule), a note names both tunings, and the tuning note no longer
    claims every process ran the run's tuning. The same tuning calibrated on one side and forced on the other
    runs the same code: compared."""
    same = by_name(tuned_pyo3_set(tmp_path / "same", [["simd-f32", "v4k4 (calibrated)"],
                                                      ["c-reference", "v3k4 (forced)"]]))["pyo3-simd-f32"]
    assert same["previous"] == "simd-f32" and same["speedup_vs_previous"] == pytest.approx(0.5)
    s = tuned_pyo3_set(tmp_path / "other", [["simd-f32", "v12k8 (forced)"], ["c-reference", "v8k8 (calibrated)"]])
    row = by_name(s)["pyo3-simd-f32"]
    assert (row["previous"], row["speedup_vs_previous"], row["lane_iterations"], row["peak_share"]) == (None,) * 4
    assert row["step_share"] == pytest.approx(fx.ITERS / 0.02 / 8e9)  # useful iterations: not the tuning's
    assert by_name(s)["simd-f32"]["lane_iterations"] == fx.ITERS  # the native row keeps its own
    (note,) = [n for n in s["notes"] if n.startswith("Not compared with their native rows (no vs previous, no lane")]
    assert "pyo3-simd-f32 (simd-f32: v12k8 through Python, v4k4 in the Rust rows)" in note
    assert "pyo3-c-ref-f32 (c-reference: v8k8 through Python, v3k4 in the Rust rows)" in note
    assert "pyo3-naive-f64" not in note  # no tuning reaches the scalar kernel
    assert ("for every `mandel` process of this run (not the pyo3-* rows': theirs differ or are not recorded)"
            in tuning_note(s))
    assert "for every process of this run," in tuning_note(tuned_pyo3_set(tmp_path / "same2", [
        ["simd-f32", "v4k4 (forced)"], ["c-reference", "v3k4 (forced)"]]))
    line = next(x for x in summary_report.markdown(s).splitlines() if "(pyo3-simd-f32)" in x)
    assert "0.50" not in line


def test_every_pyo3_row_of_a_family_on_another_tuning_is_blanked(tmp_path):
    """The first row of a family emptied the family's tuning sets, so the next was called unknown and kept its
    ratios (a review: pyo3-rayon-simd-f32 kept its vs previous beside a blanked pyo3-simd-f32)."""
    names = ("simd-f32", "rayon-simd-f32", "c-ref-f32", "rayon-c-ref-f32")
    s = tuned_pyo3_set(tmp_path, [["simd-f32", "v12k8 (forced)"], ["c-reference", "v8k8 (forced)"]], kernels=names)
    rows = by_name(s)
    assert all(rows[f"pyo3-{n}"]["speedup_vs_previous"] is None for n in names)
    (note,) = [n for n in s["notes"] if n.startswith("Not compared with their native rows")]
    assert "pyo3-rayon-simd-f32 (simd-f32: v12k8 through Python, v4k4 in the Rust rows)" in note
    assert "pyo3-rayon-c-ref-f32 (c-reference: v8k8 through Python, v3k4 in the Rust rows)" in note
    assert not any("is unknown" in n for n in s["notes"])


@pytest.mark.parametrize("extension, rust, record", [
    (None, RUST_TUNINGS, False),  # a baselines file from before run.py recorded them
    ([["simd-f32", "v4k4 (forced)"], ["c-reference", "v3k4 (forced)"]], None, True),  # rounds timed by Criterion
    ([["simd-f32", "v4k4 (calibrated)"], ["c-reference", "v3k4 (forced)"]],  # unpinned rounds that disagree
     [["simd-f32", "v4k4 (calibrated)"], ["simd-f32", "v8k8 (calibrated)"], ["c-reference", "v3k4 (calibrated)"],
      ["c-reference", "v3k8 (calibrated)"]], True),
    ([], RUST_TUNINGS, True),  # the extension resolved none (impossible for a row that ran: said, not guessed)
])
def test_a_tuning_either_side_does_not_record_is_unknown_and_nothing_is_blanked(tmp_path, extension, rust, record):
    s = tuned_pyo3_set(tmp_path, extension, record=record, rust_tunings=rust)
    assert by_name(s)["pyo3-simd-f32"]["speedup_vs_previous"] == pytest.approx(0.5)  # nothing invented
    (note,) = [n for n in s["notes"] if n.startswith("The tuning of ")]
    assert note.startswith("The tuning of pyo3-simd-f32, pyo3-c-ref-f32 is unknown")
    assert "pyo3-naive-f64" not in note
    assert "(not the pyo3-* rows': theirs differ or are not recorded)" in tuning_note(s)


def mojo_set(tmp_path, width, rust_isa="avx2"):
    """simd-f32 on `rust_isa`, mojo-simd-f32 and mojo-parallel-f32 recording `width` f32 lanes (None: not)."""
    registry = [*fx.REGISTRY, fx.kernel_info("simd-f32", "f32", isa=rust_isa, one_lane=False)]
    crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
    crit["simd-f32"] = {**crit["naive-f64"], "median_s": 0.01, "isa": rust_isa}
    base = fx.baselines()
    for name, threads in (("mojo-simd-f32", 1), ("mojo-parallel-f32", 2)):
        base["rungs"].append({**fx.rung(name, 0.008, language="Mojo", threads=threads), "precision": "f32",
                              **({"simd_width": width} if width else {})})
    return summary(tmp_path, registry=registry, criterion=crit, baselines=base,
                   verify={k["name"]: fx.verify_row(k["name"]) for k in registry})


def test_mojo_rows_wider_than_the_forced_rust_path_say_so_in_the_table_and_the_groups(tmp_path):
    """A run forced to AVX2 on an AVX-512 CPU: the Rust rows take AVX2, Mojo (built for the host, deaf to
    MANDEL_ISA) 32 f32 lanes = 2 x 512 bits. Its rows stay, ranked, but their method names the width."""
    s = mojo_set(tmp_path / "forced", 32)
    rows = by_name(s)
    for name in ("mojo-simd-f32", "mojo-parallel-f32"):
        assert rows[name]["isa"] == "avx512" and rows[name]["status"] == "ok"
        assert rows[name]["method"].endswith("[512-bit vectors, not the Rust rows' avx2]")
    simd_group = next(g for g in s["groups"] if g["id"] == "simd-1-thread")
    assert [r["name"] for r in simd_group["rows"]] == ["mojo-simd-f32", "simd-f32"]
    assert "512-bit vectors, not the Rust rows' avx2" in simd_group["rows"][0]["method"]
    assert simd_group["rows"][0]["vs_fastest"] == 1.0  # ranked still
    (note,) = [n for n in s["notes"] if n.startswith("Not on the Rust and C rows' SIMD path")]
    assert "mojo-simd-f32 (512-bit vectors against avx2), mojo-parallel-f32 (512-bit vectors against avx2)" in note
    md = summary_report.markdown(s)
    assert sum("512-bit vectors, not the Rust rows' avx2" in x for x in md.splitlines()) == 4  # table and groups


def test_mojo_rows_on_the_rust_rows_width_or_without_one_get_no_mark(tmp_path):
    same = mojo_set(tmp_path / "same", 16)
    assert by_name(same)["mojo-simd-f32"]["isa"] == "avx2"
    assert "bits" not in by_name(same)["mojo-simd-f32"]["method"]
    assert not any(n.startswith("Not on the Rust and C rows' SIMD path") for n in same["notes"])
    old = by_name(mojo_set(tmp_path / "old", None))["mojo-simd-f32"]  # a file from before the width was recorded
    assert old["isa"] is None and "bits" not in old["method"]


def test_pyo3_rows_on_another_isa_path_are_not_listed_again_for_their_tuning(tmp_path):
    """Already not compared (blank_other_isa): the tuning notes leave them out, but the tuning note still does not
    claim them."""
    s = merge(fx.MACHINE, "m", {**fx.SETTINGS, "simd_tuning": {"value": "v4k4", "source": "mandel tune"}},
              registry=[*fx.REGISTRY, fx.kernel_info("simd-f64", "f64", isa="avx2", one_lane=False)],
              criterion={**fx.read_criterion(fx.criterion_tree(tmp_path / "c")),
                         "simd-f64": {**fx.read_criterion(tmp_path / "c")["naive-f64"], "isa": "avx2"}},
              verify={n: fx.verify_row(n) for n in ("naive-f64", "fma-f64", "rayon-fma-f64", "simd-f64")},
              baselines={**fx.baselines(), "rungs": [*fx.baselines()["rungs"], {
                  **fx.rung("pyo3-simd-f64", 0.2, language="Rust via PyO3"), "isa": "avx512"}]})
    assert any("pyo3-simd-f64 (avx512 against avx2)" in n for n in s["notes"])
    assert not any(n.startswith("The tuning of ") for n in s["notes"])
    assert "(not the pyo3-* rows': theirs differ or are not recorded)" in tuning_note(s)


def test_a_mojo_row_narrower_than_the_rust_path_is_marked_too(tmp_path):
    s = mojo_set(tmp_path, 16, rust_isa="avx512")
    assert by_name(s)["mojo-simd-f32"]["method"].endswith("[256-bit vectors, not the Rust rows' avx512]")
    assert any("mojo-simd-f32 (256-bit vectors against avx512)" in n for n in s["notes"])


@pytest.mark.parametrize("variables, compared, blanked", [
    ({"MANDEL_TUNING": "F32:V4K4, f64:v4k4", "MANDEL_C_TUNING": "v3k4"}, ["pyo3-simd-f32", "pyo3-c-ref-f32"], []),
    ({"MANDEL_TUNING": "v12k8", "MANDEL_C_TUNING": "v3k4"}, ["pyo3-c-ref-f32"], ["pyo3-simd-f32"]),
    ({"MANDEL_TUNING": "default", "MANDEL_C_TUNING": None}, [], []),  # neither names a tuning: unknown
])
def test_the_older_record_of_the_variables_is_compared_where_it_names_a_tuning(tmp_path, variables, compared,
                                                                                blanked):
    """Baselines files of 2026-12-03 recorded MANDEL_TUNING and MANDEL_C_TUNING, not the tunings they resolved to
    (results/intel-xeon-m207-2c's): a named tuning is compared as before; unset or `default` is unknown."""
    rows = by_name(s := tuned_pyo3_set(tmp_path, variables))
    names = ("pyo3-simd-f32", "pyo3-c-ref-f32")
    assert [n for n in names if rows[n]["lane_iterations"]] == compared + [n for n in names if n not in compared
                                                                            + blanked]  # unknown: kept
    note = " ".join(n for n in s["notes"] if n.startswith("Not compared with their native rows (no vs previous, no l"))
    assert [n for n in names if f"{n} (" in note] == blanked
    unknown = [n for n in ("pyo3-simd-f32", "pyo3-c-ref-f32") if n not in compared + blanked]
    assert any(n.startswith(f"The tuning of {', '.join(unknown)} is unknown") for n in s["notes"]) == bool(unknown)


def test_a_side_pinned_to_default_is_compared_by_the_tuning_it_resolved_to(tmp_path):
    """`default` is the path's own tuning (v4k8 on AVX-512, another on AVX2). Both sides record the tuning it
    resolved to, so it is compared as any other: unknown before, when only the variables were recorded."""
    s = tuned_pyo3_set(tmp_path, [["simd-f32", "v4k8 (default)"], ["c-reference", "v3k4 (forced)"]],
                       rust_tunings=[["simd-f32", "v4k8 (forced)"], ["c-reference", "v3k4 (default)"]])
    assert by_name(s)["pyo3-simd-f32"]["speedup_vs_previous"] == pytest.approx(0.5)
    assert by_name(s)["pyo3-c-ref-f32"]["lane_iterations"] == fx.ITERS
    assert not any(n.startswith(("The tuning of", "Not compared with their native rows")) for n in s["notes"])


def test_a_mojo_row_on_the_rust_simd_rows_path_is_not_marked_for_the_c_rows_path(tmp_path):
    """The C rows on AVX2 beside the Rust SIMD rows on AVX-512 marked a 512-bit Mojo row "not the Rust rows'
    avx2/avx512"; Mojo is ranked against the Rust SIMD rows, whose path it shares."""
    registry = [*fx.REGISTRY, fx.kernel_info("simd-f32", "f32", isa="avx512", one_lane=False),
                fx.kernel_info("c-ref-f32", "f32", isa="avx2", one_lane=False, reference=True)]
    crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
    crit["simd-f32"] = {**crit["naive-f64"], "median_s": 0.01, "isa": "avx512"}
    crit["c-ref-f32"] = {**crit["naive-f64"], "median_s": 0.01, "isa": "avx2"}
    base = fx.baselines()
    base["rungs"].append({**fx.rung("mojo-simd-f32", 0.008, language="Mojo"), "precision": "f32", "simd_width": 32})
    s = summary(tmp_path, registry=registry, criterion=crit, baselines=base,
                verify={k["name"]: fx.verify_row(k["name"]) for k in registry})
    assert "bits" not in by_name(s)["mojo-simd-f32"]["method"] and by_name(s)["mojo-simd-f32"]["isa"] == "avx512"


@pytest.mark.parametrize("change, says", [
    (lambda b: b["rungs"][-1].update(simd_width=48), "simd_width"),
    (lambda b: b["rungs"][-1].update(simd_width=True), "simd_width"),
    (lambda b: b["rungs"][0].update(simd_width=16), "only the Mojo SIMD rungs record one"),
    (lambda b: b.update(extension_tunings=None), "extension_tunings is null"),
    (lambda b: b.update(extension_tunings=[["simd-f32", "v4k4 (forced)", "x"]]), "extension_tunings"),
])
def test_a_corrupt_width_or_tuning_record_in_the_baselines_is_refused_naming_it(tmp_path, change, says):
    base = fx.baselines()
    base["rungs"].append({**fx.rung("mojo-simd-f32", 0.008, language="Mojo"), "precision": "f32", "simd_width": 32})
    readers.check_baselines(copy.deepcopy(base))
    change(base)
    with pytest.raises(InputError, match=re.escape(says)):
        readers.check_baselines(base)


def test_a_run_json_tuning_that_names_no_tuning_is_refused(tmp_path):
    run = {"simd_tuning": {"value": "bogus", "source": "mandel tune"}}
    with pytest.raises(InputError, match=r"simd_tuning.value is 'bogus', which names no tuning MANDEL_TUNING takes"):
        readers.check(run, "run", "run.json", "run.json", "root")
    readers.check({"simd_tuning": {"value": "f32:v4k4,f64:v8k4", "source": "mandel tune"},
                   "c_tuning": {"value": "default", "source": "MANDEL_C_TUNING"}}, "run", "run.json",
                  "run.json", "root")


def test_how_far_two_peaks_are_apart_does_not_depend_on_which_came_first(tmp_path):
    """A fall of 4.9% and the rise back straddled the 5% limit when measured as a change from the first (a review)."""
    for before, after in ((2.0e9, 1.9e9), (1.9e9, 2.0e9)):
        notes = summary(tmp_path / f"{before:g}", peak=two_peaks(before, after))["notes"]
        assert any(n.startswith("WARNING: the two step ceilings differ by 5.3%") for n in notes)
