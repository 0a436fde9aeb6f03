"""Issue 12, "Nothing lost, nothing wrong": the ladder and compare scripts never lose results, never
corrupt a file, never print wrong numbers with exit 0. Each test reproduces a case of the issue.

`scripts/ladder`'s main() runs here end to end with its commands faked (no cargo, no mandel binary):
`Fake` answers `mandel describe/tune/peak/render` and plays `cargo bench` (Criterion's results and the
bench records) and `run.py` by writing fixture files, so each case can corrupt exactly one input."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ladder_fixtures as fx
from ladderlib import ladder
from ladderlib import writers
from ladderlib.merge import merge

class Fake:
    """The commands main() runs, answered from fixtures. Change an attribute to break one input."""

    def __init__(self, tmp_path):
        self.target = tmp_path / "target"
        self.describe_text = json.dumps(fx.describe())
        self.bench_rc = 0
        self.medians = {"naive-f64": 0.1, "fma-f64": 0.05, "rayon-fma-f64": 0.025}
        self.round_verifications = {}
        self.tune_text = None  # `mandel tune --json`'s output; None: it fails
        self.round = lambda r: json.dumps(fx.bench_round(r, self.medians, verifications=self.round_verifications))
        self.run_py = self.good_baselines  # called with the --out path; returns the exit status
        self.refuse = None  # mandel's message when it refuses its environment (exit 2, every subcommand)
        self.python_refuse = None  # run.py's message when it refuses its environment (`run.py --list`: exit 2)
        self.peaks = []  # `mandel peak --json`'s outputs, one a call, in order; none left: it fails
        self.unknown_tunings = set()  # tunings `mandel describe` refuses in MANDEL_TUNING / MANDEL_C_TUNING
        self.calls = []

    def good_baselines(self, out):
        fx.write_json(out, fx.baselines())
        return 0

    def stream(self, args, log_path, env=None):
        args = [str(a) for a in args]
        self.calls.append(args)
        if args[:2] == ["cargo", "build"]:
            return 0
        if args[1:3] == ["-m", "python_baselines.run"]:
            return self.run_py(Path(args[args.index("--out") + 1]))
        raise AssertionError(f"unexpected command {args}")

    def split_output(self, command, keep, echo=False):
        args = [str(a) for a in command]
        self.calls.append(args)
        if args[1] == "sweep":  # `mandel sweep -k K --json`: two points of each axis, 2 ns an iteration
            points = [{"axis": axis, "width": n, "height": n, "max_iters": it, "iterations": n * n * it // 2,
                       "median_s": 1e-9 * n * n * it, "min_s": 1e-9 * n * n * it, "times_s": [1e-9 * n * n * it] * 3}
                      for axis, n, it in (("size", 8, 50), ("size", 16, 50), ("iters", 8, 50), ("iters", 8, 100))]
            k = args[args.index("-k") + 1]
            return 0, json.dumps({"kernel": k, "isa": "scalar", "precision": "f64", "threads": 1, "points": points})
        r = int(args[args.index("--round") + 1])
        keep.write(f"round {r}\n")
        if self.bench_rc:
            return self.bench_rc, ""
        return 0, self.round(r)

    def capture(self, args, env=None):
        args = [str(a) for a in args]
        self.calls.append(args)
        for var in ("MANDEL_TUNING", "MANDEL_C_TUNING"):
            if {t.partition(":")[2] or t for t in (env or {}).get(var, "").split(",")} & self.unknown_tunings:
                return 2, "", f"mandel: error: {var}={env[var]!r} is not valid"
        if args[1:3] == ["-m", "python_baselines.run"]:  # the environment check before any work
            return (2, "", self.python_refuse) if self.python_refuse else (0, "", "")
        sub = args[1]
        if self.refuse:
            return 2, "", self.refuse
        if sub == "describe":
            return 0, self.describe_text, ""
        if sub == "tune" and self.tune_text is not None:
            return 0, self.tune_text, ""
        if sub == "peak" and self.peaks:
            return 0, json.dumps(self.peaks.pop(0)), ""
        if sub in ("tune", "peak"):
            return 1, "", f"mandel {sub}: not faked"
        if sub == "render":
            return 0, json.dumps(fx.render_report(args[args.index("-k") + 1])) if "--json" in args else "", ""
        raise AssertionError(f"unexpected mandel {args}")


def installed(tmp_path, monkeypatch):
    """A Fake answering every command ladder.main runs, installed for one test (the environment
    variables the ladder reads or pins cleared), its results folder `f.out`. Every ladder test file's
    fixture is this one."""
    f = Fake(tmp_path)
    for name, value in (("TARGET", f.target), ("stream", f.stream), ("capture", f.capture),
                        ("split_output", f.split_output), ("OUT", None)):
        monkeypatch.setattr(ladder, name, value)
    monkeypatch.setattr(ladder.machine, "describe", lambda repo: dict(fx.MACHINE))
    for var in ("MANDEL_ISA", "RAYON_NUM_THREADS", "MANDEL_TUNING", "MANDEL_C_TUNING"):
        # Set first, so that monkeypatch records the variable even where it was unset: the ladder pins the
        # tunings into os.environ itself, and delenv of an unset variable restores nothing at teardown, so
        # the pin leaked into later tests (and into the extension, which keeps the first value it saw).
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    f.out = tmp_path / "results"
    return f


@pytest.fixture
def fake(tmp_path, monkeypatch):
    return installed(tmp_path, monkeypatch)


def run_ladder(fake, *argv):
    return ladder.guarded(ladder.main, ["--out-dir", str(fake.out), *argv])


def snapshot(out):
    """Every file under `out`, with its bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(Path(out).rglob("*")) if p.is_file()}


