"""scripts/ab (ladderlib.ab) against a hostile review: what it builds is what it labels, the two sides are
the same work or say how they differ, every failure is a message naming its command. Cargo, git's checkouts and
`mandel` are faked or run in tmp_path; nothing here times anything."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ladder_fixtures as fx
import verdict_rule as verdict
from ladderlib import ab, atomic, cargo, ladder
from ladderlib.readers import InputError
from test_ladder_robust import installed, run_ladder

SCRIPTS = Path(ab.__file__).resolve().parents[1]


def fake_cargo(tmp_path, monkeypatch, writes=True, mandel="exit 0", mode="+x"):
    """A `cargo` first on PATH that logs its working directory and CARGO_TARGET_DIR, refuses a relative one (the
    real cargo would resolve it against its working directory, the repository: outside tmp_path) and, with
    `writes`, leaves a `mandel` script in <CARGO_TARGET_DIR>/release/."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "cargo.log"
    (tmp_path / "mandel.sh").write_text(f"#!/bin/sh\n{mandel}\n")  # what the built mandel does
    make = (f'mkdir -p "$CARGO_TARGET_DIR/release"\ncp {tmp_path / "mandel.sh"} "$CARGO_TARGET_DIR/release/mandel"\n'
            f'chmod {mode} "$CARGO_TARGET_DIR/release/mandel"\n') if writes else ""
    (bin_dir / "cargo").write_text(f'#!/bin/sh\necho "$(pwd) $CARGO_TARGET_DIR" >> {log}\n'
                                   'case "$CARGO_TARGET_DIR" in /*) ;; *) echo "relative: $CARGO_TARGET_DIR" >&2; '
                                   f'exit 3;; esac\n{make}')
    (bin_dir / "cargo").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


# --- 1: one target folder, absolute, for every cargo call -------------------------------------------------


def imported_target(module, cwd, env):
    """`module`.TARGET as a command started in `cwd` with `env` sees it."""
    out = subprocess.run([sys.executable, "-c", f"from ladderlib import {module}; print({module}.TARGET)"], cwd=cwd,
                         env={**os.environ, "PYTHONPATH": str(SCRIPTS), **env}, capture_output=True, text=True,
                         check=True)
    return Path(out.stdout.strip())


@pytest.mark.parametrize("module", ["ab", "ladder"])
def test_a_relative_cargo_target_dir_is_the_callers(tmp_path, module):
    caller = tmp_path / "caller"
    caller.mkdir()
    base = {"CARGO_TARGET_DIR": "", "CARGO_BUILD_TARGET_DIR": ""}
    assert imported_target(module, caller, {**base, "CARGO_TARGET_DIR": "rel/t"}) == caller / "rel" / "t"
    # the environment's form of a config's build.target-dir is where cargo would put it too
    assert imported_target(module, caller, {**base, "CARGO_BUILD_TARGET_DIR": "b"}) == caller / "b"
    assert imported_target(module, caller, {**base, "CARGO_TARGET_DIR": "a", "CARGO_BUILD_TARGET_DIR": "b"}) == \
        caller / "a"
    assert imported_target(module, caller, base) == Path(ab.REPO) / "target"


def test_cargo_builds_where_ab_then_looks(tmp_path, monkeypatch):
    # cargo runs in the repository: a relative CARGO_TARGET_DIR inherited as given named another folder than ab's
    log = fake_cargo(tmp_path, monkeypatch)
    caller = tmp_path / "caller"
    caller.mkdir()
    monkeypatch.chdir(caller)
    monkeypatch.setenv("CARGO_TARGET_DIR", "rel")
    monkeypatch.setattr(ab, "TARGET", cargo.target_dir(ab.REPO))
    kept = ab.build_working_tree()  # a copy of what cargo built there
    assert kept == caller / "rel" / "ab" / f"working-tree.{os.getpid()}.mandel"
    assert kept.read_bytes() == (caller / "rel" / "release" / "mandel").read_bytes() and os.access(kept, os.X_OK)
    assert log.read_text().split() == [str(ab.REPO), str(caller / "rel")]


