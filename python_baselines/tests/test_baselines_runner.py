"""The runner: its JSON file follows the schema `mandel-baselines/1` that the merge script reads,
selection works, and a wrong rung is recorded as failed with no valid time."""

import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import mandel_ladder as m
import numpy as np
import pytest

from python_baselines import run, sweep
from python_baselines.problem import Problem
from python_baselines.rungs import Rung

EXACT = m.tolerance("f64")

RUN_PY = ["-m", "python_baselines.run"]  # as the ladder runs it
NUMBER = (int, float)


def check_schema(doc: dict) -> None:
    """The fields and types of schema mandel-baselines/1 (more fields are allowed)."""

    def fields(obj, spec, where):
        assert isinstance(obj, dict), f"{where} is not an object"
        for key, types in spec.items():
            assert key in obj, f"{where}.{key} is missing"
            assert isinstance(obj[key], types), f"{where}.{key} = {obj[key]!r} is not {types}"

    fields(doc, {"schema": str, "created": str, "machine": dict, "params": dict, "settings": dict, "rungs": list}, "")
    assert doc["schema"] == "mandel-baselines/1"
    assert len(doc["created"]) == 20 and doc["created"].endswith("Z")
    fields(doc["machine"], {"cpu_model": str, "cores": int, "isa_flags": list, "os": str, "python": str,
                            "numpy": str, "numba": str, "hostname": str}, "machine")
    fields(doc["params"], {"width": int, "height": int, "x_min": float, "x_max": float, "y_min": float,
                           "y_max": float, "max_iters": int}, "params")
    fields(doc["settings"], {"quick": bool, "budget_s": NUMBER}, "settings")
    for i, r in enumerate(doc["rungs"]):
        where = f"rungs[{i}]"
        if r.get("missing"):  # a rung whose tool is not here: no time, no verification, the reason
            assert r["median_s"] is None and r["verification"] is None and isinstance(r["error"], str), where
            continue
        fields(r, {"name": str, "rung": str, "language": str, "precision": str, "threads": int, "computes": str,
                   "times_s": list, "repeats": int, "verification": dict}, where)
        assert r["computes"] in ("counts", "bitmap") and r["precision"] in ("f32", "f64")
        for key in ("median_s", "min_s", "max_s", "compile_s"):
            assert key in r and (r[key] is None or isinstance(r[key], NUMBER)), f"{where}.{key}"
        assert "iterations" in r and (r["iterations"] is None or isinstance(r["iterations"], int))
        v = r["verification"]
        fields(v, {"pixels": int, "allowed": int, "ok": bool}, f"{where}.verification")
        # differing and max_abs_diff are null only for a rung that failed before a comparison was possible
        for key in ("differing", "max_abs_diff"):
            assert isinstance(v[key], int) or (v[key] is None and not v["ok"]), f"{where}.verification.{key}"
        assert r["repeats"] == len(r["times_s"])
        if r["verification"]["ok"]:
            assert r["repeats"] >= 1 and r["min_s"] <= r["median_s"] <= r["max_s"]
        else:
            assert r["times_s"] == [] and r["median_s"] is None
        assert (r["iterations"] is None) == (r["computes"] == "bitmap" or not r["verification"]["ok"])


