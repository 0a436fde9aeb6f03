"""scripts/compare: machines side by side (ratios, ISA/threads/verification columns, geometric means, the
grouped chart), two runs of one machine (verdicts, --fail-above, --baseline), and the refusal of results
from different problems or settings."""

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import compare_report as report
import ladder_fixtures as fx
import verdict_rule as verdict
from ladderlib import CANONICAL, baseline, readers, writers
from ladderlib.merge import merge
from ladderlib.readers import InputError

SVG = "{http://www.w3.org/2000/svg}"


def make_summary(tmp_path, tag, scale, drop=(), machine_id=None, isa=None, scales=None, settings=None,
                 params=None, ci=(0.99, 1.01)):
    """A merged summary: naive-f64 0.1 s, fma-f64 0.05 s, rayon-fma-f64 0.025 s, python-pure 5 s, numba 0.5 s,
    every time times `scale` (or `scales[name]`); `isa` {kernel: path} overrides the ISA column."""
    root = tmp_path / f"crit-{tag}"
    for name, path, t in (("naive-f64", "scalar", 0.1), ("fma-f64", "fma", 0.05), ("rayon-fma-f64", "fma", 0.025)):
        fx.criterion_bench(root, name, (isa or {}).get(name, path), t * (scales or {}).get(name, scale), ci=ci)
    crit = {k: v for k, v in fx.read_criterion(root).items() if k not in drop}
    py = (scales or {}).get("python", scale)
    base = fx.baselines([fx.rung("python-pure", 5.0 * py), fx.rung("numba", 0.5 * py)], params=params)
    s = merge({**fx.MACHINE}, machine_id or f"machine-{tag}", settings or fx.SETTINGS, registry=fx.REGISTRY,
              criterion=crit, verify={k["name"]: fx.verify_row(k["name"]) for k in fx.REGISTRY}, baselines=base)
    return s


def write_summary(tmp_path, tag, scale, **kw):
    path = tmp_path / tag / "summary.json"
    path.parent.mkdir(parents=True)
    path.write_text(writers.json_text(make_summary(tmp_path, tag, scale, **kw)))
    return path


# --- machines ------------------------------------------------------------------------------------


def test_ratios_and_missing_rungs(tmp_path):
    a = readers.read_summary(write_summary(tmp_path, "a", 1.0))
    b = readers.read_summary(write_summary(tmp_path, "b", 2.0, drop={"fma-f64"}))
    header, body = report.table([a, b])
    entries = {row[0]: dict(zip(header, row)) for row in body}
    assert entries["naive-f64"]["B/A time"] == "2.00"
    # both machines' pure Python are also 2x apart: the speedups over their own Python are equal
    assert entries["naive-f64"]["B/A speedup"] == "1.00"
    assert entries["python-pure"]["B/A time"] == "2.00"
    assert entries["fma-f64"]["B time"] == "missing"
    assert entries["fma-f64"]["B/A time"] == entries["fma-f64"]["B/A speedup"] == "—"
    assert header == ["rung", "precision",
                      "A time", "A speedup", "A ISA", "A threads", "A check",
                      "B time", "B speedup", "B ISA", "B threads", "B check",
                      "B/A time", "B/A speedup", "note"]
    lines = {row[0]: row for row in body}
    assert lines["naive-f64"] == ["naive-f64", "f64", "100 ms", "50.00", "scalar", "1", "ok",
                                  "200 ms", "50.00", "scalar", "1", "ok", "2.00", "1.00", ""]
    assert lines["fma-f64"][7:] == ["missing", "—", "fma", "1", "ok", "—", "—", ""]
    assert lines["numpy-vectorize"][2] == "missing" and lines["numpy-vectorize"][7] == "missing"


def test_rung_absent_from_one_file_is_missing(tmp_path):
    a = readers.read_summary(write_summary(tmp_path, "a", 1.0))
    b = readers.read_summary(write_summary(tmp_path, "b", 0.5))
    b["rows"] = [r for r in b["rows"] if r["name"] != "rayon-fma-f64"]
    lines = {row[0]: row for row in report.table([b, a])[1]}
    assert lines["rayon-fma-f64"][2:8] == ["missing", "—", "—", "—", "—", "25.0 ms"]
    assert lines["rayon-fma-f64"][-3:] == ["—", "—", ""]
    assert lines["naive-f64"][-3] == "2.00"  # A (0.1 s) over B (0.05 s)


