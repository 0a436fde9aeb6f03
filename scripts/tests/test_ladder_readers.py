import pytest

import ladder_fixtures as fx
from ladderlib import machine, readers
from ladderlib.readers import InputError


def test_criterion_median_ci_iterations_and_sample_range(tmp_path):
    fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.12, ci=(0.95, 1.05),
                       times=[2.2e8, 2.4e8, 2.6e8])  # 2 iterations each: 110, 120, 130 ms
    r = readers.read_criterion(tmp_path, {"naive-f64": "ladder/naive-f64/scalar"})["naive-f64"]
    assert r["full_id"] == "ladder/naive-f64/scalar" and r["isa"] == "scalar"
    assert r["median_s"] == pytest.approx(0.12)
    assert r["ci_low_s"] == pytest.approx(0.114) and r["ci_high_s"] == pytest.approx(0.126)
    assert r["mean_s"] == pytest.approx(0.12012)
    assert r["iterations"] == fx.ITERS
    assert (r["samples"], r["min_s"], r["max_s"]) == (3, pytest.approx(0.11), pytest.approx(0.13))


def test_criterion_reads_only_the_results_the_records_name(tmp_path):
    """No glob, no file dates: the bench records say which benchmark timed each kernel in this run."""
    fx.criterion_bench(tmp_path, "simd-f32", "avx2", 0.02)  # an earlier run's, on another path
    fx.criterion_bench(tmp_path, "simd-f32", "avx512", 0.01)
    assert readers.read_criterion(tmp_path, {"simd-f32": "ladder/simd-f32/avx2"})["simd-f32"]["median_s"] == \
        pytest.approx(0.02)
    assert readers.read_criterion(tmp_path, {}) == {}
    with pytest.raises(InputError, match=r"the bench records say fma-f32 was timed as ladder/fma-f32/fma"):
        readers.read_criterion(tmp_path, {"fma-f32": "ladder/fma-f32/fma"})
    with pytest.raises(InputError, match=r"holds 'simd-f32', the records say 'simd-f64'"):
        readers.read_criterion(tmp_path, {"simd-f64": "ladder/simd-f32/avx2"})


def test_records_give_verification_rows_and_criterion_ids(tmp_path):
    kernels = fx.REGISTRY + [fx.kernel_info("c-ref-f32", "f32", available=False, unavailable="no C compiler")]
    data = fx.records(kernels, timed=["naive-f64", "rayon-fma-f64"],
                      verifications={"fma-f64": fx.verification(differing=9, ok=False), "c-ref-f32": None})
    records, verify, ids = readers.read_records(fx.write_json(tmp_path / "r.json", data))
    assert [r["name"] for r in records["records"]] == [k["name"] for k in kernels]
    assert ids == {"naive-f64": "ladder/naive-f64/scalar", "rayon-fma-f64": "ladder/rayon-fma-f64/fma"}
    assert verify["fma-f64"]["ok"] is False and verify["rayon-fma-f64"]["threads"] == 2
    assert verify["naive-f64"]["lane_iterations"] == fx.ITERS
    assert verify["c-ref-f32"]["skipped"] == "no C compiler" and verify["c-ref-f32"]["ok"] is None
    data["records"][0]["threads"] = "pool(2)"  # threads are whole numbers, never display strings
    with pytest.raises(InputError, match=r"threads should be a whole number"):
        readers.read_records(fx.write_json(tmp_path / "s.json", data))


def test_bad_json_names_the_file(tmp_path):
    new = fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.1)
    (new / "estimates.json").write_text("{not json")
    with pytest.raises(InputError, match=r"estimates\.json: not valid JSON"):
        readers.read_criterion(tmp_path, fx.bench_ids(tmp_path))


def test_missing_keys_are_named_with_the_file(tmp_path):
    new = fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.1)
    fx.write_json(new / "estimates.json", {"mean": {"point_estimate": 1.0}})
    with pytest.raises(InputError) as e:
        readers.read_criterion(tmp_path, fx.bench_ids(tmp_path))
    assert str(new / "estimates.json") in str(e.value) and "lacks key(s) median" in str(e.value)