def test_quick_run_writes_a_valid_result_file(tmp_path):
    out = tmp_path / "baselines.json"
    proc = subprocess.run([sys.executable, *RUN_PY, "--quick", "--width", "17", "--height", "13", "--out",
                           str(out), "--note", "test run"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[1/" in proc.stderr and "python-pure" in proc.stdout  # progress on stderr, table on stdout
    doc = json.loads(out.read_text())
    check_schema(doc)
    assert doc["params"] == Problem(17, 13).as_dict() and doc["settings"]["quick"] is True
    assert doc["notes"] == ["test run"]
    rungs = {r["name"]: r for r in doc["rungs"]}
    assert {"python-pure", "numpy-vectorize", "numpy-masked-counts", "numpy-masked-bitmap", "numba",
            "numba-fastmath", "numba-parallel", "pyo3-naive-f32"} <= set(rungs)
    assert all(r.get("missing") or (r["verification"]["ok"] and r["repeats"] == 1) for r in rungs.values())
    assert rungs["numpy-masked-bitmap"]["computes"] == "bitmap"
    assert rungs["numba"]["compile_s"] > 0 and rungs["python-pure"]["compile_s"] is None
    assert rungs["pyo3-naive-f32"]["language"] == "Rust via PyO3"
    assert len({r["iterations"] for r in rungs.values() if r["precision"] == "f64" and r["iterations"]}) == 1


def test_only_and_skip_select_rungs(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert run.main(["--quick", "--width", "5", "--height", "3", "--out", str(out), "--only", "numba*,pyo3-naive-*",
                     "--skip", "numba-parallel", "--skip", "pyo3-*-f64"]) == 0
    names = [r["name"] for r in json.loads(out.read_text())["rungs"]]
    assert names == ["numba", "numba-fastmath", "pyo3-naive-f32"]
    capsys.readouterr()
    assert run.main(["--quick", "--only", "nope", "--out", str(out)]) == 2
    assert "--only 'nope': no rung matches it" in capsys.readouterr().err


def test_invalid_problem_is_refused_with_its_parameter(tmp_path, capsys):
    assert run.main(["--width", "0", "--out", str(tmp_path / "r.json")]) == 2
    assert "width" in capsys.readouterr().err
    assert run.main(["--x-min", "1", "--x-max", "0", "--out", str(tmp_path / "r.json")]) == 2
    assert "x_min must be less than x_max" in capsys.readouterr().err


def test_a_wrong_rung_fails_and_its_time_is_not_valid():
    problem = Problem(8, 6)
    reference = np.asarray(run.mandel_ladder.reference(**problem.as_dict()))
    off_by_one = Rung("off-by-one", "wrong", "Python", "f64", 1, tolerance=EXACT,
                      # every count one off, kept within 0..max_iters (beyond it is refused before comparing)
                      prepare=lambda p: lambda: np.where(reference < p.max_iters, reference + 1, reference - 1))
    args = run.parse_args(["--quick"])
    entry = run.measure(off_by_one, problem, reference, args)
    assert entry["verification"]["ok"] is False and entry["verification"]["differing"] == 48
    assert entry["times_s"] == [] and entry["median_s"] is None and entry["invalid_time_s"] >= 0
    check_schema({"schema": "mandel-baselines/1", "created": "2026-01-01T00:00:00Z", "machine": run.machine(),
                  "params": problem.as_dict(), "settings": {"quick": True, "budget_s": 0.0}, "rungs": [entry]})


def test_a_crashing_rung_is_recorded_as_failed(tmp_path, monkeypatch):
    def crash(problem):
        raise RuntimeError("boom")

    monkeypatch.setattr(run, "all_rungs", lambda: [Rung("crash", "crash", "Python", "f64", 1, crash, EXACT)])
    out = tmp_path / "r.json"
    assert run.main(["--quick", "--width", "3", "--height", "2", "--out", str(out)]) == 1
    doc = json.loads(out.read_text())
    check_schema(doc)
    assert doc["rungs"][0]["error"] == "RuntimeError: boom" and not doc["rungs"][0]["verification"]["ok"]


def test_repeats_fill_the_budget():
    problem = Problem(4, 4)
    reference = np.asarray(run.mandel_ladder.reference(**problem.as_dict()))
    exact = Rung("exact", "exact", "Python", "f64", 1, tolerance=EXACT, prepare=lambda p: lambda: reference)
    entry = run.measure(exact, problem, reference, run.parse_args(["--budget", "0.05", "--max-repeats", "7"]))
    assert entry["repeats"] == 7  # a fast rung stops at --max-repeats
    entry = run.measure(exact, problem, reference, run.parse_args(["--quick", "--min-repeats", "3"]))
    assert entry["repeats"] == 3
    # a rung slower than the budget (pure Python: every speedup's denominator) still gets three calls, one with
    # --quick (a review: the committed sets divided every speedup by one cold call)
    assert run.measure(exact, problem, reference, run.parse_args(["--budget", "0"]))["repeats"] == 3
    assert run.measure(exact, problem, reference, run.parse_args(["--quick"]))["repeats"] == 1
    # no more than --max-repeats allows: the default gives way to it (a review: --max-repeats 1 was refused)
    assert run.measure(exact, problem, reference, run.parse_args(["--budget", "0", "--max-repeats", "2"]))["repeats"] == 2


def test_help_describes_the_options():
    proc = subprocess.run([sys.executable, *RUN_PY, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for option in ("--quick", "--only", "--skip", "--out", "--budget", "--width", "--max-iters", "pyo3-<kernel>"):
        assert option in proc.stdout


# --- issue 12: nothing lost, nothing wrong ---


@pytest.mark.parametrize("budget", ["nan", "inf", "-1"])
def test_budget_must_be_a_finite_number_of_seconds(budget, capsys):
    with pytest.raises(SystemExit) as info:
        run.parse_args(["--budget", budget])
    assert info.value.code == 2
    assert "--budget must be a finite number of seconds" in capsys.readouterr().err


def _no_timing(*args, **kwargs):
    raise AssertionError("timed a rung although --out cannot be written")


@pytest.mark.parametrize("make_out", [
    lambda tmp: tmp,  # a folder
    lambda tmp: a_file(tmp) / "r.json",  # under a file: its folder cannot exist
])
def test_unwritable_out_is_refused_before_any_timing(tmp_path, monkeypatch, capsys, make_out):
    monkeypatch.setattr(run, "measure", _no_timing)
    out = make_out(tmp_path)
    assert run.main(["--quick", "--width", "5", "--height", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"run.py: error: cannot write --out {out}" in err and "before timing" in err


def a_file(tmp):
    path = tmp / "a-file"
    path.write_text("not a folder")
    return path


def test_a_failed_write_keeps_the_results_and_the_old_file(tmp_path):
    """A full disk at the end of a run (here a file-size limit, which fails writes with EFBIG as a full
    disk does with ENOSPC): the old result file is left as it was, the results reach stdout, exit 1,
    no traceback. Before, the file was truncated and the whole run's timings lost with a traceback."""
    import resource
    import signal

    out = tmp_path / "baselines.json"
    out.write_text("the previous complete result")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    temp = tmp_path / "temp"  # the fallback's folder: the limit makes that write fail too
    temp.mkdir()
    env = {**__import__("os").environ, "TMPDIR": str(temp)}
    proc = subprocess.run([sys.executable, *RUN_PY, "--quick", "--width", "5", "--height", "3", "--only",
                           "pyo3-naive-f64", "--out", str(out)], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit, env=env)
    assert proc.returncode == 1, proc.stderr
    assert f"run.py: error: cannot write {out}" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text() == "the previous complete result"
    doc = json.loads(proc.stdout[proc.stdout.index("{\n"):])
    assert doc["rungs"][0]["name"] == "pyo3-naive-f64" and doc["rungs"][0]["median_s"] > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baselines.json", "temp"], "a temporary file was left"
    assert list(temp.iterdir()) == [], "a partial fallback copy was left behind"


def test_a_failed_write_saves_the_results_in_the_temporary_folder(tmp_path, monkeypatch, capsys):
    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run, "write_text", full)
    monkeypatch.setattr(run.tempfile, "tempdir", str(tmp_path))
    assert run.main(["--quick", "--width", "5", "--height", "3", "--only", "pyo3-naive-f64",
                     "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "No space left on device" in err and "saved to" in err
    saved = err.split("saved to ")[1].split()[0]
    assert json.loads(Path(saved).read_text())["rungs"][0]["name"] == "pyo3-naive-f64"


def test_list_and_run_without_numba(tmp_path):
    """Without Numba installed, --list works and the Numba rungs fail as rungs (error recorded), the
    others run. Numba is hidden by a package of that name that refuses to import."""
    blocker = tmp_path / "blocker" / "numba"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('numba is not installed (hidden by the test)')\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path / "blocker")}
    proc = subprocess.run([sys.executable, *RUN_PY, "--list"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "numba-parallel" in proc.stdout and "python-pure" in proc.stdout
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, *RUN_PY, "--quick", "--width", "5", "--height", "3", "--only",
                           "numba,numpy-masked-counts", "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    rungs = {r["name"]: r for r in json.loads(out.read_text())["rungs"]}
    assert "numba is not installed" in rungs["numba"]["error"] and rungs["numba"]["median_s"] is None
    assert rungs["numpy-masked-counts"]["median_s"] > 0


# --- issue 20: write targets and arguments checked before any work ---


def test_only_and_skip_that_leave_nothing_or_name_nothing_are_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "measure", _no_timing)
    out = tmp_path / "r.json"
    assert run.main(["--quick", "--only", "numba", "--skip", "numba", "--out", str(out)]) == 2
    assert "leaves no rung to run" in capsys.readouterr().err
    assert run.main(["--quick", "--only", "bogus", "--out", str(out)]) == 2
    assert "--only 'bogus': no rung matches it" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--only", "--skip"])
@pytest.mark.parametrize("value", ["", " , ", ",", " "])
def test_an_only_or_skip_with_no_pattern_is_an_error(tmp_path, monkeypatch, capsys, flag, value):
    """An empty --only used to select every rung (and an empty --skip to skip none): a value with no
    pattern in it is refused, exit 2, before any work."""
    monkeypatch.setattr(run, "measure", _no_timing)
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as e:
        run.main(["--quick", "--width", "1", "--height", "1", "--max-iters", "1", "--only", "pyo3-naive-f64",
                  flag, value, "--out", str(out)])
    assert e.value.code == 2
    assert f"{flag} {value!r} names no rung" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("size, warmup", [((1, 1), (1, 1)), ((40, 5), (16, 5)), ((3, 200), (3, 16)),
                                          ((96, 64), (16, 16))])
def test_the_warm_up_is_never_larger_than_the_image(size, warmup):
    """The untimed warm-up renders min(16, width) x min(16, height) of the same view: a 16x16 one for a
    1x1 problem at a high cap cost python-pure 256 times the timed call, for nothing."""
    seen = []
    width, height = size
    problem = Problem(width, height, max_iters=3)
    reference = m.reference(**problem.as_dict())

    def prepare(p):
        seen.append((p.width, p.height, p.x_min, p.x_max, p.y_min, p.y_max, p.max_iters))
        return lambda: m.reference(**p.as_dict())

    rung = Rung("spy", "spy", "Python", "f64", 1, prepare, m.tolerance("f64"))
    args = run.parse_args(["--quick"])
    entry = run.measure(rung, problem, reference, args)
    assert entry["verification"]["ok"] and entry["repeats"] == 1
    bounds = (problem.x_min, problem.x_max, problem.y_min, problem.y_max, 3)
    assert seen == [(*warmup, *bounds), (width, height, *bounds)]


@pytest.mark.parametrize("wrong, why", [
    (lambda r: r.astype(np.int64) + 2**32, "outside 0..50"),  # wraps back to the reference in uint32
    (lambda r: r.astype(np.int64) - r.astype(np.int64) - 1, "outside 0..50: min -1"),
    (lambda r: r + 1, "outside 0..50: min 2, max 51"),
    (lambda r: np.where(r == 50, np.nan, r), "not whole numbers"),
    (lambda r: r.astype(str), "expected whole numbers"),
])
def test_counts_outside_0_to_max_iters_fail_verification(wrong, why):
    """as_counts casts to uint32: a negative or too large count would wrap (2**32 + n passed as n)."""
    problem = Problem(24, 16, max_iters=50)
    reference = m.reference(**problem.as_dict())
    rung = Rung("spy", "spy", "Python", "f64", 1, lambda p: lambda: wrong(m.reference(**p.as_dict())),
                m.tolerance("f64"))
    entry = run.measure(rung, problem, reference, run.parse_args(["--quick"]))
    assert entry["verification"]["ok"] is False and why in entry["verification"]["error"]
    assert entry["median_s"] is None and entry["times_s"] == [] and "invalid_time_s" in entry


def test_a_bitmap_in_0_to_1_passes_and_one_outside_fails():
    problem = Problem(24, 16, max_iters=50)
    reference = m.reference(**problem.as_dict())
    for result, ok in ((lambda p: lambda: m.reference(**p.as_dict()) == 50, True),
                       (lambda p: lambda: (m.reference(**p.as_dict()) == 50) * 2, False)):
        rung = Rung("spy", "spy", "Python", "f64", 1, result, m.tolerance("f64"), computes="bitmap")
        entry = run.measure(rung, problem, reference, run.parse_args(["--quick"]))
        assert entry["verification"]["ok"] is ok, entry["verification"]


def test_out_that_is_a_fifo_or_device_is_refused_and_left_as_it_was(tmp_path, monkeypatch, capsys):
    import stat

    monkeypatch.setattr(run, "measure", _no_timing)
    targets = [tmp_path / "fifo"]
    os.mkfifo(targets[0])
    if os.geteuid() == 0:
        targets.append(tmp_path / "null")
        os.mknod(targets[1], 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    for target in targets:
        mode = os.lstat(target).st_mode
        assert run.main(["--quick", "--width", "5", "--height", "3", "--out", str(target)]) == 2
        assert "not a regular file" in capsys.readouterr().err
        assert os.lstat(target).st_mode == mode


def test_out_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real" / "b.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run.main(["--quick", "--width", "5", "--height", "3", "--only", "pyo3-naive-f64", "--out", str(link)]) == 0
    assert link.is_symlink() and json.loads(real.read_text())["schema"] == "mandel-baselines/1"


@pytest.mark.parametrize("value", [" 3 ", "3\n", "+3", "0", "1025"])
def test_rayon_num_threads_is_checked_with_mandels_rule(tmp_path, monkeypatch, capsys, value):
    monkeypatch.setattr(run, "measure", _no_timing)
    monkeypatch.setenv("RAYON_NUM_THREADS", value)
    assert run.main(["--quick", "--out", str(tmp_path / "r.json")]) == 2
    assert "RAYON_NUM_THREADS" in capsys.readouterr().err


def assert_runners_refuse(tmp_path, env, only, run_error, sweep_error, processes,
                          size=("--width", "5", "--height", "3")):
    """Under `env` (the variables set over os.environ), run.py (--list, and a --quick run of the rungs `only`) and
    sweep.py each exit 2 before any work: run.py's stderr has `run.py: error: {run_error}`, sweep.py's
    `sweep_error`, and no result file is written. With `processes` they run as the ladder runs them, and neither
    prints a traceback nor a libgomp message: the refusal comes before Numba or libgomp is loaded. That order is
    one per runner, not one per value: each test runs processes for one of its values, and its other values
    through the runners' `main` in this process (a fresh Python process for each costs a quarter of a second)."""
    out = tmp_path / "r.json"
    runs = (["--list"], ["--quick", *size, "--only", only, "--out", str(out)])
    sweep_args = ["--sizes", "8", "--iters", "10", "--out", str(out)]
    if processes:
        for args in runs:
            proc = subprocess.run([sys.executable, *RUN_PY, *args], capture_output=True, text=True,
                                  env={**os.environ, **env}, timeout=120)
            assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
            assert f"run.py: error: {run_error}" in proc.stderr, proc.stderr
            assert "Traceback" not in proc.stderr and "libgomp" not in proc.stderr
        proc = subprocess.run([sys.executable, "-m", "python_baselines.sweep", *sweep_args], capture_output=True,
                              text=True, env={**os.environ, **env}, timeout=120)
        assert proc.returncode == 2 and sweep_error in proc.stderr and "Traceback" not in proc.stderr
    else:
        with pytest.MonkeyPatch.context() as mp:
            for name, value in env.items():
                mp.setenv(name, value)
            for args in runs:
                with contextlib.redirect_stderr(io.StringIO()) as err:
                    assert run.main(args) == 2, args
                assert f"run.py: error: {run_error}" in err.getvalue(), err.getvalue()
            with contextlib.redirect_stderr(io.StringIO()) as err, pytest.raises(SystemExit) as exited:
                sweep.main(sweep_args)
            assert exited.value.code == 2 and sweep_error in err.getvalue(), err.getvalue()
    assert not out.exists()


@pytest.mark.parametrize("value", ["0", "99999", "1025", " 2", "two"])
def test_numba_num_threads_is_checked_first(tmp_path, value):
    """Numba fails late on a bad NUMBA_NUM_THREADS (0: a ValueError traceback; 99999: the process
    crashes, the run lost): run.py and sweep.py refuse it first, naming it, exit 2."""
    assert_runners_refuse(tmp_path, {"NUMBA_NUM_THREADS": value}, "numba-parallel,cython-prange",
                          f"NUMBA_NUM_THREADS={value!r} must be a whole number of threads from 1 to 1024",
                          "NUMBA_NUM_THREADS", processes=value == "99999")


@pytest.mark.parametrize("name, value", [("NUMBA_DISABLE_JIT", "1"), ("NUMBA_DISABLE_JIT", " 1"),
                                         ("NUMBA_BOUNDSCHECK", "1"), ("NUMBA_OPT", "0"), ("NUMBA_OPT", "max"),
                                         ("NUMBA_CPU_NAME", "generic"), ("NUMBA_CPU_NAME", ""),
                                         ("NUMBA_CPU_FEATURES", "-fma"), ("NUMBA_CPU_FEATURES", ""),
                                         ("NUMBA_ENABLE_AVX", "0"), ("NUMBA_ENABLE_AVX", "1"),
                                         ("NUMBA_LOOP_VECTORIZE", "0"), ("NUMBA_SLP_VECTORIZE", "1")])
def test_a_numba_variable_that_changes_the_rungs_is_refused_first(tmp_path, name, value):
    """NUMBA_DISABLE_JIT=1 ran plain Python, timed and labelled as the Numba rungs (a compile_s of a
    millisecond); bounds checks, another optimisation level, another CPU (NUMBA_CPU_NAME=generic compiles
    fastmath's a*b+c without a fused multiply-add) or other vectorizer settings are not `@njit` at its defaults
    either. run.py (--list too) and sweep.py refuse them by name, exit 2, with no result file."""
    assert_runners_refuse(tmp_path, {name: value}, "numba", f"{name}={value!r} ", f"{name}={value!r} ",
                          processes=(name, value) == ("NUMBA_DISABLE_JIT", "1"))


@pytest.mark.parametrize("env", [{"NUMBA_DISABLE_JIT": "0", "NUMBA_BOUNDSCHECK": "0", "NUMBA_OPT": "3",
                                  "NUMBA_LOOP_VECTORIZE": "1", "NUMBA_SLP_VECTORIZE": "0"},
                                 {"NUMBA_DISABLE_JIT": "", "NUMBA_BOUNDSCHECK": "", "NUMBA_OPT": "",
                                  "NUMBA_ENABLE_AVX": "", "NUMBA_LOOP_VECTORIZE": "", "NUMBA_SLP_VECTORIZE": ""}])
def test_numba_variables_at_their_defaults_are_accepted(monkeypatch, env):
    from python_baselines import numba_rungs

    for name in ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", *(v[0] for v in numba_rungs.NUMBA_VARIANTS)):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert numba_rungs.environment_error() is None


@pytest.mark.parametrize("value, why", [("bogus", "is unknown to Numba"), ("", "is unknown to Numba"),
                                        ("tbb", "No threading layer could be loaded")])
def test_a_numba_threading_layer_that_cannot_start_is_refused_first(tmp_path, value, why):
    """An unknown (or empty) NUMBA_THREADING_LAYER, or one whose library is not installed (tbb), failed when the
    runners listed the rungs: a traceback and no result. run.py (--list too) and sweep.py name it, exit 2."""
    pytest.importorskip("numba")
    if value == "tbb" and importlib.util.find_spec("tbb"):
        pytest.skip("tbb is installed here: that layer starts")
    env = {**os.environ, "NUMBA_THREADING_LAYER": value}
    out = tmp_path / "r.json"
    for argv in ([*RUN_PY, "--list"], ["-m", "python_baselines.sweep", "--sizes", "8", "--iters", "10", "--out", str(out)]):
        proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 2, (argv, proc.returncode, proc.stderr)
        assert f"NUMBA_THREADING_LAYER={value!r}: Numba cannot start its threads" in proc.stderr and why in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not out.exists()
    env["NUMBA_THREADING_LAYER"] = "workqueue"  # one that starts anywhere: no refusal
    assert subprocess.run([sys.executable, *RUN_PY, "--list"], capture_output=True, env=env, timeout=120).returncode == 0


@pytest.mark.parametrize("value", ["1000000000", "abc", "0", "-1", "1025", " 2", "2,", "2,0", "+2"])
def test_omp_num_threads_is_checked_first(tmp_path, value):
    """libgomp aborts the whole process on a huge OMP_NUM_THREADS (the run lost) and ignores `abc`, `0`,
    `-1` with a warning: run.py (--list too: the ladder stops on its exit 2) and sweep.py refuse it first,
    naming it, exit 2, with no result file."""
    assert_runners_refuse(tmp_path, {"OMP_NUM_THREADS": value}, "numpy-masked-counts,cython-prange",
                          f"OMP_NUM_THREADS={value!r} must be a whole number of threads from 1 to 1024",
                          f"OMP_NUM_THREADS={value!r}", processes=value == "1000000000",
                          size=("--width", "1", "--height", "1", "--max-iters", "1"))


@pytest.mark.parametrize("name, value", [("OMP_THREAD_LIMIT", "1"), ("OMP_THREAD_LIMIT", "2"),
                                         ("OMP_MAX_ACTIVE_LEVELS", "0"), ("OMP_MAX_ACTIVE_LEVELS", "x"),
                                         ("OMP_DYNAMIC", "true"), ("OMP_DYNAMIC", "TRUE "),
                                         ("OMP_THREAD_LIMIT_ALL", "1"), ("OMP_DYNAMIC_ALL", "true"),
                                         ("OMP_MAX_ACTIVE_LEVELS_ALL", "0"), ("OMP_THREAD_LIMIT_DEV", "1"),
                                         ("OMP_DYNAMIC_DEV_0", "true"), ("OMP_MAX_ACTIVE_LEVELS_DEV_1", "0")])
def test_an_omp_variable_that_shrinks_the_team_is_refused_first(tmp_path, name, value):
    """Each of these runs libgomp's parallel regions on fewer threads (one, for these values) than
    OMP_NUM_THREADS asks; GCC 13's libgomp reads the _ALL, _DEV and _DEV_<n> spellings too (_ALL applies to
    the host when the plain one is unset). run.py (--list too) and sweep.py refuse it by name, exit 2, with no
    result file."""
    assert_runners_refuse(tmp_path, {"OMP_NUM_THREADS": "4", name: value}, "cython-prange,pythran-openmp",
                          "the OpenMP parallel rungs would run on fewer threads than OMP_NUM_THREADS (else one per CPU) "
                          f"asks, and Numba's on its omp layer on fewer than its threads column says: {name}={value!r}",
                          f"{name}={value!r}", processes=(name, value) == ("OMP_DYNAMIC", "true"))


@pytest.mark.parametrize("name, value", [("OMP_PROC_BIND", "master"), ("OMP_PROC_BIND", "primary"),
                                         ("OMP_PROC_BIND", "TRUE"), ("OMP_PROC_BIND", "spread,close"),
                                         ("OMP_PROC_BIND_ALL", "close"), ("OMP_PLACES", "{0}"),
                                         ("OMP_PLACES", "cores(1)"), ("GOMP_CPU_AFFINITY", "0"),
                                         ("OMP_PROC_BIND_ALL", "false,close")])
def test_an_omp_variable_that_binds_the_team_is_refused_first(tmp_path, name, value):
    """OMP_PROC_BIND=master (or OMP_PLACES={0}, GOMP_CPU_AFFINITY=0) ran both threads of cython-prange and
    pythran-openmp on one CPU, 120 ms against 55, each row labelled 2 threads. run.py (--list too) and sweep.py
    refuse every binding by name, exit 2, with no result file."""
    assert_runners_refuse(tmp_path, {name: value}, "cython-prange,pythran-openmp",
                          "the OpenMP parallel rungs (and Numba's on its omp layer) would have their threads bound to "
                          "places, which can put several on one CPU while the "
                          f"threads column counts them all: {name}={value!r}", f"{name}={value!r}",
                          processes=(name, value) == ("OMP_PROC_BIND", "master"))


@pytest.mark.parametrize("name, value", [("OMP_STACKSIZE", "100000G"), ("OMP_STACKSIZE", "abc"), ("OMP_STACKSIZE", "0"),
                                         ("OMP_STACKSIZE", "2G"), ("OMP_STACKSIZE", "8MM"), ("GOMP_STACKSIZE", "-1")])
def test_an_omp_stack_size_libgomp_cannot_give_is_refused_first(tmp_path, name, value):
    """OMP_STACKSIZE=100000G ended the run with libgomp's "Thread creation failed" alone, naming nothing."""
    assert_runners_refuse(tmp_path, {name: value}, "cython-prange",
                          f"{name}={value!r} must be a thread stack size OpenMP can give every thread",
                          f"{name}={value!r}", processes=value == "100000G")


@pytest.mark.parametrize("value", ["", "8M", "512k", " 16 ", "1G"])
def test_an_omp_stack_size_libgomp_gives_is_accepted(monkeypatch, value):
    from python_baselines import compiled_rungs

    monkeypatch.setenv("OMP_STACKSIZE", value)
    monkeypatch.delenv("GOMP_STACKSIZE", raising=False)
    assert compiled_rungs.omp_stack_error() is None


@pytest.mark.parametrize("name, value, says", [
    ("PYTHONTRACEMALLOC", "1", "tracemalloc is tracing (PYTHONTRACEMALLOC='1'"),
    ("PYTHONDEVMODE", "1", "Python's development mode is on"),
    ("PYTHONMALLOC", "debug", "PYTHONMALLOC='debug' puts debug hooks on every allocation"),
])
def test_an_interpreter_that_slows_every_call_is_refused_first(tmp_path, name, value, says):
    """PYTHONTRACEMALLOC=1 made python-pure ten times slower, and every speedup is over its time: run.py and sweep.py
    refuse it, the development mode and a debug allocator by name, exit 2, before any work. (Processes for each:
    the interpreter reads these when it starts.)"""
    assert_runners_refuse(tmp_path, {name: value}, "python-pure", says, says, processes=True)


@pytest.mark.parametrize("env", [{"OMP_PROC_BIND": "false"}, {"OMP_PROC_BIND": " FALSE", "OMP_PLACES": " "},
                                 # libgomp ignores places and GOMP_CPU_AFFINITY under OMP_PROC_BIND=false
                                 {"OMP_PROC_BIND": "false", "OMP_PLACES": "{0}", "GOMP_CPU_AFFINITY": "0"},
                                 {"OMP_PROC_BIND": "", "OMP_PLACES": "", "GOMP_CPU_AFFINITY": ""}])
def test_omp_variables_that_bind_nothing_are_accepted(monkeypatch, env):
    from python_baselines import compiled_rungs

    set_only(monkeypatch, ("OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"), env)
    assert compiled_rungs.omp_placement_error() is None


def set_only(monkeypatch, prefixes, env):
    """The environment with every variable named with one of `prefixes` unset, then `env` set."""
    for name in list(os.environ):
        if name.startswith(prefixes):
            monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("env", [{}, {"OMP_THREAD_LIMIT": "", "OMP_DYNAMIC": "false", "OMP_MAX_ACTIVE_LEVELS": "1"},
                                 {"OMP_DYNAMIC": "FALSE", "OMP_MAX_ACTIVE_LEVELS": "4"},
                                 {"OMP_THREAD_LIMIT_ALL": "", "OMP_DYNAMIC_DEV_0": "false", "OMP_MAX_ACTIVE_LEVELS_ALL": "2"}])
def test_omp_variables_that_keep_the_team_are_accepted(monkeypatch, env):
    from python_baselines import compiled_rungs

    set_only(monkeypatch, ("OMP_THREAD_LIMIT", "OMP_DYNAMIC", "OMP_MAX_ACTIVE_LEVELS"), env)
    assert compiled_rungs.omp_environment_error() is None


@pytest.mark.parametrize("value", ["", "2", "1,1", "1024"])
def test_a_good_omp_num_threads_is_accepted(monkeypatch, value):
    from python_baselines import compiled_rungs

    monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert compiled_rungs.omp_environment_error() is None


@pytest.mark.parametrize("value", ["3"])  # unset: every other run.py test; one value above the cores is enough
def test_a_good_numba_num_threads_runs(tmp_path, value):
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, *RUN_PY, "--quick", "--width", "5", "--height", "3", "--only",
                           "numba-parallel", "--out", str(out)], capture_output=True, text=True,
                          env={**os.environ, "NUMBA_NUM_THREADS": value}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(out.read_text())["rungs"]
    assert entry["verification"]["ok"] and entry["threads"] == (int(value) if value else entry["threads"]) >= 1


def test_out_that_became_a_folder_during_the_run_keeps_the_results(tmp_path, monkeypatch, capsys):
    """--out was checked before timing, then replaced by a folder while the rungs ran: the results go to
    the temporary folder, exit 1, no traceback (the write's NotAFileError is not an OSError)."""
    out = tmp_path / "r.json"
    measure = run.measure

    def measure_then_mkdir(*args):
        entry = measure(*args)
        out.mkdir(exist_ok=True)
        return entry

    monkeypatch.setattr(run, "measure", measure_then_mkdir)
    monkeypatch.setattr(run.tempfile, "tempdir", str(tmp_path))
    assert run.main(["--quick", "--width", "5", "--height", "3", "--only", "pyo3-naive-f64", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"run.py: error: cannot write {out}" in err and "saved to" in err
    saved = err.split("saved to ")[1].split()[0]
    assert json.loads(Path(saved).read_text())["rungs"][0]["name"] == "pyo3-naive-f64"
    assert out.is_dir() and list(out.iterdir()) == []


def test_each_rung_records_the_tolerance_it_verified_with(tmp_path):
    """The merge checks `allowed` against the rule the file records (readers.check_baselines): Numba's fastmath an
    f64 FMA kernel's, plain NumPy the exact one, a pyo3 rung its kernel's."""
    from ladderlib import readers

    out = tmp_path / "r.json"
    assert run.main(["--quick", "--width", "5", "--height", "3", "--out", str(out),
                     "--only", "numpy-vectorize,numba-fastmath,pyo3-simd-f32"]) == 0
    doc = json.loads(out.read_text())
    rungs = {r["name"]: r for r in doc["rungs"]}
    assert rungs["numpy-vectorize"]["tolerance"] == {"max_fraction": 0.0, "slack_pixels": 0}
    assert rungs["numba-fastmath"]["tolerance"] == {"max_fraction": 0.001, "slack_pixels": 2}
    assert rungs["pyo3-simd-f32"]["tolerance"] == {"max_fraction": 0.01, "slack_pixels": 2}
    for r in rungs.values():
        rule = r["tolerance"]
        assert r["verification"]["allowed"] == m.allowed(rule, 15)
    readers.check_baselines(doc, "r.json")  # what the ladder reads back
    doc["rungs"][0]["tolerance"] = {"max_fraction": 0.01, "slack_pixels": 2}  # not the rule it verified with
    with pytest.raises(readers.InputError, match=r"rung 'numpy-vectorize' verification\.allowed is 0, the tolerance "
                                                 "rule allows 2 of 15 pixels"):
        readers.check_baselines(doc, "r.json")


def test_the_readers_loosest_tolerance_is_the_extensions():
    """The loosest rule the checker lets a rung's file claim (checked without the extension: mandel_core's
    Tolerance::F32, crates/report/src/check.rs) is the loosest any kernel or rung gets: a rung that records no rule
    may allow that many pixels, not one more."""
    from ladderlib import readers

    rules = [m.tolerance(p, fused) for p in ("f32", "f64") for fused in (False, True)]
    loosest = max(rules, key=lambda r: m.allowed(r, 921600))
    assert all(r["max_fraction"] <= loosest["max_fraction"] and r["slack_pixels"] <= loosest["slack_pixels"]
               for r in rules)
    most = m.allowed(loosest, 921600)

    def baselines(allowed):
        verification = {"pixels": 921600, "differing": allowed, "allowed": allowed, "ok": True}
        return {"schema": "mandel-baselines/1", "rungs": [{"name": "numba", "median_s": None,
                                                            "verification": verification}]}

    readers.check_baselines(baselines(most))
    with pytest.raises(readers.InputError, match=rf"allowed is {most + 1} \(no recorded tolerance\), above the {most} "):
        readers.check_baselines(baselines(most + 1))


def test_readme_lists_every_field_a_rung_gets():
    """python_baselines/README.md's result-file section names every field of a rung's entry: those every rung
    gets, the tool fields of the rungs run by another tool (build_s for the built ones), PyPy's own; and
    compile_s is not said to be Numba's only (PyPy's warm-up is one too)."""
    from python_baselines import rungs

    text = (Path(run.__file__).parent / "README.md").read_text()
    section = " ".join(text[text.index("## The result file"):text.index("Nothing is lost:")].split())
    rung = next(r for r in rungs.python_rungs() if r.name == "python-pure")
    fields = set(run.new_entry(rung)) - {"description"}
    for tool in ("cython", "pypy"):
        fields |= set(rungs._tool({"tool": tool})[1])
    fields |= {"interpreter", "python_version", "warmup_renders", "speedup_vs_python_pure"}
    assert {"tool", "tool_version", "build_s", "compile_s"} <= fields
    for field in sorted(fields):
        assert field in section, field
    assert "Numba only" not in section and "PyPy's JIT warm-up" in section


@pytest.mark.parametrize("name,value,refused", [("OMP_NUM_THREADS_ALL", "1000000000", True),
                                                ("OMP_NUM_THREADS_DEV_1", "abc", True),
                                                ("OMP_NUM_THREADS_ALL", "2,0", True),
                                                ("OMP_NUM_THREADS_ALL", "2", False)])
def test_omp_num_threads_suffixed_spellings_follow_its_rule(monkeypatch, name, value, refused):
    """GCC 13's libgomp reads OMP_NUM_THREADS_ALL (the host's count when the plain one is unset), _DEV and
    _DEV_<n>: a huge one would abort the run as OMP_NUM_THREADS would, so each follows the same rule."""
    from python_baselines import compiled_rungs

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv(name, value)
    error = compiled_rungs.omp_environment_error()
    assert (error is not None and error.startswith(f"{name}={value!r} must be a whole number")) == refused, error


def test_the_file_records_the_tunings_the_extensions_kernels_ran(tmp_path):
    """The tunings the pyo3- rows' kernels resolved in this process, as a round records its own: the merge compares
    them with the Rust rows' (crates/report/src/rows.rs, blank_other_tuning). A family whose kernels did not run is left out
    (asking would calibrate it); the C reference's selection is made when describe() lists it as available."""
    out = tmp_path / "b.json"
    env = {**os.environ, "MANDEL_TUNING": "F32:Default,f64:default", "MANDEL_C_TUNING": "default"}
    proc = subprocess.run([sys.executable, *RUN_PY, "--quick", "--width", "5", "--height", "3", "--only",
                           "pyo3-simd-f32,pyo3-naive-f64", "--out", str(out)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    tunings = dict(doc["extension_tunings"])
    with_c = next(k for k in m.kernels() if k["name"] == "c-ref-f32")["available"]  # no simd-f64: not run
    assert sorted(tunings) == (["c-reference", "simd-f32"] if with_c else ["simd-f32"]), tunings
    assert re.fullmatch(r"v[1-9][0-9]*k[1-9][0-9]* \(default\)", tunings["simd-f32"])  # the path's default
    assert not with_c or re.fullmatch(r"v[1-9][0-9]*k[1-9][0-9]* \(default\)", tunings["c-reference"])
    from ladderlib import readers

    assert readers.read_baselines(out)["extension_tunings"] == doc["extension_tunings"]


def test_a_mandel_report_that_cannot_describe_the_machine_is_refused_before_any_timing(tmp_path, monkeypatch, capsys):
    """The machine description ends the result file, and mandel-report gives its CPU part (ladderlib.machine): a
    MANDEL_REPORT_BIN that is not one (or no cargo to build one) was found only after every rung was timed, a
    traceback and no file; it is refused first, as a bad --out is."""
    monkeypatch.setattr(run, "measure", _no_timing)
    monkeypatch.setenv("MANDEL_REPORT_BIN", str(tmp_path / "no-such-mandel-report"))
    assert run.main(["--quick", "--width", "5", "--height", "3", "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert "run.py: error: MANDEL_REPORT_BIN=" in err and "before timing" in err
    assert not (tmp_path / "r.json").exists()