def test_isa_and_threads_columns_and_the_isa_note(tmp_path):
    a = make_summary(tmp_path, "a", 1.0, isa={"fma-f64": "avx512"})
    b = make_summary(tmp_path, "b", 1.0, isa={"fma-f64": "avx2"})
    failed = next(r for r in b["rows"] if r["name"] == "naive-f64")
    failed.update(status="failed", verified_ok=False, differing=5000, allowed=0)
    lines = {row[0]: row for row in report.table([a, b])[1]}
    assert lines["fma-f64"][4] == "avx512" and lines["fma-f64"][9] == "avx2"
    assert lines["fma-f64"][-1] == "ISA differs"
    assert lines["rayon-fma-f64"][5] == "pool(2)" and lines["rayon-fma-f64"][-1] == ""
    assert lines["naive-f64"][7] == "FAILED" and lines["naive-f64"][11] == "FAIL 5,000/0"
    text = "\n".join(report.summary_lines([a, b]))
    assert "ISA differs on 1 rungs (fma-f64): their ratio mixes the hardware with the instruction set" in text
    assert "SIMD path avx512" in report.legend([a, b])[0] and "SIMD path avx2" in report.legend([a, b])[1]


def test_sets_of_different_commits_are_flagged(tmp_path):
    a, b = make_summary(tmp_path, "a", 1.0), make_summary(tmp_path, "b", 1.0)
    assert not any("different code" in line for line in report.summary_lines([a, b]))
    b["machine"]["git_commit"] = "def456-dirty"
    text = "\n".join(report.summary_lines([a, b]))
    assert "The sets ran different code (commits A abc123, B def456-dirty)" in text
    del a["machine"]["git_commit"], b["machine"]["git_commit"]
    assert "The sets' code is unknown (commits A ?, B ?)" in "\n".join(report.summary_lines([a, b]))


def test_geometric_mean_over_rungs_both_timed_and_verified(tmp_path):
    scales = {"naive-f64": 2.0, "fma-f64": 8.0, "rayon-fma-f64": 0.5, "python": 1.0}
    a = make_summary(tmp_path, "a", 1.0, isa={"fma-f64": "avx512"})
    b = make_summary(tmp_path, "b", 1.0, scales=scales, isa={"fma-f64": "avx2"})
    # python-pure 1, numba 1, naive 2, fma 8, rayon 0.5: (2 * 8 * 0.5) ** (1/5)
    assert means(a, b) == (f"geometric mean of B/A time over the 5 rungs both timed and verified: {8 ** 0.2:.2f} "
                           f"(same ISA path {1.0:.2f} over 4; ISA differs {8.0:.2f} over 1); of B/A speedup over its "
                           f"own pure Python: {(0.5 * 0.125 * 2.0) ** 0.2:.2f} over 5")
    # an unrecorded path (an older set's Mojo rows) differs from none, as in the per-row flag (a review)
    next(r for r in a["rows"] if r["name"] == "naive-f64")["isa"] = None
    assert "(same ISA path 1.00 over 4; ISA differs 8.00 over 1)" in means(a, b)
    assert "ISA differs" not in next(row for row in report.table([a, b])[1] if row[0] == "naive-f64")[-1]
    # a rung failing verification on one side leaves the mean
    row = next(r for r in b["rows"] if r["name"] == "fma-f64")
    row.update(status="failed", verified_ok=False)
    assert means(a, b).startswith("geometric mean of B/A time over the 4 rungs both timed and verified: 1.00 ")


def means(a, b):
    """The sentence of B's geometric means over A."""
    return next(x for x in report.summary_lines([a, b]) if x.startswith("geometric mean of B/A"))


