"""scripts/ab (`mandel-report ab-rounds`, crates/report/src/ab_cli.rs) against a hostile review: what it builds is what
it labels, the two sides are the same work or say how they differ, every failure is a message naming its command.
Cargo, git's checkouts and `mandel` are faked or run in tmp_path (ab_fakes); nothing here times anything."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ab_fakes as fake
import ladder_fixtures as fx
import verdict_rule as verdict
from ab_fakes import SAME, ab, fake_cargo, sides
from ladderlib import atomic, cargo, ladder
from ladderlib.readers import InputError
from test_ladder_robust import installed, run_ladder

SCRIPTS = fake.SCRIPTS


# --- 1: one target folder, absolute, for every cargo call -------------------------------------------------


def imported_target(module, cwd, env):
    """`module`.TARGET as a command started in `cwd` with `env` sees it."""
    out = subprocess.run([sys.executable, "-c", f"from ladderlib import {module}; print({module}.TARGET)"], cwd=cwd,
                         env={**os.environ, "PYTHONPATH": str(SCRIPTS), **env}, capture_output=True, text=True,
                         check=True)
    return Path(out.stdout.strip())


def test_a_relative_cargo_target_dir_is_the_callers(tmp_path):
    caller = tmp_path / "caller"
    caller.mkdir()
    base = {"CARGO_TARGET_DIR": "", "CARGO_BUILD_TARGET_DIR": ""}
    assert imported_target("ladder", caller, {**base, "CARGO_TARGET_DIR": "rel/t"}) == caller / "rel" / "t"
    # the environment's form of a config's build.target-dir is where cargo would put it too
    assert imported_target("ladder", caller, {**base, "CARGO_BUILD_TARGET_DIR": "b"}) == caller / "b"
    assert imported_target("ladder", caller, {**base, "CARGO_TARGET_DIR": "a", "CARGO_BUILD_TARGET_DIR": "b"}) == \
        caller / "a"
    assert imported_target("ladder", caller, base) == Path(ladder.REPO) / "target"


@pytest.mark.parametrize("env, where", [({"CARGO_TARGET_DIR": "rel"}, "rel"), ({"CARGO_BUILD_TARGET_DIR": "b"}, "b"),
                                        ({"CARGO_TARGET_DIR": "a", "CARGO_BUILD_TARGET_DIR": "b"}, "a")])
def test_cargo_builds_where_ab_then_looks(tmp_path, env, where):
    # cargo runs in the repository: a relative CARGO_TARGET_DIR inherited as given named another folder than ab's
    log = fake_cargo(tmp_path, mandel=f'echo "$0" > {tmp_path / "ran"}; exit 3')  # a copy of what cargo built there
    caller = tmp_path / "caller"
    caller.mkdir()
    code, _, err = ab(tmp_path, "--rounds", "3", cwd=caller, **{"CARGO_TARGET_DIR": None, **env})
    assert code == 2 and "describe --json exited 3" in err
    assert log.read_text().split() == [str(fake.REPO), str(caller / where)]
    ran = Path((tmp_path / "ran").read_text().strip())
    assert ran.parent == caller / where / "ab" and ran.name.startswith("working-tree.")


def test_ab_waits_for_a_ladder_using_the_target_folder_and_runs_a_copy(tmp_path):
    """scripts/ab's build of the working tree replaced target/release/mandel under a ladder measuring it. It waits for
    the ladder's lock on the target folder, and runs a copy that a later build does not replace; a copy left by a
    killed ab (its pid gone, untouched for an hour) is removed, a running one's is not. The holder lets go only once ab
    has said it waits."""
    target = tmp_path / "t"
    listing = tmp_path / "listing"
    fake_cargo(tmp_path, mandel=f'echo "$0" > {tmp_path / "ran"}; ls {target / "ab"} > {listing}; exit 3')
    (target / "ab").mkdir(parents=True)
    (target / "ab" / "working-tree.999999999.mandel").write_text("stale")
    hour_ago = time.time() - atomic.STALE_AFTER_S - 60
    os.utime(target / "ab" / "working-tree.999999999.mandel", (hour_ago, hour_ago))
    # its pid gone here but touched within the hour: perhaps an ab in another pid namespace, running it
    (target / "ab" / "working-tree.999999998.mandel").write_text("fresh")
    (target / "ab" / f"working-tree.{os.getpid()}.mandel").write_text("another ab's")
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sys
from pathlib import Path
from ladderlib import ladder
ladder.take_lock(Path({str(target)!r}), "the build folder", "another ladder or scripts/ab")
print("locked", flush=True)
sys.stdin.readline()  # held until the test says
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(SCRIPTS)})
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(InputError, match=f"another ladder or scripts/ab \\(pid {holder.pid}\\) is using"):
            ladder.take_lock(target, "the build folder", "another ladder or scripts/ab")
        run = subprocess.Popen(fake.command("--rounds", "3"), env=fake.environment(tmp_path), stderr=subprocess.PIPE,
                               text=True)
        first = run.stderr.readline()
        assert first.endswith(f"] waiting for the ladder or scripts/ab (pid {holder.pid}) using {target}\n"), first
        holder.stdin.write("go\n")
        holder.stdin.flush()
        err = first + run.stderr.read()
        assert run.wait() == 2
    finally:
        holder.kill()
        holder.wait()
    kept = target / "ab" / f"working-tree.{run.pid}.mandel"
    assert (tmp_path / "ran").read_text().strip() == str(kept), err
    assert sorted(listing.read_text().split()) == sorted(
        [kept.name, f"working-tree.{os.getpid()}.mandel", "working-tree.999999998.mandel"])
    assert sorted(p.name for p in (target / "ab").iterdir()) == sorted(  # its own copy removed at its end
        [f"working-tree.{os.getpid()}.mandel", "working-tree.999999998.mandel"])


def test_the_ladder_builds_where_it_then_looks(tmp_path, monkeypatch):
    log = fake_cargo(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARGO_TARGET_DIR", "rel")
    monkeypatch.setattr(ladder, "TARGET", cargo.target_dir(ladder.REPO))
    assert ladder.build(ladder.parse_args(["--skip-bench"]), tmp_path / "build.log") == 0
    assert log.read_text().split() == [str(ladder.REPO), str(tmp_path / "rel")]
    assert (tmp_path / "rel" / "release" / "mandel").is_file()


def test_a_build_that_leaves_no_binary_is_an_error_naming_it(tmp_path):
    fake_cargo(tmp_path, writes=False)  # as a cargo config's build.target would
    code, _, err = ab(tmp_path, "--rounds", "3")
    assert code == 2 and f"ab: error: the working tree: cargo build succeeded but {tmp_path}/t/release/mandel is not " \
        "there" in err


def test_cargo_build_target_is_refused_before_any_build(tmp_path, monkeypatch, capsys):
    log = fake_cargo(tmp_path)
    code, _, err = ab(tmp_path, "--rounds", "3", CARGO_BUILD_TARGET="aarch64-unknown-linux-gnu")
    assert code == 2 and "ab: error: CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu" in err and not log.exists()
    # the wrapper, building mandel-report itself, refuses it before that build
    code, _, err = ab(tmp_path, "--rounds", "3", CARGO_BUILD_TARGET="aarch64-unknown-linux-gnu", MANDEL_REPORT_BIN=None)
    assert code == 2 and "ab: error: CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu" in err and not log.exists()
    monkeypatch.setenv("CARGO_BUILD_TARGET", "aarch64-unknown-linux-gnu")
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


def test_the_sides_alike_get_no_note(tmp_path):
    code, out, _ = sides(tmp_path)
    assert code == 0 and "differ" not in out and "3 no change" in out


def test_a_b_side_with_one_thread_and_sse2_is_named_before_the_table(tmp_path):
    # a --b-env that takes the pool to 1 thread and the kernels to SSE2 gave a verdict with no word of either
    narrower = """
