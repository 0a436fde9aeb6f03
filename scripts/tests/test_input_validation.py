"""Issue 20, class "input validation": every field the ladder and compare read is type-checked, and a
wrong one is an error naming the file and the field (exit 2), never a traceback; the merge checks the
verification it is given instead of trusting it; arguments and environment variables are checked
before any work, with one parser per variable."""

import copy
import json
import re
import os
import subprocess
import time
from pathlib import Path

import pytest

import ladder_fixtures as fx
from compare_report import compare
from ladderlib import ladder
from ladderlib import CANONICAL, readers
from ladderlib.merge import merge
from ladderlib.readers import InputError

REPO = Path(__file__).resolve().parents[2]
# The `mandel` binary of the build under test: scripts/test names its test profile's (MANDEL_BIN).
MANDEL = Path(os.environ.get("MANDEL_BIN") or REPO / "target" / "release" / "mandel")
COMMITTED = REPO / "results" / "amd-epyc-m17-2c"


def set_field(doc, dotted, value):
    """doc with the field at `dotted` (a.b.0.c) set to `value`."""
    doc = copy.deepcopy(doc)
    *parents, last = dotted.split(".")
    obj = doc
    for key in parents:
        obj = obj[int(key)] if isinstance(obj, list) else obj[key]
    obj[int(last) if isinstance(obj, list) else last] = value
    return doc


def field_words(dotted):
    """What the error must name of a field: its last key (and the one before, for nested fields)."""
    keys = [k for k in dotted.split(".") if not k.isdigit()]
    return keys[-1:]


def assert_refused(read, path, doc, dotted, value):
    path.write_text(json.dumps(set_field(doc, dotted, value)))
    with pytest.raises(InputError) as info:
        read(path)
    msg = str(info.value)
    assert str(path) in msg, msg
    for word in field_words(dotted):
        assert word in msg, f"{dotted}={value!r}: {msg}"


# --- describe.json, tune.json, run.json, machine.json: a table of fields and wrong values -------------

DESCRIBE_CASES = [
    ("canonical.width", ["960", 9.5, None, [], True]), ("canonical.x_min", ["-2", None, []]),
    ("pool_threads", ["2", 0, -1, 1.5, None]), ("bench.full.sample_size", ["10", -1, 1.5]),
    ("bench.quick.warm_up_s", ["1", -1, 0, []]), ("bench.full.measurement_s", [None, "3"]),
    ("kernels.0.threads", ["1", 0, None, 1.5]), ("kernels.0.pool", ["no", 0, None]),
    ("kernels.0.precision", [32, "f16", None]), ("kernels.0.isa", [5, None, ""]),
    ("kernels.0.rung", [5, [], {}]), ("kernels.0.description", [5, []]),
    ("kernels.0.available", ["yes", 1]), ("kernels.0.reference", ["no", 0]),
    ("kernels.0.algorithmic", ["no"]), ("kernels.0.one_lane", [1]),
    ("kernels.0.unavailable", [5, True]), ("kernels.0.tolerance_max_fraction", ["0", -0.5, 2.0, True]),
    ("kernels.0.tolerance_slack_pixels", ["0", -1, 0.5]), ("kernels.0.name", [5, "naive\x1bf64", ""]),
]


@pytest.mark.parametrize("dotted,values", DESCRIBE_CASES)
def test_describe_json_fields_of_a_wrong_type_are_named(tmp_path, dotted, values):
    for value in values:
        assert_refused(readers.read_describe, tmp_path / "describe.json", fx.describe(), dotted, value)


TUNE = [{"kernel": "simd", "isa": "avx512", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
         "fastest": "v4k4", "workload": "960x960/200", "times": [["v4k4", 0.0043], ["v4k8", 0.0045]]}]
TUNE_CASES = [("0.isa", [5, None]), ("0.precision", [32, None]), ("0.source", [[]]), ("0.chosen", [4]),
              ("0.fastest", [None, [], 4]), ("0.kernel", [5]), ("0.times", ["v4k4", 5, None, {}]),
              ("0.times.0.1", ["fast", -1, 0])]


@pytest.mark.parametrize("dotted,values", TUNE_CASES)
def test_tune_json_fields_of_a_wrong_type_are_named(tmp_path, dotted, values):
    for value in values:
        path = tmp_path / "tune.json"
        path.write_text(json.dumps(set_field(TUNE, dotted, value)))
        with pytest.raises(InputError) as info:
            readers.read_tune(path)
        assert str(path) in str(info.value) and ("times" in str(info.value) or dotted.split(".")[1] in str(info.value))