def test_ab_waits_for_a_ladder_using_the_target_folder_and_runs_a_copy(tmp_path, monkeypatch):
    """scripts/ab's build of the working tree replaced target/release/mandel under a ladder measuring it. It now
    waits for the ladder's lock on the target folder, and runs a copy that a later build does not replace; a
    copy left by a killed ab (its pid gone, untouched for an hour) is removed, a running one's is not, and a link at its own copy's name
    is replaced, not written through. The holder lets go only once ab has said it waits."""
    fake_cargo(tmp_path, monkeypatch)
    target = tmp_path / "t"
    (target / "ab").mkdir(parents=True)
    (target / "ab" / "working-tree.999999999.mandel").write_text("stale")
    hour_ago = time.time() - atomic.STALE_AFTER_S - 60
    os.utime(target / "ab" / "working-tree.999999999.mandel", (hour_ago, hour_ago))
    # its pid gone here but touched within the hour: perhaps an ab in another pid namespace, running it
    (target / "ab" / "working-tree.999999998.mandel").write_text("fresh")
    (target / "ab" / f"working-tree.{os.getppid()}.mandel").write_text("another ab's")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (target / "ab" / f"working-tree.{os.getpid()}.mandel").symlink_to(precious)
    monkeypatch.setattr(ab, "TARGET", target)
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sys
from pathlib import Path
from ladderlib import ladder
ladder.take_lock(Path({str(target)!r}), "the build folder", "another ladder or scripts/ab")
print("locked", flush=True)
sys.stdin.readline()  # held until the test says
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    said = []

    def log(message):
        said.append(message)
        if message.startswith("waiting for"):
            holder.stdin.write("go\n")
            holder.stdin.flush()
    monkeypatch.setattr(ab, "log", log)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(InputError, match=f"another ladder or scripts/ab \\(pid {holder.pid}\\) is using"):
            ladder.take_lock(target, "the build folder", "another ladder or scripts/ab")
        kept = ab.build_working_tree()
    finally:
        holder.kill()
        holder.wait()
    assert f"waiting for the ladder or scripts/ab (pid {holder.pid}) using {target}" in said
    assert kept == target / "ab" / f"working-tree.{os.getpid()}.mandel" and not kept.is_symlink()
    assert precious.read_text() == "keep me" and not os.access(precious, os.X_OK)
    (target / "release" / "mandel").write_text("#!/bin/sh\nexit 9\n")  # a ladder's later build
    assert subprocess.run([kept]).returncode == 0
    assert sorted(p.name for p in (target / "ab").iterdir()) == sorted(
        [kept.name, f"working-tree.{os.getppid()}.mandel", "working-tree.999999998.mandel"])