for k in data["kernels"]:
    k["isa"] = "sse2" if k["isa"] == "fma" else k["isa"]
data = {**data, "pool_threads": 1, "tunings": [["simd-f32", "v2k4 (forced)"]]}"""
    out_json = tmp_path / "ab.json"
    code, out, err = sides(tmp_path, "--out", str(out_json), round_b=narrower, times_b={**SAME, "rayon-fma-f64": 0.5})
    assert code == 0, err
    note, table = out.split("rung ", 1)
    assert "note: A and B differ in more than their code" in note
    assert "pool threads: A 2, B 1" in note
    assert "ISA path: A fma, B sse2: fma-f64, rayon-fma-f64" in note
    assert "tunings: A simd-f32 v4k8 (forced); B simd-f32 v2k4 (forced)" in note
    assert "naive-f64" not in note  # scalar on both sides
    written = json.loads(out_json.read_text())
    assert written["differences"] == [
        "pool threads: A 2, B 1 (the threaded rungs' change is of the pool too)",
        "ISA path: A fma, B sse2: fma-f64, rayon-fma-f64", "tunings: A simd-f32 v4k8 (forced); B simd-f32 v2k4 (forced)"]
    assert list(written) == ["schema", "names", "sequential", "differences", "a", "b", "verdicts"]
    assert written["schema"] == "mandel-ab/1" and written["names"] == ["working tree", "working tree SIDE=B"]
    assert [r["round"] for r in written["b"]["rounds"]] == [0, 1, 2] and written["a"]["schema"] == "mandel-rounds/1"
    assert [list(v) for v in written["verdicts"]] == [["name", "verdict", "change", "p", "floor"]] * 3
    assert f"] written: {out_json}\n" in err


@pytest.mark.parametrize("change", [
    'd = {**d, "canonical": {**d["canonical"], "max_iters": 100}}',
    'd = {**d, "rounds": {**d["rounds"], "full": {**d["rounds"]["full"], "kernel_s": 1.0}}}'])
def test_sides_that_would_time_other_work_are_refused_before_any_round(tmp_path, change):
    code, _, err = sides(tmp_path, describe_b=change)
    assert code == 2 and "ab: error: A and B would not time the same work" in err
    assert not [c for c in fake.calls(tmp_path) if c.startswith("bench")]


def test_quick_settings_are_the_ones_compared_with_quick(tmp_path):
    # the full settings differing do not matter to a --quick run, which times by the quick ones
    full = 'd = {**d, "rounds": {**d["rounds"], "full": {**d["rounds"]["full"], "kernel_s": 1.0}}}'
    assert sides(tmp_path, "--quick", describe_b=full)[0] == 0
    quick = 'd = {**d, "rounds": {**d["rounds"], "quick": {**d["rounds"]["quick"], "kernel_s": 1.0}}}'
    code, _, err = sides(tmp_path, "--quick", describe_b=quick)
    assert code == 2 and "the quick round settings" in err


def test_rounds_with_other_settings_are_refused(tmp_path):
    # describe agreed, the rounds did not (a revision whose describe says less than its bench does)
    code, _, err = sides(tmp_path, round_b='data = {**data, "settings": {**data["settings"], "min_renders": 9}}')
    assert code == 2 and "did not time the same work: their rounds' settings" in err


# --- 3: the tally counts what the table shows; the drift note speaks of ab's own run ------------------------

EIGHT = [fx.kernel_info(f"k{i}-f64", "f64") for i in range(8)]


def test_every_rung_slower_gets_abs_own_drift_note(tmp_path):
    a = {k["name"]: 0.1 for k in EIGHT}
    b = {k["name"]: 0.11 for k in EIGHT}
    for argv, says in (((), "The rounds alternated, so a change of the machine's speed hit both sides alike"),
                       (("--sequential",), "A's rounds all ran before B's")):
        code, out, _ = sides(tmp_path, *argv, times_a=a, times_b=b, kernels_a=EIGHT, kernels_b=EIGHT,
                             describe_kernels=EIGHT)
        assert code == 0 and "every rung moved the same way: slower in at least 90% of the 8 timed on both" in out
        assert says in out and "scripts/ab" not in out


def test_a_side_whose_rounds_ran_at_another_speed_in_part_is_named(tmp_path):
    # B's rounds 1 and 3 30% slower in every kernel: the machine, not the code
    slower_rounds = """
