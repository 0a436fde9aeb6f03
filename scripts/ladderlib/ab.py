"""Interleaved A/B measurement of the Rust kernels, and the A/A stability check (`scripts/ab`, `scripts/stability`).

  scripts/ab --a-rev REV                 REV's `mandel` (built in a git worktree under target/ab/) against the
                                         working tree's
  scripts/ab --b-env MANDEL_TUNING=default
                                         one binary, two environments (the path's default tuning against the
                                         chosen one, MANDEL_ISA=avx2, ...)
  scripts/stability                      `--aa`: the working tree against itself, two passes back to back: how
                                         many verdicts an unchanged tree gets on this machine

A and B run `mandel bench --round N` alternately (ABBA: A first in even rounds), so a contention episode or
a clock change hits both alike: on a shared machine the trustworthy way to compare two builds. The verdicts
are `scripts/compare`'s rule for rows measured in rounds (`mandel-report verdicts`). Both sides get the same SIMD
and C tunings: the environment's, else results/<machine-id>/tuning.json, else `mandel tune` run once now.
Exit status: 0; 1 with `--fail-on-verdict` when a rung is not `no change` (failing or missing included); 2 for
bad arguments, a failed round or command (one that cannot be run, or prints no JSON) or a file that cannot be
written.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import ROUNDS_SCHEMA, atomic, baseline, cargo, machine, readers, rounds
from .readers import InputError

REPO = Path(__file__).resolve().parents[2]
# The verdict rule's floors (scripts/compare's too: crates/report/src/compare_results.rs, whose test holds them
# equal): of rows not in rounds, the run-to-run drift of an unchanged tree on the project's shared VMs, rounded up;
# of rows in rounds, the smallest change called faster or slower (METHODOLOGY.md).
DEFAULT_NOISE_FLOOR = 0.10
ROUNDS_NOISE_FLOOR = 0.05
SAME = "no change"  # the verdict of a rung that did not change beyond the noise
TARGET = cargo.target_dir(REPO)  # absolute: every cargo call below is given it (`cargo.build_env`)
START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


def percent(text):
    """A percentage (`5`, `5%`) as a fraction, 0 or more, as scripts/compare takes one."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value / 100


def judged(mandel_report, a, b, noise_floor, rounds_floor, interleaved=False, fail_above=None, fail_on_missing=False):
    """The verdicts on two runs of one machine, A (`a`) and B (`b`: each their rows and settings), by `mandel-report
    verdicts` (the rule: crates/report/src/verdict.rs): {entries, counts, failures, drift, changes, alpha,
    min_calls}, each entry {name, a, b (its rows, None where absent), verdict, change, why, isa, shown, interval,
    rounds, spread} and, judged by rounds, {p, floor, wide, rule}. `interleaved`: the sides' rounds alternated."""
    report = cargo.ask_report(mandel_report, "verdicts", {
        "a": {"rows": a["rows"], "settings": a.get("settings")}, "b": {"rows": b["rows"], "settings": b.get("settings")},
        "noise_floor": noise_floor, "rounds_floor": rounds_floor, "min_rounds": rounds.MIN_ROUNDS,
        "interleaved": interleaved, "fail_above": fail_above, "fail_on_missing": fail_on_missing})
    rows = [{r["name"]: r for r in s["rows"]} for s in (a, b)]
    for e in report["entries"]:
        e["a"], e["b"] = rows[0].get(e["name"]), rows[1].get(e["name"])
    return report


def assignment(text):
    name, sep, value = text.partition("=")
    if not sep or not name or not name.replace("_", "").isalnum():
        raise argparse.ArgumentTypeError(f"{text!r}: expected VAR=VALUE")
    return name, value


STABILITY_DOC = """The A/A stability check (`scripts/stability`, the same as `scripts/ab --aa`): the working tree's Rust
kernels measured in two passes of rounds, back to back, judged by `scripts/compare`'s verdict rule; prints each
rung's spread and how many verdicts other than `no change` (each a false verdict: the code did not change) this
machine gives. Run it on a new machine before trusting a verdict there. Both passes get the same SIMD and C
tunings: the environment's, else results/<machine-id>/tuning.json, else `mandel tune` run once now.
Exit status: 0; 1 with `--fail-on-verdict` when a rung is not `no change`; 2 for bad arguments, a failed round or
command, or a file that cannot be written.
"""

# The first argument scripts/stability passes: this module then parses as scripts/stability (its name, its help,
# only the options an A/A check takes), so `scripts/stability --help` describes scripts/stability.
STABILITY = "--as-stability"


