"""Edges of the verdicts and of scripts/compare's outputs: a rung failing verification in both runs, rows with
too few rounds for the rank test to ever decide, scripts/ab --fail-on-verdict on failing and missing rungs,
--md/--svg onto the baseline's or the current summary, and --md and --svg naming one file."""

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ladder_fixtures as fx
import verdict_rule as verdict
import ab_fakes as fake
from compare_report import compare
from ladderlib import cargo, writers
from ladderlib.readers import InputError
from test_ladder_compare import make_summary, write_summary


def failed(name="simd-f32"):
    return {"name": name, "status": "failed", "median_s": None, "verified_ok": False}


def ok(name="simd-f32", t=1.0):
    return {"name": name, "status": "ok", "median_s": t, "spread_low_s": t * 0.99, "spread_high_s": t * 1.01,
            "verified_ok": True}


def in_rounds(times, name="simd-f32"):
    q1, q3 = verdict.quartiles(times)
    return {"name": name, "status": "ok", "median_s": statistics.median(times), "spread_low_s": q1,
            "spread_high_s": q3, "round_times_s": list(times), "verified_ok": True}


# --- 1: failing verification in both runs -------------------------------------------------------


def test_failing_in_both_runs_is_named_so_and_fails_fail_above():
    got = verdict.judge(failed(), failed())
    assert got == {"verdict": "failed", "change": None, "why": "failed verification in A and B"}
    assert verdict.failures([failed()], [failed()], fail_above=0.05) == ["simd-f32: fails verification in B (and in A)"]
    # A alone failing is still no CI failure: B, the code under test, verifies
    only_a = verdict.verdicts([failed()], [ok()])
    assert only_a[0]["why"] == "failed verification in A" and verdict.failures([failed()], [ok()], fail_above=0.05) == []


def two_runs(tmp_path, rung, change):
    """Two summaries of one machine, `a` and `b`, with `change(row, tag)` applied to rung `rung`: their paths."""
    paths = []
    for tag in "ab":
        s = make_summary(tmp_path, tag, 1.0, machine_id="m")
        for row in s["rows"]:
            if row["name"] == rung:
                change(row, tag)
        fx.respeed(s)
        path = tmp_path / tag / "summary.json"
        path.parent.mkdir()
        path.write_text(writers.json_text(s))
        paths.append(str(path))
    return paths


def test_compare_fail_above_exits_1_when_a_rung_fails_in_both_runs(tmp_path):
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: row.update(status="failed", median_s=None,
                                                                       verified_ok=False))
    code, out, _ = compare(*paths, "--fail-above", "5")
    assert code == 1
    assert "FAIL: fma-f64: fails verification in B (and in A)" in out
    assert "failed verification in A and B" in out


# --- 2: too few rounds for the rank test ---------------------------------------------------------


@pytest.mark.parametrize("n", [3, 4])
def test_a_tenfold_change_with_few_rounds_is_called_by_the_interquartile_ranges(n):
    a = in_rounds([1.0 + i / 100 for i in range(n)])
    slower = verdict.judge(a, in_rounds([10.0 + i / 10 for i in range(n)]))
    assert slower["verdict"] == "slower" and slower["rule"] == "interquartile"
    assert slower["change"] == pytest.approx(9.0)  # medians 1.01 and 10.1 (3 rounds), 1.015 and 10.15 (4)
    assert f"with {n}+{n} rounds one pair out of order gives p=" in slower["why"]
    assert "beyond the 5% floor" in slower["why"]
    faster = verdict.judge(in_rounds([10.0 + i / 10 for i in range(n)]), a)
    assert faster["verdict"] == "faster" and faster["rule"] == "interquartile"


def test_few_rounds_apart_within_the_floor_or_overlapping_are_no_change():
    a = in_rounds([1.000, 1.001, 1.002])
    near = verdict.judge(a, in_rounds([1.030, 1.031, 1.032]))  # apart, 3% < 5%
    assert near["verdict"] == "no change" and near["why"].startswith("within the 5% floor; rule: interquartile")
    # 20% slower in the median, but B's range reaches down into A's
    wide = verdict.judge(in_rounds([1.0, 1.1, 1.3]), in_rounds([1.2, 1.32, 1.5]))
    assert wide["verdict"] == "no change" and wide["why"].startswith("ranges overlap; rule: interquartile")
    # a caller's floor counts here as with the rank test
    assert verdict.judge(a, in_rounds([1.030, 1.031, 1.032]), rounds_floor=0.02)["verdict"] == "slower"


def test_few_rounds_apart_by_exactly_the_floor_are_no_change():
    """As the rank test's rule: a change must pass the floor, not reach it."""
    a, b = in_rounds([1.000, 1.001, 1.002]), in_rounds([1.030, 1.031, 1.032])
    change = b["median_s"] / a["median_s"] - 1
    at = verdict.judge_rounds(a, b, noise_floor=change)
    assert at["verdict"] == "no change" and at["rule"] == "interquartile"
    assert verdict.judge_rounds(a, b, noise_floor=change * 0.999)["verdict"] == "slower"


def test_enough_rounds_keep_the_rank_test():
    a = in_rounds([1.0 + i / 100 for i in range(6)])
    got = verdict.judge(a, in_rounds([2.0 + i / 100 for i in range(6)]))
    assert got["verdict"] == "slower" and got["rule"] == "rank" and got["why"].startswith("rounds apart (p=0.0022)")