RUN = json.loads((COMMITTED / "raw" / "run.json").read_text()) if (COMMITTED / "raw" / "run.json").exists() else {
    "quick": False, "criterion": {"sample_size": 10}, "pool_threads": 2,
    "simd_tuning": {"value": "f32:v4k4", "source": "mandel tune"}, "c_tuning": None, "python_source": "run now"}
RUN_CASES = [("quick", ["no", 0]), ("criterion", ["x", [], 5]), ("criterion.sample_size", ["10", -1]),
             ("pool_threads", ["2", 0, 1.5]), ("simd_tuning", ["v4k4", [], 5]), ("simd_tuning.value", [5, None, ""]),
             ("simd_tuning.source", [[]]), ("python_source", [5, []]), ("python_foreign", [5])]


@pytest.mark.parametrize("dotted,values", RUN_CASES)
def test_run_json_fields_of_a_wrong_type_are_named(tmp_path, dotted, values):
    for value in values:
        assert_refused(readers.read_run, tmp_path / "run.json", RUN, dotted, value)


MACHINE_CASES = [("cpu_model", [5, []]), ("cpu_family_model", [25, "25-17"]), ("cores", ["2", 0, 1.5]),
                 ("isa_flags", ["avx2", [1]]), ("load_average", ["1.0", ["x"], 5]), ("hostname", [5]),
                 ("git_commit", [123]), ("date", [[]])]


@pytest.mark.parametrize("dotted,values", MACHINE_CASES)
def test_machine_json_fields_of_a_wrong_type_are_named(tmp_path, dotted, values):
    doc = {**fx.MACHINE, "load_average": [0.5, 0.6, 0.7]}
    for value in values:
        assert_refused(readers.read_machine, tmp_path / "machine.json", doc, dotted, value)


# --- scripts/compare: summary.json -----------------------------------------------------------------

SUMMARY_CASES = [
    ("rows.0.name", [5, None]), ("rows.0.precision", [5, []]), ("rows.0.isa", [5, {}]),
    ("rows.0.status", ["fine", None]), ("rows.0.spread_low_s", ["x", [], -1]), ("rows.0.spread_high_s", ["x", []]),
    ("rows.0.speedup_vs_python", ["x", [], 0]), ("rows.0.verified_ok", ["yes", 1]), ("rows.0.threads_n", ["2", 0.5]),
    ("rows.0.differing", ["5", -1]), ("rows.0.method", [5]), ("rows.0.compile_s", ["1", -1]),
    ("machine_id", [5, None, []]), ("machine", ["x", 5, []]), ("settings", ["x", 5]),
    ("settings.criterion", ["x", 5]), ("settings.python_settings", ["x", 5]), ("machine.cores", ["x"]),
    ("machine.load_average", ["x", 5]), ("machine.load_average_after_bench", ["x", -1]),
]


def assert_compare_names(tmp_path, good, dotted, values):
    """Each of `values` at `dotted` in a copy of the summary `good` makes compare (both modes) exit 2 naming the
    file and the field; the path `good` was written to."""
    a = tmp_path / "a.json"
    a.write_text(json.dumps(good))
    for value in values:
        b = tmp_path / "b.json"
        b.write_text(json.dumps(set_field(good, dotted, value)))
        for mode in ("runs", "machines"):
            code, _, err = compare(a, b, "--mode", mode, "--allow-different")
            assert code == 2 and str(b) in err and field_words(dotted)[0] in err, (dotted, value, err)
    return a


@pytest.mark.parametrize("dotted,values", SUMMARY_CASES)
def test_compare_names_the_summary_field_of_a_wrong_type(tmp_path, dotted, values):
    from test_ladder_compare import make_summary

    good = make_summary(tmp_path, "a", 1.0)
    good["machine"]["load_average"] = [0.1, 0.2, 0.3]
    good["machine"]["load_average_after_bench"] = [0.1, 0.2, 0.3]
    assert_compare_names(tmp_path, good, dotted, values)


