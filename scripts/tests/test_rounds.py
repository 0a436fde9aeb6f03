"""Issue 22, "Numbers that hold still": the rounds' reader and aggregation, the verdict rule for rows
measured in rounds, the tuning kept per machine, and compare refusing runs of different tunings."""

import json
import statistics

import pytest

import compare_report
import ladder_fixtures as fx
import verdict_rule as verdict
from ladderlib import ladder
from ladderlib import ROUNDS_SCHEMA, readers
from ladderlib.readers import InputError
from test_ladder_robust import installed


def rounds_file(n=5, medians=None, **kw):
    medians = medians or {"naive-f64": 0.1, "fma-f64": 0.05, "rayon-fma-f64": 0.025}
    return {"schema": ROUNDS_SCHEMA, "rounds": [fx.bench_round(r, medians, **kw) for r in range(n)]}


# --- reading and aggregating rounds ---------------------------------------------------------------


def test_the_median_of_the_rounds_fastest_renders_and_their_quartiles():
    data = rounds_file()
    data["rounds"][1]["kernels"][0]["times_s"] = [0.5, 0.5, 0.5]  # one contended round of naive-f64
    records, verify, results = readers.read_rounds(data, "rounds.json")
    r = results["naive-f64"]
    assert r["samples"] == 5 and r["renders"] == 15
    assert r["round_times_s"][1] == 0.5
    assert r["median_s"] == pytest.approx(0.1, rel=0.02)  # the median passes over the slow round
    assert r["ci_low_s"] <= r["median_s"] <= r["ci_high_s"] < 0.5
    assert verify["naive-f64"]["ok"] is True and records["rounds"] == 5


def test_a_rounds_time_is_its_fastest_render_so_a_burst_of_slow_renders_moves_nothing():
    quiet = readers.read_rounds(rounds_file(), "rounds.json")[2]["naive-f64"]
    data = rounds_file()
    for r in data["rounds"]:  # in every round, two of three renders slowed by a neighbour
        r["kernels"][0]["times_s"][1:] = [0.2, 0.3]
    burst = readers.read_rounds(data, "rounds.json")[2]["naive-f64"]
    assert burst["median_s"] == quiet["median_s"] == pytest.approx(0.1)
    assert burst["round_times_s"] == [min(r["kernels"][0]["times_s"]) for r in data["rounds"]]
    assert burst["spread_kind"] == "interquartile range of 5 rounds' fastest renders"


def test_a_python_rows_time_is_the_median_of_its_rounds_fastest_calls():
    base = fx.baselines()
    # numba: nine calls of about 0.1 s, three rounds of three calls; the rounds' fastest 0.11, 0.09 and 0.10
    times = [0.12, 0.11, 0.13, 0.12, 0.09, 0.12, 0.10, 0.14, 0.13]
    base["rungs"][3].update(times_s=times, median_s=0.12, min_s=0.09, max_s=0.14, repeats=9)
    from ladderlib.merge import merge
    s = merge(dict(fx.MACHINE), "m", {**fx.SETTINGS, "rounds": dict(fx.ROUNDS)}, baselines=base)
    numba = {r["name"]: r for r in s["rows"]}["numba"]
    assert numba["median_s"] == pytest.approx(0.10)
    assert s["settings"]["python_time"].startswith("the median of its rounds' fastest calls (rounds of 0.25 s and 3")
    assert "python_time" not in merge(dict(fx.MACHINE), "m", fx.SETTINGS)["settings"]  # no Python rows, no rule
    # a set timed before rounds (Criterion's medians on the Rust side): the Python rows keep their median call
    old = merge(dict(fx.MACHINE), "m", fx.SETTINGS, baselines=base)
    assert {r["name"]: r for r in old["rows"]}["numba"]["median_s"] == pytest.approx(0.12)
    assert "python_time" not in old["settings"]
    assert s["settings"]["rounds"]["round_time"] == "fastest render"
    # a --quick run (rounds of 0.05 s and 2 renders) merging a full run.py's calls cuts them as a full run does
    quick = {**fx.SETTINGS, "quick": True, "rounds": {**fx.ROUNDS, "kernel_s": 0.05, "min_renders": 2},
             "python_rounds": {"kernel_s": 0.25, "min_renders": 3}}
    q = merge(dict(fx.MACHINE), "m", quick, baselines=base)
    assert {r["name"]: r for r in q["rows"]}["numba"]["median_s"] == pytest.approx(0.10)
    assert q["settings"]["python_time"] == s["settings"]["python_time"]