def rows(out):
    return {r["name"]: r for r in json.loads((out / "summary.json").read_text())["rows"]}


def test_the_fake_ladder_writes_a_full_summary(fake):
    assert run_ladder(fake) == 0
    got = rows(fake.out)
    assert got["python-pure"]["median_s"] == 5.0 and got["naive-f64"]["speedup_vs_python"] == pytest.approx(50)
    assert (fake.out / "speedup.svg").read_text().startswith("<svg")
    assert not [p for p in fake.out.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".new.json")]


def test_the_step_ceiling_is_measured_again_after_the_python_rows_and_a_change_warned(fake):
    """Pure Python and the pyo3- rows are timed minutes after the Rust rounds; a VM that changed speed in between
    (METHODOLOGY.md, "A VM with two speeds") changes every speedup: measured and said."""
    def peak(f32):
        return {"isa": "avx2", "f32_lane_fmas_per_s": 8e9, "f64_lane_fmas_per_s": 4e9,
                "f32_step_lane_iterations_per_s": f32, "f64_step_lane_iterations_per_s": 1e9}

    fake.peaks = [peak(2e9), peak(2e9), peak(1.5e9)]
    assert run_ladder(fake) == 0
    measured = json.loads((fake.out / "raw" / "peak.json").read_text())["measured"]
    assert [m["when"] for m in measured] == ["before the benches", "after the benches", "after the Python rows"]
    assert (fake.out / "raw" / "peak-python.json").exists()
    notes = json.loads((fake.out / "summary.json").read_text())["notes"]
    assert any(n.startswith("WARNING: the step ceiling after the Python rows differs by 33.3%") for n in notes)
    # Python rows not run now (reused): the third would time nothing they ran beside
    fake.peaks = [peak(2e9), peak(2e9), peak(1.5e9)]
    assert run_ladder(fake, "--skip-python") == 0
    assert len(json.loads((fake.out / "raw" / "peak.json").read_text())["measured"]) == 2
    assert len(fake.peaks) == 1 and not (fake.out / "raw" / "peak-python.json").exists()
    # a re-merge measures nothing: its peak is the measured run's, maybe from another machine (a review)
    fake.peaks = [peak(9e9)]
    before = (fake.out / "raw" / "peak.json").read_bytes()
    assert run_ladder(fake, "--skip-bench") == 0
    assert fake.peaks == [peak(9e9)] and (fake.out / "raw" / "peak.json").read_bytes() == before