def test_five_rounds_a_side_with_one_stray_round_are_judged_by_their_interquartile_ranges():
    """At 5+5 (scripts/ab --quick) the rank test decides only at complete separation: one B round among A's
    gave p = 0.016 and `no change` for a +890% slowdown, and the interquartile rule was never tried."""
    a = in_rounds([1.00, 1.01, 1.02, 1.03, 1.04])
    got = verdict.judge(a, in_rounds([10.0, 10.1, 10.2, 10.3, 1.035]))
    assert got["p"] == pytest.approx(4 / 252) and got["change"] == pytest.approx(10.1 / 1.02 - 1)
    assert got["verdict"] == "slower" and got["rule"] == "interquartile"
    assert "with 5+5 rounds one pair out of order gives p=0.016, not below 0.01 (these rounds: p=0.016" in got["why"]
    # complete separation at 5+5 reaches p < 0.01: the note says why the rank test still does not decide
    apart = verdict.judge(a, in_rounds([10.0, 10.1, 10.2, 10.3, 10.4]))
    assert apart["rule"] == "interquartile" and apart["p"] < verdict.ALPHA
    assert "one pair out of order gives p=0.016, not below 0.01 (these rounds: p=0.0079" in apart["why"]
    assert "cannot reach" not in apart["why"]
    # the same rule keeps an unchanged 5+5 pair, one round astray, no change
    assert verdict.judge(a, in_rounds([1.00, 1.011, 1.019, 1.031, 1.5]))["verdict"] == "no change"


def test_compare_fails_a_tenfold_slowdown_measured_in_three_rounds(tmp_path):
    scale = {"a": 1.0, "b": 10.0}
    paths = two_runs(tmp_path, "naive-f64", lambda row, tag: row.update(
        in_rounds([0.1 * scale[tag] * f for f in (0.99, 1.0, 1.01)], "naive-f64")))
    code, out, _ = compare(*paths, "--fail-above", "5")
    assert code == 1
    assert "FAIL: naive-f64: +900.0% slower (threshold 5%)" in out
    assert "3+3 rounds: judged by their interquartile ranges, not the rank test" in out
    assert ("1 of the rows in rounds had too few rounds for the rank test to reach p < 0.01 with one pair of rounds "
            "out of order (4 / C(n1+n2, n1) >= 0.01: 5+5, 4+6 or 3+9 rounds, not 3+12)") in out
    assert "5 or fewer a side" not in out  # 4+6 and 3+9 are few rounds too


# --- 2 and 3: scripts/ab and scripts/stability ---------------------------------------------------


unavailable = fake.unavailable


def run_ab(tmp_path, a, b, *argv, verifications_b=None, kernels_a=None, kernels_b=None, **config):
    """scripts/ab on fake rounds: side A times the kernels as `a` ({name: seconds}) gives, B as `b`; (exit, stdout)."""
    code, out, _ = fake.sides(tmp_path, *argv, times_a=a, times_b=b, verifications_b=verifications_b,
                              kernels_a=kernels_a, kernels_b=kernels_b, **config)
    return code, out


SAME3 = {"naive-f64": 0.1, "fma-f64": 0.05, "rayon-fma-f64": 0.025}


def test_ab_calls_a_tenfold_slowdown_in_three_and_four_rounds(tmp_path):
    for n in ("3", "4"):
        code, out = run_ab(tmp_path, SAME3, {**SAME3, "fma-f64": 0.5}, "--rounds", n, "--fail-on-verdict")
        assert code == 1
        line = next(line for line in out.splitlines() if line.startswith("fma-f64"))
        assert line.split()[-1] == "slower" and "+900.0%" in line
        assert (f"with {n}+{n} rounds the rank test cannot reach p < 0.01 with one pair of rounds out of order: "
                "3 rungs were judged") in out
    code, out = run_ab(tmp_path, SAME3, SAME3, "--rounds", "3", "--fail-on-verdict")
    assert code == 0 and "verdicts: 3 no change" in out


def test_ab_judges_alternating_rounds_as_interleaved_and_sequential_passes_as_separate_runs(tmp_path):
    """The quieter side's floor is for rounds that alternated (ABBA): --sequential and --aa run one side's rounds
    after the other's, two separate passes, which keep the wider floor. B's rounds, spread by a slowdown, would set a
    33% floor: interleaved, A's quiet rounds set it, and +10.9% is slower; sequential, it is no change."""
    rounds = {"round_times_a": {"fma-f64": [1.00, 1.005, 1.01, 1.015, 1.02]},
              "round_times_b": {"fma-f64": [1.10, 1.11, 1.12, 1.45, 1.5]}}
    line = lambda out: next(line for line in out.splitlines() if line.startswith("fma-f64"))
    alternating = run_ab(tmp_path, SAME3, SAME3, "--rounds", "5", **rounds)[1]
    sequential = run_ab(tmp_path, SAME3, SAME3, "--rounds", "5", "--sequential", **rounds)[1]
    assert line(alternating).endswith("+10.9%  0.0079  slower"), alternating
    assert line(sequential).endswith("no change (floor 33.0%)"), sequential
    # the rule line states the rule each used
    assert "lie apart, the quieter side's spread (the rounds alternated" in alternating
    assert "the quieter side's" not in sequential and "so the wider side's counts" in sequential