@pytest.mark.parametrize("break_it,message", [
    (lambda d: d["rounds"][0].update(schema="x"), "schema is 'x'"),
    (lambda d: d["rounds"][0]["params"].update(width=10), "not the canonical problem"),
    (lambda d: d["rounds"][0]["kernels"][0].update(times_s=[0.1, -1.0]), "times_s[1]"),
    (lambda d: d["rounds"][0]["kernels"][0].update(times_s="fast"), "times_s should be a list"),
    (lambda d: d["rounds"][0]["kernels"][0]["verification"].update(differing=500000), "verification"),
    (lambda d: d["rounds"][0]["kernels"][0].update(verification=None), "has no verification"),
    (lambda d: d["rounds"][0]["kernels"][0]["activity"].update(others=1.5), "activity.others"),
    (lambda d: d["rounds"][0]["settings"].update(rounds="5"), "settings.rounds"),
    (lambda d: d["rounds"][1]["kernels"].pop(), "other kernels than round #0"),
    (lambda d: d["rounds"][1]["kernels"][0].update(isa="avx2"), "different ISA paths"),
    (lambda d: d.update(rounds=[]), "non-empty list"),
    # what `mandel bench` never prints: each is a hand-edited or mixed-up file, never a row
    (lambda d: d["rounds"][2]["kernels"][0].update(times_s=[]), "verified but not timed"),
    (lambda d: [r["kernels"][1].update(times_s=[]) for r in d["rounds"][:3]], "verified but not timed"),
    (lambda d: d["rounds"][1].update(round="x"), "round #1 round should be"),
    (lambda d: d["rounds"][1].update(round=True), "round #1 round should be"),
    (lambda d: [r.update(round=0) for r in d["rounds"]], "round #1 'round' is 0"),
    (lambda d: d["rounds"][1].update(pool_threads="2"), "round #1 pool_threads should be"),
    (lambda d: d["rounds"][1].update(pool_threads=64), "round #1 'pool_threads' is 64, round #0's 2"),
    (lambda d: d["rounds"][3]["settings"].update(kernel_s=5.0), "round #3 'settings'"),
    (lambda d: d["rounds"][3]["settings"].update(kernel_s=float("nan")), "settings.kernel_s"),
    (lambda d: d["rounds"][1]["kernels"][2].update(threads=1), "'rayon-fma-f64' 'threads' is 1 in round #1"),
    (lambda d: d["rounds"][4]["kernels"][0].update(precision="f32"), "'naive-f64' 'precision'"),
])
def test_a_corrupt_round_is_an_error_naming_the_field(break_it, message):
    data = rounds_file()
    break_it(data)
    with pytest.raises(InputError, match="rounds.json") as e:
        readers.read_rounds(data, "rounds.json")
    assert message in str(e.value)


def test_a_verified_kernel_whose_rounds_count_no_iterations_is_timed_without_a_rate():
    data = rounds_file()
    for r in data["rounds"]:  # `iterations` is optional in a round's verification (it was a KeyError)
        del r["kernels"][0]["verification"]["iterations"]
    results = readers.read_rounds(data, "rounds.json")[2]
    assert results["naive-f64"]["iterations"] is None
    assert results["naive-f64"]["median_s"] == pytest.approx(0.1, rel=0.02)
    assert results["fma-f64"]["iterations"] == data["rounds"][0]["kernels"][1]["verification"]["iterations"]


def test_a_timed_kernel_that_failed_verification_is_refused():
    data = rounds_file()
    k = data["rounds"][0]["kernels"][1]
    k["verification"] = fx.verification(differing=9, ok=False)  # times_s left in place
    with pytest.raises(InputError, match="timed but failed verification"):
        readers.read_rounds(data, "rounds.json")