def test_baselines_wrong_schema_and_missing_keys(tmp_path):
    data = fx.baselines()
    data["schema"] = "something-else/2"
    path = fx.write_json(tmp_path / "b.json", data)
    with pytest.raises(InputError, match=r"b\.json: schema is 'something-else/2', expected 'mandel-baselines/1'"):
        readers.read_baselines(path)
    data = fx.baselines()
    del data["rungs"][2]["median_s"]
    path = fx.write_json(tmp_path / "c.json", data)
    with pytest.raises(InputError, match=r"c\.json: rung 'numpy-masked-bitmap' lacks key\(s\) median_s"):
        readers.read_baselines(path)
    data = fx.baselines()
    data["rungs"][0]["median_s"] = "fast"
    with pytest.raises(InputError, match=r"rung 'python-pure' median_s should be a time in seconds from 1e-12 to 1e\+06, found 'fast'"):
        readers.read_baselines(fx.write_json(tmp_path / "d.json", data))


def test_baselines_extra_fields_are_fine(tmp_path):
    data = fx.baselines()
    data["new_field"] = 1
    data["rungs"][0]["extra"] = [1, 2]
    assert readers.read_baselines(fx.write_json(tmp_path / "b.json", data))["rungs"][0]["median_s"] == 5.0


def test_unreadable_file_and_wrong_shapes(tmp_path):
    with pytest.raises(InputError, match=r"nope\.json: cannot read"):
        readers.read_records(tmp_path / "nope.json")
    with pytest.raises(InputError, match=r"v\.json: the bench records should be a JSON object, found list"):
        readers.read_records(fx.write_json(tmp_path / "v.json", [{"kernel": "x"}]))
    with pytest.raises(InputError, match=r"l\.json: kernel 'a' lacks key\(s\) pool, isa"):
        readers.read_describe(fx.write_json(tmp_path / "l.json", fx.describe([{"name": "a", "rung": "a",
                                                                               "precision": "f32", "threads": 1}])))
    with pytest.raises(InputError, match=r"p\.json: f64_lane_fmas_per_s should be a positive, finite rate"):
        readers.read_peak(fx.write_json(tmp_path / "p.json", {"isa": "avx512", "f32_lane_fmas_per_s": 1e9,
                                                               "f64_lane_fmas_per_s": None}))


def test_combine_peaks_keeps_the_higher_rate_and_its_tuning_and_both_measurements():
    def peak(f32, f64, tuning, isa="avx2"):
        return {"isa": isa, "f32_lane_fmas_per_s": 5e10, "f64_lane_fmas_per_s": 2.5e10,
                "f32_step_lane_iterations_per_s": f32, "f64_step_lane_iterations_per_s": f64,
                "f32_step_tuning": tuning, "f64_step_tuning": tuning}
    before, after = peak(8.2e9, 5.1e9, "v4k4"), peak(10.3e9, 5.0e9, "v5k8")
    both = readers.combine_peaks(before, after)
    assert both["f32_step_lane_iterations_per_s"] == 10.3e9 and both["f32_step_tuning"] == "v5k8"
    assert both["f64_step_lane_iterations_per_s"] == 5.1e9 and both["f64_step_tuning"] == "v4k4"
    assert [m["when"] for m in both["measured"]] == ["before the benches", "after the benches"]
    assert both["measured"][0]["f32_step_lane_iterations_per_s"] == 8.2e9
    assert before["f32_step_lane_iterations_per_s"] == 8.2e9, "the inputs are left as they were"
    def check_peak(data):
        return readers.check(data, "peak", "peak.json", "the peak file", "root")

    assert check_peak(both) is both
    assert readers.combine_peaks(before, peak(1e10, 5e9, "v4k4", isa="avx512")) is None
    with pytest.raises(InputError, match=r"measurement #1 f32_step_lane_iterations_per_s should be a positive"):
        check_peak({**both, "measured": [both["measured"][0], {**both["measured"][1],
                                                                       "f32_step_lane_iterations_per_s": "fast"}]})
    with pytest.raises(InputError, match=r"measured should list the two or three measurements"):
        check_peak({**both, "measured": {}})
    all3 = readers.combine_peaks(both, peak(11e9, 4.0e9, "v6k8"), when="after the Python rows")
    assert [m["when"] for m in all3["measured"]] == ["before the benches", "after the benches", "after the Python rows"]
    assert [m["f32_step_lane_iterations_per_s"] for m in all3["measured"]] == [8.2e9, 10.3e9, 11e9]
    assert all3["f32_step_lane_iterations_per_s"] == 11e9 and all3["f32_step_tuning"] == "v6k8"
    assert all3["f64_step_lane_iterations_per_s"] == 5.1e9 and all3["f64_step_tuning"] == "v4k4"
    assert check_peak(all3) is all3
    with pytest.raises(InputError, match=r"measured should list the two or three measurements"):
        check_peak({**all3, "measured": [*all3["measured"], all3["measured"][0]]})


