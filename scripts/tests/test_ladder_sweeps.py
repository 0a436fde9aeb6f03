"""The cost-growth sweeps: picking the rungs, the fit, the CSV, the SVG (the report: `mandel-report sweeps`, through
sweeps_report), and the Numba sweep's JSON."""

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ladderlib import readers, sweeps
from ladderlib.readers import InputError

import ladder_fixtures as fx
import sweeps_report as report

SIZES = [240, 480, 960, 1920, 3840]
CAPS = [50, 100, 200, 500, 1000, 2000, 5000]
# sweeps.csv's columns, in order (crates/report/src/sweeps.rs, CSV_COLUMNS).
CSV_COLUMNS = ["kernel", "isa", "precision", "threads", "axis", "width", "height", "pixels", "max_iters",
               "iterations", "min_s", "median_s", "timed_calls", "ns_per_iteration", "fit_s", "off_fit"]


def sweep(kernel, ns=2.0, overhead=0.0, threads=1, bump=None):
    """A synthetic `mandel sweep --json`: time = overhead + ns * iterations, with `bump` {index: factor}."""
    points = []
    for axis, plan in (("size", [(n, 200) for n in SIZES]), ("iters", [(960, c) for c in CAPS])):
        for n, cap in plan:
            iterations = n * n * cap // 4
            t = overhead + ns * 1e-9 * iterations
            points.append({"axis": axis, "width": n, "height": n, "max_iters": cap, "iterations": iterations,
                           "differing": 0, "allowed": 0, "median_s": t, "min_s": t * 0.98, "times_s": [t, t, t]})
    for i, factor in (bump or {}).items():
        points[i]["median_s"] *= factor
    return {"kernel": kernel, "isa": "avx512", "precision": "f32", "threads": threads, "points": points}


def test_an_exact_line_is_recovered():
    f = report.fit(sweep("k", ns=2.5, overhead=1e-4)["points"][:5])
    assert f["ns_per_iteration"] == pytest.approx(2.5, rel=1e-9)
    assert f["intercept_s"] == pytest.approx(1e-4, rel=1e-6)
    assert f["r2"] == pytest.approx(1.0)
    assert 0.9 < f["exponent"] < 1.0  # a fixed cost bends the log-log slope below 1
    assert f["off_line"] == [] and f["max_rel_residual"] < 1e-9


def test_a_point_off_the_line_is_flagged():
    # The smallest image three times slower than the line (thread start-up, say).
    s = sweep("k", ns=1.0, bump={0: 3.0})
    f = report.fit(report.axes(s)["size"])
    assert f["off_line"] == [0]
    assert f["ns_per_iteration"] == pytest.approx(1.0, rel=0.05)
    assert "240x240/200 slower than the line (a small problem" in report.describe_fit(report.axes(s)["size"])


def test_a_slightly_slower_largest_problem_does_not_bend_the_line_onto_the_smallest():
    # As measured for fma-f32: 3840x3840 3% slower per iteration (its 59 MB output leaves the caches).
    # Plain least squares let that point alone pull the intercept negative and flag 240x240 60% off.
    s = sweep("k", ns=2.06, bump={4: 1.03})
    f = report.fit(report.axes(s)["size"])
    assert f["off_line"] == []
    assert f["ns_per_iteration"] == pytest.approx(2.06, rel=0.03)
    assert f["exponent"] == pytest.approx(1.0, abs=0.01)


def test_two_slow_points_are_flagged_not_kept_with_a_good_one_dropped():
    # 1 ns/iteration plus 0.1 ms, the 2nd and 4th points 30% and 35% slow. Searching for the largest subset that
    # passes kept both slow points, dropped a good one and reported a slope 8.4% high, "linear within 20%".
    xs = [10**6, 4 * 10**6, 16 * 10**6, 64 * 10**6, 256 * 10**6, 10**9, 4 * 10**9]
    ts = [1e-4 + 1e-9 * x for x in xs]
    ts[1] *= 1.3
    ts[3] *= 1.35
    pts = [{"iterations": x, "median_s": t, "width": 1000, "height": 1000, "max_iters": 4000} for x, t in zip(xs, ts)]
    f = report.fit(pts)
    assert f["ns_per_iteration"] == pytest.approx(1.0, rel=0.01)
    assert f["intercept_s"] == pytest.approx(1e-4, rel=0.01)
    assert f["off_line"] == [1, 3] and f["fitted_points"] == 5
    assert "linear within" not in report.describe_fit(pts)