def test_grouped_chart_has_one_bar_per_machine_and_timed_rung(tmp_path):
    a = make_summary(tmp_path, "a", 1.0)
    b = make_summary(tmp_path, "b", 2.0, drop={"fma-f64"}, isa={"naive-f64": "avx2"})
    root = ET.fromstring(report.chart([a, b]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    timed = {side: [r["name"] for r in s["rows"] if r["status"] == "ok"] for side, s in (("A", a), ("B", b))}
    assert [(r.get("data-side"), r.get("data-rung")) for r in bars if r.get("data-side") == "A"] == \
        [("A", n) for n in timed["A"]]
    assert len(bars) == len(timed["A"]) + len(timed["B"]) == 5 + 4
    widths = {(r.get("data-side"), r.get("data-rung")): float(r.get("width")) for r in bars}
    assert widths[("B", "naive-f64")] > widths[("A", "naive-f64")]  # log scale: 200 ms against 100 ms
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "naive-f64 (ISA differs)" in texts and "missing" in texts  # fma-f64 on B
    assert "numpy-vectorize" not in texts and "python-pure" in texts  # ran on neither / on both
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "legend"]) == 2
    assert "100 ms" in texts and "10 ms" in texts  # the log axis' decades (compare.rs: `decade`)


def test_cli_prints_and_writes_markdown_and_chart(tmp_path):
    a, b = write_summary(tmp_path, "a", 1.0), write_summary(tmp_path, "b", 3.0)
    code, out, _ = report.compare(a.parent, b, "--md", tmp_path / "cmp.md")
    assert code == 0
    assert "A = machine-a" in out and "B/A time" in out and "3.00" in out
    assert "geometric mean of B/A time over the 5 rungs both timed and verified: 3.00" in out
    md = (tmp_path / "cmp.md").read_text()
    assert "| naive-f64 | f64 | 100 ms | 50.00 | scalar | 1 | ok | 300 ms | 50.00 | scalar | 1 | ok | 3.00 | 1.00 |  |" \
        in md
    ET.fromstring((tmp_path / "cmp.svg").read_text())  # written next to --md


def test_wrong_schema_is_a_clear_error(tmp_path):
    bad = fx.write_json(tmp_path / "x" / "summary.json", {"schema": "mandel-baselines/1", "machine_id": "x",
                                                           "rows": []})
    with pytest.raises(InputError, match=r"x/summary\.json: schema is 'mandel-baselines/1'"):
        readers.read_summary(bad)
    code, _, err = report.compare(bad)
    assert code == 2 and err.startswith(f"compare: error: {bad}: schema is 'mandel-baselines/1'")


# --- issue 12: --md never overwrites an input, a bad --md or a bad summary is a clear error ---


def test_compare_md_never_overwrites_an_input(tmp_path):
    a, b = write_summary(tmp_path, "a", 1.0), write_summary(tmp_path, "b", 2.0)
    before = b.read_bytes()
    code, _, err = report.compare(a, b, "--md", b)
    assert code == 2 and f"cannot write --md {b}" in err
    assert b.read_bytes() == before
    # the same file through another spelling of its path
    other = tmp_path / "b" / ".." / "b" / "summary.json"
    code, _, err = report.compare(a, b, "--md", other)
    assert code == 2 and "one of the summaries compared" in err
    assert b.read_bytes() == before


def test_compare_md_into_a_missing_folder_is_a_clear_error(tmp_path):
    a = write_summary(tmp_path, "a", 1.0)
    code, _, err = report.compare(a, "--md", tmp_path / "nodir" / "x.md")
    assert code == 2
    assert "compare: error: cannot write --md" in err and "does not exist" in err and "Traceback" not in err


def test_compare_refuses_a_summary_with_a_negative_time(tmp_path):
    path = write_summary(tmp_path, "a", 1.0)
    data = json.loads(path.read_text())
    data["rows"][0]["median_s"] = -1.0
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"median_s should be a time in seconds from 1e-12 to 1e\+06, found -1.0"):
        readers.read_summary(path)


# --- what must match -----------------------------------------------------------------------------


def test_different_problems_and_settings_are_refused_unless_allowed(tmp_path):
    small = {**CANONICAL, "width": 480, "height": 480}
    quick = {**fx.SETTINGS, "quick": True, "criterion": {**fx.SETTINGS["criterion"], "measurement_s": 1.0}}
    a = write_summary(tmp_path, "a", 1.0)
    b = write_summary(tmp_path, "b", 1.0, params=small, settings=quick)
    diffs = report.differences([readers.read_summary(a), readers.read_summary(b)])
    assert any(d.startswith("problem (Python): {") and "'width': 480" in d for d in diffs)
    assert "quick mode: False in A, True in B (machine-b)" in diffs
    assert "Criterion measurement_s: 3.0 in A, 1.0 in B (machine-b)" in diffs
    code, _, err = report.compare(a, b)
    assert code == 2 and "the results differ in problem or settings" in err and "--allow-different" in err
    code, out, _ = report.compare(a, b, "--allow-different")
    assert code == 0 and "warning: comparing results that differ" in out
    # a side without Python rows is not a different problem: its Python rungs are missing
    c = make_summary(tmp_path, "c", 1.0)
    c["settings"]["python_params"] = None
    assert report.differences([readers.read_summary(a), c]) == []


