"""Inputs that contradict each other or themselves are refused, naming the file and the field, never merged into
wrong numbers: a round's kernel against the registry (raw/describe.json), an ok summary row against its
verification and its rounds, a baselines rung's calls against its median and spread, run.json's rounds, a
describe.json of a build before the rounds, and a result file that is not a regular file.

Each case copies a committed set (results/) and re-merges it as `scripts/ladder --skip-bench --skip-python` does,
with the fake commands of test_ladder_robust (no cargo, no mandel binary)."""

import json
import os
import shutil
import signal
from pathlib import Path
from statistics import median

import pytest

import ladder_fixtures as fx
import verdict_rule as verdict
from compare_report import compare
from ladderlib import atomic, ladder, readers
from ladderlib.merge import merge
from ladderlib.readers import InputError
from test_ladder_robust import installed

REPO = Path(__file__).resolve().parents[2]
ZEN4 = REPO / "results" / "amd-epyc-m17-2c"  # measured in rounds
XEON = REPO / "results" / "intel-xeon-m167-2c"  # measured with Criterion; its describe.json records no rounds


@pytest.fixture
def fake(tmp_path, monkeypatch):
    return installed(tmp_path, monkeypatch)


def copied(fake, committed):
    if not committed.exists():
        pytest.skip(f"{committed} is not in this checkout")
    shutil.copytree(committed, fake.out)
    return fake.out / "raw"


def remerge(fake):
    return ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-bench", "--skip-python",
                                        "--machine-id", "x"])


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def rows(out):
    return {r["name"]: r for r in json.loads((out / "summary.json").read_text())["rows"]}


def tolerant_kernel(raw):
    """A kernel of the committed rounds whose tolerance allows some pixels (the registry's rule > 0)."""
    registry = json.loads((raw / "describe.json").read_text())["kernels"]
    return next(k for k in registry if k["tolerance_max_fraction"] > 0 and k["available"])


@pytest.mark.parametrize("name", sorted(p.parents[1].name for p in (REPO / "results").glob("*/raw/run.json")))
def test_a_committed_set_re_merges_to_its_committed_summary(fake, name):
    """Every file of a committed set is as scripts/ladder wrote it (PROVENANCE.md): a set merged under older rules
    is re-merged when they change, so its notes say what the code now says of its raw files."""
    copied(fake, REPO / "results" / name)
    before = json.loads((fake.out / "summary.json").read_text())
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-bench", "--skip-python"]) == 0
    after = json.loads((fake.out / "summary.json").read_text())
    assert after["settings"]["python_source"] == before["settings"]["python_source"]  # not "reused"
    assert after == before


@pytest.mark.parametrize("key, value, says", [
    ("taken", 3, "rounds.taken is 3, but"),
    ("tunings", [["simd-f32", "v8k8 (forced)"]], "rounds.tunings is [['simd-f32', 'v8k8 (forced)']], but")])
def test_a_run_json_that_contradicts_its_rounds_is_refused(fake, capsys, key, value, says):
    """run.json records what the rounds took and ran on when they are taken; a re-merge stated its word over the
    rounds file's (a review: 3 rounds on v8k8, of a file with 15 on v4k4), and blanked pyo3- rows by it."""
    raw = copied(fake, ZEN4)
    edit(raw / "run.json", lambda d: d["rounds"].update({key: value}))
    summary = (fake.out / "summary.json").read_bytes()
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "run.json" in err and says in err and "rounds.json has" in err, err
    assert (fake.out / "summary.json").read_bytes() == summary


def test_a_re_merge_without_the_measuring_machines_description_is_refused_writing_nothing(fake, capsys):
    """It described this machine in its place, wrote it into raw/ and then failed (a review)."""
    raw = copied(fake, ZEN4)
    (raw / "machine.json").unlink()
    before = sorted(p.name for p in raw.iterdir())
    assert remerge(fake) == 2
    assert "machine.json is missing, but" in capsys.readouterr().err
    assert sorted(p.name for p in raw.iterdir()) == before