def parse_args(argv):
    argv = list(sys.argv[1:] if argv is None else argv)
    stability = argv[:1] == [STABILITY]
    if stability:
        argv = argv[1:]
    p = argparse.ArgumentParser(prog="scripts/stability" if stability else "scripts/ab",
                                description=STABILITY_DOC if stability else __doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    if not stability:
        p.add_argument("--a-rev", metavar="REV", help="A is `mandel` built from this git revision (default: the "
                       "working tree's, like B); it must have `mandel bench`")
        p.add_argument("--a-env", type=assignment, action="append", default=[], metavar="VAR=VALUE",
                       help="set VAR for A's rounds (repeatable)")
        p.add_argument("--b-env", type=assignment, action="append", default=[], metavar="VAR=VALUE",
                       help="set VAR for B's rounds (repeatable)")
        p.add_argument("--aa", action="store_true", help="the A/A stability check, scripts/stability (implies "
                       "--sequential)")
        p.add_argument("--sequential", action="store_true", help="all of A's rounds, then all of B's (two ladders "
                       "back to back) instead of alternating")
    p.add_argument("--rounds", type=int, help="rounds per side (default: the ladder's, 15; 5 with --quick)")
    p.add_argument("--quick", action="store_true", help="the quick settings: a first look")
    p.add_argument("-k", "--kernel", action="append", default=[], help="only these kernels (repeatable)")
    p.add_argument("--noise-floor", type=percent, default=ROUNDS_NOISE_FLOOR, metavar="PCT",
                   help=f"smallest change called faster/slower, in percent as scripts/compare takes it (default "
                   f"{ROUNDS_NOISE_FLOOR * 100:g}; a rung whose rounds spread wider gets that spread as its "
                   "floor)")
    p.add_argument("--out", type=Path, help="also write the result (both sides' rounds, the verdicts) as JSON here")
    p.add_argument("--fail-on-verdict", action="store_true", help="exit 1 if any rung is not `no change`: faster, "
                   "slower, failing verification or not timed on a side (a rung timed on neither, e.g. an ISA the "
                   "machine lacks, is left out)")
    args = p.parse_args(argv)
    if stability:
        args.aa, args.sequential, args.a_rev, args.a_env, args.b_env = True, True, None, [], []
    if args.aa and (args.a_rev or args.a_env or args.b_env):
        p.error("--aa compares the working tree with itself: no --a-rev, --a-env or --b-env")
    args.sequential = args.sequential or args.aa  # --aa implies --sequential
    if args.rounds is not None and not rounds.MIN_ROUNDS <= args.rounds <= rounds.MAX_ROUNDS:
        p.error(f"--rounds {args.rounds}: from {rounds.MIN_ROUNDS} to {rounds.MAX_ROUNDS}")
    if not args.noise_floor < 1:
        p.error(f"--noise-floor {args.noise_floor * 100:g}: a percentage below 100")
    if args.out is not None:
        try:
            atomic.check_output(args.out, "--out")
        except InputError as e:
            p.error(str(e))
    return args


def waiting(who, where):
    """`atomic.lock_file`'s `busy`: says that ab waits for `who` (the pid the lock holds, where written) `where`."""
    return lambda holder: log(f"waiting for {who}{f' (pid {holder})' if holder else ''} {where}")


def build_working_tree():
    """The working tree's `mandel`, built, then copied to target/ab/working-tree.<pid>.mandel, under the lock that
    scripts/ladder holds on the target folder for its whole run (waited for here): this build would otherwise
    replace the binary a ladder is measuring, and a ladder started during ab's rounds now rebuilds
    target/release/mandel, not the copy ab runs. `main` removes the copy; one left by a killed ab is removed here."""
    TARGET.mkdir(parents=True, exist_ok=True)
    with atomic.lock_file(TARGET.resolve() / ".ladder.lock", waiting("the ladder or scripts/ab", f"using {TARGET}")):
        log("building the working tree's mandel (cargo build --release --bin mandel)")
        subprocess.run(["cargo", "build", "--release", "--bin", "mandel"], cwd=REPO, env=cargo.build_env(TARGET),
                       check=True)
        binary = cargo.built(TARGET / "release" / "mandel", "the working tree")
        folder = TARGET / "ab"
        folder.mkdir(exist_ok=True)
        for old in folder.glob("working-tree.*.mandel"):  # a killed ab's: its pid gone, untouched for an hour
            pid = old.name.split(".")[1]
            if not (pid.isdecimal() and atomic.pid_alive(int(pid))) and atomic.untouched(old):
                atomic.remove(old)
        return keep_copy(binary, folder / f"working-tree.{os.getpid()}.mandel")


def keep_copy(binary, kept):
    """`binary` copied to `kept`, executable: ab's own scratch file, removed first, so that a link or anything
    else there is not written through."""
    atomic.remove(kept)
    atomic.write_bytes(kept, binary.read_bytes())
    kept.chmod(0o755)
    return kept


def checkout_of(tree, sha):
    """Whether `tree` is a clean checkout of `sha` of its own: a worktree at that very folder (git would otherwise
    find the repository around it, whose HEAD may be `sha` too), HEAD at `sha`, nothing changed or added. An
    interrupted checkout or a hand-edited one is not: built and labelled as the revision, it would be wrong."""
    if not (tree / ".git").exists():
        return False
    def git(*args):
        proc = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None
    top, head, status = git("rev-parse", "--show-toplevel"), git("rev-parse", "HEAD"), git("status", "--porcelain")
    return top is not None and Path(top).resolve() == tree.resolve() and head == sha and status == ""


def build_revision(rev):
    """`mandel` of `rev`, built in a detached git worktree under target/ab/<sha> with its own target
    folder (kept between uses: a second A/B against the same revision builds nothing), reused only while it is a
    clean checkout of the revision (`checkout_of`), else checked out anew."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO, capture_output=True,
                         text=True)
    if sha.returncode != 0:
        raise InputError(f"--a-rev {rev!r}: not a commit of this repository ({sha.stderr.strip()})")
    sha = sha.stdout.strip()
    folder = TARGET / "ab"
    tree = folder / sha[:12]
    # Beside the worktree, not in it: an untracked file there would make it unclean (`checkout_of`).
    kept = folder / f"{sha[:12]}.mandel"
    # Another scripts/ab's lock on folder/.ab.lock is waited for: runs against revisions share folder's worktrees
    # and its target folder, where one's build could otherwise replace release/mandel between another's build and
    # its copy.
    folder.mkdir(parents=True, exist_ok=True)
    with atomic.lock_file(folder / ".ab.lock", waiting("another scripts/ab", f"building in {folder}")):
        if not checkout_of(tree, sha):
            if os.path.lexists(tree):
                log(f"{tree} is not a clean checkout of {sha[:12]} (interrupted, moved or edited): removing it")
                atomic.remove(tree)
                subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=True)
            log(f"checking out {rev} ({sha[:12]}) in {tree}")
            subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), sha], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)
        log(f"building {rev}'s mandel in {tree} (fat LTO: minutes the first time)")
        subprocess.run(["cargo", "build", "--release", "--bin", "mandel"], cwd=tree,
                       env=cargo.build_env(folder / "target"), check=True)
        binary = cargo.built(folder / "target" / "release" / "mandel", f"--a-rev {rev}")
        if subprocess.run([binary, "bench", "--help"], capture_output=True).returncode != 0:
            raise InputError(f"--a-rev {rev}: its mandel has no `bench` subcommand (revisions before rounds cannot "
                             "be measured this way; compare result sets with scripts/compare instead)")
        # A copy: the next build of another revision reuses the target folder.
        return keep_copy(binary, kept)


def printed_json(text, command):
    """What `command` printed, as JSON; an InputError naming the command when it is not."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{command} printed no JSON ({e}): {text.strip()[:200]!r}") from None
    except RecursionError:
        raise InputError(f"{command} printed JSON nested too deeply to read") from None