def test_the_ladder_builds_where_it_then_looks(tmp_path, monkeypatch):
    log = fake_cargo(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARGO_TARGET_DIR", "rel")
    monkeypatch.setattr(ladder, "TARGET", cargo.target_dir(ladder.REPO))
    assert ladder.build(ladder.parse_args(["--skip-bench"]), tmp_path / "build.log") == 0
    assert log.read_text().split() == [str(ladder.REPO), str(tmp_path / "rel")]
    assert (tmp_path / "rel" / "release" / "mandel").is_file()


def test_a_build_that_leaves_no_binary_is_an_error_naming_it(tmp_path, monkeypatch):
    fake_cargo(tmp_path, monkeypatch, writes=False)  # as a cargo config's build.target would
    monkeypatch.setattr(ab, "TARGET", tmp_path / "t")
    with pytest.raises(InputError, match=r"succeeded but .*/t/release/mandel is not there"):
        ab.build_working_tree()


def test_cargo_build_target_is_refused_before_any_build(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CARGO_BUILD_TARGET", "aarch64-unknown-linux-gnu")
    monkeypatch.setattr(ab, "build_working_tree", lambda: pytest.fail("built"))
    with pytest.raises(InputError, match="CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu"):
        ab.main(["--rounds", "3"])
    f = installed(tmp_path, monkeypatch)
    assert run_ladder(f) == 2
    assert "CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu" in capsys.readouterr().err
    assert not [c for c in f.calls if c[:2] == ["cargo", "build"]]
    pre = tmp_path / "prebuilt"  # a binary built elsewhere: nothing is built, so nothing to refuse
    pre.mkdir()
    (pre / "mandel").write_text("#!/bin/sh\n")
    (pre / "mandel").chmod(0o755)
    (pre / "mandel-report").symlink_to(verdict.MANDEL_REPORT)  # which writes the summary up
    assert run_ladder(f, "--prebuilt", str(pre)) == 0, capsys.readouterr().err


# --- 2: the two sides are the same work, or the report says how they differ -------------------------------

SAME = {"naive-f64": 0.1, "fma-f64": 0.05, "rayon-fma-f64": 0.025}


def run_sides(tmp_path, monkeypatch, capsys, *argv, describe_b=None, round_b=None, times_b=SAME, times_a=SAME,
              kernels=None):
    off = {k["name"]: None for k in kernels or () if k["unavailable"]}  # no verification, no times
    """ab.main on fake rounds, B's marked by --b-env SIDE=B: `describe_b` (a `describe` dict to a new one) and
    `round_b` (a round dict to a new one) change what B's mandel says; (exit status, stdout)."""
    monkeypatch.setattr(ab, "build_working_tree", lambda: tmp_path / "mandel")
    monkeypatch.setattr(ab, "tune_rows", lambda mandel: ([], None))
    monkeypatch.setattr(ab.baseline, "this_machine_id", lambda repo: "m")
    for var in ("CARGO_BUILD_TARGET", "MANDEL_TUNING", "MANDEL_C_TUNING"):
        monkeypatch.delenv(var, raising=False)

    def describe(mandel, kernels, side, env=None):
        facts = fx.describe()
        return (describe_b or (lambda d: d))(facts) if (env or {}).get("SIDE") == "B" else facts

    def run_round(mandel, env, r, args):
        data = fx.bench_round(r, times_b if env.get("SIDE") == "B" else times_a, kernels=kernels,
                              verifications=off)
        return (round_b or (lambda d: d))(data) if env.get("SIDE") == "B" else data

    monkeypatch.setattr(ab, "describe", describe)
    monkeypatch.setattr(ab, "run_round", run_round)
    code = ab.main(["--b-env", "SIDE=B", "--rounds", "3", *argv])
    return code, capsys.readouterr().out


def test_the_sides_alike_get_no_note(tmp_path, monkeypatch, capsys):
    code, out = run_sides(tmp_path, monkeypatch, capsys)
    assert code == 0 and "differ" not in out and "3 no change" in out


def test_a_b_side_with_one_thread_and_sse2_is_named_before_the_table(tmp_path, monkeypatch, capsys):
    # a --b-env that takes the pool to 1 thread and the kernels to SSE2 gave a verdict with no word of either
    def narrower(data):
        for k in data["kernels"]:
            k["isa"] = "sse2" if k["isa"] == "fma" else k["isa"]
        return {**data, "pool_threads": 1, "tunings": [["simd-f32", "v2k4 (forced)"]]}

    out_json = tmp_path / "ab.json"
    code, out = run_sides(tmp_path, monkeypatch, capsys, "--out", str(out_json), round_b=narrower,
                          times_b={**SAME, "rayon-fma-f64": 0.5})
    assert code == 0
    note, table = out.split("rung ", 1)
    assert "note: A and B differ in more than their code" in note
    assert "pool threads: A 2, B 1" in note
    assert "ISA path: A fma, B sse2: fma-f64, rayon-fma-f64" in note
    assert "tunings: A simd-f32 v4k8 (forced); B simd-f32 v2k4 (forced)" in note
    assert "naive-f64" not in note  # scalar on both sides
    assert json.loads(out_json.read_text())["differences"] == [
        "pool threads: A 2, B 1 (the threaded rungs' change is of the pool too)",
        "ISA path: A fma, B sse2: fma-f64, rayon-fma-f64", "tunings: A simd-f32 v4k8 (forced); B simd-f32 v2k4 (forced)"]


@pytest.mark.parametrize("change", [
    lambda d: {**d, "canonical": {**d["canonical"], "max_iters": 100}},
    lambda d: {**d, "rounds": {**d["rounds"], "full": {**d["rounds"]["full"], "kernel_s": 1.0}}}])
def test_sides_that_would_time_other_work_are_refused_before_any_round(tmp_path, monkeypatch, capsys, change):
    monkeypatch.setattr(ab, "run_round", lambda *a: pytest.fail("measured"))
    with pytest.raises(InputError, match="A and B would not time the same work"):
        run_sides(tmp_path, monkeypatch, capsys, describe_b=change)


def test_quick_settings_are_the_ones_compared_with_quick(tmp_path, monkeypatch, capsys):
    # the full settings differing do not matter to a --quick run, which times by the quick ones
    full = lambda d: {**d, "rounds": {**d["rounds"], "full": {**d["rounds"]["full"], "kernel_s": 1.0}}}
    assert run_sides(tmp_path, monkeypatch, capsys, "--quick", describe_b=full)[0] == 0
    quick = lambda d: {**d, "rounds": {**d["rounds"], "quick": {**d["rounds"]["quick"], "kernel_s": 1.0}}}
    with pytest.raises(InputError, match="the quick round settings"):
        run_sides(tmp_path, monkeypatch, capsys, "--quick", describe_b=quick)


def test_rounds_with_other_settings_are_refused(tmp_path, monkeypatch, capsys):
    # describe agreed, the rounds did not (a revision whose describe says less than its bench does)
    with pytest.raises(InputError, match="did not time the same work: their rounds' settings"):
        run_sides(tmp_path, monkeypatch, capsys, round_b=lambda d: {**d, "settings": {**d["settings"], "min_renders": 9}})


# --- 3: the tally counts what the table shows; the drift note speaks of ab's own run ------------------------

EIGHT = [fx.kernel_info(f"k{i}-f64", "f64") for i in range(8)]


def test_every_rung_slower_gets_abs_own_drift_note(tmp_path, monkeypatch, capsys):
    a = {k["name"]: 0.1 for k in EIGHT}
    b = {k["name"]: 0.11 for k in EIGHT}
    for argv, says in (((), "The rounds alternated, so a change of the machine's speed hit both sides alike"),
                       (("--sequential",), "A's rounds all ran before B's")):
        code, out = run_sides(tmp_path, monkeypatch, capsys, *argv, times_a=a, times_b=b, kernels=EIGHT)
        assert code == 0 and "every rung moved the same way: slower in at least 90% of the 8 timed on both" in out
        assert says in out and "scripts/ab" not in out


def test_a_side_whose_rounds_ran_at_another_speed_in_part_is_named(tmp_path, monkeypatch, capsys):
    def slower_rounds(data):  # B's rounds 1 and 3 30% slower in every kernel: the machine, not the code
        scale = 1.3 if data["round"] in (1, 3) else 1.0
        return {**data, "kernels": [{**k, "times_s": [t * scale for t in k["times_s"]]} for k in data["kernels"]]}

    times = {k["name"]: 0.01 * (i + 1) for i, k in enumerate(EIGHT)}
    code, out = run_sides(tmp_path, monkeypatch, capsys, "--rounds", "5", round_b=slower_rounds, times_a=times,
                          times_b=times, kernels=EIGHT)
    assert code == 0
    # A, at one speed, is not named
    assert [line for line in out.splitlines() if "speed changed" in line] == [
        "WARNING: the machine's speed changed during the rounds of working tree SIDE=B: the middle half of the "
        "rounds spans 30%, in 8 of 8 kernels together (the slower: round #1, #3), where a machine at one speed spans "
        "a few percent. Every interquartile range carries that change, and the medians too when the slower rounds "
        "are many: rerun before trusting these times against another run's."]


@pytest.mark.parametrize("kernels, rounds, checked", [(EIGHT, "5", True), (EIGHT[:5], "5", False),
                                                      (EIGHT, "3", False)])
def test_a_run_too_small_for_the_speed_check_says_it_was_not_checked(tmp_path, monkeypatch, capsys, kernels, rounds,
                                                                     checked):
    times = {k["name"]: 0.01 for k in kernels}
    code, out = run_sides(tmp_path, monkeypatch, capsys, "--rounds", rounds, times_a=times, times_b=times,
                          kernels=kernels)
    assert code == 0
    said = [line for line in out.splitlines() if "is not checked" in line]
    assert said == ([] if checked else [
        "note: whether the machine's speed changed during the rounds of working tree and of working tree "
        "SIDE=B is not checked: that needs 6 kernels timed in every round, and 4 rounds"])


def test_the_a_a_drift_note_calls_the_verdicts_false(capsys):
    def notes(n):  # n rungs, each 4% faster in B
        a = [{"name": f"r{i}", "status": "ok", "median_s": 1.0} for i in range(n)]
        ab.report(verdict.MANDEL_REPORT, verdict.report(a, [{**r, "median_s": 0.96} for r in a]), args, ["A", "B"])
        return [line for line in capsys.readouterr().out.splitlines() if "every rung moved" in line]

    args = ab.parse_args([ab.STABILITY, "--rounds", "3"])
    (note,) = notes(9)
    assert note.startswith("note: every rung moved the same way: faster in at least 90% of the 9 timed on both "
                           "sides, median -4.0%") and "between the passes" in note and "scripts/ab" not in note
    assert notes(7) == []  # fewer than 8 timed: no note


def test_a_rung_timed_on_neither_side_is_in_neither_the_table_nor_the_tally(tmp_path, monkeypatch, capsys):
    off = [{**k, "available": False, "unavailable": "needs avx512"} if k["name"] == "fma-f64" else k
           for k in fx.REGISTRY]
    timed = {k: v for k, v in SAME.items() if k != "fma-f64"}
    code, out = run_sides(tmp_path, monkeypatch, capsys, "--fail-on-verdict", times_a=timed, times_b=timed,
                          kernels=off)
    assert code == 0
    assert "verdicts: 2 no change\n" in out and "timed on neither side (left out): fma-f64" in out
    table = out.split("\nverdicts:")[0].splitlines()
    assert [line.split()[0] for line in table[2:]] == ["naive-f64", "rayon-fma-f64"]  # after the header and rule


# --- 4: a revision's worktree reused only when it is that revision, untouched; one build at a time -----------


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository of two commits (a.txt "1", then "2") as ab's REPO, its target folder in tmp_path, a fake
    cargo; (repo, the first commit's sha)."""
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    for text in ("1", "2"):
        (r / "a.txt").write_text(text)
        git(r, "add", "a.txt")
        git(r, "commit", "-qm", text)
    fake_cargo(tmp_path, monkeypatch)
    monkeypatch.setattr(ab, "REPO", r)
    monkeypatch.setattr(ab, "TARGET", tmp_path / "target")
    return r, git(r, "rev-parse", "HEAD~1")


def test_a_revision_is_built_from_a_clean_checkout_of_it(repo, tmp_path, capsys):
    r, sha = repo
    tree = tmp_path / "target" / "ab" / sha[:12]
    kept = ab.build_revision("HEAD~1")
    assert kept == tmp_path / "target" / "ab" / f"{sha[:12]}.mandel" and os.access(kept, os.X_OK)
    assert (tree / "a.txt").read_text() == "1" and git(tree, "status", "--porcelain") == ""
    capsys.readouterr()
    precious = tmp_path / "precious.txt"  # a link at the kept copy's name is replaced, not written through
    precious.write_text("keep me")
    kept.unlink()
    kept.symlink_to(precious)
    ab.build_revision("HEAD~1")  # clean: reused as it is
    assert "checking out" not in capsys.readouterr().err
    assert precious.read_text() == "keep me" and not kept.is_symlink() and os.access(kept, os.X_OK)
    spoil = [lambda: (tree / "a.txt").write_text("edited"),  # a hand edit
             lambda: (tree / "new.txt").write_text("added"),  # an untracked file
             lambda: git(tree, "checkout", "-q", "--detach", git(r, "rev-parse", "HEAD")),  # another commit
             lambda: (git(r, "worktree", "remove", "--force", str(tree)), tree.mkdir(),  # an interrupted checkout:
                      (tree / ".git").write_text("gitdir: /nowhere\n"))]  # .git there, nothing else
    for how in spoil:
        how()
        ab.build_revision("HEAD~1")
        assert "not a clean checkout" in capsys.readouterr().err
        assert (tree / "a.txt").read_text() == "1" and git(tree, "rev-parse", "HEAD") == sha
        assert git(tree, "status", "--porcelain") == "" and not (tree / "new.txt").exists()


def test_a_folder_without_git_is_not_taken_for_the_repository_around_it(repo, tmp_path, monkeypatch, capsys):
    # the target folder inside the repository (its default): git run in a tree without .git finds the
    # repository's HEAD, which may be the very revision
    r, _ = repo
    monkeypatch.setattr(ab, "TARGET", r / "target")
    head = git(r, "rev-parse", "HEAD")
    tree = r / "target" / "ab" / head[:12]
    tree.mkdir(parents=True)
    (tree / ".git").mkdir()  # no repository in it: git looks further up
    ab.build_revision("HEAD")
    assert "not a clean checkout" in capsys.readouterr().err and (tree / "a.txt").read_text() == "2"


def test_a_second_ab_waits_for_the_build_of_another(repo, tmp_path, capsys):
    folder = tmp_path / "target" / "ab"
    folder.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", f"""
import fcntl, os, sys, time
f = open({str(folder / '.ab.lock')!r}, "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.truncate(0); f.write("4242\\n"); f.flush()
print("locked", flush=True)
time.sleep(1.5)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        ab.build_revision("HEAD~1")
    finally:
        holder.kill()
        holder.wait()
    assert "waiting for another scripts/ab (pid 4242)" in capsys.readouterr().err
    assert (folder / ".ab.lock").read_text() == f"{os.getpid()}\n"


# --- 5: every failure a message naming its command, never a traceback ------------------------------------


def ab_command(tmp_path, monkeypatch, *argv):
    """scripts/ab as run (python -m ladderlib.ab), cargo faked, its target folder in tmp_path; (exit, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS), "CARGO_TARGET_DIR": str(tmp_path / "t"),
           "MANDEL_TUNING": "f32:v4k8", "MANDEL_C_TUNING": "v4k8"}  # pinned: no tuning looked for
    proc = subprocess.run([sys.executable, "-m", "ladderlib.ab", "--rounds", "3", *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("mandel, mode, says", [
    ("echo 'not json'", "+x", "describe --json printed no JSON"),  # describe printing something else
    ("kill -9 $$", "+x", "describe --json exited -9"),  # a binary killed by a signal
    ("exit 0", "-x", "describe --json printed no JSON"),  # built without its x bit: ab runs a copy, executable
])
def test_a_mandel_that_fails_oddly_is_a_message_not_a_traceback(tmp_path, monkeypatch, mandel, mode, says):
    fake_cargo(tmp_path, monkeypatch, mandel=mandel, mode=mode)
    code, err = ab_command(tmp_path, monkeypatch)
    assert code == 2 and "Traceback" not in err and says in err and err.splitlines()[-1].startswith("ab: error: ")
    assert list((tmp_path / "t" / "ab").iterdir()) == []  # its copy of the working tree's mandel removed


def test_a_missing_cargo_is_a_message_naming_it(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no cargo anywhere: python itself is run by its full path
    code, err = ab_command(tmp_path, monkeypatch)
    assert code == 2 and err.splitlines()[-1] == "ab: error: cargo: No such file or directory"


def test_an_unwritable_out_is_a_message_naming_it(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.json"
    monkeypatch.setattr(ab.atomic, "write_text", lambda path, text: (_ for _ in ()).throw(
        OSError(28, "No space left on device", str(path))))
    code = run_sides_via_run(tmp_path, monkeypatch, capsys, "--out", str(out))
    assert code == 2 and f"ab: error: {out}: No space left on device" in capsys.readouterr().err


def run_sides_via_run(tmp_path, monkeypatch, capsys, *argv):
    """ab.run (the entry point, with its error handling) on fake rounds, both sides alike; its exit status."""
    monkeypatch.setattr(ab, "build_working_tree", lambda: tmp_path / "mandel")
    monkeypatch.setattr(ab, "tune_rows", lambda mandel: ([], None))
    monkeypatch.setattr(ab.baseline, "this_machine_id", lambda repo: "m")
    monkeypatch.setattr(ab, "describe", lambda *a: fx.describe())
    monkeypatch.setattr(ab, "run_round", lambda mandel, env, r, args: fx.bench_round(r, SAME))
    return ab.run(["--rounds", "3", *argv])


@pytest.mark.parametrize("printed, rc, says", [
    ("garbage", 0, "tune --json printed no JSON"),
    ('[{"isa": 1}]', 0, "tune --json"),  # JSON, not rows
    ("", 3, "tune --json exited 3: tune broke"),
])
def test_mandel_tune_failing_or_printing_no_rows_is_an_input_error(tmp_path, monkeypatch, printed, rc, says):
    mandel = tmp_path / "mandel"
    mandel.write_text(f"#!/bin/sh\nprintf '%s' '{printed}'\necho 'tune broke' >&2\nexit {rc}\n")
    mandel.chmod(0o755)
    monkeypatch.setattr(ab, "REPO", tmp_path)  # no results/<machine>/tuning.json there
    for var in ("MANDEL_TUNING", "MANDEL_C_TUNING"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(InputError, match=says):
        ab.tune_rows(mandel)


@pytest.mark.parametrize("there, reused", [({}, True), ({"cpu_family_model": "25/1"}, False), (None, False)])
def test_the_kept_tuning_is_used_only_on_the_cpu_that_chose_it(tmp_path, monkeypatch, there, reused):
    """results/<id>/tuning.json pins both sides only where that set's machine is this one: two CPUs can share an id."""
    mandel = tmp_path / "mandel"
    mandel.write_text("#!/bin/sh\necho '[]'\n")  # `mandel tune --json` choosing nothing
    mandel.chmod(0o755)
    monkeypatch.setattr(ab, "REPO", tmp_path)
    monkeypatch.setattr(ab.machine, "describe", lambda repo: dict(fx.MACHINE))
    for var in ("MANDEL_TUNING", "MANDEL_C_TUNING"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / "results" / ab.machine.machine_id(fx.MACHINE)
    rows = [{"kernel": "simd", "isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
             "fastest": "v4k4", "times": [["v4k4", 0.01]]}]
    fx.write_json(folder / "tuning.json", rows)
    fx.write_json(folder / "raw" / "tune.json", rows)
    if there is not None:
        fx.write_json(folder / "raw" / "machine.json", {**fx.MACHINE, **there})
    assert ab.tune_rows(mandel) == ((rows, str(folder / "tuning.json")) if reused else ([], "mandel tune"))


def test_each_round_touches_the_working_tree_copy_it_runs(tmp_path, monkeypatch):
    """Another ab's clean-up removes a copy whose pid it cannot see only when untouched for an hour: the copy in use
    is touched every round, so an ab in another pid namespace running for hours keeps its binary."""
    copy = tmp_path / f"working-tree.{os.getpid()}.mandel"
    copy.write_text("#!/bin/sh\nexit 3\n")
    copy.chmod(0o755)
    hour_ago = time.time() - atomic.STALE_AFTER_S - 60
    os.utime(copy, (hour_ago, hour_ago))
    with pytest.raises(InputError, match="bench exited 3"):
        ab.run_round(copy, dict(os.environ), 0, ab.parse_args(["--rounds", "3"]))
    assert not atomic.untouched(copy)