def test_two_runs_must_come_from_one_machine(tmp_path):
    a = write_summary(tmp_path, "a", 1.0, machine_id="m")
    b = write_summary(tmp_path, "b", 1.0, machine_id="other")
    code, _, err = report.compare(a, b, "--mode", "runs")
    assert code == 2 and "machine id: m in A, other in B" in err


def test_two_runs_on_cpus_of_one_name_but_another_family_model_are_refused(tmp_path):
    """A VM often reports only "AMD EPYC": a Zen 3 (25/1) and a Zen 4 (25/17) run are two machines."""
    def run(tag, family_model):
        path = write_summary(tmp_path, tag, 1.0, machine_id="m")
        data = json.loads(path.read_text())
        data["machine"].update(cpu_model="AMD EPYC", cpu_family_model=family_model)
        if family_model is None:
            del data["machine"]["cpu_family_model"]
        path.write_text(json.dumps(data))
        return path

    zen3, zen4, unrecorded = run("a", "25/1"), run("b", "25/17"), run("c", None)
    code, _, err = report.compare(zen3, zen4)
    assert code == 2 and "CPU family/model: 25/1 in A, 25/17 in B (m)" in err
    assert report.compare(zen4, run("d", "25/17"))[0] == 0  # the same family/model: one machine
    # a set that does not record it is judged by the rest, as before
    assert report.differences([readers.read_summary(unrecorded), readers.read_summary(zen4)], same_machine=True) == []


# --- two runs ------------------------------------------------------------------------------------


def test_cli_runs_mode_verdicts_and_fail_above(tmp_path):
    a = write_summary(tmp_path, "a", 1.0, machine_id="m")
    b = write_summary(tmp_path, "b", 1.0, machine_id="m", scales={"fma-f64": 1.3, "rayon-fma-f64": 0.8})
    # B's Python rows measured again (the fixtures' baselines all carry one date: one measurement otherwise)
    data = json.loads(b.read_text())
    data["settings"]["python_machine"]["date"] = "2026-11-26T04:10:00Z"
    b.write_text(writers.json_text(data))
    code, out, _ = report.compare(a, b)
    assert code == 0  # same machine id: verdicts
    lines = {line.split()[0]: line for line in out.splitlines() if line.split()}
    assert lines["fma-f64"].split()[-2:] == ["+30.0%", "slower"]
    assert lines["rayon-fma-f64"].split()[-2:] == ["-20.0%", "faster"]
    assert lines["naive-f64"].split()[-3:] == ["+0.0%", "no", "change"]
    assert "verdicts: 1 faster, 1 slower, 3 no change" in out
    assert "timed in neither run (left out): numpy-vectorize" in out
    code, out, _ = report.compare(a, b, "--fail-above", "25")
    assert code == 1 and "FAIL: fma-f64: +30.0% slower (threshold 25%)" in out
    assert report.compare(a, b, "--fail-above", "35")[0] == 0
    # 30% slower under a 40% noise floor is no change, and so no failure
    assert report.compare(a, b, "--fail-above", "5", "--noise-floor", "40")[0] == 0
    assert report.compare(a, b, "--mode", "machines", "--fail-above", "5")[0] == 2