def test_fit_needs_two_points_with_positive_times():
    assert report.fit(sweep("k")["points"][:1]) is None
    pts = sweep("k")["points"][:5]
    pts[2]["median_s"] = 0.0
    assert report.fit(pts) is None


def test_csv_has_a_complete_row_for_every_kernel_and_point():
    data = [sweep("rayon-simd-f32"), sweep("fma-f32", ns=2.0), sweep("numba-parallel", ns=3.0, threads=2)]
    rows = list(csv.DictReader(io.StringIO(report.to_csv(data))))
    assert len(rows) == 3 * (len(SIZES) + len(CAPS))
    assert {(r["kernel"], r["axis"], int(r["width"]), int(r["max_iters"])) for r in rows} == {
        (k, axis, n, cap) for k in ("rayon-simd-f32", "fma-f32", "numba-parallel")
        for axis, n, cap in [("size", n, 200) for n in SIZES] + [("iters", 960, c) for c in CAPS]}
    for r in rows:
        assert list(r) == CSV_COLUMNS
        assert all(r[c] != "" for c in CSV_COLUMNS), r
        assert float(r["ns_per_iteration"]) == pytest.approx(float(r["median_s"]) / int(r["iterations"]) * 1e9)
        assert int(r["pixels"]) == int(r["width"]) * int(r["height"])


def test_best_rungs_are_picked_from_the_summary():
    registry = [{"name": n, "one_lane": one_lane, "algorithmic": algorithmic} for n, one_lane, algorithmic in [
        ("fma-f32", True, False), ("simd-f32", False, False), ("rayon-simd-f32", False, False),
        ("rayon-fma-f32", True, False), ("rayon-simd-algorithmic-f32", False, True), ("naive-f64", True, False)]]

    def row(kernel, median, isa, threads, status="ok"):
        return {"kernel": kernel, "name": kernel, "language": "Rust", "status": status, "computes": "counts",
                "median_s": median, "isa": isa, "threads_n": threads}
    summary = {"rows": [
        {"name": "numba", "kernel": None, "language": "Python", "status": "ok", "computes": "counts", "median_s": 0.05},
        row("fma-f32", 0.081, "fma", 1), row("simd-f32", 0.0044, "avx512", 1),
        row("rayon-fma-f32", 0.040, "fma", 2), row("rayon-simd-f32", 0.0023, "avx512", 2),
        row("rayon-simd-algorithmic-f32", 0.0012, "avx512", 2),  # faster, but algorithmic
        row("naive-f64", 0.001, "scalar", 1, status="failed"),  # failed verification: never picked
    ]}
    assert sweeps.pick_kernels(summary, registry) == ("rayon-simd-f32", "fma-f32")
    assert sweeps.pick_kernels({"rows": []}, registry) == (None, None)