def test_a_committed_set_whose_rounds_ran_at_two_speeds_is_warned_of(fake):
    raw = copied(fake, ZEN4)

    def slower(data):  # rounds 1, 3, 5 and 7 30% slower in every kernel
        for r in data["rounds"]:
            for k in r["kernels"]:
                k["times_s"] = [t * (1.3 if r["round"] in (1, 3, 5, 7) else 1.0) for t in k["times_s"]]

    edit(raw / "rounds.json", slower)
    assert remerge(fake) == 0
    (note,) = [n for n in json.loads((fake.out / "summary.json").read_text())["notes"] if "speed changed" in n]
    assert note.startswith("WARNING: the machine's speed changed during the Rust rounds: the middle half of the "
                           "rounds spans 3") and "(the slower: round #1, #3, #5, #7)" in note


def test_a_failed_runs_python_source_is_kept_by_a_re_merge_that_runs_nothing(fake):
    """A run whose run.py failed merged the earlier baselines and said so; re-merging its raw/ with --skip-python
    inherited the failure and could never write the summary (a review)."""
    raw = copied(fake, ZEN4)
    source = "reused from an earlier run: run.py failed now (exit 1), see raw/python.log"
    edit(raw / "run.json", lambda d: d.update(python_source=source))
    assert remerge(fake) == 0
    assert json.loads((fake.out / "summary.json").read_text())["settings"]["python_source"] == source


def test_a_re_merge_of_baselines_replaced_since_the_run_does_not_claim_the_runs_source(fake, tmp_path):
    """--baselines in a re-merge replaced raw/baselines.json, but the next --skip-python re-merge stated run.json's
    'run now' (a review). The run records which file it merged (python_sha256); a replaced one is not its."""
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out)]) == 0  # a measuring run
    raw = fake.out / "raw"
    measured = json.loads((raw / "run.json").read_text())
    assert measured["python_sha256"] == atomic.file_sha256(raw / "baselines.json")
    other = tmp_path / "other-baselines.json"
    data = json.loads((raw / "baselines.json").read_text())
    other.write_text(json.dumps({**data, "note": "another file"}))

    def source():
        return json.loads((fake.out / "summary.json").read_text())["settings"]["python_source"]

    assert remerge(fake) == 0 and source() == measured["python_source"]  # its own file: its own source
    assert ladder.guarded(ladder.main, ["--out-dir", str(fake.out), "--skip-bench", "--skip-python",
                                        "--baselines", str(other)]) == 0
    assert source() == f"merged from {other}"
    assert json.loads((raw / "run.json").read_text()) == measured  # a re-merge leaves run.json as it was
    assert remerge(fake) == 0 and source() == "reused from an earlier run"


def test_a_peak_file_of_another_path_than_the_kernels_is_refused(fake, capsys):
    """Every share of the step ceiling and FMA peak divides by the peak file's: another path's made them another
    machine's, in effect (a review: an avx512 set merged silently with an avx2 peak)."""
    raw = copied(fake, ZEN4)
    edit(raw / "peak.json", lambda d: d.update(isa="avx2"))
    assert remerge(fake) == 2
    assert "the peak file: isa is 'avx2', but simd-f32 ran on 'avx512'" in capsys.readouterr().err


def test_a_criterion_set_without_its_machine_description_is_refused_too(fake, capsys):
    raw = copied(fake, XEON)
    (raw / "machine.json").unlink()
    assert remerge(fake) == 2
    assert "machine.json is missing, but" in capsys.readouterr().err
    assert not (raw / "machine.json").exists()


# --- 1. a round's kernel against the registry --------------------------------------------------------------