scale = 1.3 if data["round"] in (1, 3) else 1.0
data = {**data, "kernels": [{**k, "times_s": [t * scale for t in k["times_s"]]} for k in data["kernels"]]}"""
    times = {k["name"]: 0.01 * (i + 1) for i, k in enumerate(EIGHT)}
    code, out, _ = sides(tmp_path, "--rounds", "5", round_b=slower_rounds, times_a=times, times_b=times,
                         kernels_a=EIGHT, kernels_b=EIGHT, describe_kernels=EIGHT)
    assert code == 0
    # A, at one speed, is not named
    assert [line for line in out.splitlines() if "speed changed" in line] == [
        "WARNING: the machine's speed changed during the rounds of working tree SIDE=B: the middle half of the "
        "rounds spans 30%, in 8 of 8 kernels together (the slower: round #1, #3), where a machine at one speed spans "
        "a few percent. Every interquartile range carries that change, and the medians too when the slower rounds "
        "are many: rerun before trusting these times against another run's."]


@pytest.mark.parametrize("kernels, rounds, checked", [(EIGHT, "5", True), (EIGHT[:5], "5", False),
                                                      (EIGHT, "3", False)])
def test_a_run_too_small_for_the_speed_check_says_it_was_not_checked(tmp_path, kernels, rounds, checked):
    times = {k["name"]: 0.01 for k in kernels}
    code, out, _ = sides(tmp_path, "--rounds", rounds, times_a=times, times_b=times, kernels_a=kernels,
                         kernels_b=kernels, describe_kernels=kernels)
    assert code == 0
    said = [line for line in out.splitlines() if "is not checked" in line]
    assert said == ([] if checked else [
        "note: whether the machine's speed changed during the rounds of working tree and of working tree "
        "SIDE=B is not checked: that needs 6 kernels timed in every round, and 4 rounds"])


def test_the_a_a_drift_note_calls_the_verdicts_false(tmp_path):
    def notes(n):  # n rungs, each 4% faster in the second pass
        kernels = [fx.kernel_info(f"r{i}-f64", "f64") for i in range(n)]
        fake_cargo(tmp_path, times_a={k["name"]: 1.0 for k in kernels}, times_b={k["name"]: 0.96 for k in kernels},
                   kernels_a=kernels, kernels_b=kernels, describe_kernels=kernels, aa_after=3)
        (tmp_path / "calls").unlink(missing_ok=True)
        code, out, err = ab(tmp_path, "--rounds", "3", stability=True)
        assert code == 0, err
        return [line for line in out.splitlines() if "every rung moved" in line]

    (note,) = notes(9)
    assert note.startswith("note: every rung moved the same way: faster in at least 90% of the 9 timed on both "
                           "sides, median -4.0%") and "between the passes" in note and "scripts/ab" not in note
    assert notes(7) == []  # fewer than 8 timed: no note


def test_a_rung_timed_on_neither_side_is_in_neither_the_table_nor_the_tally(tmp_path):
    off = fake.unavailable("fma-f64")
    timed = {k: v for k, v in SAME.items() if k != "fma-f64"}
    code, out, _ = sides(tmp_path, "--fail-on-verdict", times_a=timed, times_b=timed, kernels_a=off, kernels_b=off)
    assert code == 0
    assert "verdicts: 2 no change\n" in out and "timed on neither side (left out): fma-f64" in out
    table = out.split("\nverdicts:")[0].splitlines()
    assert [line.split()[0] for line in table[2:]] == ["naive-f64", "rayon-fma-f64"]  # after the header and rule


# --- 4: a revision's worktree reused only when it is that revision, untouched; one build at a time -----------


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A git repository of two commits (a.txt "1", then "2"), scripts/ab's target folder in tmp_path, a fake cargo;
    (repo, the first commit's sha)."""
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    for text in ("1", "2"):
        (r / "a.txt").write_text(text)
        git(r, "add", "a.txt")
        git(r, "commit", "-qm", text)
    fake_cargo(tmp_path)
    return r, git(r, "rev-parse", "HEAD~1")