@pytest.mark.parametrize("model,cores,expected", [
    ("Intel(R) Xeon(R) Platinum 8488C", 2, "intel-xeon-platinum-8488c-2c"),
    ("Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz", 8, "intel-core-i7-9700k-8c"),
    ("AMD Ryzen 9 5950X 16-Core Processor", 32, "amd-ryzen-9-5950x-32c"),
    ("AMD EPYC 7R13 Processor", 2, "amd-epyc-7r13-2c"),
])
def test_machine_id(model, cores, expected):
    assert machine.machine_id({"cpu_model": model, "cores": cores}) == expected


def test_machine_id_without_a_model_number_uses_family_model():
    assert machine.machine_id({"cpu_model": "Intel(R) Xeon(R) Processor", "cpu_family_model": "6/167",
                               "cores": 2}) == "intel-xeon-m167-2c"


def test_describe_reads_cpuinfo(tmp_path):
    info = fx.write_json(tmp_path / "cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\n"
                         "cpu family\t: 6\nmodel\t\t: 1\nflags\t\t: fpu sse2 avx2 fma avx512f\n\n"
                         "processor\t: 1\nmodel name\t: other\n")
    d = machine.describe(tmp_path, info)
    assert d["cpu_model"] == "Test CPU 9000" and d["cpu_family_model"] == "6/1"
    assert d["isa_flags"] == ["sse2", "avx2", "fma", "avx512f"]


# --- a Python rung's verification, calls and time (hostile review, s31) ---------------------------------------


def numba_rung(differing, allowed, ok=True, tolerance=None):
    r = fx.rung("numba", 0.5)
    r["verification"].update(differing=differing, allowed=allowed, ok=ok)
    if tolerance is not None:
        r["tolerance"] = tolerance
    return r


def test_a_python_rung_allowing_more_than_any_kernels_tolerance_is_refused(tmp_path):
    """Half the image wrong, `allowed` raised to match: ok by its own file, refused since no kernel's rule (the
    loosest: 1% + 2 of 921600 pixels, 9218) allows that many, recorded rule or not."""
    data = fx.baselines([fx.rung("python-pure", 5.0), numba_rung(400000, 460800)])
    with pytest.raises(InputError, match=r"b\.json: rung 'numba' verification\.allowed is 460800 \(no recorded "
                                         r"tolerance\), above the 9218 of 921600 pixels"):
        readers.read_baselines(fx.write_json(tmp_path / "b.json", data))
    data["rungs"][1]["tolerance"] = {"max_fraction": 0.5, "slack_pixels": 0}  # a rule of its own, as loose
    with pytest.raises(InputError, match=r"allowed is 460800 \(its recorded tolerance\), above the 9218"):
        readers.read_baselines(fx.write_json(tmp_path / "c.json", data))
    # the loosest rule itself passes (the Mojo f32 rungs of every committed set allow 9218)
    ok = fx.baselines([fx.rung("python-pure", 5.0), numba_rung(1533, 9218)])
    assert readers.read_baselines(fx.write_json(tmp_path / "d.json", ok))["rungs"][1]["verification"]["allowed"] == 9218


def test_a_python_rungs_allowed_must_be_its_recorded_rules(tmp_path):
    exact = {"max_fraction": 0.0, "slack_pixels": 0}
    fused = {"max_fraction": 0.001, "slack_pixels": 2}
    data = fx.baselines([fx.rung("python-pure", 5.0), numba_rung(900, 923, tolerance=exact)])
    with pytest.raises(InputError, match=r"rung 'numba' verification\.allowed is 923, the tolerance rule allows 0 of "
                                         r"921600 pixels"):
        readers.read_baselines(fx.write_json(tmp_path / "b.json", data))
    data["rungs"][1]["tolerance"] = fused  # 921 + 2: the rule it says it verified with
    assert readers.read_baselines(fx.write_json(tmp_path / "c.json", data))["rungs"][1]["tolerance"] == fused


@pytest.mark.parametrize("timed", [{"median_s": 0.5, "times_s": None}, {"times_s": [0.5]},
                                   {"median_s": 0.5, "times_s": [0.5], "min_s": 0.5, "max_s": 0.5}])