def test_a_round_allowance_the_registry_does_not_give_is_refused(fake, capsys):
    raw = copied(fake, ZEN4)
    kernel = tolerant_kernel(raw)
    rule = fx.allowed(kernel["tolerance_max_fraction"], kernel["tolerance_slack_pixels"], 921600)
    assert 0 < rule < 500000

    def loosen(data):
        for r in data["rounds"]:
            for k in r["kernels"]:
                if k["name"] == kernel["name"]:
                    k.pop("tolerance_max_fraction"), k.pop("tolerance_slack_pixels")
                    k["verification"].update(allowed=921600, differing=500000, ok=True)

    edit(raw / "rounds.json", loosen)
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "rounds.json" in err and repr(kernel["name"]) in err and "allowed is 921600" in err, err
    assert f"allows {rule} of 921600" in err, err


@pytest.mark.parametrize("field", ["precision", "threads", "isa"])
def test_a_round_kernel_described_otherwise_than_the_registry_is_refused(fake, capsys, field):
    raw = copied(fake, ZEN4)
    kernel = tolerant_kernel(raw)
    value = {"precision": "f64" if kernel["precision"] == "f32" else "f32", "threads": 7,
             "isa": "avx2" if kernel["isa"] != "avx2" else "avx512"}[field]
    assert kernel[field] != value

    def change(data):
        for r in data["rounds"]:
            for k in r["kernels"]:
                if k["name"] == kernel["name"]:
                    k[field] = value

    edit(raw / "rounds.json", change)
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "rounds.json" in err and repr(kernel["name"]) in err and f"{field} is {value!r}" in err, err


def naive_rounds(n=3):
    return {"schema": "mandel-rounds/1",
            "rounds": [fx.bench_round(r, {"naive-f64": 0.1}, kernels=fx.REGISTRY[:1]) for r in range(n)]}


def test_a_later_round_cannot_pass_on_an_allowance_of_its_own():
    data = naive_rounds()
    for r in data["rounds"]:  # no tolerance recorded: the round's own allowance is not checked against a rule
        r["kernels"][0].pop("tolerance_max_fraction"), r["kernels"][0].pop("tolerance_slack_pixels")
    data["rounds"][2]["kernels"][0]["verification"].update(allowed=921600, differing=500000)
    with pytest.raises(InputError, match=r"'naive-f64' verification.allowed is 921600 in round #2, 0 in round #0"):
        readers.read_rounds(data, "rounds.json")


def test_the_rows_of_the_rounds_agree_with_the_fixture_registry_and_merge():
    _, verify, results = readers.read_rounds(naive_rounds(), "rounds.json")
    assert verify["naive-f64"]["source"] == "rounds.json"
    summary = merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, verify=verify,
                    criterion=results)
    assert {r["name"]: r["status"] for r in summary["rows"]}["naive-f64"] == "ok"
    registry = [{**fx.REGISTRY[0], "tolerance_slack_pixels": 5}, *fx.REGISTRY[1:]]
    with pytest.raises(InputError, match=r"rounds.json: kernel 'naive-f64' verification.allowed is 0, the "
                                         r"registry's tolerance rule allows 5 of 921600 pixels"):
        merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=registry, verify=verify, criterion=results)


def test_bench_records_are_checked_against_the_registry_too(tmp_path):
    records = fx.records()
    records["records"][1]["threads"] = 7
    _, verify, ids = readers.read_records(fx.write_json(tmp_path / "records.json", records))
    with pytest.raises(InputError, match=r"records.json: kernel 'fma-f64' threads is 7, the registry"):
        merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, verify=verify, criterion={})


# --- 2, 3. an ok summary row against its verification and its rounds ---------------------------------------


def summary_with(change):
    data = json.loads((ZEN4 / "summary.json").read_text())
    row = next(r for r in data["rows"] if r["status"] == "ok" and r.get("round_times_s"))
    change(row)
    return data


def test_the_committed_summaries_pass():
    for path in sorted((REPO / "results").glob("*/summary.json")):
        readers.read_summary(path)