def against(tmp_path, r, rev="HEAD~1", **env):
    """scripts/ab --a-rev `rev` on repository `r` (target folder tmp_path/target): its stderr, once it succeeded."""
    code, _, err = ab(tmp_path, "--a-rev", rev, "--rounds", "3", repo=r, CARGO_TARGET_DIR=str(tmp_path / "target"),
                      **env)
    assert code == 0, err
    return err


def test_a_revision_is_built_from_a_clean_checkout_of_it(repo, tmp_path):
    r, sha = repo
    tree = tmp_path / "target" / "ab" / sha[:12]
    kept = tmp_path / "target" / "ab" / f"{sha[:12]}.mandel"
    err = against(tmp_path, r)
    assert f"checking out HEAD~1 ({sha[:12]}) in {tree}" in err and os.access(kept, os.X_OK)
    assert (tree / "a.txt").read_text() == "1" and git(tree, "status", "--porcelain") == ""
    precious = tmp_path / "precious.txt"  # a link at the kept copy's name is replaced, not written through
    precious.write_text("keep me")
    kept.unlink()
    kept.symlink_to(precious)
    assert "checking out" not in against(tmp_path, r)  # clean: reused as it is
    assert precious.read_text() == "keep me" and not kept.is_symlink() and os.access(kept, os.X_OK)
    spoil = [lambda: (tree / "a.txt").write_text("edited"),  # a hand edit
             lambda: (tree / "new.txt").write_text("added"),  # an untracked file
             lambda: git(tree, "checkout", "-q", "--detach", git(r, "rev-parse", "HEAD")),  # another commit
             lambda: (git(r, "worktree", "remove", "--force", str(tree)), tree.mkdir(),  # an interrupted checkout:
                      (tree / ".git").write_text("gitdir: /nowhere\n"))]  # .git there, nothing else
    for how in spoil:
        how()
        assert "not a clean checkout" in against(tmp_path, r)
        assert (tree / "a.txt").read_text() == "1" and git(tree, "rev-parse", "HEAD") == sha
        assert git(tree, "status", "--porcelain") == "" and not (tree / "new.txt").exists()