def test_a_python_rung_that_failed_verification_with_a_time_is_refused(tmp_path, timed):
    """As a Rust round's kernel (check_round): timed but failed is refused, never merged with its time."""
    bad = numba_rung(5000, 0, ok=False)
    bad.update(median_s=None, times_s=[], min_s=None, max_s=None, repeats=None)  # failed, untimed: run.py's
    data = fx.baselines([fx.rung("python-pure", 5.0), bad])
    assert readers.read_baselines(fx.write_json(tmp_path / "c.json", data))["rungs"][1]["median_s"] is None
    bad.update(timed)
    with pytest.raises(InputError, match=r"b\.json: rung 'numba' is timed \(median_s, times_s\) but failed "
                                         "verification"):
        readers.read_baselines(fx.write_json(tmp_path / "b.json", data))


@pytest.mark.parametrize("field, value, pick", [("min_s", 0.49, "min"), ("max_s", 0.52, "max")])
def test_a_python_rungs_min_and_max_are_its_calls(tmp_path, field, value, pick):
    """min_s and max_s bracketing the calls is not enough: run.py records min(times_s) and max(times_s)."""
    data = fx.baselines([fx.rung("python-pure", 5.0), fx.rung("numba", 0.5)])  # calls 0.5, 0.5, 0.51
    data["rungs"][1][field] = value
    with pytest.raises(InputError, match=rf"rung 'numba' {field} is {value}, the {pick} of its times_s is"):
        readers.read_baselines(fx.write_json(tmp_path / "b.json", data))


def test_tie_band_only_from_rows_that_record_their_default():
    row = {"isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k4", "fastest": "v4k4",
           "times": [["v4k4", 0.005]]}
    assert readers.tie_band([{**row, "default": "v3k8"}, {**row, "default": "v3k8"}]) == 0.02
    assert readers.tie_band([row, {**row, "default": "v3k8"}]) is None  # a row from before: not known
    assert readers.tie_band([]) is None
    recorded = {**row, "default": "v3k8", "tie_band": 0.025}  # mandel tune's own record wins
    assert readers.tie_band([recorded, recorded]) == 0.025
    assert readers.tie_band([recorded, {**recorded, "tie_band": 0.03}]) is None  # two bands: not one to state
    assert readers.tie_band([recorded, {**row, "default": "v3k8"}]) is None  # not the inferred 2% either


def test_a_python_rungs_verification_counts_the_pixels_of_the_problem_it_ran():
    """A verification of another image size is no check of this problem's counts: refused, whichever problem the
    file says it ran (a file without params ran the canonical one)."""
    small = dict(fx.CANONICAL, width=40, height=25)
    readers.check_baselines(fx.baselines([fx.rung("python-pure", 5.0)], params=small))  # 1000 pixels, as run
    data = fx.baselines([fx.rung("python-pure", 5.0)], params=small)
    data["rungs"][0]["verification"]["pixels"] = 921600  # the canonical image's count on the small problem
    with pytest.raises(InputError, match=r"rung 'python-pure' verification\.pixels is 921600, the problem has 1000 "
                                         r"pixels"):
        readers.check_baselines(data)
    data = fx.baselines([fx.rung("python-pure", 5.0)])
    del data["params"]
    data["rungs"][0]["verification"]["pixels"] = 1000
    with pytest.raises(InputError, match=r"verification\.pixels is 1000, the problem has 921600 pixels"):
        readers.check_baselines(data)


def test_json_nested_too_deeply_is_an_input_error_not_a_recursion_error(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200000 + "]" * 200000)
    with pytest.raises(InputError, match=r"deep.json: JSON nested too deeply to read"):
        readers.load_json(deep)
    # scripts/compare on it: a message and exit 2, not a traceback
    from compare_report import compare

    assert compare(deep, deep, cwd=tmp_path) == (2, "", f"compare: error: {deep}: JSON nested too deeply to read\n")