# --- 2. interrupting the ladder loses nothing ------------------------------------------------------


def test_a_failed_or_interrupted_run_py_keeps_the_earlier_baselines(fake):
    assert run_ladder(fake, "--skip-bench") == 0
    earlier = (fake.out / "raw" / "baselines.json").read_bytes()
    summary = (fake.out / "summary.json").read_bytes()

    def interrupted(out):
        return -2  # killed before writing anything (run.py writes its file whole, at the end)

    fake.run_py = interrupted
    assert run_ladder(fake, "--skip-bench") == 1
    assert (fake.out / "raw" / "baselines.json").read_bytes() == earlier
    # the run was incomplete: the earlier summary is kept as it was
    assert (fake.out / "summary.json").read_bytes() == summary
    # and a later --skip-bench --skip-python still has every Python row
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 0
    assert rows(fake.out)["python-pure"]["status"] == "ok"


def test_run_py_leaving_a_corrupt_file_replaces_nothing(fake):
    assert run_ladder(fake, "--skip-bench") == 0
    before = snapshot(fake.out)

    def truncated(out):
        out.write_text('{"schema": "mandel-baselines/1", "rungs": [{"name": "python-pure", "med')
        return 1

    fake.run_py = truncated
    assert run_ladder(fake, "--skip-bench") == 2
    after = snapshot(fake.out)
    for name in ("summary.json", "summary.md", "summary.csv", "speedup.svg", "raw/baselines.json"):
        assert after[name] == before[name], name