@pytest.mark.parametrize("dotted,values", [
    ("settings.rounds.tunings", [[["simd-f32"]], 5, [["x", None], ["x", "v"]], [[1, "x"], ["a", "y"]]]),
    ("settings.python_source", [5, [], {}]), ("settings.python_foreign", [5, ["x"]]),
    # read as "calibrated in each process" (an AttributeError before the comparison was Rust's): refused instead
    ("settings.simd_tuning", ["f32:v4k8,f64:v4k8", {"value": "v04k8", "source": "x"}, {"source": "x"}]),
    ("settings.c_tuning", [5, {"value": "f32:v4k8", "source": "x"}]),
])
def test_compare_names_bad_round_tunings_and_python_source(tmp_path, dotted, values):
    """Fields compare reads beyond the schema's old reach: bad values were ValueError, TypeError and
    AttributeError tracebacks from compare's settings view and the verdicts' stale-row check."""
    from test_ladder_compare import make_summary

    good = make_summary(tmp_path, "a", 1.0)
    good["settings"].update(rounds={"tunings": [["simd-f32", "v4k4 (forced)"]]}, python_source="run now",
                            python_foreign=None)
    a = assert_compare_names(tmp_path, good, dotted, values)
    # the good file itself compares
    assert compare(a, a, "--mode", "runs")[0] == 0


def test_compare_refuses_an_interval_upside_down(tmp_path):
    from test_ladder_compare import make_summary

    good = make_summary(tmp_path, "a", 1.0)
    row = next(r for r in good["rows"] if r["spread_low_s"])
    row["spread_low_s"], row["spread_high_s"] = row["spread_high_s"] * 2, row["spread_low_s"]
    b = tmp_path / "b.json"
    b.write_text(json.dumps(good))
    code, _, err = compare(b, b, "--mode", "machines")
    assert code == 2 and "spread_low_s" in err


# --- the merge checks the verification it is given -----------------------------------------------------


def write_records(tmp_path, doc):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_verdict_that_contradicts_its_counts_is_refused(tmp_path):
    doc = fx.records(verifications={"naive-f64": fx.verification(differing=500000, allowed=0, ok=True)})
    with pytest.raises(InputError, match=r"'naive-f64' verification\.ok is true but 500000 pixels differ"):
        readers.read_records(write_records(tmp_path, doc))


def test_records_of_another_problem_are_refused(tmp_path):
    doc = fx.records()
    doc["params"] = {**CANONICAL, "width": 10, "height": 10, "max_iters": 5}
    with pytest.raises(InputError, match=r"records\.json: params is .* not the canonical problem"):
        readers.read_records(write_records(tmp_path, doc))


def test_a_timed_record_without_verification_is_refused(tmp_path):
    doc = fx.records()
    doc["records"][0].update(verification=None, unavailable="said so by hand")
    with pytest.raises(InputError, match="'naive-f64' criterion_id names a timing but its verification is null"):
        readers.read_records(write_records(tmp_path, doc))


@pytest.mark.parametrize("field,value,needle", [
    ("pixels", 100, "verification.pixels is 100, the problem has 921600"),
    ("allowed", 9218, "verification.allowed is 9218, the tolerance rule allows 0"),
])
def test_pixels_and_allowed_must_follow_the_problem_and_the_tolerance_rule(tmp_path, field, value, needle):
    doc = fx.records(verifications={"naive-f64": {**fx.verification(), field: value}})
    with pytest.raises(InputError, match=needle):
        readers.read_records(write_records(tmp_path, doc))


def test_baselines_with_a_time_but_no_verification_are_refused(tmp_path):
    data = fx.baselines()
    data["rungs"][0]["verification"] = None
    path = tmp_path / "given.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="rung 'python-pure' has a time .* verification is null"):
        readers.read_baselines(path)


def test_baselines_with_a_contradicting_verdict_are_refused(tmp_path):
    data = fx.baselines()
    data["rungs"][1]["verification"].update(differing=500000, allowed=9218, ok=True)
    path = tmp_path / "given.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="rung 'numpy-vectorize' verification.ok is true but 500000"):
        readers.read_baselines(path)


def test_a_merged_row_without_verification_is_failed_not_ranked():
    crit = {"naive-f64": {"full_id": "ladder/naive-f64/scalar", "kernel": "naive-f64", "isa": "scalar",
                          "median_s": 0.1, "ci_low_s": 0.09, "ci_high_s": 0.11, "ci_level": 0.95, "mean_s": 0.1,
                          "iterations": fx.ITERS, "samples": 10, "min_s": None, "max_s": None}}
    s = merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, verify={}, criterion=crit,
              baselines=fx.baselines())
    row = next(r for r in s["rows"] if r["name"] == "naive-f64")
    assert row["status"] == "failed" and row["speedup_vs_python"] is None and "NOT VERIFIED" in row["note"]