def test_ab_fail_on_verdict_counts_failing_and_missing_rungs(tmp_path):
    bad = {"fma-f64": fx.verification(differing=5, allowed=0, ok=False)}
    untimed = {k: v for k, v in SAME3.items() if k != "fma-f64"}  # a kernel failing verification is not timed
    code, out = run_ab(tmp_path, SAME3, untimed, "--rounds", "5", "--fail-on-verdict", verifications_b=bad)
    assert code == 1 and "verdicts: 2 no change, 1 failed" in out
    # the same run without the option exits 0
    assert run_ab(tmp_path, SAME3, untimed, "--rounds", "5", verifications_b=bad)[0] == 0
    # a rung B no longer times (B's environment rules its ISA path out)
    code, out = run_ab(tmp_path, SAME3, untimed, "--rounds", "5", "--fail-on-verdict",
                       kernels_b=unavailable("fma-f64"))
    assert code == 1 and "verdicts: 2 no change, 1 missing" in out
    # a rung timed on neither side (an ISA the machine lacks) is no verdict
    both = unavailable("fma-f64")
    code, out = run_ab(tmp_path, untimed, untimed, "--rounds", "5", "--fail-on-verdict", kernels_a=both,
                       kernels_b=both)
    assert code == 0 and "verdicts: 2 no change\n" in out and "timed on neither side (left out): fma-f64" in out
    assert not [line for line in out.splitlines() if line.startswith("fma-f64")]  # nor in the table


def ab_help(*argv):
    proc = subprocess.run(fake.command("--help", *argv[1:]) if not argv else fake.command(*argv), capture_output=True,
                          text=True, timeout=60, env={**os.environ, "MANDEL_REPORT_BIN": fake.BIN})
    return proc.returncode, " ".join(proc.stdout.split()), proc.stderr


def test_ab_fail_on_verdict_help_says_what_it_counts():
    code, text, _ = ab_help()
    assert code == 0
    assert "exit 1 if any rung is not `no change`: faster, slower, failing verification or not timed on a side" in text


def test_ab_noise_floor_is_a_percent_as_in_compare(tmp_path):
    """--noise-floor 10 means 10% in scripts/ab as in scripts/compare (it was a fraction, 0.10, in ab alone)."""
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: None)
    for text, floor in [("5", 0.05), ("5%", 0.05), ("0.5", 0.005), ("0", 0.0), ("99.5", 0.995)]:
        code, out, _ = compare(*paths, "--noise-floor", text)  # its rule line states the floor taken
        assert code == 0 and f"the change exceeds {floor * 100:g}%" in out, out
    for bad, words in [("100", "a percentage below 100: '100'"), ("-1", "must be 0 or more"),
                       ("five", "not a percentage")]:
        code, _, err = ab_help("--noise-floor", bad)
        assert code == 2 and "--noise-floor" in err and words in err
    eight = {**SAME3, "fma-f64": 0.054}  # 8% slower
    for floor, seen in [("10", "no change"), ("5", "slower")]:
        code, out = run_ab(tmp_path, SAME3, eight, "--rounds", "10", "--noise-floor", floor)
        line = next(line for line in out.splitlines() if line.startswith("fma-f64"))
        assert code == 0 and line.endswith(seen) and "+8.0%" in line, out
        assert f"a change beyond {floor}% or, where wider" in out


@pytest.mark.parametrize("bad,words", [("100", "a percentage below 100: '100'"), ("150", "below 100"),
                                       ("inf", "below 100"), ("1e999", "below 100"), ("-1", "must be 0 or more"),
                                       ("nan", "must be 0 or more"), ("five", "not a percentage")])
def test_compare_refuses_a_noise_floor_ab_refuses(bad, words, capsys):
    """compare took --noise-floor 150, inf or 1e999 (then nothing could be `faster`), which ab refuses."""
    code, _, err = compare("--noise-floor", bad, "a", "b")
    assert code == 2 and "--noise-floor" in err and words in err
    code, _, err = ab_help("--noise-floor", bad)
    assert code == 2 and "--noise-floor" in err


