"""sweep.py (the Numba parallel rung's cost-growth sweep) checks its whole plan before timing any point,
and never loses its results to a failed final write."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from python_baselines import sweep

SWEEP = [sys.executable, "-m", "python_baselines.sweep"]


@pytest.mark.parametrize("args, message", [
    (["--sizes", "8", "--size-iters", "0", "--iters", "10", "--iters-size", "8"],
     "the size axis' point 8x8, 0 iterations: max_iters must be between 1 and 1000000"),
    (["--sizes", "8", "--size-iters", "10", "--iters", "10,5000000", "--iters-size", "8"],
     "the iters axis' point 8x8, 5000000 iterations: max_iters must be between 1 and 1000000"),
    (["--sizes", "8", "--size-iters", "10", "--iters", "10", "--iters-size", "0"],
     "the iters axis' point 0x0, 10 iterations: the size must be at least 1"),
    (["--sizes", "8,20000", "--size-iters", "10", "--iters", "10", "--iters-size", "8"],
     "the size axis' point 20000x20000, 10 iterations: 20000x20000 is more than the cap of 268435456 pixels"),
])
def test_a_bad_point_is_refused_before_any_point_is_timed(tmp_path, args, message):
    out = tmp_path / "s.json"
    proc = subprocess.run([*SWEEP, *args, "--budget", "0", "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert f"sweep.py: error: {message}\n" in proc.stderr
    assert "Traceback" not in proc.stderr and "sweep numba-parallel:" not in proc.stderr  # nothing timed
    assert not out.exists()


def test_plan_error_passes_a_good_plan():
    assert sweep.plan_error(sweep.points([1, 16384], 1, [1_000_000], 1), 16384 * 16384, 1_000_000) is None
    assert "size must be at least 1" in sweep.plan_error([("size", -3, 10)], 100, 100)


def test_a_failed_final_write_keeps_the_results(tmp_path, monkeypatch, capsys):
    """--out was checked first, then became a folder while the points were timed: the JSON goes to the
    temporary folder (exit 1), not a traceback that loses it."""
    out = tmp_path / "s.json"

    def fake_sweep(compute, reference, compare, kernel, threads, plan, budget, progress=sys.stderr):
        out.mkdir()
        return {"kernel": kernel, "points": [{"axis": a, "width": n, "max_iters": it} for a, n, it in plan]}

    monkeypatch.setattr(sweep, "sweep", fake_sweep)
    monkeypatch.setattr("python_baselines.numba_rungs.threads", lambda: 2)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    assert sweep.main(["--sizes", "8", "--size-iters", "10", "--iters", "10", "--iters-size", "8",
                       "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"sweep.py: error: cannot write {out}" in err and "saved to" in err and "Traceback" not in err
    saved = Path(err.split("saved to ")[1].split()[0])
    assert json.loads(saved.read_text())["points"][1] == {"axis": "iters", "width": 8, "max_iters": 10}
    assert out.is_dir() and not os.listdir(out)


def test_a_tiny_sweep_writes_its_file(tmp_path):
    out = tmp_path / "s.json"
    proc = subprocess.run([*SWEEP, "--sizes", "8", "--size-iters", "10", "--iters", "5", "--iters-size", "6",
                           "--budget", "0", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert [(p["axis"], p["width"], p["max_iters"]) for p in doc["points"]] == [("size", 8, 10), ("iters", 6, 5)]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(monkeypatch):
    """An even number of timed calls: the median is the mean of the middle two, not the upper one."""
    import io

    import numpy as np

    counts = np.ones((2, 2), np.uint32)
    monkeypatch.setattr(sweep, "time_calls", lambda compute, problem, budget: [4.0, 1.0, 3.0, 2.0])
    result = sweep.sweep(lambda problem: counts, lambda **problem: counts, lambda a, b: {"differing": 0}, "k", 1, [("size", 2, 5)], 0,
                         progress=io.StringIO())
    point = result["points"][0]
    assert (point["median_s"], point["min_s"], point["times_s"]) == (2.5, 1.0, [4.0, 1.0, 3.0, 2.0])


def test_a_point_that_differs_from_the_reference_is_never_timed(monkeypatch):
    import io

    import numpy as np

    timed = []
    monkeypatch.setattr(sweep, "time_calls", lambda compute, problem, budget: timed.append(problem) or [1.0])
    wrong = lambda problem: np.zeros((problem.height, problem.width), np.uint32)  # noqa: E731
    compare = lambda a, b: {"differing": int((a != b).sum())}  # noqa: E731
    with pytest.raises(SystemExit, match="at 2x2/5: 4 pixels differ from the reference"):
        sweep.sweep(wrong, lambda **p: np.ones((2, 2), np.uint32), compare, "k", 1, [("size", 2, 5)], 0,
                    progress=io.StringIO())
    assert timed == []