@pytest.mark.parametrize("tunings, ok", [
    ([["simd-f32", "v4k4 (forced)"], ["c-reference", "v3k4 (calibrated)"]], True),
    ([], True),  # no tuned kernel ran
    ([["simd-f32"]], False),
    ([["simd-f32", 4]], False),
    # the older record of the variables (2026-12-03)
    ({"MANDEL_TUNING": "f32:v4k4,f64:v8k8", "MANDEL_C_TUNING": None}, True),
    ({"MANDEL_TUNING": None, "MANDEL_C_TUNING": "V3K4"}, True),
    ({"MANDEL_TUNING": "v4k4"}, False),  # both variables, null when unset
    ({"MANDEL_TUNING": "", "MANDEL_C_TUNING": None}, False),  # unset is null
    ({"MANDEL_TUNING": "fast", "MANDEL_C_TUNING": None}, False),
    ({"MANDEL_TUNING": None, "MANDEL_C_TUNING": "f32:v3k4"}, False),  # the C tuning has no precisions
    ({"MANDEL_TUNING": None, "MANDEL_C_TUNING": None, "X": "v4k4"}, False),  # only the two variables
    ({"MANDEL_TUNING": "v4\u212a4", "MANDEL_C_TUNING": None}, False),  # a Kelvin sign is no k (Rust folds ASCII)
    ({"MANDEL_TUNING": "v04k8", "MANDEL_C_TUNING": None}, False),  # no leading zero in Rust's names
    ([["simd-f32", ""]], False),  # the pairs: a tuning and its source
    ([["simd-f32", "v4k4"]], False),
    ([["simd\u0000f32", "v4k4 (forced)"]], False),
    ([["c-reference", "one pixel at a time (scalar path)"]], True),
    ("v4k4", False),
])
def test_baselines_extension_tunings_are_checked(tmp_path, tunings, ok):
    data = {**fx.baselines(), "extension_tunings": tunings}
    path = fx.write_json(tmp_path / "b.json", data)
    if ok:
        assert readers.read_baselines(path)["extension_tunings"] == tunings
    else:
        with pytest.raises(readers.InputError, match="extension_tunings"):
            readers.read_baselines(path)


def test_a_peak_file_gives_both_step_ceilings_or_neither_and_its_highest_measurements():
    """A file with the f32 step ceiling alone made the notes fail with a KeyError, one whose measurements lacked it
    labelled the f64 figures f32, and a top-level rate below its measurements made every share divide by it
    (a review)."""
    one = {"when": "x", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
           "f32_step_lane_iterations_per_s": 2e9, "f64_step_lane_iterations_per_s": 1e9}
    good = {"isa": "avx2", **{k: v for k, v in one.items() if k != "when"}, "measured": [one, {**one, "when": "y"}]}

    def check_peak(data):
        return readers.check(data, "peak", "peak.json", "the peak file", "root")

    assert check_peak(good) is good
    assert check_peak({k: v for k, v in good.items() if "step" not in k and k != "measured"})  # neither: older
    with pytest.raises(InputError, match=r"peak\.json: f32_step_lane_iterations_per_s without f64_step_lane_it"):
        check_peak({k: v for k, v in good.items() if k != "f64_step_lane_iterations_per_s"})
    lacking = {k: v for k, v in one.items() if k != "f32_step_lane_iterations_per_s"}
    with pytest.raises(InputError, match=r"measurement #1 gives the step ceilings \['f64_step_lane_iterations"):
        check_peak({**good, "measured": [one, lacking]})
    with pytest.raises(InputError, match=r"f32_step_lane_iterations_per_s is 1e\+09, not the highest of its "
                                         r"measurements \(2e\+09\)"):
        check_peak({**good, "f32_step_lane_iterations_per_s": 1e9})
    with pytest.raises(InputError, match=r"f64_lane_fmas_per_s is 5e\+09, not the highest"):
        check_peak({**good, "f64_lane_fmas_per_s": 5e9})


def test_values_json_cannot_carry_reach_the_checker_as_python_read_them():
    """NaN, an infinity, an int past 64 bits, a lone surrogate (json.loads reads "\\udc80"), an unprintable character
    and a key "$py" reach `mandel-report check` as json.loads made them, and a message names each as Python prints
    it (str or repr), never as the request that carried it."""
    base = {"schema": "mandel-ladder-summary/1", "machine_id": "m", "rows": []}

    def said(**change):
        with pytest.raises(InputError) as info:
            readers.check_summary({**base, **change}, "s.json")
        return str(info.value)

    finite = "should be a finite number, a string without control characters, true, false or null, found"
    assert said(settings={"python_settings": {"k\udc80": float("nan")}}) == \
        f"s.json: settings.python_settings.k\udc80 {finite} nan"
    assert said(settings={"python_settings": {"\U0010ffff": float("inf")}}) == \
        f"s.json: settings.python_settings.\U0010ffff {finite} inf"
    assert said(machine_id=10**30) == \
        "s.json: machine_id should be a non-empty string without control characters, found " + "1" + "0" * 30
    assert said(rows=[{"name": "a\u2028\udc80", "status": "fine"}]) == "s.json: row 'a\\u2028\\udc80' lacks key(s) median_s"
    readers.check_summary({**base, "settings": {"python_settings": {"$py": "nan", "x": 2**64}}, "peak": {"$py": "int"}})