def test_ab_help_shows_percent_and_stability_help_is_its_own():
    """Their help is clap's (description, usage, options), each with its own description and options."""
    code, text, _ = ab_help()
    assert text.startswith("Interleaved A/B measurement") and "Usage: scripts/ab [OPTIONS]" in text
    assert "--noise-floor <PCT>" in text and "in percent" in text
    assert "scripts/ab --b-env MANDEL_TUNING=default" in text
    out = subprocess.run([str(fake.SCRIPTS / "stability"), "--help"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MANDEL_REPORT_BIN": fake.BIN})
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert text.startswith("The A/A stability check") and "Usage: scripts/stability [OPTIONS]" in text, text
    usage, options = text[text.index("Usage:"):text.index("Options:")], text[text.index("Options:"):]
    for option in ("--a-rev", "--a-env", "--b-env", "--aa", "--sequential", "--as-stability"):
        assert option not in usage and option not in options, option
    for option in ("--quick", "--rounds", "--noise-floor <PCT>", "--out", "--fail-on-verdict"):
        assert option in text, option
    out = subprocess.run([str(fake.SCRIPTS / "stability"), "--a-rev", "HEAD"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "MANDEL_REPORT_BIN": fake.BIN})
    assert out.returncode == 2 and "'--a-rev'" in out.stderr and "Usage: scripts/stability" in out.stderr


# --- 4: --md/--svg onto the baseline's or the current results' summary ---------------------------


def results_with_baseline(tmp_path):
    from ladderlib import baseline

    results = tmp_path / "results" / "m"
    results.mkdir(parents=True)
    writers.write_all(verdict.MANDEL_REPORT, make_summary(tmp_path, "a", 1.0, machine_id="m"), results)
    (results / "raw").mkdir()
    (results / "raw" / "machine.json").write_text("{}")
    baseline.save(results, "b1")
    writers.write_all(verdict.MANDEL_REPORT, make_summary(tmp_path, "b", 1.2, machine_id="m"), results)
    return results


@pytest.mark.parametrize("flag", ["--md", "--svg"])
@pytest.mark.parametrize("target", ["current", "baseline"])
def test_compare_baseline_never_writes_over_its_inputs(tmp_path, flag, target):
    results = results_with_baseline(tmp_path)
    victim = results / "summary.json" if target == "current" else results / "baselines" / "b1" / "summary.json"
    before = {p: p.read_bytes() for p in (results / "summary.json", results / "baselines" / "b1" / "summary.json")}
    code, _, err = compare("--baseline", "b1", "--results-dir", results, flag, victim)
    assert code == 2 and f"cannot write {flag} {victim}" in err and "one of the summaries compared" in err
    assert {p: p.read_bytes() for p in before} == before
    # the results folder given as the one RESULTS: its summary.json is an input too
    if target == "current":
        assert compare("--baseline", "b1", "--results-dir", results, results, flag, victim)[0] == 2
        assert {p: p.read_bytes() for p in before} == before


# --- 5: --md and --svg naming one file -----------------------------------------------------------


def test_md_and_svg_onto_one_file_are_refused_before_anything_is_read(tmp_path):
    a, b = tmp_path / "none-a", tmp_path / "none-b"  # read, they would be an error of their own
    out = tmp_path / "out.md"
    link = tmp_path / "link.md"
    out.write_text("kept\n")
    os.link(out, link)  # two names of one file
    for argv in (["--md", str(out), "--svg", str(out)],
                 ["--md", str(out), "--svg", str(tmp_path / "." / "out.md")],
                 ["--md", str(out), "--svg", str(link)],
                 ["--md", str(tmp_path / "chart.svg")]):  # the chart's default path is --md's with .svg
        code, _, err = compare(a, b, *argv)
        assert code == 2 and "compare: error: --md" in err and "are one file" in err and "Traceback" not in err
    assert out.read_text() == "kept\n" and not (tmp_path / "chart.svg").exists()


def test_md_and_svg_on_different_files_still_write_both(tmp_path):
    a, b = write_summary(tmp_path, "a", 1.0), write_summary(tmp_path, "b", 2.0)
    assert compare(a, b, "--md", tmp_path / "x.md", "--svg", tmp_path / "x.svg")[0] == 0
    assert (tmp_path / "x.md").read_text().startswith("# ")
    assert (tmp_path / "x.svg").read_text().lstrip().startswith("<")
    assert json.loads(a.read_text())["machine_id"] == "machine-a"
    code, _, err = compare(a, "--md", a)
    assert code == 2 and "one of the summaries compared" in err and json.loads(a.read_text())


TUNE_ROWS = [{"kernel": "simd", "isa": "avx512", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
              "fastest": "v4k4", "times": [["v4k4", 1.0]]},
             {"kernel": "c-reference", "isa": "avx512", "precision": "f32", "source": "calibrated", "chosen": "v3k4",
              "fastest": "v3k4", "times": [["v3k4", 1.0]]}]
# a simd-f32 whose ISA path is SSE2 under MANDEL_ISA=sse2, else AVX-512
ISA_DESCRIBE = ('isa = "sse2" if os.environ.get("MANDEL_ISA") == "sse2" else "avx512"\n'
                'c["describe_kernels"] = [fx.kernel_info("simd-f32", "f32", isa=isa)]\n'
                'c["kernels_a"] = c["kernels_b"] = c["describe_kernels"]\n')


def tuned_run(tmp_path, *argv, before=""):
    """scripts/ab on a repository with no kept tuning (tmp_path), `mandel tune` choosing TUNE_ROWS: (exit, stderr)."""
    fake.fake_cargo(tmp_path, tune=json.dumps(TUNE_ROWS), before=ISA_DESCRIBE + before, times_a={"simd-f32": 0.01},
                    times_b={"simd-f32": 0.01})
    code, _, err = fake.ab(tmp_path, "--rounds", "3", *argv, repo=tmp_path, pinned=False)
    return code, err


def test_ab_pins_a_side_only_to_tunings_of_the_paths_its_kernels_take(tmp_path):
    # the machine's choice is AVX-512's; a side forced to SSE2 (MANDEL_ISA=sse2) builds none of it, and its
    # mandel refuses a MANDEL_TUNING its path does not build: that side gets no pin, the other keeps its own
    code, err = tuned_run(tmp_path, "--b-env", "MANDEL_ISA=sse2")
    assert code == 0, err
    assert "tunings for A (mandel tune): MANDEL_TUNING=f32:v4k4, MANDEL_C_TUNING=v3k4" in err
    assert "tunings for B (mandel tune): none pinned" in err
    # a side's own --b-env value stands over the machine's choice
    code, err = tuned_run(tmp_path, "--b-env", "MANDEL_TUNING=v8k8")
    assert code == 0 and "tunings for B (mandel tune): MANDEL_C_TUNING=v3k4" in err, err


# --- Python rows a side did not measure --------------------------------------------------------------


def py(name="numpy-vectorize", t=2.0, language="Python"):
    return {**ok(name, t), "language": language}


def test_python_rows_reused_or_foreign_are_not_re_measured_rather_than_no_change():
    """Rows reused from an earlier run (the same numbers on both sides) were judged `no change`."""
    rows = [py(), py("pyo3-simd-f32", 1.0, "Rust via PyO3"), {**ok("simd-f32", 1.0), "language": "Rust"}]
    a = {"rows": rows, "settings": {"python_source": "run now"}}
    b = {"rows": [dict(r) for r in rows], "settings": {"python_source": "reused from an earlier run"}}
    got = {e["name"]: e for e in verdict.verdicts(a, b)}
    for name in ("numpy-vectorize", "pyo3-simd-f32"):
        assert got[name]["verdict"] == "not re-measured" and got[name]["change"] is None
        assert got[name]["why"] == "B's Python rows reused from an earlier run"
    assert got["simd-f32"]["verdict"] == "no change"  # the Rust rows were measured: judged as ever
    assert verdict.report(a, b)["counts"] == {"no change": 1, "not re-measured": 2}
    foreign = {"rows": rows, "settings": {"python_source": "merged from x.json", "python_foreign": "4 cores there"}}
    got = verdict.verdicts(foreign, a)[0]
    assert got["verdict"] == "not re-measured"
    assert got["why"] == "A's Python rows from another machine or problem (4 cores there)"
    # B merged A's own baselines file (--baselines): one measurement on both sides, the same numbers
    measured = {"python_machine": {"date": "2026-01-02T03:04:05Z", "git_commit": "abc"}}
    got = verdict.verdicts({"rows": rows, "settings": {"python_source": "run now", **measured}},
                           {"rows": rows, "settings": {"python_source": "merged from a/raw/baselines.json", **measured}})
    assert got[0]["verdict"] == "not re-measured"
    assert got[0]["why"] == "A and B share one measurement of the Python rows (baselines of 2026-01-02T03:04:05Z)"
    later = {"python_machine": {"date": "2026-01-03T03:04:05Z", "git_commit": "abc"}}
    assert verdict.verdicts({"rows": rows, "settings": measured}, {"rows": rows, "settings": later})[0]["verdict"] \
        == "no change"
    # measured in both runs (or merged from a file of this machine): judged
    assert verdict.verdicts(a, {"rows": rows, "settings": {"python_source": "merged from x.json"}})[0]["verdict"] \
        == "no change"


def test_compare_names_the_side_whose_python_rows_were_reused(tmp_path):
    paths = []
    for tag in "ab":
        s = make_summary(tmp_path, tag, 1.0, machine_id="m")
        if tag == "b":
            s["settings"]["python_source"] = "reused from an earlier run"
        path = tmp_path / tag / "summary.json"
        path.parent.mkdir()
        path.write_text(writers.json_text(s))
        paths.append(str(path))
    code, out, _ = compare(*paths)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("python-pure"))
    assert "not re-measured" in line and "B's Python rows reused from an earlier run" in line
    assert "not re-measured" in next(x for x in out.splitlines() if x.startswith("verdicts:"))


# --- rows of one name measuring different work ---------------------------------------------------------


def test_rows_of_one_name_measuring_different_work_are_not_judged():
    """Rows were matched by name alone: B's numba row in f32, two threads and computing a bitmap, at half
    the time, was `faster` with no note."""
    a = {**ok("numba", 2.0), "precision": "f64", "threads_n": 1, "computes": "counts", "problem": "canonical"}
    half = {**a, **ok("numba", 1.0)}  # a's work at half the time
    b = {**ok("numba", 1.0), "precision": "f32", "threads_n": 2, "computes": "bitmap", "problem": "canonical"}
    got = verdict.verdicts({"rows": [a]}, {"rows": [b]})[0]
    assert got["verdict"] == "not comparable" and got["change"] is None
    assert got["why"] == ("the rows measure different work: precision f64 -> f32; threads_n 1 -> 2; "
                          "computes counts -> bitmap")
    for field, value in (("precision", "f32"), ("threads_n", 2), ("computes", "bitmap"), ("problem", "small")):
        one = verdict.verdicts({"rows": [a]}, {"rows": [{**half, field: value}]})[0]
        assert one["verdict"] == "not comparable" and field in one["why"], field
    # the same work (or a field one side does not record): judged
    assert verdict.verdicts({"rows": [a]}, {"rows": [half]})[0]["verdict"] == "faster"
    assert verdict.verdicts({"rows": [a]}, {"rows": [{**half, "computes": None}]})[0]["verdict"] \
        == "faster"
    # a side without a time or failing verification says so first
    assert verdict.verdicts({"rows": [a]}, {"rows": [{**failed("numba"), "precision": "f32"}]})[0]["verdict"] \
        == "failed"


# --- an output path that names no file ------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--md", "--svg"])
@pytest.mark.parametrize("target", ["loop", ".", "/", ".."])
def test_an_output_naming_no_file_is_a_clear_error(tmp_path, flag, target):
    """--md at a symlink loop raised RuntimeError from Path.resolve; --md . or / a ValueError from with_suffix:
    tracebacks, exit 1."""
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: None)
    (tmp_path / "loop").symlink_to("loop")
    code, _, err = compare(*paths, flag, target, cwd=tmp_path)
    assert code == 2
    assert err.startswith(f"compare: error: cannot write {flag} {target}: ")
    assert ("loop" in err.lower()) if target == "loop" else "names a folder, not a file" in err


