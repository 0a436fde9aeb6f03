"""Issue 20, class "cancellation and concurrency": a ladder killed mid-swap is repaired by the next run
whatever its path (--skip-bench included); a baseline save killed mid-swap is repaired when it is read;
two ladders on one results folder are refused with the other's pid; a re-merge (--skip-bench) never
rewrites what the measured run recorded."""

import json
import os
import subprocess
import sys
import time

import pytest

import ladder_fixtures as fx
from compare_report import compare
from ladderlib import atomic, ladder
from ladderlib import baseline
from ladderlib.readers import InputError
from test_ladder_robust import installed

@pytest.fixture
def fake(tmp_path, monkeypatch):
    return installed(tmp_path, monkeypatch)


def run_ladder(fake, *argv):
    return ladder.guarded(ladder.main, ["--out-dir", str(fake.out), *argv])


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_result_set_measured_with_criterion_before_rounds_is_re_merged_by_skip_bench(fake):
    raw = fake.out / "raw"  # raw/records.json and raw/criterion, as the committed older sets hold them
    fx.write_json(raw / "records.json", fx.records())
    fx.criterion_tree(raw / "criterion")
    fx.write_json(raw / "machine.json", fx.MACHINE)  # every committed set has its machine's (a re-merge needs it)
    assert run_ladder(fake, "--skip-bench") == 0
    rows = {r["name"]: r for r in json.loads((fake.out / "summary.json").read_text())["rows"]}
    assert [rows[k]["median_s"] for k in ("naive-f64", "fma-f64", "rayon-fma-f64")] == [0.1, 0.05, 0.025]
    assert rows["naive-f64"]["spread_kind"] == "95% CI of the median (Criterion)"


def test_a_baseline_save_killed_between_its_renames_is_repaired_when_read(tmp_path):
    results = tmp_path / "results"
    fx.write_json(results / "summary.json", {"schema": "x"})
    baseline.save(results, "before")
    pid = dead_pid()
    base = results / "baselines"
    os.rename(base / "before", base / f".before.old-{pid}")  # killed after the first rename
    (base / f".before.tmp-{pid}").mkdir()  # and the new copy never renamed in
    # scripts/compare --baseline finds it once repaired (the summary itself it then refuses: no summary's fields)
    code, _, err = compare("--baseline", "before", "--results-dir", results)
    assert code == 2 and err.startswith(f"compare: error: {base / 'before' / 'summary.json'}: "), err
    assert (base / "before" / "summary.json").exists()
    assert not (base / f".before.old-{pid}").exists() and not (base / f".before.tmp-{pid}").exists()


def test_a_folder_swap_that_fails_keeps_the_earlier_folder_and_leaves_nothing_beside_it(tmp_path):
    from ladderlib import atomic

    dest = tmp_path / "before"
    atomic.replace_dir(dest, lambda tmp: (tmp / "a").write_text("1"))
    assert (dest / "a").read_text() == "1"

    def half(tmp):
        (tmp / "a").write_text("2")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic.replace_dir(dest, half)
    assert (dest / "a").read_text() == "1" and sorted(p.name for p in tmp_path.iterdir()) == ["before"]
    assert atomic.replace_dir(dest, lambda tmp: (tmp / "b").write_text("3")) == dest
    assert [p.name for p in dest.iterdir()] == ["b"] and sorted(p.name for p in tmp_path.iterdir()) == ["before"]


def test_a_live_saves_temporaries_are_left_alone(tmp_path):
    base = tmp_path / "baselines"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # a live save's process
    try:
        (base / f".before.old-{other.pid}").mkdir(parents=True)
        assert baseline.repair(tmp_path) == []
        assert (base / f".before.old-{other.pid}").exists()
    finally:
        other.kill()
        other.wait()