def test_pyo3_rows_must_follow_their_kernels_tolerance():
    data = fx.baselines()
    data["rungs"][-1]["verification"].update(allowed=5)  # pyo3-naive-f64: naive-f64 allows 0
    with pytest.raises(InputError, match="pyo3-naive-f64' verification.allowed is 5, the tolerance rule allows 0"):
        merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, baselines=data)


# --- intervals and names ---------------------------------------------------------------------------


def test_min_above_max_and_ci_upside_down_are_refused(tmp_path):
    data = fx.baselines()
    data["rungs"][0].update(min_s=6.0, max_s=4.0)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="rung 'python-pure' min_s"):
        readers.read_baselines(path)
    new = fx.criterion_bench(tmp_path / "crit", "naive-f64", "scalar", 0.1, ci=(1.2, 0.8))
    with pytest.raises(InputError, match=r"lower_bound.*is above.*upper_bound"):
        readers.read_criterion_bench(new)


def test_control_characters_in_a_name_are_refused_and_never_reach_the_svg(tmp_path):
    data = fx.baselines()
    data["rungs"][0]["name"] = "python-\x01pure"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="control characters"):
        readers.read_baselines(path)
    import xml.etree.ElementTree as ET

    import compare_report

    ET.fromstring(compare_report.chart([{"machine_id": "a\x01b\x1f<c>", "rows": []}]))  # a title, well-formed


# --- environment variables: mandel's rules, checked by mandel (the ladder runs `mandel describe` first) --

THREADS = [(" 3 ", False), ("3\n", False), ("+3", False), ("-3", False), ("0", False), ("1025", False),
           ("3", True), ("1024", True), ("", True), ("٣", False), ("3.0", False)]
TUNINGS = [
    ("MANDEL_TUNING", "v12k8", True), ("MANDEL_TUNING", "default", True), ("MANDEL_TUNING", "f32:v4k4,F64:v6k4", True),
    ("MANDEL_TUNING", "garbage", False), ("MANDEL_TUNING", "f16:v4k4", False), ("MANDEL_TUNING", "f32:", False),
    ("MANDEL_TUNING", "v8k8,", False), ("MANDEL_TUNING", "f32=v8k8", False), ("MANDEL_TUNING", "", True),
    ("MANDEL_C_TUNING", "v6k4", True), ("MANDEL_C_TUNING", "junk", False), ("MANDEL_C_TUNING", "f32:v4k4", False),
    # surrounding whitespace is refused in every variable, as in RAYON_NUM_THREADS (rayon does not trim)
    ("MANDEL_TUNING", "f32:v4k4, F64:v6k4", False), ("MANDEL_TUNING", " default", False),
    ("MANDEL_C_TUNING", "v6k4 ", False), ("MANDEL_ISA", " scalar", False), ("MANDEL_ISA", "scalar", True),
    # rayon's old spelling, which it still reads when RAYON_NUM_THREADS is unset, with no cap (3000 started 3,000)
    ("RAYON_RS_NUM_CPUS", "3000", False), ("RAYON_RS_NUM_CPUS", "2", False), ("RAYON_RS_NUM_CPUS", "", True),
]