def test_svg_is_well_formed_with_a_series_and_a_fit_per_kernel():
    data = [sweep("rayon-simd-f32", ns=0.06), sweep("fma-f32", ns=2.0)]
    root = ET.fromstring(report.svg(data, "iters"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [p.get("data-kernel") for p in root.findall("s:path[@class='series']", ns)] == ["rayon-simd-f32", "fma-f32"]
    assert len(root.findall("s:path[@class='fit']", ns)) == 2
    assert len(root.findall("s:circle", ns)) == 2 * len(CAPS)


def test_write_all_writes_every_file(tmp_path):
    data = [sweep("rayon-simd-f32", ns=0.06), sweep("fma-f32")]
    paths, _ = sweeps.write_all(report.MANDEL_REPORT, data, tmp_path / "sweeps", "xeon-2c")
    assert sorted(p.name for p in paths) == ["sweep-iters.svg", "sweep-size.svg", "sweeps.csv", "sweeps.json",
                                             "sweeps.md"]
    doc = json.loads((tmp_path / "sweeps" / "sweeps.json").read_text())
    assert doc["schema"] == sweeps.SCHEMA and len(doc["fits"]) == 4
    assert {f["kernel"] for f in doc["fits"]} == {"rayon-simd-f32", "fma-f32"}
    md = (tmp_path / "sweeps" / "sweeps.md").read_text()
    assert "| rayon-simd-f32 | 1 | iters | 7 | 0.060 |" in md
    assert md.count("| fitted on 7 of 7 points; linear within 20% everywhere") == 2


def test_the_report_says_how_many_points_each_fit_kept(tmp_path):
    # The smallest image three times slower than the line: left out of the fit, and the report says so.
    data = [sweep("fma-f32", ns=1.0, bump={0: 3.0})]
    sweeps.write_all(report.MANDEL_REPORT, data, tmp_path, "xeon-2c")
    md = (tmp_path / "sweeps.md").read_text()
    assert "| 67% | fitted on 4 of 5 points; 240x240/200 slower than the line" in md
    assert "| 0% | fitted on 7 of 7 points; linear within 20%" in md


def test_numba_sweep_json_has_mandel_sweeps_shape():
    """python_baselines/sweep.py on two tiny points, with a stand-in kernel (Numba's compile would
    dominate): the shape `mandel sweep --json` has, and a wrong kernel is refused."""
    import numpy as np
    from python_baselines import sweep as numba_sweep

    def reference(width, height, max_iters, **_):
        return np.full((height, width), min(max_iters, 7), dtype=np.uint32)

    def compare(a, b):
        return {"differing": int((a != b).sum())}

    plan = numba_sweep.points([8, 16], 200, [50], 8)
    quiet = io.StringIO()
    out = numba_sweep.sweep(lambda p: reference(**p.as_dict()), reference, compare, "numba-parallel", 2, plan, 0.0,
                            progress=quiet)
    assert [(p["axis"], p["width"], p["max_iters"]) for p in out["points"]] == [
        ("size", 8, 200), ("size", 16, 200), ("iters", 8, 50)]
    assert out["points"][1]["iterations"] == 16 * 16 * 7
    assert all(len(p["times_s"]) >= 3 and p["min_s"] <= p["median_s"] for p in out["points"])
    assert set(out) == {"kernel", "isa", "precision", "threads", "points"}
    with pytest.raises(SystemExit, match="pixels differ"):
        numba_sweep.sweep(lambda p: reference(**p.as_dict()) + 1, reference, compare, "numba-parallel", 2, plan, 0.0,
                          progress=quiet)


def test_the_committed_sweep_reports_are_what_the_report_writes():
    """sweeps.md and sweep-<axis>.svg of every committed sweep set, written again from its sweeps.json, byte for
    byte, and its fits the report's."""
    from pathlib import Path

    checked = 0
    for path in sorted((Path(__file__).resolve().parents[2] / "results").glob("*/sweeps/sweeps.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        written = sweeps.report(report.MANDEL_REPORT, doc["sweeps"], doc["machine_id"], doc.get("large"))
        assert written["fits"] == doc["fits"], path
        assert sorted(written["files"]) == ["sweep-iters.svg", "sweep-size.svg", "sweeps.md"]
        for name, text in written["files"].items():
            assert text == (path.parent / name).read_text(encoding="utf-8"), path.parent / name
        checked += 1
    assert checked >= 2


def test_the_ladder_sweeps_the_best_brute_force_and_scalar_rungs_it_timed(tmp_path, monkeypatch, capsys):
    """`scripts/ladder --sweeps` (its commands faked): `mandel sweep` for the fastest brute-force Rust rung
    and the fastest scalar one of this run's summary, each sweep's JSON kept in sweeps/raw/, the fits and
    charts in sweeps/; an unknown --sweep-kernels name is an error naming the known ones."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", *a])  # noqa: E731
    assert run("--sweeps") == 0
    swept = [c[c.index("-k") + 1] for c in fake.calls if c[1:2] == ["sweep"]]
    assert swept == ["rayon-fma-f64", "fma-f64"]  # 0.025 s on the pool; 0.05 s, one lane (naive-f64: 0.1 s)
    doc = json.loads((fake.out / "sweeps" / "sweeps.json").read_text())
    assert [s["kernel"] for s in doc["sweeps"]] == swept and len(doc["fits"]) == 4
    assert json.loads((fake.out / "sweeps" / "raw" / "fma-f64.json").read_text())["kernel"] == "fma-f64"
    assert sorted(p.name for p in (fake.out / "sweeps").glob("sweep-*.svg")) == ["sweep-iters.svg", "sweep-size.svg"]
    # The large image of describe's grid: one `mandel render --json`, its flags from the grid, its report kept.
    [large] = [c for c in fake.calls if c[1:2] == ["render"] and "--json" in c]
    assert large[large.index("-k") + 1] == "rayon-fma-f64"
    assert {"--width=16000", "--height=16000", "--x-min=-1.5", "--x-max=0.5", "--y-min=-1.0", "--y-max=1.0",
            "--max-iters=51"} <= set(map(str, large))
    assert doc["large"]["process_sys_s"] == 0.5
    assert json.loads((fake.out / "sweeps" / "raw" / "large.json").read_text())["iterations"] == 6349719915
    md = (fake.out / "sweeps" / "sweeps.md").read_text()
    assert "render 2.100 s" in md and "sys 0.500 s (3.8% system time)" in md
    assert "fit fma-f64 size on 2 of 2 points: 2.000 ns/iteration" in capsys.readouterr().out  # and in the log


def test_a_prebuilt_folder_without_the_report_binary_is_refused_before_any_timing(tmp_path, monkeypatch, capsys):
    """`--prebuilt DIR` writes the summary up, and with --sweeps fits and draws the sweeps, with DIR/mandel-report: a
    DIR without it (one an older scripts/prebuilt made) is refused, naming it and scripts/prebuilt, before anything
    is run, with --sweeps or without; with it, it writes them."""
    import shutil

    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    pre = tmp_path / "prebuilt"
    pre.mkdir()
    (pre / "mandel").write_text("#!/bin/sh\n")
    (pre / "mandel").chmod(0o755)
    argv = ["--out-dir", str(fake.out), "--skip-python", "--sweeps", "--prebuilt", str(pre)]
    assert ladder.guarded(ladder.main, argv) == 2
    err = capsys.readouterr().err
    assert f"no executable {pre.resolve() / 'mandel-report'}" in err and "scripts/prebuilt builds it" in err
    assert fake.calls == [] and not (fake.out / "summary.json").exists()
    assert ladder.guarded(ladder.main, [a for a in argv if a != "--sweeps"]) == 2
    assert f"no executable {pre.resolve() / 'mandel-report'}" in capsys.readouterr().err
    assert fake.calls == [] and not (fake.out / "summary.json").exists()
    shutil.copy(report.MANDEL_REPORT, pre / "mandel-report")
    assert ladder.guarded(ladder.main, argv) == 0
    assert "| fitted on 2 of 2 points" in (fake.out / "sweeps" / "sweeps.md").read_text()


def test_an_unknown_sweep_kernel_is_refused_before_any_timing(tmp_path, monkeypatch, capsys):
    """--sweep-kernels is checked against `mandel describe` as soon as it is read: exit 2 naming the known
    kernels, no `mandel bench` or `mandel sweep` run and nothing written."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    argv = ["--out-dir", str(fake.out), "--skip-python", "--sweeps", "--sweep-kernels", "naive-f64,bogus"]
    assert ladder.guarded(ladder.main, argv) == 2
    err = capsys.readouterr().err
    assert "--sweep-kernels: unknown kernel(s) bogus; known: fma-f64, naive-f64, rayon-fma-f64" in err
    assert [c[1] for c in fake.calls if c[0] != "cargo"] == ["describe"]
    assert not (fake.out / "summary.json").exists() and not (fake.out / "raw").exists()


@pytest.mark.parametrize("argv, message", [
    (["--sweeps", "--sweep-budget", "inf"], "--sweep-budget inf: must be a finite, non-negative number"),
    (["--sweeps", "--sweep-budget", "-1"], "--sweep-budget -1.0: must be a finite, non-negative number"),
    (["--sweeps", "--sweep-budget", "nan"], "--sweep-budget nan: must be a finite, non-negative number"),
])
def test_sweep_flags_that_cannot_run_are_refused_by_parse_args(argv, message, capsys):
    from ladderlib import ladder

    with pytest.raises(SystemExit) as info:
        ladder.parse_args(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_a_finite_sweep_budget_is_accepted():
    from ladderlib import ladder

    assert ladder.parse_args(["--sweeps", "--sweep-budget", "0.25"]).sweep_budget == 0.25


def ladder_with_a_corrupt_sweep(tmp_path, monkeypatch, corrupt):
    """(exit status, fake) of a faked `scripts/ladder --sweeps` whose every `mandel sweep` point #1 is updated with
    `corrupt(point)`."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    sweep_output = fake.split_output

    def corrupted(command, keep, echo=False):
        rc, text = sweep_output(command, keep, echo)
        if "sweep" in map(str, command):
            doc = json.loads(text)
            doc["points"][1].update(corrupt(doc["points"][1]))
            text = json.dumps(doc)
        return rc, text

    monkeypatch.setattr(ladder, "split_output", corrupted)
    return ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"]), fake


def test_a_bad_sweep_is_an_error_naming_the_field(tmp_path, monkeypatch, capsys):
    """A sweep point without a time is refused with the field named (the large image then not rendered)
    (exit 1, the sweep's JSON not kept, nothing written into sweeps/), never a traceback after the summary is
    written."""
    rc, fake = ladder_with_a_corrupt_sweep(tmp_path, monkeypatch, lambda p: {"median_s": None})
    assert rc == 1
    err = capsys.readouterr().out
    assert "mandel sweep -k rayon-fma-f64: point #1 median_s should be a time in seconds" in err
    assert "the large image is not rendered: a sweep failed" in err  # its own refusal: the test below
    assert (fake.out / "summary.json").exists()
    # a sweep failed: this run's raw files aside (the large image not rendered); no sweeps written
    assert [p.name for p in (fake.out / "sweeps" / "raw.failed").glob("*.json")] == []
    assert sorted(p.name for p in (fake.out / "sweeps").iterdir()) == ["raw.failed"]


def test_a_sweep_point_outside_its_tolerance_or_with_its_times_out_of_order_is_refused():
    good = sweep("k")
    assert readers.check_sweep(good, "sweep", "s") is good
    bad = sweep("k")
    bad["points"][3].update(differing=5, allowed=4)
    with pytest.raises(InputError, match="point #3 failed verification .5 pixels differ, 4 allowed"):
        readers.check_sweep(bad, "sweep", "s")
    bad = sweep("k")
    bad["points"][0]["min_s"] = bad["points"][0]["median_s"] * 2
    with pytest.raises(InputError, match="point #0 min_s .* is above median_s"):
        readers.check_sweep(bad, "sweep", "s")


@pytest.mark.parametrize("field, value, message", [
    ("times_s", None, "s: point #2 times_s should be a list of times in seconds, found None"),
    ("iterations", 10**400, "s: point #2 iterations .about 10\\^400. is above 184320000, width x height x max_iters"),
    ("iterations", 960 * 960 * 200 + 1, "s: point #2 iterations .184320001. is above 184320000, width x height x"),
], ids=["null-times", "10**400-iterations", "more-iterations-than-pixels-x-max-iters"])
def test_a_sweep_point_with_null_times_or_impossible_work_is_refused(field, value, message):
    """Refused naming the field and the point, not a TypeError in the CSV writer or an OverflowError in the fit."""
    s = sweep("k")
    s["points"][2][field] = value
    with pytest.raises(InputError, match=message):
        readers.check_sweep(s, "sweep", "s")
    s = sweep("k")
    s["points"][2]["iterations"] = 960 * 960 * 200  # every pixel to max_iters: possible
    del s["points"][2]["times_s"]  # absent: allowed
    assert readers.check_sweep(s, "sweep", "s") is s


@pytest.mark.parametrize("corrupt, message", [
    (lambda p: {"times_s": None}, "point #1 times_s should be a list of times in seconds, found None"),
    (lambda p: {"iterations": 10**400}, "point #1 iterations (about 10^400)"),
    (lambda p: {"iterations": p["width"] * p["height"] * p["max_iters"] + 1}, "point #1 iterations ("),
], ids=["null-times", "10**400-iterations", "more-iterations-than-pixels-x-max-iters"])
def test_the_ladder_refuses_a_sweep_with_null_times_or_impossible_work(tmp_path, monkeypatch, capsys, corrupt,
                                                                       message):
    """The sweep's JSON refused with the field and the point named (exit 1, nothing written into sweeps/), never a
    traceback from the CSV writer or the fit."""
    rc, fake = ladder_with_a_corrupt_sweep(tmp_path, monkeypatch, corrupt)
    assert rc == 1
    out, err = capsys.readouterr()
    assert f"  ERROR: mandel sweep -k rayon-fma-f64: {message}" in out and "Traceback" not in out + err
    assert "width x height x max_iters" in out or "times_s" in message
    assert sorted(p.name for p in (fake.out / "sweeps").iterdir()) == ["raw.failed"]


def test_a_failed_sweep_leaves_the_earlier_sweeps_as_they_were(tmp_path, monkeypatch, capsys):
    """One sweep failing (mandel sweep exit 1) writes nothing over sweeps/: the earlier sweeps.json, .csv, .md,
    charts and raw/ stay byte for byte; this run's raw sweep files go to sweeps/raw.failed/, which the log names.
    A later run whose sweeps all succeed replaces them."""
    from ladderlib import ladder
    from test_ladder_robust import installed, snapshot

    fake = installed(tmp_path, monkeypatch)
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps", *a])  # noqa: E731
    assert run() == 0
    earlier = snapshot(fake.out / "sweeps")
    assert {"sweeps.json", "sweeps.csv", "sweeps.md", "sweep-size.svg", "raw/fma-f64.json", "raw/large.json"} <= set(earlier)
    sweep_output = fake.split_output

    def fma_fails(command, keep, echo=False):
        if "fma-f64" in map(str, command):
            fake.calls.append([str(a) for a in command])
            keep.write("mandel sweep: fma-f64 failed verification\n")
            return 1, ""
        return sweep_output(command, keep, echo)

    monkeypatch.setattr(ladder, "split_output", fma_fails)
    capsys.readouterr()
    assert run() == 1
    out = capsys.readouterr().out
    after = snapshot(fake.out / "sweeps")
    assert {k: v for k, v in after.items() if not k.startswith("raw.failed/")} == earlier
    failed = fake.out / "sweeps" / "raw.failed"
    assert sorted(p.name for p in failed.iterdir()) == ["fma-f64.log", "rayon-fma-f64.json",
                                                       "rayon-fma-f64.log"]
    assert "fma-f64 failed verification" in (failed / "fma-f64.log").read_text()
    assert f"this run's raw sweep files are in {failed}" in out
    assert not [p for p in (fake.out / "sweeps").iterdir() if p.name.startswith(".")]  # no staging left behind

    monkeypatch.setattr(ladder, "split_output", sweep_output)
    (fake.out / "sweeps" / "raw" / "fma-f64.json").write_text("{}")  # the earlier raw/ is replaced whole
    assert run("--sweep-kernels", "naive-f64") == 0
    assert sorted(p.name for p in (fake.out / "sweeps" / "raw").iterdir()) == ["large.json", "naive-f64.json",
                                                                             "naive-f64.log"]
    assert [s["kernel"] for s in json.loads((fake.out / "sweeps" / "sweeps.json").read_text())["sweeps"]] == [
        "naive-f64"]


def test_a_sweep_staging_folder_left_by_a_killed_ladder_is_removed(tmp_path, monkeypatch):
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = fake.out / "sweeps" / f".raw.tmp-{dead.pid}"
    stale.mkdir(parents=True)
    (stale / "fma-f64.log").write_text("killed\n")
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"]) == 0
    assert sorted(p.name for p in (fake.out / "sweeps").iterdir() if p.is_dir()) == ["raw"]


def test_sweeps_stopped_by_an_error_leave_their_raw_files_aside(tmp_path, monkeypatch, capsys):
    """An exception inside the sweeps (a full disk here) moves this run's staging folder to sweeps/raw.failed/,
    naming it, and leaves the earlier sweeps/ as it was."""
    from ladderlib import ladder
    from test_ladder_robust import installed, snapshot

    fake = installed(tmp_path, monkeypatch)
    run = lambda: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"])  # noqa: E731
    assert run() == 0
    earlier = snapshot(fake.out / "sweeps")
    sweep_output = fake.split_output

    def disk_full(command, keep, echo=False):
        if "fma-f64" in map(str, command):
            raise OSError(28, "No space left on device")
        return sweep_output(command, keep, echo)

    monkeypatch.setattr(ladder, "split_output", disk_full)
    assert run() == 1
    failed = fake.out / "sweeps" / "raw.failed"
    assert f"this run's raw sweep files are in {failed}" in capsys.readouterr().out
    assert sorted(p.name for p in failed.iterdir()) == ["fma-f64.log.partial", "rayon-fma-f64.json",
                                                       "rayon-fma-f64.log"]
    assert {k: v for k, v in snapshot(fake.out / "sweeps").items() if not k.startswith("raw.failed/")} == earlier


def test_a_link_at_the_raw_sweep_folder_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    (fake.out / "sweeps").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (fake.out / "sweeps" / "raw.failed").symlink_to(tmp_path / "elsewhere")
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"]) == 2
    assert "raw.failed is a symlink, not a folder" in capsys.readouterr().err
    assert fake.calls == [] and not (fake.out / "summary.json").exists()


def test_sweeps_alone_on_a_kept_set_run_only_on_the_machine_that_measured_it(tmp_path, monkeypatch, capsys):
    """`--skip-bench --skip-python --sweeps`: the sweeps alone, on the rungs of the kept summary; refused (exit 2,
    nothing timed) when the kept raw/machine.json is another machine's, whose set would get this machine's times."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", *a])  # noqa: E731
    assert run() == 0
    fake.calls.clear()
    assert run("--skip-bench", "--sweeps") == 0
    assert [c[c.index("-k") + 1] for c in fake.calls if c[1:2] == ["sweep"]] == ["rayon-fma-f64", "fma-f64"]
    assert (fake.out / "sweeps" / "sweeps.json").exists()
    kept = fake.out / "raw" / "machine.json"
    kept.write_text(json.dumps({**json.loads(kept.read_text()), "cpu_model": "AMD EPYC 9R14"}))
    fake.calls.clear()
    assert run("--skip-bench", "--sweeps") == 2
    assert "--sweeps times this machine (intel-xeon-platinum-8488c-2c), but the set re-merged in" in \
        capsys.readouterr().err
    assert not [c for c in fake.calls if c[1:2] in (["sweep"], ["render"])]


def test_a_large_image_that_failed_its_reference_check_is_never_reported(tmp_path, monkeypatch, capsys):
    """`mandel render --json` reports its sampled check against the reference: a large image whose counts failed
    it (a kernel out of its depth at the view) is refused and fails the sweeps (exit 1, nothing written into
    sweeps/); a report that passed is kept, and one older than the check (no "check") still loads."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    good = {"checked": 4096, "differing": 3, "allowed": 42, "ok": True}
    large = {"kernel": "k", "isa": "avx2", "threads": 2, "width": 8, "height": 8, "max_iters": 5, "times_s": [1.0],
             "paging_s": 0.0}
    assert readers.check_sweep(dict(large), "large", "r")["times_s"] == [1.0]
    assert readers.check_sweep({**large, "check": good}, "large", "r")["check"] == good
    for bad in [{**good, "differing": 50, "ok": False}, {**good, "differing": 50}, {**good, "ok": False}]:
        with pytest.raises(InputError, match="r: failed its check against the reference .(50|3) of 4096 pixels differ, 42 allowed"):
            readers.check_sweep({**large, "check": bad}, "large", "r")
    with pytest.raises(InputError, match="times_s should be a non-empty list"):
        readers.check_sweep({**large, "times_s": []}, "large", "r")
    with pytest.raises(InputError, match="check.ok should be true or false"):
        readers.check_sweep({**large, "check": {**good, "ok": 1}}, "large", "r")
    assert readers.check_sweep({**large, "iterations": 8 * 8 * 5}, "large", "r")["iterations"] == 320
    with pytest.raises(InputError, match=r"r: the image iterations \(321\) is above 320, width x height"):
        readers.check_sweep({**large, "iterations": 321}, "large", "r")

    fake = installed(tmp_path, monkeypatch)
    render_output = fake.capture

    def failed_check(args):
        rc, out, err = render_output(args)
        if str(args[1]) == "render" and out:
            out = json.dumps({**json.loads(out), "check": {**good, "differing": 50, "ok": False}})
        return rc, out, err

    monkeypatch.setattr(ladder, "capture", failed_check)
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"]) == 1
    log = capsys.readouterr().out
    assert "mandel render -k rayon-fma-f64: failed its check against the reference (50 of 4096 pixels differ" in log
    assert not (fake.out / "sweeps" / "sweeps.json").exists()  # the run failed: no sweeps written
    assert (fake.out / "sweeps" / "raw.failed" / "large.json").exists()


def test_the_kept_machine_is_read_once_an_interrupted_runs_raw_is_restored(tmp_path, monkeypatch, capsys):
    """A measuring run killed before its summary leaves its raw/ and the earlier one aside (`.raw.kept-PID`):
    preflight restores the earlier one. The sweeps' machine check reads the restored machine.json, not the
    killed run's (this machine's), so another machine's set is refused."""
    import shutil

    from ladderlib import ladder
    from test_ladder_raw_staging import _dead_pid
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", *a])  # noqa: E731
    assert run() == 0
    kept = fake.out / f".raw.kept-{_dead_pid()}"
    shutil.copytree(fake.out / "raw", kept)
    earlier = json.loads((kept / "machine.json").read_text())
    (kept / "machine.json").write_text(json.dumps({**earlier, "cpu_model": "AMD EPYC 9R14", "date": "2026-01-01"}))
    killed = json.loads((fake.out / "raw" / "machine.json").read_text())
    (fake.out / "raw" / "machine.json").write_text(json.dumps({**killed, "date": "2026-12-31"}))
    fake.calls.clear()
    assert run("--skip-bench", "--sweeps") == 2
    assert "but the set re-merged in" in capsys.readouterr().err
    assert json.loads((fake.out / "raw" / "machine.json").read_text())["cpu_model"] == "AMD EPYC 9R14"  # restored
    assert not [c for c in fake.calls if c[1:2] in (["sweep"], ["render"])]


def test_a_re_merge_keeps_the_sets_own_id_and_a_fifo_among_the_sweep_outputs_is_refused_first(tmp_path, monkeypatch,
                                                                                              capsys):
    """A set named apart from its CPU (an ISA forced: `<id>-avx2`) keeps its summary's id when re-merged without
    --machine-id; and a sweep output that is not a regular file is refused before any work, not after the sweeps
    replaced half of sweeps/."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", *a])  # noqa: E731
    assert run("--machine-id", "xeon-avx2") == 0
    assert run("--skip-bench") == 0
    assert json.loads((fake.out / "summary.json").read_text())["machine_id"] == "xeon-avx2"
    (fake.out / "sweeps").mkdir()
    os.mkfifo(fake.out / "sweeps" / "sweeps.md")
    fake.calls.clear()
    assert run("--sweeps") == 2
    assert "sweeps.md is a FIFO" in capsys.readouterr().err and fake.calls == []


def test_a_large_image_that_mandel_cannot_render_fails_the_sweeps_not_the_run(tmp_path, monkeypatch, capsys):
    """`mandel render` exits 2 when the 1 GiB image cannot be allocated: a failed render (exit 1, the earlier
    sweeps kept), not an input the ladder refuses (exit 2)."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    render_output = fake.capture

    def out_of_memory(args):
        if str(args[1]) == "render" and "--json" in map(str, args):
            return 2, "", "mandel: error: 16000x16000 pixels: cannot allocate 976 MiB for 256000000 counts"
        return render_output(args)

    monkeypatch.setattr(ladder, "capture", out_of_memory)
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", "--sweeps"]) == 1
    assert "cannot allocate 976 MiB" in capsys.readouterr().out
    assert (fake.out / "summary.json").exists() and not (fake.out / "sweeps" / "sweeps.json").exists()


def test_numba_s_environment_is_checked_before_any_work_when_only_its_sweep_runs(tmp_path, monkeypatch, capsys):
    """With --baselines FILE run.py does not run, but with --sweeps the Numba parallel sweep does: a bad
    NUMBA_NUM_THREADS is refused before the Rust rounds, not after them. A link at sweeps/ is refused too."""
    from ladderlib import ladder
    from test_ladder_robust import installed

    fake = installed(tmp_path, monkeypatch)
    baselines = fx.write_json(tmp_path / "b.json", fx.baselines())
    fake.python_refuse = "run.py: error: NUMBA_NUM_THREADS='0' must be a whole number of threads from 1 to 1024"
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), *a])  # noqa: E731
    assert run("--baselines", str(baselines), "--sweeps") == 2
    assert "NUMBA_NUM_THREADS='0'" in capsys.readouterr().err
    assert [c for c in fake.calls if c[0] != "cargo"] == [[fake.calls[0][0], "-m", "python_baselines.run", "--list"]]
    fake.python_refuse = None
    assert run("--baselines", str(baselines)) == 0  # without the sweeps run.py's check is not needed
    (tmp_path / "elsewhere").mkdir()
    (fake.out / "sweeps").symlink_to(tmp_path / "elsewhere")
    assert run("--baselines", str(baselines), "--sweeps") == 2
    assert "sweeps is a symlink" in capsys.readouterr().err and list((tmp_path / "elsewhere").iterdir()) == []