def test_a_folder_without_git_is_not_taken_for_the_repository_around_it(repo, tmp_path):
    # the target folder inside the repository (its default): git run in a tree without .git finds the
    # repository's HEAD, which may be the very revision
    r, _ = repo
    head = git(r, "rev-parse", "HEAD")
    tree = r / "target" / "ab" / head[:12]
    tree.mkdir(parents=True)
    (tree / ".git").mkdir()  # no repository in it: git looks further up
    code, _, err = ab(tmp_path, "--a-rev", "HEAD", "--rounds", "3", repo=r, CARGO_TARGET_DIR=None)
    assert code == 0 and "not a clean checkout" in err and (tree / "a.txt").read_text() == "2", err


def test_a_missing_revision_is_named(repo, tmp_path):
    r, _ = repo
    code, _, err = ab(tmp_path, "--a-rev", "no-such-rev", "--rounds", "3", repo=r)
    assert code == 2 and err.splitlines()[-1].startswith(
        "ab: error: --a-rev 'no-such-rev': not a commit of this repository (fatal: ")


def test_a_second_ab_waits_for_the_build_of_another(repo, tmp_path):
    r, _ = repo
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
        err = against(tmp_path, r)
    finally:
        holder.kill()
        holder.wait()
    assert f"waiting for another scripts/ab (pid 4242) building in {folder}" in err
    assert (folder / ".ab.lock").read_text() not in ("", "4242\n")  # the second ab's pid now


# --- 5: every failure a message naming its command, never a traceback ------------------------------------


@pytest.mark.parametrize("mandel, mode, says", [
    ("echo 'not json'", "+x", "describe --json printed no JSON (Expecting value: line 1 column 1 (char 0)): "
                               "'not json'"),  # describe printing something else
    ("kill -9 $$", "+x", "describe --json exited -9"),  # a binary killed by a signal
    ("exit 0", "-x", "describe --json printed no JSON"),  # built without its x bit: ab runs a copy, executable
    ("printf '%0200000d' 0 | tr 0 '['", "+x", "describe --json printed JSON nested too deeply to read"),
    ("echo 'mandel: error: MANDEL_ISA=\"avx9000\" is not an instruction-set path' >&2; exit 2", "+x",
     'exited 2: mandel: error: MANDEL_ISA="avx9000"'),  # mandel's refusal of its environment passed on
])
def test_a_mandel_that_fails_oddly_is_a_message_not_a_traceback(tmp_path, mandel, mode, says):
    fake_cargo(tmp_path, mandel=mandel, mode=mode)
    code, _, err = ab(tmp_path, "--rounds", "3")
    assert code == 2 and "Traceback" not in err and says in err and err.splitlines()[-1].startswith("ab: error: ")
    assert list((tmp_path / "t" / "ab").iterdir()) == []  # its copy of the working tree's mandel removed


def test_a_round_that_fails_or_prints_garbage_is_a_message(tmp_path):
    code, _, err = sides(tmp_path, before='if args[0] == "bench": print("garbage"); sys.exit(0)')
    assert code == 2 and "round 0: " in err and "bench printed no JSON" in err
    code, _, err = sides(tmp_path, before='if args[0] == "bench": print("broke", file=sys.stderr); sys.exit(3)')
    assert code == 2 and err.splitlines()[-1].endswith("bench exited 3: broke")


