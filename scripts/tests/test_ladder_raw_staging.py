"""A measuring run (not --skip-bench) writes its raw files into a staging folder beside raw/ and swaps it in
as raw/ only once the run is complete, when the summary is written; a run that failed in part or was
interrupted leaves the earlier summary AND raw/ as they were, its own raw files moved to raw.failed/. And the
paths the ladder writes beside them: the lock file, a baseline's folder, a partial log, run.py's scratch file,
the sweeps' output and kernel names. Everything in temporary folders (the tests run as root)."""

import json
import os
import signal
import subprocess
import sys

import pytest

import ladder_fixtures as fx
from ladderlib import atomic, baseline, ladder
from ladderlib.readers import InputError
from test_ladder_robust import installed, snapshot


@pytest.fixture
def fake(tmp_path, monkeypatch):
    return installed(tmp_path, monkeypatch)


def run_ladder(fake, *argv):
    return ladder.guarded(ladder.main, ["--out-dir", str(fake.out), *argv])


def beside_raw(out):
    """What a run left in `out` beside the results: staging and swap folders, temporaries."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".ladder.lock")


def measured(fake):
    """A complete run, then its summary and raw/ (every file with its bytes)."""
    fake.tune_text = json.dumps([])
    assert run_ladder(fake) == 0
    atomic.WRITTEN.clear()  # what the next run writes, as in a process of its own
    return (fake.out / "summary.json").read_bytes(), snapshot(fake.out / "raw")


def test_a_complete_run_swaps_its_raw_files_in_and_leaves_nothing_beside(fake):
    summary, raw = measured(fake)
    assert {"describe.json", "rounds.json", "run.json", "machine.json", "baselines.json", "bench.log",
            "tune.json"} <= set(raw)
    assert beside_raw(fake.out) == [] and not (fake.out / "raw.failed").exists()


def test_a_failed_measuring_run_leaves_the_earlier_summary_and_raw_files(fake, capsys):
    summary, raw = measured(fake)
    fake.describe_text = json.dumps(fx.describe(pool_threads=3))
    fake.bench_rc = 1  # every `mandel bench` exits 1
    assert run_ladder(fake, "--quick") == 1
    assert (fake.out / "summary.json").read_bytes() == summary
    assert snapshot(fake.out / "raw") == raw
    failed = fake.out / "raw.failed"
    assert json.loads((failed / "run.json").read_text())["quick"] is True
    assert json.loads((failed / "describe.json").read_text())["pool_threads"] == 3
    assert (failed / "bench.log").read_text() == "round 0\n"
    assert beside_raw(fake.out) == []
    assert f"this run's raw files are in {failed}" in capsys.readouterr().out
    # A re-merge of what raw/ holds gives the earlier run back, not a mix of two runs.
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    again = json.loads((fake.out / "summary.json").read_text())
    assert again["settings"]["quick"] is False and again["settings"]["pool_threads"] == 2
    assert again["rows"] == json.loads(summary)["rows"]


def test_a_second_failure_replaces_raw_failed(fake):
    measured(fake)
    fake.bench_rc = 1
    assert run_ladder(fake, "--quick") == 1
    (fake.out / "raw.failed" / "only-the-first.txt").write_text("x")
    assert run_ladder(fake) == 1
    assert not (fake.out / "raw.failed" / "only-the-first.txt").exists()
    assert json.loads((fake.out / "raw.failed" / "run.json").read_text())["quick"] is False
    assert beside_raw(fake.out) == []


def test_an_interrupted_measuring_run_keeps_raw_and_moves_its_partial_log_to_raw_failed(fake, capsys):
    summary, raw = measured(fake)
    verified = fake.round

    def interrupted_in_round_2(r):
        if r == 2:
            raise ladder.Interrupted(signal.SIGINT)  # as on_signal raises it
        return verified(r)

    fake.round = interrupted_in_round_2
    assert run_ladder(fake) == 130
    assert (fake.out / "summary.json").read_bytes() == summary
    assert snapshot(fake.out / "raw") == raw
    failed = fake.out / "raw.failed"
    assert (failed / "bench.log.partial").read_text() == "round 0\nround 1\nround 2\n"
    assert not (failed / "bench.log").exists() and (failed / "describe.json").exists()
    assert beside_raw(fake.out) == []
    err = capsys.readouterr().err
    assert "interrupted by SIGINT" in err and f"this run's raw files are in {failed}" in err
    assert f"stopped is among this run's raw files in {failed} as <name>.log.partial" in err
    kept = next(line for line in err.splitlines() if "kept from earlier runs" in line)
    assert "summary.json" in kept and "raw/rounds.json" in kept and "raw/describe.json" in kept


def test_an_input_error_in_a_measuring_run_leaves_raw_as_it_was(fake, capsys):
    summary, raw = measured(fake)
    fake.round = lambda r: "not json"
    assert run_ladder(fake) == 2
    assert snapshot(fake.out / "raw") == raw and (fake.out / "summary.json").read_bytes() == summary
    assert (fake.out / "raw.failed" / "describe.json").exists()
    err = capsys.readouterr().err
    assert f"this run's raw files are in {fake.out / 'raw.failed'}" in err and ".raw.tmp" not in err


def test_a_first_run_that_failed_in_part_still_writes_its_summary_and_raw(fake):
    fake.bench_rc = 1
    assert run_ladder(fake, "--skip-python") == 1
    assert (fake.out / "summary.json").exists() and (fake.out / "raw" / "bench.log").read_text() == "round 0\n"
    assert not (fake.out / "raw.failed").exists() and beside_raw(fake.out) == []


def test_skip_python_copies_the_earlier_baselines_into_the_new_raw(fake):
    _, raw = measured(fake)
    fake.run_py = lambda out: pytest.fail("run.py ran under --skip-python")
    assert run_ladder(fake, "--skip-python") == 0
    assert (fake.out / "raw" / "baselines.json").read_bytes() == raw["baselines.json"]
    assert json.loads((fake.out / "raw" / "run.json").read_text())["python_source"] == "reused from an earlier run"


def test_a_failed_run_py_merges_the_earlier_baselines_and_keeps_raw(fake):
    _, raw = measured(fake)
    fake.run_py = lambda out: 3  # writes nothing
    assert run_ladder(fake) == 1
    assert snapshot(fake.out / "raw") == raw
    assert (fake.out / "raw.failed" / "baselines.json").read_bytes() == raw["baselines.json"]


def test_a_raw_swap_killed_between_its_renames_is_repaired_by_the_next_run(fake):
    _, raw = measured(fake)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    os.rename(fake.out / "raw", fake.out / f".raw.old-{proc.pid}")  # killed after the first rename
    (fake.out / f".raw.tmp-{proc.pid}").mkdir()
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    assert snapshot(fake.out / "raw") == raw and beside_raw(fake.out) == []


@pytest.mark.parametrize("name", ["raw", "raw.failed"])
def test_a_measuring_run_refuses_a_raw_folder_that_is_not_a_folder(fake, tmp_path, name, capsys):
    fake.out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (fake.out / name).symlink_to(elsewhere)
    assert run_ladder(fake) == 2
    assert f"{fake.out / name} is a symlink, not a folder" in capsys.readouterr().err
    assert (fake.out / name).is_symlink() and list(elsewhere.iterdir()) == []
    assert [c[1] for c in fake.calls if c[0].endswith("mandel")] == []  # before any work


# --- the lock file ---------------------------------------------------------------------------------


def test_a_symlink_at_the_lock_file_is_refused_and_its_target_left_alone(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (folder / ".ladder.lock").symlink_to(victim)
    try:
        with pytest.raises(InputError, match=r"\.ladder\.lock is a symlink, not a regular file"):
            ladder.take_lock(folder, "the results folder")
    finally:
        ladder.release_locks()
    assert victim.read_text() == "precious\n" and (folder / ".ladder.lock").is_symlink()


@pytest.mark.parametrize("make,kind", [(os.mkfifo, "a FIFO"), (os.mkdir, "a folder")])
def test_a_lock_file_that_is_not_a_regular_file_is_refused(tmp_path, make, kind):
    make(tmp_path / ".ladder.lock")
    try:
        with pytest.raises(InputError, match=rf"\.ladder\.lock is {kind}, not a regular file"):
            ladder.take_lock(tmp_path, "the results folder")
    finally:
        ladder.release_locks()


# --- a baseline's folder (atomic.replace_dir) --------------------------------------------------------


@pytest.mark.parametrize("kind", ["a symlink", "a regular file", "a FIFO"])
def test_replace_dir_refuses_what_is_not_a_folder_and_leaves_it(tmp_path, kind):
    dest, victim = tmp_path / "dest", tmp_path / "victim"
    victim.mkdir()
    if kind == "a symlink":
        dest.symlink_to(victim)
    elif kind == "a regular file":
        dest.write_text("mine")
    else:
        os.mkfifo(dest)
    mode = os.lstat(dest).st_mode
    with pytest.raises(InputError, match=f"{dest} is {kind}, not a folder"):
        atomic.replace_dir(dest, lambda tmp: (tmp / "a").write_text("1"))
    assert os.lstat(dest).st_mode == mode and sorted(p.name for p in tmp_path.iterdir()) == ["dest", "victim"]


def test_a_baseline_over_a_symlink_is_refused(tmp_path):
    fx.write_json(tmp_path / "summary.json", {"schema": "x"})
    (tmp_path / "baselines").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "baselines" / "before").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="is a symlink, not a folder"):
        baseline.save(tmp_path, "before")
    assert (tmp_path / "baselines" / "before").is_symlink() and list((tmp_path / "elsewhere").iterdir()) == []


def test_interrupted_is_no_exception_that_a_broad_handler_swallows(tmp_path):
    # shutil.rmtree(ignore_errors=True) catches Exception around its os.open: a signal there was swallowed.
    assert issubclass(ladder.Interrupted, BaseException) and not issubclass(ladder.Interrupted, Exception)
    dest = tmp_path / "dest"
    atomic.replace_dir(dest, lambda tmp: (tmp / "a").write_text("1"))

    def interrupted(tmp):
        raise ladder.Interrupted(signal.SIGTERM)

    with pytest.raises(ladder.Interrupted):
        atomic.replace_dir(dest, interrupted)
    assert (dest / "a").read_text() == "1" and sorted(p.name for p in tmp_path.iterdir()) == ["dest"]


# --- a partial log -------------------------------------------------------------------------------------


def test_a_partial_log_goes_through_a_symlink(tmp_path):
    target = tmp_path / "elsewhere.log"
    target.write_text("old")
    (tmp_path / "x.log.partial").symlink_to(target)
    with pytest.raises(KeyboardInterrupt):
        with atomic.replacing(tmp_path / "x.log", keep_partial=True) as f:
            f.write("half")
            raise KeyboardInterrupt
    assert (tmp_path / "x.log.partial").is_symlink() and target.read_text() == "half"


def test_a_partial_log_that_cannot_be_kept_does_not_mask_the_interrupt(tmp_path):
    (tmp_path / "x.log.partial").mkdir()
    with pytest.raises(KeyboardInterrupt):
        with atomic.replacing(tmp_path / "x.log", keep_partial=True) as f:
            f.write("half")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.log.partial"]  # no temporary file left


# --- run.py's scratch file, the sweeps ---------------------------------------------------------------


def test_a_symlink_at_run_py_s_scratch_file_is_refused_before_any_work(fake, tmp_path, capsys):
    (fake.out / "raw").mkdir(parents=True)
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    (fake.out / "raw" / "baselines.new.json").symlink_to(victim)
    assert run_ladder(fake, "--skip-bench") == 2
    assert "baselines.new.json is a symlink, not a regular file" in capsys.readouterr().err
    assert (fake.out / "raw" / "baselines.new.json").is_symlink() and fake.calls == []


def test_a_sweep_that_prints_no_json_fails_that_sweep_with_a_message(fake, capsys, monkeypatch):
    sweep = fake.split_output

    def garbage(command, keep, echo=False):
        rc, text = sweep(command, keep, echo)
        return (0, "not json") if str(command[1]) == "sweep" else (rc, text)

    monkeypatch.setattr(ladder, "split_output", garbage)
    assert run_ladder(fake, "--skip-python", "--sweeps", "--sweep-kernels", "fma-f64") == 1
    assert "mandel sweep -k fma-f64 printed no valid JSON" in capsys.readouterr().out
    assert not (fake.out / "sweeps" / "raw" / "fma-f64.json").exists()


@pytest.mark.parametrize("name", ["../../escape", "a/b", ".hidden"])
def test_sweep_kernel_names_are_plain_names(name, capsys):
    with pytest.raises(SystemExit) as info:
        ladder.parse_args(["--sweep-kernels", f"fma-f64,{name}"])
    assert info.value.code == 2 and "--sweep-kernels" in capsys.readouterr().err


def test_a_summary_that_cannot_be_written_leaves_the_earlier_raw_files(fake, monkeypatch, capsys):
    summary, raw = measured(fake)
    fake.describe_text = json.dumps(fx.describe(pool_threads=3))

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ladder.writers, "write_all", disk_full)
    assert run_ladder(fake) == 1
    assert (fake.out / "summary.json").read_bytes() == summary and snapshot(fake.out / "raw") == raw
    assert json.loads((fake.out / "raw.failed" / "describe.json").read_text())["pool_threads"] == 3
    assert beside_raw(fake.out) == []
    err = capsys.readouterr().err
    assert "left as it was" in err and f"this run's raw files are in {fake.out / 'raw.failed'}" in err


def test_a_run_killed_while_writing_its_summary_gets_the_earlier_raw_files_back(fake):
    _, raw = measured(fake)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    # killed inside `commit`: the new raw/ swapped in, the earlier one kept aside, the summary not yet written
    os.rename(fake.out / "raw", fake.out / f".raw.kept-{proc.pid}")
    (fake.out / "raw").mkdir()
    (fake.out / "raw" / "from-the-killed-run.txt").write_text("x")
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    assert snapshot(fake.out / "raw") == raw and beside_raw(fake.out) == []
    assert (fake.out / "raw.failed" / "from-the-killed-run.txt").exists()


def test_a_baseline_name_over_a_symlink_is_refused_before_any_work(fake, tmp_path, capsys):
    (fake.out / "baselines").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (fake.out / "baselines" / "b1").symlink_to(tmp_path / "elsewhere")
    assert run_ladder(fake, "--save-baseline", "b1") == 2
    assert not (fake.out / "summary.json").exists() and not (fake.out / "raw").exists()
    assert "is a symlink, not a folder" in capsys.readouterr().err


def test_a_bad_numba_num_threads_stops_the_ladder_before_any_work(fake, capsys):
    fake.python_refuse = "run.py: error: NUMBA_NUM_THREADS='0' must be a whole number of threads from 1 to 1024"
    assert run_ladder(fake) == 2
    assert "NUMBA_NUM_THREADS='0'" in capsys.readouterr().err
    assert [c for c in fake.calls if "python_baselines.run" not in c] == []  # nothing built, described or timed
    assert not (fake.out / "raw").exists()
    fake.calls.clear()
    assert run_ladder(fake, "--skip-python") == 0  # run.py does not run: its environment is not its to refuse


def test_a_summary_written_before_a_later_output_failed_keeps_this_run_s_raw_files(fake, monkeypatch):
    measured(fake)
    fake.describe_text = json.dumps(fx.describe(pool_threads=3))

    write_text = ladder.writers.atomic.write_text

    def svg_fails(path, text):
        if path.name == "speedup.svg":
            raise OSError(28, "No space left on device")
        write_text(path, text)

    monkeypatch.setattr(ladder.writers.atomic, "write_text", svg_fails)  # written after summary.json, .csv and .md
    assert run_ladder(fake) == 1
    summary = json.loads((fake.out / "summary.json").read_text())
    assert summary["settings"]["pool_threads"] == 3  # this run's summary ...
    assert json.loads((fake.out / "raw" / "describe.json").read_text())["pool_threads"] == 3  # ... with its raw/
    assert not (fake.out / "raw.failed").exists() and beside_raw(fake.out) == []


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_killed_after_writing_its_summary_keeps_it_with_its_raw_files(fake):
    _, raw = measured(fake)  # summary and raw/ of one run: the earlier raw/ kept aside is the stale one
    kept = fake.out / f".raw.kept-{_dead_pid()}"
    kept.mkdir()
    (kept / "machine.json").write_text("{}")
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    assert snapshot(fake.out / "raw") == raw and beside_raw(fake.out) == [] and not (fake.out / "raw.failed").exists()


def test_leftovers_with_this_process_s_own_pid_are_an_earlier_run_s(fake):
    # a container gives the ladder the same pid each run: `.raw.kept-<pid>` then is the earlier raw/ of a run
    # killed before writing its summary, not this run's, and must come back (not be deleted by the new swap)
    _, raw = measured(fake)
    os.rename(fake.out / "raw", fake.out / f".raw.kept-{os.getpid()}")
    (fake.out / "raw").mkdir()
    (fake.out / "raw" / "machine.json").write_text(json.dumps({"date": "another run"}))
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    assert snapshot(fake.out / "raw") == raw and beside_raw(fake.out) == []


def test_a_leftover_with_an_impossible_pid_is_no_traceback(fake):
    measured(fake)
    (fake.out / ".raw.kept-99999999999999999999").mkdir()
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