# --- options that would be ignored ---------------------------------------------------------------------


@pytest.mark.parametrize("argv,words", [
    (["--machine-id", "m", "a", "b"], "--machine-id picks the machine whose baseline --baseline NAME compares"),
    (["--results-dir", "r", "a", "b"], "--results-dir picks the machine whose baseline --baseline NAME compares"),
    (["--mode", "machines", "--noise-floor", "5", "a", "b"], "--noise-floor judges two runs of one machine"),
])
def test_an_option_that_would_be_ignored_is_refused(argv, words, tmp_path):
    """--machine-id and --results-dir without --baseline, and --noise-floor comparing machines, were accepted and
    did nothing."""
    code, _, err = compare(*argv, cwd=tmp_path)
    assert code == 2 and words in err
    # with --baseline (or comparing runs) the same options are taken: what stops these is the missing baseline
    code, _, err = compare("--baseline", "x", *argv[:2], cwd=tmp_path)
    assert code == 2 and "compare: error: no baseline 'x' in " in err and words not in err
    code, _, err = compare("--noise-floor", "5", "a", "b", cwd=tmp_path)
    assert code == 2 and err == "compare: error: a: cannot read: No such file or directory\n"


def test_a_noise_floor_for_two_machines_found_by_auto_mode_is_refused(tmp_path):
    paths = []
    for tag in "ab":  # two machine ids: machines side by side
        s = make_summary(tmp_path, tag, 1.0)
        path = tmp_path / tag / "summary.json"
        path.parent.mkdir()
        path.write_text(writers.json_text(s))
        paths.append(str(path))
    assert compare(*paths)[0] == 0
    code, _, err = compare(*paths, "--noise-floor", "5")
    assert code == 2 and "--noise-floor/--fail-above/--fail-on-missing judge two runs of one machine" in err