@pytest.mark.parametrize("change,needle", [
    (lambda r: r.update(verified_ok=False), "is ok but verified_ok is false"),
    (lambda r: r.update(verified_ok=None), "is ok but verified_ok is null"),
    (lambda r: r.update(differing=r["allowed"] + 1), "pixels differ"),
    # no time: ok promises one (compare would call the rung missing, the tables show a dash)
    (lambda r: r.update(median_s=None, spread_low_s=None, spread_high_s=None, speedup_vs_python=None,
                        speedup_vs_previous=None), "is ok without a time"),
])
def test_an_ok_row_must_be_verified(change, needle):
    if not ZEN4.exists():
        pytest.skip("no committed set")
    with pytest.raises(InputError, match=needle):
        readers.check_summary(summary_with(change), "s.json")


def test_a_time_its_rounds_contradict_is_refused(tmp_path):
    if not ZEN4.exists():
        pytest.skip("no committed set")

    def double(r):
        r.update(median_s=r["median_s"] * 2, spread_low_s=r["spread_low_s"] * 2, spread_high_s=r["spread_high_s"] * 2)

    path = fx.write_json(tmp_path / "a" / "summary.json", summary_with(double))
    with pytest.raises(InputError, match=r"median_s is .*the median of its round_times_s is"):
        readers.read_summary(path.parent)
    # the spread alone
    path.write_text(json.dumps(summary_with(lambda r: r.update(spread_high_s=r["spread_high_s"] * 2))))
    with pytest.raises(InputError, match=r"spread is .*the quartiles of its round_times_s"):
        readers.read_summary(path)
    # more contended rounds than rounds (a review)
    path.write_text(json.dumps(summary_with(lambda r: r.update(contended_rounds=999))))
    with pytest.raises(InputError, match=r"contended_rounds is 999, of 15 rounds"):
        readers.read_summary(path)


def test_an_older_sets_round_medians_are_held_to_the_same_rule():
    times = [0.30, 0.10, 0.20, 0.40]
    q1, q3 = verdict.quartiles(times)
    row = {"name": "k", "status": "ok", "median_s": median(times), "spread_low_s": q1, "spread_high_s": q3,
           "verified_ok": True, "round_medians_s": times}
    summary = {"schema": "mandel-ladder-summary/1", "machine_id": "m", "rows": [row]}
    readers.check_summary(summary)
    row["median_s"] = 0.3
    with pytest.raises(InputError, match="round_medians_s"):
        readers.check_summary(summary)


# --- 4. a baselines rung's calls ------------------------------------------------------------------------------


def test_calls_outside_their_own_min_and_max_are_refused(fake, capsys):
    raw = copied(fake, ZEN4)

    def shrink(data):  # the calls a hundred times faster, median_s, min_s and max_s as they were
        pure = next(r for r in data["rungs"] if r["name"] == "python-pure")
        pure["times_s"] = [t / 100 for t in pure["times_s"]]

    edit(raw / "baselines.json", shrink)
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "baselines.json" in err and "'python-pure'" in err and "times_s" in err, err


@pytest.mark.parametrize("change,needle", [
    (lambda r: r.update(median_s=r["median_s"] * 1.01, max_s=r["max_s"] * 1.02), "the median of its times_s"),
    (lambda r: r.update(repeats=r["repeats"] + 1), r"lists 3 calls \(times_s\), repeats says 4"),
    (lambda r: r.update(times_s=[]), r"lists 0 calls"),
    (lambda r: r.update(times_s=[], repeats=0), r"no calls \(times_s is empty\)"),
    (lambda r: r.update(times_s=[r["min_s"] / 2, r["median_s"], r["max_s"]]), r"min_s is .*, the min of its times_s"),
])
def test_a_rung_that_contradicts_itself_is_refused(change, needle):
    data = fx.baselines()
    readers.check_baselines(data)
    change(data["rungs"][0])
    with pytest.raises(InputError, match=needle):
        readers.check_baselines(data, "b.json")