def test_baseline_saved_by_the_ladder_is_compared_with_the_current_results(tmp_path):
    results = tmp_path / "results" / "m"
    results.mkdir(parents=True)
    writers.write_all(verdict.MANDEL_REPORT, make_summary(tmp_path, "a", 1.0, machine_id="m"), results)
    (results / "raw").mkdir()
    (results / "raw" / "machine.json").write_text("{}")
    baseline.save(results, "before")
    writers.write_all(verdict.MANDEL_REPORT, make_summary(tmp_path, "b", 1.0, machine_id="m", scales={"naive-f64": 1.5}), results)
    code, out, _ = report.compare("--baseline", "before", "--results-dir", results, "--fail-above", "10",
                                  "--md", tmp_path / "runs.md")
    assert code == 1
    assert "A (baseline before) = m" in out and "B (current) = m" in out
    assert "FAIL: naive-f64: +50.0% slower (threshold 10%)" in out
    md = (tmp_path / "runs.md").read_text()
    assert "| naive-f64 | 100 ms | 99.0–101 ms | 150 ms | 149–152 ms | 1.50 | +50.0% | slower |  |" in md
    code, _, err = report.compare("--baseline", "after", "--results-dir", results)
    assert code == 2 and "no baseline 'after'" in err and "baselines there: before" in err


def test_load_average_is_shown_and_a_busy_run_is_flagged(tmp_path):
    a = make_summary(tmp_path, "a", 1.0, machine_id="m")
    b = make_summary(tmp_path, "b", 2.0, machine_id="m")
    a["machine"] = {**a["machine"], "load_average": [0.1, 0.2, 0.3], "load_average_after_bench": [1.4, 0.9, 0.5]}
    b["machine"] = {**b["machine"], "load_average": [2.5, 2.0, 1.0], "load_average_after_bench": [4.31, 3.2, 1.7]}
    legend = report.legend([a, b])
    assert legend[0].endswith(", load average 0.10 at start, 1.40 after the benches")
    assert legend[1].endswith(", load average 2.50 at start, 4.31 after the benches")
    text = report.runs_text(a, b, 0.1)  # B: 4.31 on 2 cores
    assert "B ran on a busy machine (load average 4.31 on 2 cores after the benches, above the cores)" in text
    assert "A ran on a busy machine" not in text


def test_a_run_whose_machine_changed_speed_within_it_is_named():
    """The drift note speaks of a change between the runs; one within run B, in its own rounds, is B's (a review:
    compare said the machine 'probably changed speed between the runs')."""
    committed = Path(__file__).resolve().parents[2] / "results" / "intel-xeon-m207-2c"
    if not committed.exists():
        pytest.skip("no committed set")
    a = json.loads((committed / "summary.json").read_text())
    b = copy.deepcopy(a)
    for r in b["rows"]:  # B's rounds 1, 4, 6 and 7 25% slower in every kernel: the rows' medians stay
        if r.get("round_times_s"):
            r["round_times_s"] = [t * (1.25 if i in (1, 4, 6, 7) else 1.0) for i, t in enumerate(r["round_times_s"])]
    lines = [x for x in report.runs_summary(a, b, 0.1) if "speed changed" in x]
    assert len(lines) == 1 and lines[0].startswith(
        "WARNING: the machine's speed changed during the rounds of B: the middle half of the rounds spans 2")
    assert "(the slower: round #1, #4, #6, #7)" in lines[0]
    for r in b["rows"]:  # rows that failed are not read, however their rounds ran: B is not checked, and says so
        r["status"] = "failed" if r.get("round_times_s") else r["status"]
    assert [x for x in report.runs_summary(a, b, 0.1) if "speed changed" in x] == [
        "whether the machine's speed changed during the rounds of B is not checked: that needs 6 rows timed in every "
        "one of 4 rounds or more"]


def test_the_runs_summary_names_a_drift_of_every_rung():
    def rows(times):
        return [{"name": f"r{i}", "status": "ok", "median_s": t, "spread_low_s": t, "spread_high_s": t}
                for i, t in enumerate(times)]

    a, b = rows([1.0] * 10), rows([0.97] * 10)
    assert any("every rung moved the same way: faster in at least 90% of the 10 timed in both" in line
               for line in report.runs_summary(a, b, .1))
    b = rows([1.02] * 2 + [0.97] * 8)
    assert not any("every rung moved" in line for line in report.runs_summary(a, b, .1))