def test_few_interleaved_rounds_get_the_quieter_side_s_floor_too():
    """scripts/ab --quick (5+5, the interquartile rule): B's rounds, spread by the slowdown itself, set a 33% floor
    and +10.9% was no change, while 10 rounds a side called the same slowdown slower."""
    a = in_rounds([1.00, 1.005, 1.01, 1.015, 1.02])
    b = in_rounds([1.10, 1.11, 1.12, 1.45, 1.5])
    got = verdict.judge(a, b, interleaved=True)
    assert got["rule"] == "interquartile" and got["change"] == pytest.approx(1.12 / 1.01 - 1)
    assert got["verdict"] == "slower" and got["floor"] == verdict.ROUNDS_NOISE_FLOOR
    assert "B's spread of" in got["why"] and "left out" in got["why"]
    assert verdict.judge(b, a, interleaved=True)["verdict"] == "faster"
    # two separate runs keep the wider floor here as with the rank test
    separate = verdict.judge(a, b)
    assert separate["verdict"] == "no change" and separate["floor"] > 0.3
    # ranges that overlap are no change, interleaved or not
    assert verdict.judge(a, in_rounds([1.0, 1.01, 1.12, 1.45, 1.5]), interleaved=True)["verdict"] == "no change"


def test_ab_names_a_kept_tuning_the_sides_build_refuses_before_any_round(tmp_path):
    refuse = ('if args[0] == "describe" and os.environ.get("MANDEL_TUNING"):\n'
              '    print(f"MANDEL_TUNING={os.environ[\'MANDEL_TUNING\']} is not valid", file=sys.stderr); sys.exit(2)\n')
    code, err = tuned_run(tmp_path, before=refuse)
    assert code == 2 and re.search(r"f32:v4k4 is not valid \(a side's --a-env/--b-env VAR= clears a variable the "
                                   r"shell sets\); the tuning came from mandel tune \(`scripts/ladder --retune`", err)
    assert not [c for c in fake.calls(tmp_path) if c.startswith("bench")]


def test_a_bad_mandel_report_bin_is_named_and_a_failing_one_fails_compare(tmp_path, monkeypatch):
    """scripts/compare is `mandel-report compare-results`: a MANDEL_REPORT_BIN that is no executable file (or carries
    spaces) is refused by name, as cargo.report_binary refuses it for the other scripts, and a bare name is the file
    here, not a command on PATH; a binary that fails is scripts/compare failing, with its status and its message,
    never a comparison made up."""
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: None)  # merged (its notes asked) with the good binary
    plain = tmp_path / "plain"
    plain.write_text("not a program\n")
    for bad in (str(tmp_path / "none"), f" {verdict.MANDEL_REPORT} ", str(plain)):
        monkeypatch.setenv("MANDEL_REPORT_BIN", bad)
        with pytest.raises(InputError, match=r"MANDEL_REPORT_BIN=.*not an executable file"):
            cargo.report_binary(verdict.REPO)
        assert compare(*paths, env={"MANDEL_REPORT_BIN": bad}) == (2, "", (
            f"compare: error: MANDEL_REPORT_BIN='{bad}': not an executable file (the path of a built mandel-report, "
            "without leading or trailing spaces)\n"))
    binary = Path(verdict.MANDEL_REPORT)
    assert compare(*paths, cwd=binary.parent, env={"MANDEL_REPORT_BIN": binary.name})[0] == 0
    refusing = tmp_path / "refusing"
    refusing.write_text("#!/bin/sh\n[ \"$1\" = help ] && exit 0\necho 'mandel-report: error: no' >&2\nexit 2\n")
    refusing.chmod(0o755)
    assert compare(*paths, env={"MANDEL_REPORT_BIN": str(refusing)}) == (2, "", "mandel-report: error: no\n")
    # one of another version, without the subcommand, is named as that, not left to clap's "unrecognized subcommand"
    older = tmp_path / "older"
    older.write_text("#!/bin/sh\necho \"error: unrecognized subcommand '$2'\" >&2\nexit 2\n")
    older.chmod(0o755)
    code, out, err = compare(*paths, env={"MANDEL_REPORT_BIN": str(older)})
    assert (code, out) == (2, "") and err.startswith(f"compare: error: {older} has no compare-results: a "
                                                     "mandel-report of another version than these scripts"), err