def describe(mandel, kernels, side, env=None):
    """`mandel describe --json` of one side's binary (its refusal of a bad environment variable is an
    error with its message), and -k checked against its kernels before anything is built after it or
    measured: an unknown name would otherwise fail the first round, after minutes of building."""
    proc = subprocess.run([mandel, "describe", "--json"], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise InputError(f"{side}: {mandel} describe --json exited {proc.returncode}: {proc.stderr.strip()} (a side's "
                         "--a-env/--b-env VAR= clears a variable the shell sets)")
    facts = readers.check(printed_json(proc.stdout, f"{side}: {mandel} describe --json"), "describe",
                          f"{mandel} describe --json", "its output", "root")
    known = [k["name"] for k in facts["kernels"]]
    if unknown := [k for k in kernels if k not in known]:
        raise InputError(f"-k {', '.join(unknown)}: not a kernel of {side}'s mandel ({mandel}); "
                         f"known: {', '.join(known)}")
    return facts


def tune_rows(mandel):
    """The machine's tunings (`mandel tune` rows, with where they come from): its kept choice, else `mandel tune`
    now; ([], None) when the environment pins both variables."""
    if all(os.environ.get(t["variable"]) for t in readers.tunings()):
        return [], None
    here = machine.describe(REPO)
    stored = REPO / "results" / machine.machine_id(here) / "tuning.json"
    why = machine.kept_tuning_problem(stored.parent, here) if stored.exists() else None
    if stored.exists() and not why:
        return readers.read_tune(stored), str(stored)
    log(f"no tuning kept for this machine{f' ({stored}: {why})' if why else ''}: `mandel tune` (once, for both sides)")
    proc = subprocess.run([mandel, "tune", "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"{mandel} tune --json exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    rows = readers.check(printed_json(proc.stdout, f"{mandel} tune --json"), "tune", f"{mandel} tune --json",
                         "its output", "root")
    return rows, "mandel tune"


def side_env(mandel, extra, rows, source, kernels, side):
    """One side's environment: the run's, the tunings of the ISA paths this side's kernels take (a tuning of
    another path is not one this side builds: MANDEL_ISA=sse2 on a side runs its own), a variable the
    environment sets kept, then the side's own --a-env/--b-env."""
    env = {**os.environ, **extra}
    paths = {k["isa"] for k in describe(mandel, kernels, side, env)["kernels"]}
    pins = readers.tuning_pins([r for r in rows if r.get("isa") in paths], source)
    pins = {k: v for k, v in pins.items() if not os.environ.get(k) and k not in extra}
    log(f"tunings for {side} ({source or 'the environment'}): " + (", ".join(f"{k}={v}" for k, v in pins.items())
                                                                  or "none pinned"))
    if pins:  # a kept choice this side's build does not have: named before any round, with where it came from
        try:
            describe(mandel, kernels, side, {**env, **pins})
        except InputError as e:
            raise InputError(f"{e}; the tuning came from {source} (`scripts/ladder --retune` chooses again)") from None
    return {**env, **pins}


def same_work(facts_a, facts_b, mode):
    """Refuses sides whose `mandel describe` (each under its own environment) says they would time different work:
    another problem, or other round settings (`mode`'s: each round's time would be of other renders). No A/B
    means that; a difference of ISA, pool or tuning may be its point, and is noted instead (`readers.read_sides`)."""
    rounds_of = [(f.get("rounds") or {}).get(mode) for f in (facts_a, facts_b)]
    for name, a, b in (("the problem", facts_a.get("canonical"), facts_b.get("canonical")),
                       (f"the {mode} round settings", *rounds_of)):
        if a is not None and b is not None and a != b:
            raise InputError(f"A and B would not time the same work: {name} is {a} in A, {b} in B (their "
                             "`mandel describe --json`); a verdict between them would not be of the code")


def run_round(mandel, env, r, args):
    if Path(mandel).name.startswith("working-tree."):  # in use: another ab's clean-up keeps a copy touched within
        with contextlib.suppress(OSError):                # the hour (`build_working_tree`), whatever its pid namespace
            os.utime(mandel)
    command = [mandel, "bench", "--round", str(r), "--json", *(["--quick"] if args.quick else []),
               *(arg for k in args.kernel for arg in ("-k", k))]
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"round {r}: {mandel} bench exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return readers.check_round(printed_json(proc.stdout, f"round {r}: {mandel} bench"), mandel, f"round {r}")


def report(mandel_report, verdicts, args, names, unlike=()):
    """Prints the verdicts (`judged`'s report), written up by `mandel-report ab` (crates/report/src/ab.rs) with
    how the sides differ (`unlike`) and each side's note on its rounds' speed; returns the rungs that got a verdict
    other than `no change`."""
    runs = {"names": list(names), "report": verdicts, "noise_floor": DEFAULT_NOISE_FLOOR,
            "rounds_floor": args.noise_floor}
    print(cargo.ask_report(mandel_report, "ab", {"runs": runs, "unlike": list(unlike), "aa": args.aa,
                                                 "sequential": args.sequential})["text"])
    # failing and missing too: --fail-on-verdict
    return [e for e in verdicts["entries"] if e["shown"] and e["verdict"] != SAME]


def main(argv=None):
    args = parse_args(argv)
    cargo.check_host_build()
    b_mandel = build_working_tree()
    try:
        return measure(args, b_mandel)
    finally:
        with contextlib.suppress(OSError):
            b_mandel.unlink()


def measure(args, b_mandel):
    """The rounds of A and B, interleaved, and the report; main's exit status."""
    facts = describe(b_mandel, args.kernel, "the working tree")
    report_bin = cargo.report(REPO)  # the verdict rule's binary (and the readers'), built before minutes of rounds
    a_mandel = build_revision(args.a_rev) if args.a_rev else b_mandel
    if args.a_rev:
        describe(a_mandel, args.kernel, f"revision {args.a_rev}")
    n = args.rounds or facts["rounds"]["quick" if args.quick else "full"]["rounds"]
    rows, source = tune_rows(b_mandel)
    env_a = side_env(a_mandel, dict(args.a_env), rows, source, args.kernel, "A")
    env_b = side_env(b_mandel, dict(args.b_env), rows, source, args.kernel, "B")
    same_work(describe(a_mandel, args.kernel, "A", env_a), describe(b_mandel, args.kernel, "B", env_b),
              "quick" if args.quick else "full")
    names = ("pass 1", "pass 2") if args.aa else (
        (f"rev {args.a_rev}" if args.a_rev else "working tree") + "".join(f" {k}={v}" for k, v in args.a_env),
        "working tree" + "".join(f" {k}={v}" for k, v in args.b_env))
    log(f"{'A/A' if args.aa else 'A/B'}: {n} rounds a side, {'A then B' if args.sequential else 'alternating (ABBA)'}; "
        f"A = {names[0]}, B = {names[1]}; machine {baseline.this_machine_id(REPO)}")
    taken = {"A": [], "B": []}
    plan = ([("A", r) for r in range(n)] + [("B", r) for r in range(n)]) if args.sequential else \
        [pair for r in range(n) for pair in ([("A", r), ("B", r)] if r % 2 == 0 else [("B", r), ("A", r)])]
    for i, (side, r) in enumerate(plan, 1):
        started = time.monotonic()
        mandel, env = (a_mandel, env_a) if side == "A" else (b_mandel, env_b)
        taken[side].append(run_round(mandel, env, r, args))
        log(f"  {i}/{len(plan)}: {side} round {r} in {time.monotonic() - started:.1f} s")
    docs = {side: {"schema": ROUNDS_SCHEMA, "rounds": taken[side]} for side in "AB"}
    # each side's rows, as a summary's, and how the sides' rounds differ (pool, ISA paths, tunings: noted) or refused
    # (round settings): crates/report/src/rounds.rs
    a, b, unlike = readers.read_sides(docs["A"], docs["B"])
    # the quieter side's floor only where the rounds alternated: separate passes (--sequential, --aa) drift apart
    try:
        verdicts = judged(report_bin, a, b, DEFAULT_NOISE_FLOOR, args.noise_floor, interleaved=not args.sequential)
    except InputError:
        write_out(args, names, unlike, docs, None)  # the rounds, minutes of them, kept without their verdicts
        raise
    off = report(report_bin, verdicts, args, names, unlike)
    write_out(args, names, unlike, docs, verdicts["entries"])
    return 1 if args.fail_on_verdict and off else 0


def write_out(args, names, unlike, docs, entries):
    """--out: both sides' rounds and their verdicts (None where none could be made)."""
    if not args.out:
        return
    verdicts = None if entries is None else [{k: e[k] for k in ("name", "verdict", "change")}
                                             | {"p": e.get("p"), "floor": e.get("floor")} for e in entries]
    atomic.write_text(args.out, json.dumps({"schema": "mandel-ab/1", "names": names, "sequential": args.sequential,
                                            "differences": unlike, "a": docs["A"], "b": docs["B"],
                                            "verdicts": verdicts}, indent=1) + "\n")
    log(f"written: {args.out}")


def run(argv=None):
    """main's exit status, every failure a message naming its command or file, exit 2: a command that exits
    non-zero, prints no JSON or cannot be started (a missing binary), a file that cannot be written (a full disk)."""
    try:
        return main(argv)
    except InputError as e:
        print(f"ab: error: {e}", file=sys.stderr)
    except subprocess.CalledProcessError as e:
        print(f"ab: error: {' '.join(map(str, e.cmd))} exited {e.returncode}", file=sys.stderr)
    except OSError as e:  # a command that cannot be run is its filename; so is a file that cannot be written
        print(f"ab: error: {f'{e.filename}: ' if e.filename else ''}{e.strerror or e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nab: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(run())