def test_sets_whose_python_rows_ran_on_different_interpreters_are_flagged(tmp_path):
    """Pure Python is every speedup's denominator, and the interpreter's build moves it: two builds of 3.11 are
    told apart by their recorded build; sets from before it was recorded, by their versions."""
    a, b = make_summary(tmp_path, "a", 1.0), make_summary(tmp_path, "b", 1.0)
    for s, build in ((a, "CPython 3.11.7 (GCC 12.2.0; /root/.pyenv/versions/3.11.7)"),
                     (b, "CPython 3.11.7 (GCC 12.2.0; /usr)")):
        s["settings"]["python_machine"] = {**fx.MACHINE, "python_build": build}
    text = "\n".join(report.summary_lines([a, b]))
    assert ("The sets' Python rows ran on different interpreters (A CPython 3.11.7 (GCC 12.2.0; "
            "/root/.pyenv/versions/3.11.7), B CPython 3.11.7 (GCC 12.2.0; /usr))") in text
    b["settings"]["python_machine"]["python_build"] = a["settings"]["python_machine"]["python_build"]
    assert "different interpreters" not in "\n".join(report.summary_lines([a, b]))
    del b["settings"]["python_machine"]["python_build"]  # unknown build, the same version: not flagged
    assert "different interpreters" not in "\n".join(report.summary_lines([a, b]))
    b["settings"]["python_machine"]["python"] = "3.12.3"
    assert ("different interpreters (A CPython 3.11.7 (GCC 12.2.0; /root/.pyenv/versions/3.11.7), B Python 3.12.3 "
            "(build not recorded))") in "\n".join(report.summary_lines([a, b]))
    # a third set that does not record its build hides no difference between two that do (a review)
    b["settings"]["python_machine"].update(python="3.11.7", python_build="CPython 3.11.7 (GCC 12.2.0; /usr)")
    c = make_summary(tmp_path, "c", 1.0)
    assert "C Python 3.11.7 (build not recorded)" in "\n".join(report.summary_lines([a, b, c]))
    # a set without a timed pure Python names no interpreter: its ladder's ran no row (a review)
    c["rows"] = [r for r in c["rows"] if r["name"] != "python-pure"]
    c["machine"]["python"] = "3.12.3"
    assert ", C " not in next(x for x in report.summary_lines([a, b, c]) if "different interpreters" in x)
    # a set that records only a version against one that records only a build: the build's version counts
    c2 = copy.deepcopy(a)
    c2["settings"]["python_machine"] = {k: v for k, v in a["settings"]["python_machine"].items() if k != "python_build"}
    d2 = copy.deepcopy(b)
    d2["settings"]["python_machine"] = {**{k: v for k, v in b["settings"]["python_machine"].items() if k != "python"},
                                        "python_build": "CPython 3.12.3 (GCC 13.2.0; /usr)"}
    assert any("different interpreters" in x for x in report.summary_lines([c2, d2]))
    # one build whose version one side lacks is one interpreter, not two (a review)
    for s in (a, b):
        s["settings"]["python_machine"]["python_build"] = "CPython 3.11.7 (GCC 12.2.0; /usr)"
    del b["settings"]["python_machine"]["python"]
    assert not any("different interpreters" in x for x in report.summary_lines([a, b]))


def test_two_runs_of_one_machine_on_different_interpreters_are_told_apart(tmp_path):
    """The runs mode (an A/A on one VM) compared no interpreter: a pure-Python change from another build read as
    noise or as the code's. Each side's build and version are settings of the run; an older set records none."""
    a, b = make_summary(tmp_path, "a", 1.0), make_summary(tmp_path, "b", 1.0)
    a["settings"]["python_machine"] = {**fx.MACHINE, "python_build": "CPython 3.11.7 (GCC 12.2.0; /opt/py)"}
    b["settings"]["python_machine"] = {**fx.MACHINE, "python": "3.11.2", "python_build": "CPython 3.11.2 (GCC; /usr)"}
    diffs = report.differences([a, b], same_machine=True)
    assert any(d.startswith("Python build") and "/opt/py" in d and "/usr" in d for d in diffs), diffs
    assert any(d.startswith("Python version") for d in diffs), diffs
    del b["settings"]["python_machine"]["python_build"]
    b["settings"]["python_machine"]["python"] = "3.11.7"
    assert not [d for d in report.differences([a, b], same_machine=True) if d.startswith("Python")]
    # an older set, whose baselines recorded no machine of their own, ran them under its ladder's interpreter
    del b["settings"]["python_machine"]
    b["machine"] = {**b["machine"], "python": "3.12.3"}
    assert [d for d in report.differences([a, b], same_machine=True) if d.startswith("Python")] == [
        f"Python version: {fx.MACHINE['python']} in A, 3.12.3 in B (machine-b)"]