def test_a_verdict_binary_that_cannot_run_or_answers_nonsense_is_an_error_naming_it(tmp_path, monkeypatch):
    """Not executable, a bare name (looked up on PATH, not here), output that is not the report, a signal: an
    InputError naming the command, never a traceback (a review)."""
    rows = [ok()]
    plain = tmp_path / "plain"
    plain.write_text("not a program\n")
    monkeypatch.setenv("MANDEL_REPORT_BIN", str(plain))
    with pytest.raises(InputError, match="not an executable file"):
        cargo.report_binary(verdict.REPO)
    monkeypatch.chdir(verdict.MANDEL_REPORT.parent)
    monkeypatch.setenv("MANDEL_REPORT_BIN", verdict.MANDEL_REPORT.name)  # here, and made absolute
    assert cargo.report_binary(verdict.REPO) == verdict.MANDEL_REPORT.resolve()
    for body, said in [("echo not json", "printed no JSON"), ("echo '{}'", "printed no mandel-report-verdicts/1"),
                       ("echo '{\"schema\": \"mandel-report-verdicts/0\"}'", "a binary of another version?"),
                       ("kill -9 $$", "was killed by signal 9: no message")]:
        fake = tmp_path / "fake"
        fake.write_text(f"#!/bin/sh\ncat >/dev/null\n{body}\n")
        fake.chmod(0o755)
        with pytest.raises(InputError, match=re.escape(said)):
            verdict.judged(fake, {"rows": rows}, {"rows": rows}, verdict.DEFAULT_NOISE_FLOOR, verdict.ROUNDS_NOISE_FLOOR)


def test_fail_above_takes_a_finite_percentage(tmp_path):
    for bad, words in (("inf", "must be a finite percentage: 'inf'"), ("1e999", "must be a finite percentage"),
                       ("nan", "must be 0 or more: 'nan'")):
        code, _, err = compare("a", "b", "--fail-above", bad)
        assert code == 2 and "--fail-above" in err and words in err
    nine = ("median_s", "spread_low_s", "spread_high_s")
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: row.update({k: row[k] * 9 for k in nine if tag == "b"}))
    code, out, _ = compare(*paths, "--fail-above", "1e6")  # 800% slower, under a million percent
    assert code == 0 and "fma-f64" in out and "FAIL" not in out
    assert compare(*paths, "--fail-above", "700")[0] == 1


def test_the_rules_edges_a_mutation_check_found_untested():
    # a Criterion row's repeats of 0 counts no calls: judged by its interval, not `no verdict`
    a, b = {**ok(t=1.0), "repeats": 0}, {**ok(t=2.0), "repeats": 0}
    assert verdict.judge(a, b)["verdict"] == "slower"
    # an empty ISA is not a path: no note
    assert verdict.verdicts([{**ok(), "isa": ""}], [{**ok(), "isa": "avx2"}])[0]["isa"] == ""
    # one date, two commits: two measurements of the Python rows, judged
    rows = [py()]
    at = {"python_machine": {"date": "2026-01-02T03:04:05Z", "git_commit": "abc"}}
    other = {"python_machine": {"date": "2026-01-02T03:04:05Z", "git_commit": "def"}}
    assert verdict.verdicts({"rows": rows, "settings": at}, {"rows": rows, "settings": other})[0]["verdict"] == "no change"
    assert verdict.verdicts({"rows": rows, "settings": at}, {"rows": rows, "settings": at})[0]["verdict"] == "not re-measured"


