import json
import os

import pytest

import ladder_fixtures as fx
from ladderlib import machine, readers
from ladderlib.readers import InputError


def test_criterion_median_ci_iterations_and_sample_range(tmp_path):
    fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.12, ci=(0.95, 1.05),
                       times=[2.2e8, 2.4e8, 2.6e8])  # 2 iterations each: 110, 120, 130 ms
    r = readers.read_criterion(tmp_path)["naive-f64"]
    assert r["full_id"] == "ladder/naive-f64/scalar" and r["isa"] == "scalar"
    assert r["median_s"] == pytest.approx(0.12)
    assert r["ci_low_s"] == pytest.approx(0.114) and r["ci_high_s"] == pytest.approx(0.126)
    assert r["mean_s"] == pytest.approx(0.12012)
    assert r["iterations"] == fx.ITERS
    assert (r["samples"], r["min_s"], r["max_s"]) == (3, pytest.approx(0.11), pytest.approx(0.13))


def test_criterion_keeps_the_isa_the_registry_names_else_the_newest(tmp_path):
    old = fx.criterion_bench(tmp_path, "simd-f32", "avx2", 0.02)
    fx.criterion_bench(tmp_path, "simd-f32", "avx512", 0.01)
    os.utime(old / "estimates.json", (1, 1))
    assert readers.read_criterion(tmp_path)["simd-f32"]["isa"] == "avx512"
    assert readers.read_criterion(tmp_path, {"simd-f32": "avx2"})["simd-f32"]["median_s"] == pytest.approx(0.02)


def test_criterion_without_results_is_empty(tmp_path):
    assert readers.read_criterion(tmp_path / "nothing") == {}


def test_bad_json_names_the_file(tmp_path):
    new = fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.1)
    (new / "estimates.json").write_text("{not json")
    with pytest.raises(InputError, match=r"estimates\.json: not valid JSON"):
        readers.read_criterion(tmp_path)


def test_missing_keys_are_named_with_the_file(tmp_path):
    new = fx.criterion_bench(tmp_path, "naive-f64", "scalar", 0.1)
    fx.write_json(new / "estimates.json", {"mean": {"point_estimate": 1.0}})
    with pytest.raises(InputError) as e:
        readers.read_criterion(tmp_path)
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
    with pytest.raises(InputError, match=r"c\.json: rung #2 lacks key\(s\) median_s"):
        readers.read_baselines(path)
    data = fx.baselines()
    data["rungs"][0]["median_s"] = "fast"
    with pytest.raises(InputError, match=r"rung 'python-pure' median_s should be a positive, finite time, found 'fast'"):
        readers.read_baselines(fx.write_json(tmp_path / "d.json", data))


def test_baselines_extra_fields_are_fine(tmp_path):
    data = fx.baselines()
    data["new_field"] = 1
    data["rungs"][0]["extra"] = [1, 2]
    assert readers.read_baselines(fx.write_json(tmp_path / "b.json", data))["rungs"][0]["median_s"] == 5.0


def test_unreadable_file_and_wrong_shapes(tmp_path):
    with pytest.raises(InputError, match=r"nope\.json: cannot read"):
        readers.read_verify(tmp_path / "nope.json")
    with pytest.raises(InputError, match=r"v\.json: `mandel verify --json` should be a JSON list, found dict"):
        readers.read_verify(fx.write_json(tmp_path / "v.json", {"kernel": "x"}))
    with pytest.raises(InputError, match=r"l\.json: entry #0 lacks key\(s\) isa"):
        readers.read_list(fx.write_json(tmp_path / "l.json", [{"name": "a", "rung": "a", "precision": "f32",
                                                                "threads": "1"}]))
    with pytest.raises(InputError, match=r"p\.json: 'f64_lane_fmas_per_s' should be a positive, finite rate"):
        readers.read_peak(fx.write_json(tmp_path / "p.json", {"isa": "avx512", "f32_lane_fmas_per_s": 1e9,
                                                               "f64_lane_fmas_per_s": None}))


def test_verify_rows_keyed_by_kernel(tmp_path):
    path = fx.write_json(tmp_path / "v.json", json.dumps([fx.verify_row("a"), fx.verify_row("b", 7, 9)]))
    v = readers.read_verify(path)
    assert v["b"]["differing"] == 7 and v["a"]["ok"] is True


def test_lane_iterations_from_any_source():
    verify = {"simd-f32": {"kernel": "simd-f32", "lane_iterations": 100}, "naive-f32": {"kernel": "naive-f32"}}
    listed = [{"name": "simd-f64", "lane_iterations": 7}]
    assert readers.lane_iterations(listed, verify, {"simd-f32": 120}) == {"simd-f64": 7, "simd-f32": 120}
    assert readers.lane_iterations(None, None) == {}


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
    info = machine.cpuinfo(fx.write_json(tmp_path / "cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\n"
                                         "cpu family\t: 6\nmodel\t\t: 1\nflags\t\t: fpu sse2 avx2 fma avx512f\n\n"
                                         "processor\t: 1\nmodel name\t: other\n"))
    d = machine.describe(tmp_path, info)
    assert d["cpu_model"] == "Test CPU 9000" and d["cpu_family_model"] == "6/1"
    assert d["isa_flags"] == ["sse2", "avx2", "fma", "avx512f"]