HOLD = """
import time
from ladderlib import ladder
from pathlib import Path
ladder.take_lock(Path({folder!r}), "the results folder")
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_ladder_on_the_same_results_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "results"
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(folder=str(out))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(InputError, match=f"another ladder \\(pid {holder.pid}\\) is using"):
            ladder.take_lock(out, "the results folder")
        # the whole command, as a user runs it: exit 2 before any build or bench
        proc = subprocess.run([sys.executable, "-m", "ladderlib.ladder", "--skip-bench", "--skip-python",
                               "--out-dir", str(out)], capture_output=True, text=True, timeout=120,
                              env={k: v for k, v in os.environ.items()
                                   if k not in ("RAYON_NUM_THREADS", "MANDEL_TUNING", "MANDEL_C_TUNING", "MANDEL_ISA")})
        assert proc.returncode == 2, proc.stderr
        assert f"another ladder (pid {holder.pid})" in proc.stderr and "cargo" not in proc.stdout
    finally:
        holder.kill()
        holder.wait()
    ladder.take_lock(out, "the results folder")  # free again once the first has gone
    ladder.release_locks()


def test_skip_bench_never_rewrites_what_the_measured_run_recorded(fake, monkeypatch):
    assert run_ladder(fake) == 0
    raw = fake.out / "raw"
    run = json.loads((raw / "run.json").read_text())
    run["simd_tuning"] = {"value": "f32:v4k4,f64:v4k4", "source": "mandel tune"}
    (raw / "run.json").write_text(json.dumps(run))
    (raw / "build.log").write_text("the measured run's build\n")
    (raw / "tune.json").write_text("[]")
    kept = {name: (raw / name).read_bytes() for name in ("run.json", "machine.json", "build.log", "tune.json")}
    old = time.time() - 1000
    for name in kept:
        os.utime(raw / name, (old, old))
    monkeypatch.setenv("MANDEL_TUNING", "v12k8")
    assert run_ladder(fake, "--skip-bench") == 0
    for name, data in kept.items():
        assert (raw / name).read_bytes() == data, name
        assert abs((raw / name).stat().st_mtime - old) < 1, name
    settings = json.loads((fake.out / "summary.json").read_text())["settings"]
    assert settings["simd_tuning"]["value"] == "f32:v4k4,f64:v4k4"
    assert not any("v12k8" in n for n in json.loads((fake.out / "summary.json").read_text())["notes"])


def test_skip_bench_times_nothing_even_where_the_set_lacks_a_tuning_or_a_peak(fake):
    # A committed set from another CPU re-merged here: timing `mandel tune` or `mandel peak` now would put this
    # machine's figures into that machine's folder.
    assert run_ladder(fake) == 0
    for name in ("raw/tune.json", "raw/peak.json", "tuning.json"):
        (fake.out / name).unlink(missing_ok=True)
    fake.tune_text = json.dumps([])
    fake.calls.clear()
    assert run_ladder(fake, "--skip-bench") == 0
    assert [c[1] for c in fake.calls if c[0].endswith("mandel")] == ["describe", "render"]
    assert not (fake.out / "raw/tune.json").exists() and not (fake.out / "tuning.json").exists()
    assert not (fake.out / "raw/peak.json").exists()


def test_the_build_log_has_a_folder_on_a_fresh_clone(tmp_path, monkeypatch):
    # --skip-bench takes no lock on target/, which made the folder before: on a fresh clone the build log's
    # temporary file had nowhere to go, and the re-merge stopped with "No such file or directory".
    target = tmp_path / "fresh" / "target"
    monkeypatch.setattr(ladder, "TARGET", target)
    real_popen = ladder.popen
    monkeypatch.setattr(ladder, "popen", lambda args, **kw: real_popen([sys.executable, "-c", "print('built')"], **kw))
    args = ladder.parse_args(["--skip-bench"])
    assert ladder.build(args, target / "build.log") == 0
    assert (target / "build.log").read_text() == "built\n"


def test_skip_bench_that_fails_leaves_the_measured_files(fake):
    assert run_ladder(fake) == 0
    raw = fake.out / "raw"
    (raw / "build.log").write_text("the measured run's build\n")  # (the faked build writes no log)
    kept = {name: (raw / name).read_bytes() for name in ("run.json", "machine.json", "build.log")}
    old = time.time() - 1000
    for name in kept:
        os.utime(raw / name, (old, old))
    fx.write_json(raw / "baselines.json", "{")  # corrupt, read late: the re-merge stops with exit 2
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 2
    for name, data in kept.items():
        assert (raw / name).read_bytes() == data, name
        assert abs((raw / name).stat().st_mtime - old) < 1, f"{name} was rewritten"




def test_a_stale_temporary_of_a_killed_write_is_cleaned_by_the_next_run(fake):
    assert run_ladder(fake, "--skip-bench") == 0
    stale = fake.out / f".summary.json.{dead_pid()}.abcd1234.tmp"
    stale.write_text("half a summary")
    os.utime(stale, (time.time() - atomic.STALE_AFTER_S - 60,) * 2)  # an hour untouched: a dead writer's
    assert run_ladder(fake, "--skip-bench") == 0
    assert not stale.exists()


def test_a_long_baseline_name_is_refused_before_any_work(fake, capsys):
    with pytest.raises(SystemExit) as info:
        run_ladder(fake, "--save-baseline", "x" * 300)
    assert info.value.code == 2 and fake.calls == []


def test_a_skip_bench_ladder_that_builds_is_refused_while_the_build_folder_is_held(tmp_path):
    """--skip-bench took no lock on the target folder, yet builds target/release/mandel there and (with --sweeps)
    times it: another ladder's or scripts/ab's build could replace it mid-run. Without --prebuilt it now takes the
    lock, and is refused, naming the holder, before building."""
    target = tmp_path / "t"
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(folder=str(target))], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = subprocess.run([sys.executable, "-m", "ladderlib.ladder", "--skip-bench", "--skip-python",
                               "--out-dir", str(tmp_path / "results")], capture_output=True, text=True, timeout=120,
                              env={**{k: v for k, v in os.environ.items()
                                      if k not in ("RAYON_NUM_THREADS", "MANDEL_TUNING", "MANDEL_C_TUNING", "MANDEL_ISA")},
                                   "CARGO_TARGET_DIR": str(target)})
        assert proc.returncode == 2, proc.stderr
        assert f"another ladder or scripts/ab (pid {holder.pid}) is using the build folder" in proc.stderr
        assert "building the release binary" not in proc.stdout
    finally:
        holder.kill()
        holder.wait()