@pytest.mark.skipif(not MANDEL.exists(), reason="needs target/release/mandel (cargo build --release --bin mandel)")
@pytest.mark.parametrize("var,value,ok", [("RAYON_NUM_THREADS", v, ok) for v, ok in THREADS] + TUNINGS)
def test_mandel_describe_refuses_a_bad_variable_naming_it(var, value, ok):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("MANDEL_TUNING", "MANDEL_C_TUNING", "MANDEL_ISA", "RAYON_NUM_THREADS", "RAYON_RS_NUM_CPUS")}
    proc = subprocess.run([str(MANDEL), "describe", "--json"], env={**environ, var: value},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == (0 if ok else 2), (value, proc.stderr)
    assert ok or (var in proc.stderr and proc.stdout == ""), proc.stderr


# --- arguments checked before any work --------------------------------------------------------------


@pytest.mark.parametrize("argv,needle", [
    (["--machine-id", "../escape"], "--machine-id '../escape'"),
    (["--machine-id", "/tmp/abs"], "--machine-id '/tmp/abs'"),
    (["--save-baseline", "b" * 300], "300 characters long"),
])
def test_bad_names_are_refused_by_the_argument_parser(argv, needle, capsys):
    with pytest.raises(SystemExit) as info:
        ladder.parse_args(argv)
    assert info.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize("n,ok", [(2, False), (3, True), (99, True), (100, False)])
def test_ladder_and_ab_take_the_same_rounds_range(n, ok, tmp_path, capsys):
    import ab_fakes as fake

    if ok:
        assert ladder.parse_args(["--rounds", str(n)]).rounds == n
    else:
        with pytest.raises(SystemExit) as info:
            ladder.parse_args(["--rounds", str(n)])
        assert info.value.code == 2 and f"--rounds {n}: from 3 to 99 (a median" in capsys.readouterr().err
    # scripts/ab: past its parsing, CARGO_BUILD_TARGET stops it before any build
    code, _, err = fake.ab(tmp_path, "--rounds", str(n), CARGO_BUILD_TARGET="stop")
    assert code == 2 and (f"--rounds {n}: from 3 to 99\n" in err) != ok and ("CARGO_BUILD_TARGET=stop" in err) == ok


def test_given_baselines_are_read_before_any_work(tmp_path):
    bad = tmp_path / "given.json"
    bad.write_text("{")
    with pytest.raises(InputError, match="given.json: not valid JSON"):
        ladder.parse_args(["--baselines", str(bad)])


def test_ab_refuses_unknown_kernels_before_building_or_measuring(tmp_path):
    import ab_fakes as fake

    log = fake.fake_cargo(tmp_path)
    code, _, err = fake.ab(tmp_path, "--a-rev", "HEAD", "-k", "naive-f64", "-k", "bogus-kernel", "--rounds", "3")
    assert code == 2 and re.search("-k bogus-kernel: not a kernel of .*; known: naive-f64", err)
    assert len(log.read_text().splitlines()) == 1  # the working tree's build only: not the A revision's
    assert not [c for c in fake.calls(tmp_path) if c.startswith("bench")]  # nor measured


@pytest.mark.parametrize("value", ["true", "yes", "2", " 1", "01"])
def test_setup_refuses_a_mandel_install_pypy_other_than_0_or_1(tmp_path, value):
    """scripts/setup took any MANDEL_INSTALL_PYPY but 1 as "no", silently: refused by name, exit 2, before
    anything is installed. Run from a copy holding only the script, with a Python that fails (exit 3) if the
    set-up got as far as creating the venv."""
    (tmp_path / "scripts").mkdir()
    setup = tmp_path / "scripts" / "setup"
    setup.write_bytes((REPO / "scripts" / "setup").read_bytes())
    setup.chmod(0o755)
    python = tmp_path / "python3"
    python.write_text("#!/bin/sh\nexit 3\n")
    python.chmod(0o755)
    proc = subprocess.run([str(setup)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHON": str(python), "MANDEL_INSTALL_PYPY": value})
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert f"scripts/setup: MANDEL_INSTALL_PYPY='{value}' must be 1 (install pypy3), 0 or empty/unset" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["python3", "scripts"]


@pytest.mark.parametrize("env, says", [({"MANDEL_INSTALL_PYPY": "yes"}, "MANDEL_INSTALL_PYPY='yes' must be 1"),
                                       ({"PYTHON": "/nonexistent/python3"}, "PYTHON='/nonexistent/python3': no such")])
def test_scripts_test_refuses_a_bad_setup_variable_before_cargo(tmp_path, env, says):
    """scripts/test started scripts/setup in the background and reported its refusal only after cargo's minutes
    of clippy and builds: it now runs `scripts/setup --check` first. Run from a copy holding only the two
    scripts, with a `cargo` first on PATH that records being called."""
    (tmp_path / "scripts").mkdir()
    for name in ("setup", "test"):
        (tmp_path / "scripts" / name).write_bytes((REPO / "scripts" / name).read_bytes())
        (tmp_path / "scripts" / name).chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cargo").write_text(f"#!/bin/sh\ntouch {tmp_path / 'cargo-ran'}\n")
    (bin_dir / "cargo").chmod(0o755)
    proc = subprocess.run([str(tmp_path / "scripts" / "test")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **env})
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert says in proc.stderr and not (tmp_path / "cargo-ran").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "scripts"]


def test_a_failed_setup_stops_the_bytecode_compile_and_the_rungs_build(tmp_path):
    """The bytecode compile ran inside a subshell with the rungs' build: when maturin failed, the exit trap's kill
    reached the subshell, not the compiler, which went on writing into the venv after the set-up had failed.
    Each is now a job of its own, killed by the trap. A copy of scripts/setup with a fake venv: pip, the
    packages and the checks pass, maturin fails, the compile would write a file after 3 s."""
    (tmp_path / "scripts").mkdir()
    setup = tmp_path / "scripts" / "setup"
    setup.write_bytes((REPO / "scripts" / "setup").read_bytes())
    setup.chmod(0o755)
    (tmp_path / "python_baselines").mkdir()
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("requirements.txt", "requirements-mojo.txt"):
        (tmp_path / "python_baselines" / name).write_text("pinned\n")
    (venv / ".requirements.installed").write_text("pinned\n")
    (venv / ".requirements-mojo.installed").write_text("pinned\n")
    late = tmp_path / "compiled-after-the-setup-failed"
    (venv / "bin" / "python").write_text(f"""#!/bin/bash
case "$1 $2" in
  "-m compileall") sleep 3; touch {late} ;;
  "-m python_baselines.build_rungs") exec sleep 30 ;;
  "-c import sysconfig"*) echo {tmp_path / "purelib"} ;;
esac
exit 0
""")
    (venv / "bin" / "maturin").write_text("#!/bin/sh\necho 'maturin: failed'\nexit 1\n")
    for name in ("python", "maturin"):
        (venv / "bin" / name).chmod(0o755)
    proc = subprocess.run([str(setup)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "MANDEL_INSTALL_PYPY"})
    assert proc.returncode == 1 and "maturin develop failed" in proc.stderr, proc.stderr
    time.sleep(4)
    assert not late.exists(), "the bytecode compile outlived the failed set-up"
    left = subprocess.run(["pgrep", "-f", f"sleep 30"], capture_output=True, text=True).stdout.split()
    assert not [pid for pid in left if str(tmp_path) in Path(f"/proc/{pid}/cwd").resolve().as_posix()]


def test_a_criterion_result_with_a_confidence_level_that_is_none_is_refused(tmp_path):
    """ci_level is a fraction (Criterion's `confidence_level`); anything else made a spread like '-0% CI'."""
    for bad in (-0.5, 1.5, "0.95", [0.95]):
        crit = fx.read_criterion(fx.criterion_tree(tmp_path / "c"))
        crit["naive-f64"]["ci_level"] = bad
        with pytest.raises(InputError, match=r"ci_level should be a fraction from 0 to 1"):
            merge(dict(fx.MACHINE), "m", fx.SETTINGS, registry=fx.REGISTRY, criterion=crit)


def test_a_rust_kernel_named_like_an_extension_row_is_refused():
    """A registry kernel `pyo3-simd-f32` was taken for the extension's row of simd-f32: its own `previous`, and a
    share of the peak of 400,000x (a review, on a hand-made registry)."""
    registry = [*fx.REGISTRY, fx.kernel_info("pyo3-simd-f32", "f32", isa="avx2")]
    with pytest.raises(InputError, match=r"kernel 'pyo3-simd-f32' name is 'pyo3-simd-f32': pyo3- names the kernels"):
        merge(dict(fx.MACHINE), "m", fx.SETTINGS, registry=registry)


@pytest.mark.parametrize("argv", [["--rounds", "2"], ["--save-baseline", "ok"], ["--machine-id", "../x"]])
def test_an_argument_mandel_report_checks_is_not_held_up_by_another_ladder(tmp_path, argv):
    """--rounds and the names are checked by mandel-report, which cargo builds under the build folder's lock: while
    another ladder held it, the ladder waited for that whole run (then refused --rounds 2), where without them it
    refuses at once; it refuses at once either way."""
    target = tmp_path / "t"
    target.mkdir()
    holder = subprocess.Popen(["flock", str(target / ".ladder.lock"), "sleep", "60"], start_new_session=True)
    try:
        while subprocess.run(["flock", "-n", str(target / ".ladder.lock"), "true"]).returncode == 0:
            time.sleep(0.05)
        env = {k: v for k, v in os.environ.items() if k not in ("MANDEL_REPORT_BIN", "CARGO_BUILD_TARGET_DIR")}
        proc = subprocess.run([os.sys.executable, "-m", "ladderlib.ladder", "--skip-python", *argv], cwd=tmp_path,
                              env={**env, "CARGO_TARGET_DIR": str(target)}, capture_output=True, text=True, timeout=30)
    finally:
        os.killpg(holder.pid, 9)  # flock and its sleep, which holds the lock too
        holder.wait()
    assert proc.returncode == 2 and "is using the build folder" in proc.stderr, proc.stderr
    assert "waiting" not in proc.stderr