def test_the_committed_baselines_pass():
    for path in sorted((REPO / "results").glob("*/raw/baselines.json")):
        readers.read_baselines(path)


# --- 5. run.json's rounds, describe.json without rounds ---------------------------------------------------


@pytest.mark.parametrize("rounds_value,needle", [
    ({"source": "x", "rounds": 15, "kernel_s": 0.25, "min_renders": 0}, "rounds.min_renders"),
    ("fifteen", "rounds should be a JSON object"),
    ({"rounds": 15, "kernel_s": 0.25}, "rounds lacks key(s) min_renders"),
    ({"rounds": 15, "kernel_s": -1, "min_renders": 3}, "rounds.kernel_s"),
])
def test_run_json_rounds_are_checked(fake, capsys, rounds_value, needle):
    raw = copied(fake, ZEN4)

    def change(run):
        run.pop("python_rounds", None)
        run["rounds"] = rounds_value

    edit(raw / "run.json", change)
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "run.json" in err and needle in err, err


def test_a_describe_without_rounds_and_no_run_json_re_merges_as_not_recorded(fake, capsys):
    raw = copied(fake, XEON)
    assert "rounds" not in json.loads((raw / "describe.json").read_text())
    (raw / "run.json").unlink()
    assert remerge(fake) == 0
    assert "records no rounds' settings" in capsys.readouterr().out
    got = rows(fake.out)
    assert got["python-pure"]["status"] == "ok"
    assert all(r["status"] in ("ok", "missing") for r in got.values())


def test_a_describe_without_rounds_beside_rounds_and_no_run_json_is_refused(fake, capsys):
    raw = copied(fake, ZEN4)
    edit(raw / "describe.json", lambda d: d.pop("rounds"))
    (raw / "run.json").unlink()
    assert remerge(fake) == 2
    err = capsys.readouterr().err
    assert "describe.json records no rounds' settings" in err and "restore run.json" in err, err


# --- 6. a result file that is not a regular file -----------------------------------------------------------


def test_a_fifo_summary_is_refused_not_waited_on(tmp_path):
    a, f = tmp_path / "a", tmp_path / "f"
    if not ZEN4.exists():
        pytest.skip("no committed set")
    fx.write_json(a / "summary.json", json.loads((ZEN4 / "summary.json").read_text()))
    f.mkdir()
    os.mkfifo(f / "summary.json")
    code, _, err = compare(a, f)  # waiting on the FIFO: timed out
    assert code == 2, err
    assert f"{f / 'summary.json'}: not a regular file" in err


@pytest.mark.parametrize("name", ["rounds.json", "run.json", "baselines.json"])
def test_a_fifo_in_raw_is_refused(fake, capsys, name):
    raw = copied(fake, ZEN4)
    (raw / name).unlink()
    os.mkfifo(raw / name)
    assert remerge(fake) == 2
    assert f"{raw / name} is a FIFO, not a regular file" in capsys.readouterr().err


def test_a_fifo_among_the_criterion_results_is_refused_not_waited_on(fake, capsys):
    raw = copied(fake, XEON)
    estimates = sorted(raw.glob("criterion/**/new/estimates.json"))[0]
    estimates.unlink()
    os.mkfifo(estimates)

    def too_long(signum, frame):
        raise TimeoutError("the re-merge waited on a FIFO")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(30)
    try:
        assert remerge(fake) == 2
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert f"{estimates}: not a regular file" in capsys.readouterr().err


def test_load_json_refuses_a_folder_and_reads_a_file(tmp_path):
    with pytest.raises(InputError, match="not a regular file|cannot read"):
        readers.load_json(tmp_path)
    assert readers.load_json(fx.write_json(tmp_path / "x.json", {"a": 1})) == {"a": 1}