def _child_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_ladder_alone_stops_its_children_and_says_what_it_kept(tmp_path, sig, code):
    """SIGINT to the ladder's PID alone used to orphan run.py, which kept running at full CPU."""
    out, pidfile = tmp_path / "results", tmp_path / "child.pid"
    (out / "raw").mkdir(parents=True)
    for name in ("summary.json", "raw/baselines.json"):
        (out / name).write_text("{}")
        os.utime(out / name, (1000, 1000))  # from an earlier run
    (tmp_path / "child.log").write_text("the earlier run's log\n")
    child = ("import os, time; print('started', flush=True); "
             f"open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(120)")
    driver = "\n".join([
        "import sys",
        "from pathlib import Path",
        "from ladderlib import ladder",
        f"ladder.OUT = Path({str(out)!r})",
        f"work = lambda: ladder.stream([sys.executable, '-c', {child!r}], Path({str(tmp_path / 'child.log')!r}))",
        "sys.exit(ladder.guarded(work))",
    ])
    proc = subprocess.Popen([sys.executable, "-c", driver], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The signal only once the ladder has echoed the child's line (so it is in the log): sent as soon as the
    # child had written its pid, it could come before the ladder read the line from the pipe, under load. Lines
    # are read by a thread, so that a ladder that never echoes fails the test in 30 s rather than hanging it.
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in iter(proc.stdout.readline, "")], daemon=True).start()
    deadline = time.monotonic() + 30
    try:
        while not lines.get(timeout=max(0.0, deadline - time.monotonic())).rstrip().endswith("  started"):
            pass
    except queue.Empty:
        proc.kill()
        pytest.fail(f"the ladder did not echo the child's line within 30 s: {proc.communicate()}")
    while not (pidfile.exists() and pidfile.read_text()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    child_pid = int(pidfile.read_text())
    proc.send_signal(sig)  # the ladder's PID alone, not its process group
    proc.wait(timeout=30)  # its few lines of stderr fit the pipe
    err = proc.stderr.read()  # stdout belongs to the reading thread
    try:
        assert proc.returncode == code, err
        assert f"interrupted by {signal.Signals(sig).name}: child processes stopped" in err
        assert "kept from earlier runs: summary.json, raw/baselines.json" in err
        for _ in range(100):
            if not _child_alive(child_pid):
                break
            time.sleep(0.05)
        assert not _child_alive(child_pid), "the child outlived the ladder"
        # The interrupted command's log did not replace the earlier one: it is kept beside it.
        assert (tmp_path / "child.log").read_text() == "the earlier run's log\n"
        assert (tmp_path / "child.log.partial").read_text() == "started\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["child.log", "child.log.partial", "child.pid", "results"]
    finally:
        if _child_alive(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def test_a_finished_command_s_log_replaces_the_earlier_one_even_when_it_failed(tmp_path):
    log = tmp_path / "bench.log"
    log.write_text("the earlier run's log\n")
    rc = ladder.stream([sys.executable, "-c", "print('this run'); raise SystemExit(3)"], log)
    assert rc == 3
    assert log.read_text() == "this run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["bench.log"]
    # Readable like any file the ladder writes (mkstemp creates 0600).
    umask = os.umask(0o022)
    os.umask(umask)
    assert log.stat().st_mode & 0o777 == 0o666 & ~umask


# --- 3. the merge validates what it reads ------------------------------------------------------------


@pytest.mark.parametrize("median", [-0.05, 0.0])
def test_a_non_positive_criterion_median_is_an_error_and_replaces_nothing(fake, median):
    assert run_ladder(fake) == 0
    before = snapshot(fake.out)
    fake.medians["fma-f64"] = median
    assert run_ladder(fake) == 2
    after = snapshot(fake.out)
    for name in ("summary.json", "summary.md", "summary.csv", "speedup.svg"):
        assert after[name] == before[name], name
    assert after["speedup.svg"].startswith(b"<svg")


@pytest.mark.parametrize("median", [-1, 0, float("nan"), float("inf"), "1 s"])
def test_a_bad_python_median_is_an_error_naming_the_rung(fake, median, capsys):
    assert run_ladder(fake, "--skip-bench") == 0
    before = snapshot(fake.out)
    data = fx.baselines()
    data["rungs"][1]["median_s"] = median
    given = fake.out.parent / "given.json"
    given.write_text(json.dumps(data))  # NaN and Infinity as Python's json writes them
    assert run_ladder(fake, "--skip-bench", "--baselines", str(given)) == 2
    err = capsys.readouterr().err
    assert "given.json: rung 'numpy-vectorize' median_s should be a time in seconds from 1e-12 to 1e+06" in err
    assert snapshot(fake.out)["summary.json"] == before["summary.json"]


def test_garbage_baselines_leave_the_summary_as_it_was(fake, capsys):
    assert run_ladder(fake, "--skip-bench") == 0
    before = snapshot(fake.out)
    (fake.out / "raw" / "baselines.json").write_text("\x00\x01garbage")
    assert run_ladder(fake, "--skip-bench", "--skip-python") == 2
    assert "raw/baselines.json: not valid JSON" in capsys.readouterr().err
    assert snapshot(fake.out)["summary.json"] == before["summary.json"]


# A measuring run's raw files go to raw.failed/ when it stops: the error names the file there.
@pytest.mark.parametrize("which,path", [("describe", "raw.failed/describe.json"), ("round", "`mandel bench --round 0`")])
def test_a_truncated_describe_or_round_json_is_an_error_naming_the_file(fake, which, path, capsys):
    assert run_ladder(fake) == 0
    before = snapshot(fake.out)
    if which == "describe":
        fake.describe_text = fake.describe_text[: len(fake.describe_text) // 2]
    else:
        fake.round = lambda r: json.dumps(fx.bench_round(r, fake.medians))[:100]
    assert run_ladder(fake) == 2
    assert f"{path}: not valid JSON" in capsys.readouterr().err
    after = snapshot(fake.out)
    for name in ("summary.json", "summary.md", "summary.csv", "speedup.svg", "raw/rounds.json"):
        assert after[name] == before[name], name


def test_a_failed_mandel_describe_gives_rows_not_drops(fake):
    """`mandel describe` produced nothing: the Rust rows come from the rounds, which describe the kernels
    too (and round 0 says how many rounds to take); the run counts as failed."""
    fake.describe_text = ""
    assert run_ladder(fake, "--skip-python") == 1  # part of the run failed
    summary = json.loads((fake.out / "summary.json").read_text())
    names = [r["name"] for r in summary["rows"] if r["language"] == "Rust"]
    assert names == ["naive-f64", "fma-f64", "rayon-fma-f64"]
    assert all(r["status"] == "ok" for r in summary["rows"] if r["language"] == "Rust")
    assert all(len(r["round_times_s"]) == fx.ROUNDS["rounds"] for r in summary["rows"] if r["language"] == "Rust")


def test_failed_rounds_give_missing_rows_with_a_note(fake):
    fake.bench_rc = 101
    assert run_ladder(fake, "--skip-python") == 1
    summary = json.loads((fake.out / "summary.json").read_text())
    assert all(r["status"] == "missing" for r in summary["rows"] if r["language"] == "Rust")
    assert any("no bench records" in n for n in summary["notes"])
    assert not (fake.out / "raw" / "rounds.json").exists()


def test_a_kernel_failing_verification_in_a_round_is_failed_and_untimed(fake):
    """Every round verifies every kernel: one that fails is a failed row with no time, whatever the
    other rounds said."""
    verified = fake.round

    def fma_fails_in_round_2(r):
        data = json.loads(verified(r))
        if r == 2:
            k = next(k for k in data["kernels"] if k["name"] == "fma-f64")
            k.update(verification=fx.verification(differing=9, ok=False), times_s=[])
        return json.dumps(data)

    fake.round = fma_fails_in_round_2
    assert run_ladder(fake, "--skip-python") == 0
    got = rows(fake.out)
    assert got["fma-f64"]["status"] == "failed" and got["fma-f64"]["median_s"] is None
    assert got["fma-f64"]["differing"] == 9
    assert got["naive-f64"]["status"] == "ok" and got["rayon-fma-f64"]["status"] == "ok"


def test_the_median_of_round_medians_passes_over_contended_rounds(fake):
    """Two of five rounds three times slower (a busy neighbour): the median is the quiet rounds', the
    row says how many rounds were contended, and a note flags rows contended in over a third."""
    quiet = fake.medians

    def contended(r):
        slow = r in (1, 3)
        medians = {k: v * (3 if slow else 1) for k, v in quiet.items()}
        return json.dumps(fx.bench_round(r, medians, others=0.5 if slow else 0.0, jitter=0.0))

    fake.round = contended
    assert run_ladder(fake, "--skip-python") == 0
    got = rows(fake.out)
    assert got["naive-f64"]["median_s"] == pytest.approx(0.1)
    assert got["naive-f64"]["contended_rounds"] == 2
    notes = json.loads((fake.out / "summary.json").read_text())["notes"]
    assert any(n.startswith("BUSY MACHINE") and "naive-f64 (2 of 5)" in n for n in notes)
    # three kernels cannot tell the machine's speed from their own noise (speed.rs MIN_KERNELS): not named here
    assert not [n for n in notes if "speed changed" in n]


def test_a_kernel_missing_from_the_registry_is_kept(tmp_path):
    s = merge(dict(fx.MACHINE), "m", fx.SETTINGS, registry=fx.REGISTRY[:1],
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")))
    names = [r["name"] for r in s["rows"]]
    assert {"naive-f64", "fma-f64", "rayon-fma-f64"} <= set(names)
    assert "not in the registry" in {r["name"]: r for r in s["rows"]}["fma-f64"]["note"]


def test_a_nan_in_a_field_no_rule_reads_does_not_stop_the_merge(tmp_path):
    """A NaN or an infinity where no reader looks (an extra key of a kernel, a verification row, a result, a Python
    rung): the summary is the one without it (44e00fd's rule, which building the rows in Rust first broke)."""
    def inputs(extra):
        verify = {k["name"]: {**fx.verify_row(k["name"]), **extra} for k in fx.REGISTRY}
        criterion = {k: {**r, **extra} for k, r in fx.read_criterion(fx.criterion_tree(tmp_path / "c")).items()}
        rungs = [{**r, **extra} for r in fx.baselines()["rungs"]]
        return dict(registry=[{**k, **extra} for k in fx.REGISTRY], verify=verify, criterion=criterion,
                    baselines={**fx.baselines(), "rungs": rungs})
    plain = merge(dict(fx.MACHINE), "m", fx.SETTINGS, **inputs({}))
    for bad in (float("nan"), float("inf")):
        assert merge(dict(fx.MACHINE), "m", fx.SETTINGS, **inputs({"unread_s": bad})) == plain


def test_a_kernel_both_verified_and_timed_outside_the_registry_is_named_once(tmp_path):
    s = merge(dict(fx.MACHINE), "m", fx.SETTINGS, registry=fx.REGISTRY[:1],
              verify={k: fx.verify_row(k) for k in ("naive-f64", "fma-f64", "rayon-fma-f64")},
              criterion=fx.read_criterion(fx.criterion_tree(tmp_path / "c")))
    assert [r["name"] for r in s["rows"] if r.get("language") == "Rust"].count("fma-f64") == 1
    note = next(n for n in s["notes"] if n.startswith("Timed or verified but not in the registry"))
    assert "fma-f64, rayon-fma-f64 " in note and note.count("fma-f64") == 2  # once each, rayon- included


def test_baselines_from_another_machine_are_refused_unless_allowed(fake, capsys):
    assert run_ladder(fake, "--skip-bench") == 0
    before = snapshot(fake.out)
    amd = fx.baselines()
    amd["machine"] = {**amd["machine"], "cpu_model": "AMD EPYC 9R14", "cores": 8}
    given = fake.out.parent / "amd.json"
    given.write_text(json.dumps(amd))
    assert run_ladder(fake, "--skip-bench", "--baselines", str(given)) == 2
    err = capsys.readouterr().err
    assert "amd.json: Python baselines from another machine or problem" in err
    assert "CPU 'AMD EPYC 9R14' there" in err and "8 cores there, 2 here" in err
    assert "--allow-foreign-baselines" in err
    after = snapshot(fake.out)
    assert after["summary.json"] == before["summary.json"]
    assert after["raw/baselines.json"] == before["raw/baselines.json"], "the foreign file was copied into raw/"
    assert run_ladder(fake, "--skip-bench", "--baselines", str(given), "--allow-foreign-baselines") == 0
    notes = json.loads((fake.out / "summary.json").read_text())["notes"]
    assert any("another machine or problem" in n and "AMD EPYC" in n for n in notes)


def test_baselines_of_another_problem_or_without_a_machine_are_refused(fake, capsys):
    other = fx.baselines(params={**fx.baselines()["params"], "width": 480})
    anonymous = fx.baselines()
    del anonymous["machine"]
    for data, needle in [(other, "problem 480x960/200"), (anonymous, "does not record the machine")]:
        given = fake.out.parent / "given.json"
        given.parent.mkdir(exist_ok=True)
        given.write_text(json.dumps(data))
        assert run_ladder(fake, "--skip-bench", "--baselines", str(given)) == 2
        assert needle in capsys.readouterr().err


def test_the_chart_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """speedup.svg and the summary files: every text is made before any file is replaced, so a write-up that fails
    leaves each earlier file as it was."""
    path = tmp_path / "speedup.svg"
    path.write_text("<svg>earlier</svg>")

    def broken(*args):
        raise ValueError("math domain error")

    s = merge(dict(fx.MACHINE), "m", dict(fx.SETTINGS), registry=fx.REGISTRY, baselines=fx.baselines())
    monkeypatch.setattr(writers.cargo, "ask_report", broken)
    with pytest.raises(ValueError):
        writers.write_all("mandel-report", s, tmp_path)
    assert path.read_text() == "<svg>earlier</svg>" and not (tmp_path / "summary.json").exists()


# --- 5. environment variables: mandel's rules, mandel's answer ---------------------------------------

# The `mandel` binary of the build under test: scripts/test names its test profile's (MANDEL_BIN).
MANDEL = Path(os.environ.get("MANDEL_BIN") or ladder.REPO / "target" / "release" / "mandel")


@pytest.mark.parametrize("var", ["MANDEL_ISA", "RAYON_NUM_THREADS", "MANDEL_TUNING", "MANDEL_C_TUNING"])
def test_mandel_refusing_its_environment_stops_the_ladder_before_anything_is_written(fake, capsys, var):
    """`mandel describe` runs right after the build, before the results folder is touched; mandel refuses
    a bad variable (exit 2, its message naming it): the ladder stops there, exit 2, with that message."""
    fake.refuse = f'mandel: error: {var}="garbage" is not valid'
    assert run_ladder(fake) == 2
    assert f'{var}="garbage" is not valid' in capsys.readouterr().err
    # (run.py's own environment check, `run.py --list`, comes first and passes here)
    assert [c[1] for c in fake.calls if "python_baselines.run" not in c] == ["build", "describe"]
    assert not fake.out.exists()


def test_the_pool_is_the_one_mandel_describe_reports_not_python_s_count(fake):
    """The thread pool of a run is `mandel describe`'s (Rust's rule: RAYON_NUM_THREADS, else the cores
    this process may use), not the machine description's core count (os.cpu_count(), 2 here); when
    describe fails, the rounds' own `pool_threads`."""
    fake.describe_text = json.dumps(fx.describe(pool_threads=3))
    assert run_ladder(fake, "--skip-python") == 0
    assert json.loads((fake.out / "summary.json").read_text())["settings"]["pool_threads"] == 3
    assert json.loads((fake.out / "raw" / "run.json").read_text())["pool_threads"] == 3
    fake.describe_text = ""
    verified = fake.round
    fake.round = lambda r: json.dumps({**json.loads(verified(r)), "pool_threads": 5})
    assert run_ladder(fake, "--skip-python") == 1  # describe failed: part of the run failed
    # its raw files went to raw.failed/, raw/ being the earlier complete run's
    assert json.loads((fake.out / "raw.failed" / "run.json").read_text())["pool_threads"] == 5
    assert json.loads((fake.out / "raw" / "run.json").read_text())["pool_threads"] == 3


def run_mandel(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("MANDEL_TUNING", "MANDEL_C_TUNING", "MANDEL_ISA",
                                                              "RAYON_NUM_THREADS")}
    return subprocess.run([str(MANDEL), *args], env={**environ, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not MANDEL.exists(), reason="needs target/release/mandel (cargo build --release --bin mandel)")
def test_mandel_describe_states_the_environment_rules_mandel_enforces():
    """What the ladder leaves to mandel, read from `mandel describe --json` (never from Rust source): each
    ISA name it lists is accepted as MANDEL_ISA (any case), another name is refused (exit 2, naming the
    variable and listing the names); RAYON_NUM_THREADS up to `threads.max` is accepted, one more refused."""
    facts = json.loads(run_mandel("describe", "--json").stdout)
    for name in facts["isa_names"]:
        assert run_mandel("describe", "--json", MANDEL_ISA=name.upper()).returncode == 0, name
    bad = run_mandel("describe", "--json", MANDEL_ISA="avx9000")
    assert bad.returncode == 2 and bad.stdout == "" and "MANDEL_ISA" in bad.stderr
    assert ", ".join(facts["isa_names"]) in bad.stderr
    limit = facts["threads"]["max"]
    assert facts["threads"]["env"] == "RAYON_NUM_THREADS"
    assert json.loads(run_mandel("describe", "--json", RAYON_NUM_THREADS=str(limit)).stdout)["threads"]["pool"] == limit
    over = run_mandel("describe", "--json", RAYON_NUM_THREADS=str(limit + 1))
    assert over.returncode == 2 and "RAYON_NUM_THREADS" in over.stderr and str(limit) in over.stderr