def test_the_verdict_binary_is_built_only_when_no_ladder_holds_the_target(tmp_path, monkeypatch, capsys):
    """cargo.report_binary builds under the target folder's .ladder.lock, as scripts/ab's builds do: never while a
    ladder times (a review: it built, silently, on the cores a ladder was timing)."""
    bin_dir, target = tmp_path / "bin", tmp_path / "target"
    bin_dir.mkdir()
    made = tmp_path / "made"  # what the fake cargo "builds": a mandel-report that speaks the scripts' schemas
    made.write_text(f"#!/bin/sh\necho '{json.dumps(cargo.SCHEMAS)}'\n")
    made.chmod(0o755)
    (bin_dir / "cargo").write_text('#!/bin/sh\nmkdir -p "$CARGO_TARGET_DIR/release"\ndate +%s.%N > "$CARGO_TARGET_DIR/'
                                   f'built"\ncp {made} "$CARGO_TARGET_DIR/release/mandel-report"\n')
    (bin_dir / "cargo").chmod(0o755)
    target.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(1.5)",
                               str(target / ".ladder.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "CARGO_TARGET_DIR": str(target)}
        started = time.time()
        got = cargo.report_binary(tmp_path, env)
        assert got == target / "release" / "mandel-report"
        assert float((target / "built").read_text()) > started + 1.0  # built after the holder let go
        assert "waiting for the ladder or scripts/ab" in capsys.readouterr().err
    finally:
        holder.wait()


def test_scripts_compare_builds_its_binary_only_when_no_ladder_holds_the_target(tmp_path):
    """Without MANDEL_REPORT_BIN, scripts/compare builds mandel-report as cargo.report_binary does: under the target
    folder's .ladder.lock (waiting for a ladder, saying so), CARGO_TARGET_DIR taken against the caller's folder,
    CARGO_BUILD_TARGET refused; then runs the build, with the repository and the user's arguments."""
    bin_dir, target = tmp_path / "bin", tmp_path / "target"
    bin_dir.mkdir()
    made = tmp_path / "made"  # what the fake cargo "builds": a mandel-report that says how it was run
    made.write_text('#!/bin/sh\necho "$@"\n')
    made.chmod(0o755)
    (bin_dir / "cargo").write_text('#!/bin/sh\nmkdir -p "$CARGO_TARGET_DIR/release"\ndate +%s.%N > "$CARGO_TARGET_DIR/'
                                   f'built"\ncp {made} "$CARGO_TARGET_DIR/release/mandel-report"\n')
    (bin_dir / "cargo").chmod(0o755)
    target.mkdir()
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "CARGO_TARGET_DIR": "target", "MANDEL_REPORT_BIN": ""}
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
                               "f.write('4242'); f.flush(); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); "
                               "time.sleep(1.5)", str(target / ".ladder.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        started = time.time()
        code, out, err = compare("a", "--md", "x y", cwd=tmp_path, env=env)
        repo = Path(__file__).resolve().parents[2]
        assert (code, out) == (0, f"compare-results --repo {repo} -- a --md x y\n"), err
        assert float((target / "built").read_text()) > started + 1.0  # built after the holder let go
        assert err == (f"waiting for the ladder or scripts/ab (pid 4242) using {target}, to build mandel-report "
                       "without disturbing its timing\n")
    finally:
        holder.wait()
    code, out, err = compare("a", cwd=tmp_path, env={**env, "CARGO_BUILD_TARGET": "x86_64-unknown-linux-musl"})
    assert code == 2 and out == "" and err.startswith("compare: error: CARGO_BUILD_TARGET=x86_64-unknown-linux-musl:")


def test_a_non_finite_number_in_a_summary_is_a_message_not_a_crash(tmp_path):
    """A field the readers do not check one by one may hold NaN (json.loads reads it); the binary's JSON cannot: exit
    2 with a message, not a traceback (exit 1 would read as a rung to fail)."""
    paths = two_runs(tmp_path, "fma-f64", lambda row, tag: None)
    b = json.loads(Path(paths[1]).read_text())
    b["rows"][0]["extra_x"] = float("nan")
    Path(paths[1]).write_text(json.dumps(b))  # NaN, as json.dumps writes it by default
    code, _, err = compare(*paths, "--md", tmp_path / "m.md")
    assert code == 2 and err == f"compare: error: {paths[1]} holds a number JSON cannot carry: nan\n"
    assert not (tmp_path / "m.md").exists()  # every text is made before any file is written


def test_a_mandel_report_of_another_version_is_refused_when_found(tmp_path, monkeypatch):
    old = tmp_path / "old"
    old.write_text("#!/bin/sh\necho '[\"mandel-report-verdicts/1\"]'\n")
    old.chmod(0o755)
    monkeypatch.setenv("MANDEL_REPORT_BIN", str(old))
    with pytest.raises(InputError, match=r"does not read mandel-report-sweeps/2, mandel-report-summary/3, "
                                         r"mandel-report-finish/7, mandel-report-compare/2, "
                                         r"mandel-report-check/7: a "
                                         r"mandel-report of another version"):
        cargo.report_binary(verdict.REPO)
    older = tmp_path / "older"  # from before `schemas`
    older.write_text("#!/bin/sh\necho 'error: unrecognized subcommand' >&2\nexit 2\n")
    older.chmod(0o755)
    monkeypatch.setenv("MANDEL_REPORT_BIN", str(older))
    with pytest.raises(InputError, match="does not read mandel-report-verdicts/1"):
        cargo.report_binary(verdict.REPO)


def test_a_mandel_report_that_never_answers_is_given_up_on(tmp_path, monkeypatch):
    hung = tmp_path / "hung"
    hung.write_text("#!/bin/sh\nsleep 30\n")
    hung.chmod(0o755)
    monkeypatch.setattr(cargo, "ANSWER_TIMEOUT_S", 0.5)
    with pytest.raises(InputError, match="gave no answer in 0.5 s"):
        verdict.judged(hung, {"rows": [ok()]}, {"rows": [ok()]}, verdict.DEFAULT_NOISE_FLOOR, verdict.ROUNDS_NOISE_FLOOR)