# --- the verdict rule for rows in rounds ----------------------------------------------------------


def row(median, spread=0.02, n=15, shift=0.0):
    meds = [median * (1 + shift) * (1 + spread * ((i * 7) % n - n // 2) / n) for i in range(n)]
    return {"name": "k", "status": "ok", "median_s": statistics.median(meds), "spread_low_s": min(meds),
            "spread_high_s": max(meds), "round_medians_s": meds}


def test_unchanged_rounds_are_no_change_and_a_real_slowdown_is_slower():
    a = row(0.01)
    assert verdict.judge(a, row(0.01))["verdict"] == verdict.SAME
    slower = verdict.judge(a, row(0.01, shift=0.12))
    assert slower["verdict"] == verdict.SLOWER and slower["p"] < verdict.ALPHA
    assert verdict.judge(a, row(0.01, shift=-0.12))["verdict"] == verdict.FASTER


def test_a_significant_change_below_the_floor_is_no_change():
    got = verdict.judge(row(0.01, spread=0.001), row(0.01, spread=0.001, shift=0.03))
    assert got["p"] < verdict.ALPHA and got["verdict"] == verdict.SAME and "floor" in got["why"]


def test_verdicts_read_the_round_times_and_an_older_sets_round_medians():
    a, b = row(0.01), row(0.01, shift=0.12)
    for r in (a, b):
        r["round_times_s"] = r.pop("round_medians_s")
    assert verdict.judge(a, b)["verdict"] == verdict.SLOWER
    b["round_medians_s"] = list(a["round_times_s"])  # both keys: the round times are what counts
    assert verdict.judge(a, b)["verdict"] == verdict.SLOWER
    a["round_medians_s"] = a.pop("round_times_s")  # an older set against a new one: each its own key
    assert verdict.judge(a, b)["verdict"] == verdict.SLOWER


def test_a_few_contended_rounds_do_not_make_a_verdict():
    a, b = row(0.01), row(0.01)
    b["round_medians_s"][:4] = [0.03] * 4  # 4 of 15 rounds under a busy neighbour
    b["median_s"] = statistics.median(b["round_medians_s"])
    assert verdict.judge(a, b)["verdict"] == verdict.SAME


# --- the tuning, chosen once per machine and kept ---------------------------------------------------

TUNE = [{"kernel": "simd", "isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
         "fastest": "v4k4", "workload": "960x960/200", "times": [["v3k8", 0.010], ["v4k4", 0.009]]},
        {"kernel": "simd", "isa": "avx2", "precision": "f64", "source": "calibrated", "chosen": "v3k8",
         "fastest": "v3k8", "workload": "960x960/200", "times": [["v3k8", 0.02]]}]


@pytest.fixture
def fake(tmp_path, monkeypatch):
    f = installed(tmp_path, monkeypatch)
    f.describe_text = json.dumps(fx.describe(kernels=fx.REGISTRY + [fx.kernel_info("simd-f32", "f32", isa="avx2")]))
    f.tune_text = json.dumps(TUNE)
    return f


def tunes(fake):
    return sum(1 for c in fake.calls if c[1:2] == ["tune"])


def run_json(fake):
    return json.loads((fake.out / "raw" / "run.json").read_text())


def test_the_tuning_is_chosen_once_then_kept_until_retune(fake, monkeypatch):
    run = lambda *a: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python", *a])  # noqa: E731
    assert run() == 0 and tunes(fake) == 1
    assert json.loads((fake.out / "tuning.json").read_text()) == TUNE
    assert run_json(fake)["simd_tuning"] == {"value": "f32:v4k4,f64:v3k8", "source": "mandel tune"}
    monkeypatch.delenv("MANDEL_TUNING")  # each run pins it for its children; a new run starts clean
    fake.tune_text = json.dumps([{**r, "fastest": "v2k8"} for r in TUNE])  # what a new tune would say
    assert run() == 0 and tunes(fake) == 1  # kept: not timed again
    assert run_json(fake)["simd_tuning"]["value"] == "f32:v4k4,f64:v3k8"
    assert "kept in tuning.json" in run_json(fake)["simd_tuning"]["source"]
    monkeypatch.delenv("MANDEL_TUNING")
    assert run("--retune") == 0 and tunes(fake) == 2
    assert run_json(fake)["simd_tuning"]["value"] == "f32:v2k8,f64:v2k8"


def test_a_kept_tuning_of_another_isa_path_is_not_reused(fake, monkeypatch):
    fx.write_json(fake.out / "tuning.json", [{**r, "isa": "avx512"} for r in TUNE])
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"]) == 0
    assert tunes(fake) == 1
    assert json.loads((fake.out / "tuning.json").read_text()) == TUNE


def kept(fake, machine=None, tune=TUNE):
    """A results folder holding a tuning chosen on `machine` (this one's by default)."""
    fx.write_json(fake.out / "tuning.json", tune)
    fx.write_json(fake.out / "raw" / "tune.json", tune)  # the tuning the set ran with
    fx.write_json(fake.out / "raw" / "machine.json", machine or fx.MACHINE)


def choose(fake):
    fake.tune_text = json.dumps([{**r, "fastest": "v2k8"} for r in TUNE])  # what a new tune says
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"]) == 0
    return run_json(fake)["simd_tuning"]["value"]


def test_a_kept_tuning_is_reused_on_the_cpu_that_chose_it(fake, capsys):
    kept(fake)
    assert choose(fake) == "f32:v4k4,f64:v3k8" and tunes(fake) == 0
    assert "another machine" not in capsys.readouterr().out


@pytest.mark.parametrize("change", [{"cpu_family_model": "25/1"}, {"cpu_model": "AMD EPYC"}, {"cores": 16}])
def test_a_kept_tuning_of_another_cpu_of_the_same_id_is_not_reused(fake, change, capsys):
    """Two CPUs can share a folder name (AMD EPYC family 23 and 25 model 1 are both amd-epyc-m1-2c): the one
    that chose the tuning is compared by its description, not by its id."""
    kept(fake, {**fx.MACHINE, **change})
    assert choose(fake) == "f32:v2k8,f64:v2k8" and tunes(fake) == 1
    said = capsys.readouterr().out
    assert "chosen on another machine" in said and "holds a set measured on another machine" in said
    assert json.loads((fake.out / "tuning.json").read_text())[0]["fastest"] == "v2k8"


def test_a_tuning_chosen_beside_another_machines_set_is_kept_only_when_the_run_replaces_that_set(fake, monkeypatch):
    """Else the folder would hold this CPU's tuning.json beside the other machine's raw/machine.json, and a
    later run on that machine would take the pair as its own."""
    run = lambda: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"])  # noqa: E731
    assert run() == 0 and tunes(fake) == 1  # the first machine's set and tuning
    monkeypatch.delenv("MANDEL_TUNING")
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: {**fx.MACHINE, "cpu_family_model": "25/1"})
    fake.tune_text = json.dumps([{**r, "fastest": "v2k8"} for r in TUNE])
    fake.bench_rc = 1  # the rounds fail: the run ends without replacing the set
    assert run() == 1 and tunes(fake) == 2
    assert json.loads((fake.out / "tuning.json").read_text()) == TUNE  # the first machine's, as it was
    fake.bench_rc = 0
    monkeypatch.delenv("MANDEL_TUNING")
    assert run() == 0 and tunes(fake) == 3  # the set replaced: its tuning with it
    assert json.loads((fake.out / "tuning.json").read_text())[0]["fastest"] == "v2k8"


def test_a_tuning_json_that_is_not_the_one_the_set_ran_with_is_not_reused(fake, monkeypatch, capsys):
    """A run on another CPU that swapped in its raw/ and then failed (here its chart) left the other CPU's
    tuning.json beside its own raw/: the pair no longer matches (raw/tune.json), so it is chosen again."""
    run = lambda: ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-python"])  # noqa: E731
    assert run() == 0 and tunes(fake) == 1
    monkeypatch.delenv("MANDEL_TUNING")
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: {**fx.MACHINE, "cpu_family_model": "25/1"})
    fake.tune_text = json.dumps([{**r, "fastest": "v2k8"} for r in TUNE])
    with monkeypatch.context() as m:
        write_text = ladder.writers.atomic.write_text

        def svg_fails(path, text):  # speedup.svg, written after summary.json, .csv and .md
            if path.name == "speedup.svg":
                raise OSError(28, "No space left")
            write_text(path, text)
        m.setattr(ladder.writers.atomic, "write_text", svg_fails)
        assert run() != 0 and tunes(fake) == 2
    assert json.loads((fake.out / "raw" / "machine.json").read_text())["cpu_family_model"] == "25/1"
    monkeypatch.delenv("MANDEL_TUNING")
    capsys.readouterr()
    assert run() == 0 and tunes(fake) == 3 and "raw/tune.json differs" in capsys.readouterr().out
    assert run_json(fake)["simd_tuning"]["value"] == "f32:v2k8,f64:v2k8"


def test_a_corrupt_machine_json_is_not_called_another_machines_set(fake, capsys):
    kept(fake)
    (fake.out / "raw" / "machine.json").write_text("{not json")
    assert choose(fake) == "f32:v2k8,f64:v2k8" and tunes(fake) == 1
    said = capsys.readouterr().out
    assert "another machine" not in said and "the CPU that chose it is unknown" in said


def test_a_kept_tuning_without_a_record_of_its_cpu_is_not_reused(fake, capsys):
    fx.write_json(fake.out / "tuning.json", TUNE)
    assert choose(fake) == "f32:v2k8,f64:v2k8" and tunes(fake) == 1
    assert "the CPU that chose it is unknown" in capsys.readouterr().out


def test_a_kept_tuning_this_build_does_not_have_is_chosen_again(fake, capsys):
    kept(fake, tune=[{**r, "fastest": "v16k4"} for r in TUNE])
    fake.unknown_tunings = {"v16k4"}
    assert choose(fake) == "f32:v2k8,f64:v2k8" and tunes(fake) == 1
    assert "this build refuses it" in capsys.readouterr().out


def test_a_kept_tuning_lacking_a_kernel_the_user_pins_is_reused(fake, monkeypatch):
    kept(fake, tune=TUNE[1:])  # no simd-f32 row: the user's MANDEL_TUNING covers it
    monkeypatch.setenv("MANDEL_TUNING", "v3k8")
    assert choose(fake) == "v3k8" and tunes(fake) == 0


def test_a_kept_tuning_the_user_overrides_is_not_checked_against_this_build(fake, monkeypatch):
    kept(fake, tune=[{**r, "fastest": "v16k4"} for r in TUNE])
    fake.unknown_tunings = {"v16k4"}
    monkeypatch.setenv("MANDEL_TUNING", "v3k8")  # the user's value is pinned, not the kept one
    assert choose(fake) == "v3k8" and tunes(fake) == 0


@pytest.mark.parametrize("tune", [TUNE[1:], [{**TUNE[0], "times": []}, TUNE[1]]])  # no row; a row that timed none
def test_a_kept_tuning_missing_a_tuned_kernel_is_chosen_again(fake, capsys, tune):
    kept(fake, tune=tune)
    assert choose(fake) == "f32:v2k8,f64:v2k8" and tunes(fake) == 1
    assert "it has no choice for simd-f32" in capsys.readouterr().out


# --- compare refuses runs of different configurations ---------------------------------------------


def test_compare_flags_runs_on_different_tunings():
    s = {"machine_id": "m", "rows": [], "machine": {}, "settings": {"simd_tuning": {"value": "f32:v4k4"},
                                                                  "rounds": {"kernel_s": 0.25},
                                                                  "python_settings": {"budget_s": 3.0}}}
    t = json.loads(json.dumps(s))
    t["settings"]["simd_tuning"]["value"] = "f32:v6k8"
    diffs = compare_report.differences([s, t], same_machine=True)
    assert any(d.startswith("SIMD tuning: f32:v4k4 in A, f32:v6k8 in B") for d in diffs)
    u = json.loads(json.dumps(s))
    del u["settings"]["rounds"]
    assert any(d.startswith("Rust timing: rounds, a round's time its median render in A, Criterion in B") for d in
               compare_report.differences([s, u], same_machine=True))
    # a set merged before a round's time was its fastest render is not judged against one merged since
    v = json.loads(json.dumps(s))
    v["settings"]["rounds"]["round_time"] = "fastest render"
    v["settings"]["python_time"] = "the median of its rounds' fastest calls (rounds of 0.25 s)"
    assert [d.split(":")[0] for d in compare_report.differences([s, v], same_machine=True)] == ["Rust timing", "Python time"]


def test_compare_flags_a_run_calibrated_in_each_process_and_rounds_on_other_tunings():
    """A side with no tuning recorded counted as no difference, and the tunings the rounds ran on were never
    compared: runs on different tunings were judged against each other."""
    def run(simd=None, tunings=None):
        st = {"rounds": {"kernel_s": 0.25, **({"tunings": tunings} if tunings is not None else {})}}
        return {"machine_id": "m", "rows": [], "machine": {},
                "settings": {**st, **({"simd_tuning": {"value": simd, "source": "kept"}} if simd else {})}}

    diffs = compare_report.differences([run(), run("f32:v4k4")], same_machine=True)
    assert diffs == ["SIMD tuning: calibrated in each process in A, f32:v4k4 in B (m)"]
    assert compare_report.differences([run(), run()], same_machine=True) == []  # both calibrated: the same
    pinned, other = run(tunings=[["simd", "v4k4"], ["c", "v2"]]), run(tunings=[["c", "v2"], ["simd", "v6k8"]])
    assert compare_report.differences([pinned, other], same_machine=True) == [
        "rounds' tunings: c=v2, simd=v4k4 in A, c=v2, simd=v6k8 in B (m)"]
    assert compare_report.differences([pinned, run(tunings=[["simd", "v4k4"], ["c", "v2"]])], same_machine=True) == []
    assert compare_report.differences([pinned, run()], same_machine=True) == []  # a set recording none: not known
    # two machines may run on different tunings: their tables show it, nothing is refused
    assert compare_report.differences([run(), run("f32:v4k4")]) == compare_report.differences([pinned, other]) == []


def test_machines_merged_under_different_rules_are_flagged_and_say_so_when_allowed():
    old = {"machine_id": "a", "rows": [], "machine": {},
           "settings": {"rounds": {"kernel_s": 0.25}, "python_settings": {"budget_s": 3.0}}}
    new = {"machine_id": "b", "rows": [], "machine": {},
           "settings": {"rounds": {"kernel_s": 0.25, "round_time": "fastest render"}, "python_time": "x"}}
    diffs = compare_report.differences([old, new])  # two machines: no machine keys, but the rule counts
    assert [d.split(":")[0] for d in diffs] == ["Rust timing", "Python time"]
    assert any(line.startswith("The sets differ in settings") and "fastest render in B" in line
               for line in compare_report.summary_lines([old, new]))


def test_a_kernel_the_rounds_lack_is_missing_for_that_reason_not_criterion_s():
    from ladderlib.merge import merge

    data = rounds_file()
    for r in data["rounds"]:
        r["kernels"] = r["kernels"][:2]  # rayon-fma-f64 in the registry, in no round
    _, verify, results = readers.read_rounds(data, "rounds.json")
    settings = {**fx.SETTINGS, "rounds": {"source": "crates/registry/src/rounds.rs", **fx.ROUNDS}}
    summary = merge(dict(fx.MACHINE), "m", settings, registry=fx.REGISTRY, verify=verify, criterion=results)
    row = {r["name"]: r for r in summary["rows"]}["rayon-fma-f64"]
    assert row["status"] == "missing" and "Criterion" not in row["note"] and "rounds" in row["note"], row["note"]


# --- the verdict rule's edges: each test below fails for one plausible slip in crates/report/src/verdict.rs ---


def rounds_row(meds):
    return {"name": "k", "status": "ok", "median_s": statistics.median(meds), "spread_low_s": min(meds),
            "spread_high_s": max(meds), "round_medians_s": list(meds)}


def test_a_change_beyond_the_floor_needs_the_rank_test_too():
    # B's median 3x A's and the interquartile ranges apart, but three pairs of rounds out of order: exact
    # p = 2 * 7/924 = 0.015, above ALPHA, with rounds enough (6 a side) for the rank test to decide
    a, b = rounds_row([1, 2, 3, 4, 7, 9]), rounds_row([6, 8, 10, 11, 12, 13])
    assert verdict.iqr_interval(b)[0] > verdict.iqr_interval(a)[1]
    got = verdict.judge(a, b)
    assert got["p"] == pytest.approx(14 / 924) and got["p"] > verdict.ALPHA and got["change"] == pytest.approx(2.0)
    assert got["verdict"] == verdict.SAME and got["rule"] == "rank" and "overlap" in got["why"]


def test_a_change_exactly_at_the_floor_is_no_verdict():
    a, b = row(0.01, spread=0.001), row(0.01, spread=0.001, shift=0.08)
    change = b["median_s"] / a["median_s"] - 1
    assert verdict.judge_rounds(a, b, noise_floor=change)["verdict"] == verdict.SAME
    assert verdict.judge_rounds(a, b, noise_floor=change * 0.999)["verdict"] == verdict.SLOWER


def test_the_default_floor_is_five_percent_and_the_callers_floor_is_used():
    a, b7, b3 = row(0.01, spread=0.001), row(0.01, spread=0.001, shift=0.07), row(0.01, spread=0.001, shift=0.03)
    assert verdict.ROUNDS_NOISE_FLOOR == 0.05
    assert verdict.judge(a, b7)["verdict"] == verdict.SLOWER  # 7% beyond the default 5%
    assert verdict.judge(a, b7, rounds_floor=0.10)["verdict"] == verdict.SAME
    assert verdict.judge(a, b3, rounds_floor=0.02)["verdict"] == verdict.SLOWER
    assert verdict.judge_rounds(a, b3, noise_floor=0.02)["verdict"] == verdict.SLOWER
    # verdicts() passes the rounds' floor to rows in rounds, the interval floor to the others
    got = verdict.verdicts({"rows": [a]}, {"rows": [{**b3, "name": "k"}]}, noise_floor=0.50, rounds_floor=0.02)
    assert got[0]["verdict"] == verdict.SLOWER


def test_a_regression_that_also_spreads_b_is_not_hidden_by_b_s_spread_in_interleaved_rounds():
    """B's own spread set the floor: every B round slower than every A round (p = 1.3e-8), +30%, yet a 75%
    floor from B's rounds, which the slowdown itself spread, called it no change (scripts/ab's rounds)."""
    a = rounds_row([1.0 + 0.001 * ((i * 7) % 15 - 7) for i in range(15)])
    b = rounds_row([1.02] * 4 + [1.3] * 7 + [2.0] * 4)
    assert verdict.round_spread(b) > 0.7 > verdict.round_spread(a)
    got = verdict.judge(a, b, interleaved=True)
    assert got["verdict"] == verdict.SLOWER and got["p"] < 1e-7 and got["change"] == pytest.approx(0.3)
    assert got["floor"] == verdict.ROUNDS_NOISE_FLOOR and "B's spread of 75.4% left out" in got["why"]
    # the other way (a fix that also steadies the rung): A's spread does not hide it either
    back = verdict.judge(b, a, interleaved=True)
    assert back["verdict"] == verdict.FASTER and "A's spread of 75.4% left out" in back["why"]
    # the quieter side's spread still counts: both sides noisy (17% and 15%), every B round above every A
    # round and B's middle half clear of A's (skewed towards each other), but +10% is within either spread
    noisy_a = rounds_row([0.80 + i / 100 for i in range(7)] + [1.0] + [1.0 + i / 10_000 for i in range(7)])
    noisy_b = rounds_row([1.10 - i / 10_000 for i in range(7)] + [1.10] + [1.20 + i / 50 for i in range(7)])
    assert verdict.iqr_interval(noisy_b)[0] > verdict.iqr_interval(noisy_a)[1]
    same = verdict.judge(noisy_a, noisy_b, interleaved=True)
    assert same["change"] == pytest.approx(0.10) and same["p"] < verdict.ALPHA and same["verdict"] == verdict.SAME
    assert same["floor"] == pytest.approx(verdict.round_spread(noisy_a))


def test_two_separate_runs_keep_the_wider_floor_where_one_side_is_noisy():
    """A/A of two separate runs (scripts/compare): an unchanged rung whose second run caught a noisy spell (spreads
    2% and 11%) landed +5.6% away, every B round above every A round and the middle halves apart. Separate runs
    drift by as much as their spread, which neither the rank test nor the interquartile ranges see: the quieter
    side's 5% floor called it slower; the wider side's keeps it no change."""
    a = rounds_row([0.985 + 0.03 * i / 14 for i in range(15)])
    b = rounds_row([1.02 + 0.002 * i for i in range(7)] + [1.056] + [1.14 + 0.01 * i for i in range(7)])
    assert verdict.round_spread(a) < 0.03 and verdict.round_spread(b) > 0.10
    assert verdict.iqr_interval(b)[0] > verdict.iqr_interval(a)[1]
    got = verdict.judge(a, b)
    assert got["p"] < verdict.ALPHA and got["change"] == pytest.approx(0.056)
    assert got["verdict"] == verdict.SAME and got["floor"] == pytest.approx(verdict.round_spread(b))
    assert verdict.verdicts({"rows": [a]}, {"rows": [b]})[0]["verdict"] == verdict.SAME  # compare's call
    # the same rounds interleaved (scripts/ab's ABBA rounds share the machine's drift): slower
    assert verdict.judge(a, b, interleaved=True)["verdict"] == verdict.SLOWER
    assert verdict.verdicts({"rows": [a]}, {"rows": [b]}, interleaved=True)[0]["verdict"] == verdict.SLOWER


def test_the_change_is_of_the_medians_not_the_means():
    a = rounds_row([1.0 + i * 1e-4 for i in range(15)])
    b = rounds_row([1.03 + i * 1e-4 for i in range(13)] + [10.0, 10.0])  # two wild rounds, all above A's
    got = verdict.judge(a, b)
    assert got["change"] == pytest.approx(b["median_s"] / a["median_s"] - 1)
    assert got["p"] < verdict.ALPHA and got["verdict"] == verdict.SAME  # the medians: 3%, within the floor


def test_only_two_rows_both_in_rounds_get_the_rank_test():
    in_rounds = rounds_row([1.0, 1.01, 1.02])  # exactly MIN_ROUNDS rounds: the rounds' rule
    assert "p" not in verdict.judge(rounds_row([1.0, 1.01]), rounds_row([1.0, 1.01]))  # two rounds: not in rounds
    assert "p" in verdict.judge(in_rounds, rounds_row([1.0, 1.01, 1.02]))
    criterion = {"name": "k", "status": "ok", "median_s": 1.2, "spread_low_s": 0.9, "spread_high_s": 1.3}
    for a, b in ((in_rounds, criterion), (criterion, in_rounds)):
        got = verdict.judge(a, b)
        assert "p" not in got and got["why"] == "intervals overlap"


def test_the_tables_say_when_a_rungs_own_spread_set_its_floor():
    wide_a, wide_b = row(0.01, spread=0.3), row(0.01, spread=0.3, shift=0.08)
    tight_a, tight_b = row(0.01, spread=0.001), row(0.01, spread=0.001, shift=0.01)
    _, body = compare_report.runs_table([{**wide_a, "name": "wide"}, {**tight_a, "name": "tight"}],
                                        [{**wide_b, "name": "wide"}, {**tight_b, "name": "tight"}])
    notes = {r[0]: r[-1] for r in body}
    assert notes["wide"] == f"floor {verdict.round_spread(wide_b):.1%}: its rounds' spread"
    assert notes["tight"] == ""