def test_a_point_on_an_axis_the_grid_has_not_is_refused():
    """An axis names a chart file (sweep-<axis>.svg): `a/b` wrote into a folder, after sweeps.json was replaced (a
    review). Only the grid's axes are read."""
    from ladderlib.readers import InputError
    point = {"axis": "a/b", "width": 8, "height": 8, "max_iters": 5, "iterations": 100, "median_s": 1e-3,
             "min_s": 1e-3}
    with pytest.raises(InputError, match="axis"):
        readers.check_sweep({"kernel": "k", "points": [point]}, "sweep", "mandel sweep")
    for axis in ("size", "iters"):
        assert readers.check_sweep({"kernel": "k", "points": [{**point, "axis": axis}]}, "sweep", "x")


def test_sizes_past_64_bits_are_refused_by_name():
    """mandel-report reads them as 64-bit, as mandel writes them; a larger one was refused with serde's message."""
    from ladderlib.readers import InputError
    point = {"axis": "size", "width": 8, "height": 8, "max_iters": 5, "iterations": 100, "median_s": 1e-3,
             "min_s": 1e-3}
    with pytest.raises(InputError, match="the sweep threads is above 2\\^64 - 1"):
        readers.check_sweep({"kernel": "k", "threads": 2**64, "points": [point]}, "sweep", "x")
    with pytest.raises(InputError, match="point #0 width is above 2\\^64 - 1"):
        readers.check_sweep({"kernel": "k", "points": [{**point, "width": 2**64}]}, "sweep", "x")