def test_a_missing_cargo_is_a_message_naming_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    # mandel-report itself: the wrapper needs a PATH to run at all
    proc = subprocess.run(fake.command("--rounds", "3", repo=fake.REPO), env={**fake.environment(tmp_path),
                          "PATH": str(empty)}, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1] == "ab: error: cargo: No such file or directory"


def test_an_out_that_cannot_be_written_is_a_message_naming_it(tmp_path):
    out = tmp_path / "outdir" / "ab.json"
    out.parent.mkdir()
    # its folder gone by the time the rounds are done
    gone = f'if args[0] == "bench" and args[2] == "2" and b: import shutil; shutil.rmtree({str(out.parent)!r})'
    code, _, err = sides(tmp_path, "--out", str(out), before=gone)
    assert code == 2 and err.splitlines()[-1] == f"ab: error: {out}: cannot write the output there: folder " \
        f"{out.parent} does not exist"


@pytest.mark.parametrize("printed, rc, says", [
    ("garbage", 0, "tune --json printed no JSON"),
    ('[{"isa": 1}]', 0, "tune --json"),  # JSON, not rows
    ("", 3, "tune --json exited 3: tune broke"),
])
def test_mandel_tune_failing_or_printing_no_rows_is_an_input_error(tmp_path, printed, rc, says):
    before = f'if args[0] == "tune": print({printed!r}); print("tune broke", file=sys.stderr); sys.exit({rc})'
    fake_cargo(tmp_path, before=before)
    code, _, err = ab(tmp_path, "--rounds", "3", repo=tmp_path, pinned=False)  # no results/<machine>/tuning.json
    assert code == 2 and says in err.splitlines()[-1] and "no tuning kept for this machine: `mandel tune`" in err


@pytest.mark.parametrize("there, reused", [({}, True), ({"cpu_family_model": "25/1"}, False), (None, False)])
def test_the_kept_tuning_is_used_only_on_the_cpu_that_chose_it(tmp_path, there, reused):
    """results/<id>/tuning.json pins both sides only where that set's machine is this one: two CPUs can share an id."""
    here, machine_id = fake.this_machine()
    folder = tmp_path / "results" / machine_id
    rows = [{"kernel": "simd", "isa": "avx2", "precision": "f32", "source": "calibrated", "chosen": "v4k4",
             "fastest": "v4k4", "times": [["v4k4", 0.01]]}]
    fx.write_json(folder / "tuning.json", rows)
    fx.write_json(folder / "raw" / "tune.json", rows)
    if there is not None:
        fx.write_json(folder / "raw" / "machine.json", {**here, **there})
    fake_cargo(tmp_path, describe_kernels=[fx.kernel_info("simd-f32", "f32", isa="avx2")],
               kernels_a=[fx.kernel_info("simd-f32", "f32", isa="avx2")],
               kernels_b=[fx.kernel_info("simd-f32", "f32", isa="avx2")], times_a={"simd-f32": 0.01},
               times_b={"simd-f32": 0.01})
    code, _, err = ab(tmp_path, "--rounds", "3", repo=tmp_path, pinned=False)
    assert code == 0, err
    source = folder / "tuning.json" if reused else "mandel tune"
    assert f"tunings for A ({source}): {'MANDEL_TUNING=f32:v4k4' if reused else 'none pinned'}" in err
    assert ("`mandel tune`" in err) != reused
    if there is not None and not reused:
        assert "chosen on another machine: CPU family/model 25/1 there" in err


def test_each_round_touches_the_working_tree_copy_it_runs(tmp_path):
    """Another ab's clean-up removes a copy whose pid it cannot see only when untouched for an hour: the copy in use
    is touched every round, so an ab in another pid namespace running for hours keeps its binary."""
    hour_ago = time.time() - atomic.STALE_AFTER_S - 60
    age = tmp_path / "ages"
    before = (f'if args[0] == "describe": os.utime(sys.argv[0], ({hour_ago}, {hour_ago}))\n'
              f'if args[0] == "bench": open({str(age)!r}, "a").write(f"{{time.time() - os.stat(sys.argv[0]).st_mtime}}\\n")')
    code, _, err = sides(tmp_path, before=before)
    assert code == 0, err
    ages = [float(a) for a in age.read_text().split()]
    assert len(ages) == 6 and max(ages) < 60
