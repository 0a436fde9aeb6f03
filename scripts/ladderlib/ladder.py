"""The Mandelbrot speedup ladder on this machine, in one command (run it as `scripts/ladder`).

Builds `mandel`, reads the registry's facts (`mandel describe --json`, which refuses a bad MANDEL_ISA,
RAYON_NUM_THREADS, MANDEL_TUNING or MANDEL_C_TUNING before any work), chooses the tuning once per machine (`mandel
tune`, kept in results/<machine-id>/tuning.json), times the Rust kernels in rounds (`mandel bench --round N`, one
process each), runs the Python baselines and merges it all, with `mandel peak --json`, into results/<machine-id>/:
summary.md, .json, .csv, speedup.svg, mandelbrot.png and raw/ (every input merged).

Every file is written whole; a measuring run writes its raw files into a staging folder, swapped in as raw/ when the
summary is written; a run that failed in part leaves the earlier summary and raw/ as they were (its raw files go to
raw.failed/); a corrupt or foreign input is an error naming the file (exit 2, nothing written); SIGINT or SIGTERM
stops the children and exits 128 + the signal's number (130 for Ctrl-C), listing what was kept.
"""

import argparse
import contextlib
import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import CANONICAL, ROUNDS_SCHEMA, atomic, baseline, cargo, machine, readers, sweeps, writers
from .machine import other_machine
from .merge import foreign, merge
from .readers import InputError

REPO = Path(__file__).resolve().parents[2]
TARGET = cargo.target_dir(REPO)  # absolute: the build is given it (`cargo.build_env`), MANDEL is found in it
MANDEL = TARGET / "release" / "mandel"
RUN_PY = "python_baselines.run"  # run as `python -m`, from the repository
START = time.monotonic()
OUT = None  # the results folder, once known: what an interrupted run reports on
FAILED_RAW = None  # where a measuring run stopped by an error or a signal moved its raw files, for the messages
# A python_baselines() source that means run.py failed now and the earlier file was merged instead.
REUSED_AFTER_FAILURE = "reused from an earlier run: run.py failed now"


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


# --- child processes: each in its own process group, stopped with the ladder ---------------------

CHILDREN = set()


# SIGINT or SIGTERM: the children are already stopped. A BaseException, as KeyboardInterrupt is: a broad
# `except Exception` (shutil.rmtree(ignore_errors=True) has some) must not swallow it.
class Interrupted(BaseException):
    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def popen(args, **kwargs):
    """A child in a new session: its own process group, so that the whole group, grandchildren included, can be
    stopped."""
    proc = subprocess.Popen(list(map(str, args)), cwd=REPO, start_new_session=True, **kwargs)
    CHILDREN.add(proc)
    return proc


def finished(proc):
    CHILDREN.discard(proc)
    return proc.returncode


def stop_children(grace_s=5.0):
    """SIGTERM to every child's process group, SIGKILL to those still there after `grace_s`."""
    for proc in list(CHILDREN):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for proc in list(CHILDREN):
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        CHILDREN.discard(proc)


def on_signal(signum, frame):
    # Further signals are ignored while the children are stopped; then the run unwinds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop_children()
    raise Interrupted(signum)


RESULT_FILES = ["summary.md", "summary.json", "summary.csv", "speedup.svg", "mandelbrot.png", "raw/describe.json",
                "raw/rounds.json", "raw/records.json", "raw/tune.json", "raw/peak.json", "raw/peak-after.json",
                "raw/peak-python.json", "raw/baselines.json", "raw/criterion", "raw/run.json", "raw/machine.json",
                "sweeps/sweeps.json"]


def kept_report(out):
    """Which result files of `out` this run wrote (`atomic.WRITTEN`) and which it kept from earlier runs."""
    present = [name for name in RESULT_FILES if (out / name).exists()]
    new = [name for name in present if Path(os.path.realpath(out / name)) in atomic.WRITTEN]
    kept = [name for name in present if name not in new]
    return [f"written by this run: {', '.join(new) or 'nothing'}", f"kept from earlier runs: {', '.join(kept) or 'nothing'}"]


def guarded(fn, *args):
    """`fn(*args)`'s exit status with SIGINT/SIGTERM stopping the children: 2 for an InputError, 128 + the signal's
    number when interrupted."""
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            return fn(*args)
        finally:
            stop_children()  # before any message, so that nothing prints after it
    except Interrupted as e:  # on_signal, installed above, turns SIGINT into it: no KeyboardInterrupt here
        where = f"among this run's raw files in {FAILED_RAW}" if FAILED_RAW else "beside the earlier one"
        print(f"\nladder: interrupted by {signal.Signals(e.signum).name}: child processes stopped. Every file "
              "is whole (written to a temporary file and renamed), the earlier one or this run's; the log of the "
              f"command that was stopped is {where} as <name>.log.partial.", file=sys.stderr)
        failed_raw_line()
        for line in kept_report(OUT) if OUT is not None else []:
            print(f"  {line}", file=sys.stderr)
        return 128 + e.signum
    except InputError as e:
        print(f"ladder: error: {e}", file=sys.stderr)
        after_error()
        return 2
    except OSError as e:  # a full disk, a missing binary: said plainly
        where = f" ({e.filename})" if e.filename else ""
        print(f"ladder: error: {e.strerror or e}{where}; every file written so far is whole", file=sys.stderr)
        after_error()
        return 1
    finally:
        release_locks()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def after_error():
    """Whether this run wrote the summary before it stopped (`atomic.WRITTEN`), and where its raw files went, said
    after an error."""
    if OUT is not None:
        written = Path(os.path.realpath(OUT / "summary.json")) in atomic.WRITTEN
        print(f"  the summary in {OUT} was {'written by this run' if written else 'left as it was'}", file=sys.stderr)
    failed_raw_line()


def failed_raw_line():
    if FAILED_RAW is not None:
        print(f"  raw/ was left as it was; this run's raw files are in {FAILED_RAW}", file=sys.stderr)


def stream(args, log_path, env=None):
    """Run a command, echoing its output and keeping it in `log_path` (`atomic.replacing`, the partial log kept when
    interrupted)."""
    log("$ " + " ".join(map(str, args)))
    with atomic.replacing(log_path, keep_partial=True) as keep, popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, errors="replace",
    ) as proc:
        for line in proc.stdout:
            keep.write(line)
            log("  " + line.rstrip())
    return finished(proc)


def capture(args, env=None):
    with popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
        out, err = proc.communicate()
    return finished(proc), out, err


def mandel_json(args, path=None):
    """`mandel <args>`'s stdout, saved to `path` when given; any exit with output counts (the reader judges it).
    Exit 2 without output is mandel refusing its input: InputError. No output: None."""
    log(f"$ mandel {' '.join(args)}" + (f" > {path}" if path else ""))
    rc, out, err = capture([MANDEL, *args])
    if rc == 2 and not out.strip():
        raise InputError(f"mandel {' '.join(args)} refused its input (exit 2): {err.strip()}")
    if not out.strip():
        log(f"  failed (exit {rc}): {err.strip()}")
        return None
    if path:
        atomic.write_text(path, out)
    return out


def checked_baselines(path, desc, allow_foreign):
    """The baselines at `path`, refused (InputError) when from another machine or problem unless `allow_foreign`;
    `desc` None: no origin check."""
    data = readers.read_baselines(path)
    reasons = foreign(data, desc) if desc is not None else []
    if reasons and not allow_foreign:
        raise InputError(f"{path}: Python baselines from another machine or problem ({'; '.join(reasons)}); "
                         "they are not merged into this machine's summary. Pass --allow-foreign-baselines to merge "
                         "them anyway (the summary then says so)")
    if reasons:
        log(f"  WARNING: merging foreign Python baselines (--allow-foreign-baselines): {'; '.join(reasons)}")
    return data


def reuse(earlier, dest, desc, allow):
    """The checked baselines of the earlier run, copied to `dest` when that is another place (a staging folder)."""
    data = checked_baselines(earlier, desc, allow)
    if Path(earlier) != Path(dest):
        atomic.write_bytes(dest, Path(earlier).read_bytes())
    return data


def check_scratch(path):
    """`path` itself (no link followed) is a regular file or absent, else InputError: a scratch file the ladder
    deletes before use must not be a link (the link would go) or a folder."""
    if os.path.lexists(path) and not stat.S_ISREG(mode := os.lstat(path).st_mode):
        raise InputError(f"{path} is {atomic.kind(mode)}, not a regular file: refusing to delete it (the ladder's "
                         "scratch file)")
    return path


def python_baselines(args, raw, desc=None, earlier=None):
    """(baselines, why missing, source). raw/baselines.json is replaced only by a valid new file (run.py writes
    baselines.new.json); when run.py leaves none the earlier file is merged, its source starting with
    REUSED_AFTER_FAILURE. The earlier file is read in `earlier` (the kept raw/; default `raw`) and copied into
    `raw` when that is a measuring run's staging folder."""
    dest = raw / "baselines.json"
    before = (earlier or raw) / "baselines.json"
    allow = getattr(args, "allow_foreign_baselines", False)
    if args.baselines:
        data = checked_baselines(args.baselines, desc, allow)
        atomic.write_bytes(dest, Path(args.baselines).read_bytes())
        return data, None, f"merged from {args.baselines}"
    if args.skip_python:
        if before.exists():
            log(f"--skip-python: reusing {before} from an earlier run")
            return reuse(before, dest, desc, allow), None, "reused from an earlier run"
        return None, "not run (--skip-python)", None
    new = check_scratch(raw / "baselines.new.json")
    new.unlink(missing_ok=True)
    # run.py describes the machine with this run's mandel-report: cargo.report's would wait for the lock this run holds
    rc = stream([sys.executable, "-m", RUN_PY, "--out", new] + (["--quick"] if args.quick else []), raw / "python.log",
                env={**os.environ, "MANDEL_REPORT_BIN": str(readers.checker())})
    if rc != 0:
        log(f"  WARNING: {RUN_PY} exited {rc} (log: {raw / 'python.log'})")
    if new.exists():
        data = checked_baselines(new, desc, allow)
        atomic.move_into(new, dest)
        return data, None, "run now"
    if before.exists():
        log(f"  run.py wrote nothing: keeping the earlier {before}")
        return reuse(before, dest, desc, allow), None, f"{REUSED_AFTER_FAILURE} (exit {rc}), see raw/python.log"
    return None, f"{RUN_PY} failed (exit {rc}), see raw/python.log", None


def check_python_environment():
    """run.py's refusal of a bad environment variable (NUMBA_NUM_THREADS; it asks the extension about the
    Rust ones), before any Rust work, which it would otherwise follow by minutes: `run.py --list` exits 2 then.
    Any other failure is run.py's to report when it runs."""
    rc, _, err = capture([sys.executable, "-m", RUN_PY, "--list"])
    if rc == 2:
        raise InputError(f"{RUN_PY} refuses its environment: {err.strip()} (--skip-python runs the Rust rungs only)")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/ladder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a first look in about a minute: fewer, shorter rounds "
                   "and run.py --quick")
    p.add_argument("--skip-python", action="store_true", help="do not run the Python baselines (an earlier run's "
                   "raw/baselines.json is reused)")
    p.add_argument("--skip-bench", action="store_true", help="time no Rust kernel (no tune, peak or rounds): re-merge "
                   "the raw results already in the output folder; the Python baselines still run unless --skip-python "
                   "(with --sweeps, only the sweeps are timed, on the machine that measured the set)")
    p.add_argument("--baselines", type=Path, help="merge this baselines JSON instead of running run.py")
    p.add_argument("--allow-foreign-baselines", action="store_true", help="merge Python baselines measured on "
                   "another machine or problem (refused otherwise)")
    p.add_argument("--machine-id", help="name of the results folder and the summary's machine id (default: derived from the "
                   "CPU and cores; a --skip-bench re-merge keeps the set's own)")
    p.add_argument("--out-dir", type=Path, help="where to write (default: results/<machine-id>)")
    p.add_argument("--sweeps", action="store_true", help="also run the cost-growth sweeps of the best brute-force "
                   "and scalar Rust rungs and Numba parallel, into sweeps/")
    p.add_argument("--sweep-kernels", type=lambda t: [k.strip() for k in t.split(",") if k.strip()],
                   help="comma-separated Rust kernels to sweep instead of the best brute-force and scalar rungs")
    p.add_argument("--sweep-budget", type=float, help="seconds of timed renders per sweep point "
                   "(default 0.5; 0.05 with --quick)")
    p.add_argument("--prebuilt", type=Path, metavar="DIR", help="use DIR/mandel and DIR/mandel-report, built "
                   "elsewhere by scripts/prebuilt, instead of cargo")
    p.add_argument("--retune", action="store_true", help="choose the tuning again (`mandel tune`) instead of "
                   "reusing <results>/tuning.json")
    p.add_argument("--rounds", type=int, metavar="N", help="rounds of Rust timing (default: `mandel describe`'s; "
                   "a count out of range is refused, naming the range)")
    p.add_argument("--save-baseline", metavar="NAME", help="keep this run as baseline NAME under "
                   "<results>/baselines/NAME/, for `scripts/compare --baseline NAME`")
    args = p.parse_args(argv)
    if args.prebuilt is not None and not os.access(args.prebuilt / "mandel", os.X_OK):
        p.error(f"--prebuilt {args.prebuilt}: no executable mandel there")
    # Each name a folder, or files under sweeps/raw/ (even before the registry is read); --rounds in its range
    # (crates/report: machine.rs, rounds.rs).
    names = [(args.save_baseline, "baseline name"), (args.machine_id, "--machine-id"),
             *((k, "--sweep-kernels name") for k in args.sweep_kernels or [])]
    checks = [{"kind": "folder_name", "name": n, "what": what} for n, what in names if n is not None]
    checks += [{"kind": "round_count", "rounds": args.rounds}] if args.rounds is not None else []
    if (checks or args.baselines) and args.prebuilt is None and not os.environ.get("MANDEL_REPORT_BIN"):
        # cargo builds mandel-report under the build folder's lock, which `main` takes next: another ladder's is
        # refused now, as `main` refuses it, not waited for (its whole run) to then refuse a bad argument
        take_lock(TARGET, f"the build folder {TARGET}", "another ladder or scripts/ab")
    with readers.asking(report_binary(args) if checks or args.baselines else None):
        try:
            readers.ask(*checks)
        except InputError as e:
            p.error(str(e))
        if args.baselines is not None:  # readable and valid, before any work (InputError: exit 2)
            readers.read_baselines(args.baselines)
    if args.out_dir is not None and args.out_dir.exists() and not args.out_dir.is_dir():
        p.error(f"--out-dir {args.out_dir}: exists and is not a folder")
    # inf passes `>= 0` but `mandel sweep` refuses it, which would be found only after every timing.
    if args.sweep_budget is not None and not (args.sweep_budget >= 0 and math.isfinite(args.sweep_budget)):
        p.error(f"--sweep-budget {args.sweep_budget}: must be a finite, non-negative number of seconds")
    return args


def sweep_json(text, what, spec="sweep"):
    """The sweep (or with `spec` the large image) `text` printed by `what`, or None (logged) when it is not valid
    JSON of that shape (`readers.check_sweep`)."""
    try:
        return readers.check_sweep(json.loads(text), spec, what)
    except ValueError as e:
        log(f"  ERROR: {what} printed no valid JSON ({e})")
    except InputError as e:
        log(f"  ERROR: {e}")
    return None


def described_kernels(text):
    """The kernel names `mandel describe --json` printed, or None where its output cannot be read that far
    (`read_registry` says why later)."""
    kernels = described_value(text, "kernels")
    try:
        return {k["name"] for k in kernels}
    except (KeyError, TypeError):
        return None


def check_sweep_kernels(names, known):
    """InputError naming any of `names` (--sweep-kernels) not among the `known` kernels (none known: no check)."""
    unknown = [k for k in names or [] if known and k not in known]
    if unknown:
        raise InputError(f"--sweep-kernels: unknown kernel(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def run_sweeps(args, summary, registry, out, mid, describe_path, mandel_report):
    """The sweeps of the chosen Rust kernels and Numba parallel, written under out/sweeps/ (the large image from
    `describe_path`, this run's raw/describe.json; the fits and charts by `mandel_report`). False if one failed."""
    budget = args.sweep_budget if args.sweep_budget is not None else (0.05 if args.quick else 0.5)
    kernels = args.sweep_kernels or [k for k in sweeps.pick_kernels(summary, registry) if k]
    if not kernels:
        log("  no timed Rust rows to pick the best rungs from: name them with --sweep-kernels")
    # `main` checked the names against `mandel describe`; when it failed, the registry came from the rounds.
    check_sweep_kernels(kernels, {k["name"] for k in registry or []})
    folder = out / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    # This run's raw sweep files go to a staging folder, swapped in as sweeps/raw/ only when every sweep
    # succeeded: a failed run leaves the earlier sweeps (their fits, charts and raw files) as they were.
    raw = atomic.staging(folder / "raw")
    stopped = None
    try:
        results, large, ok = sweep_each(args, kernels, budget, raw, describe_path)
        written, fits = sweeps.write_all(mandel_report, results, folder, mid, large) if ok else (None, None)  # raw/ last
    except BaseException as e:
        stopped, ok = e, False
    if not ok:
        with contextlib.suppress(InputError, OSError):
            why = ("were stopped" if isinstance(stopped, KeyboardInterrupt) else f"failed: {stopped}" if stopped
                   else "failed (see above)")
            log(f"ERROR: the sweeps {why}: this run's raw sweep "
                f"files are in {atomic.swap_in(raw, folder / 'raw.failed')}; nothing else in {folder} is written "
                "over unless the stop came while its files were written")
        if stopped:
            raise stopped
        return False
    atomic.swap_in(raw, folder / "raw")
    for f in fits:
        if "ns_per_iteration" in f:
            log(f"  fit {f['kernel']} {f['axis']} on {f['fitted_points']} of {f['points']} points: "
                f"{f['ns_per_iteration']:.3f} ns/iteration, intercept {f['intercept_s'] * 1e3:.3f} ms, "
                f"R^2 {f['r2']:.4f}, worst point {f['max_rel_residual']:.0%} off")
    log(f"sweeps in {folder}: {', '.join(p.name for p in written)}")
    return True


def sweep_each(args, kernels, budget, raw, describe_path):
    """Each sweep and the large image, their raw files written into `raw`: (the sweeps, the large image's report,
    whether every one succeeded)."""
    results, ok = [], True
    for k in dict.fromkeys(kernels):
        log(f"sweeping {k} (budget {budget:g} s a point)")
        with atomic.replacing(raw / f"{k}.log", keep_partial=True) as err:
            rc, text = split_output([MANDEL, "sweep", "-k", k, "--budget", budget, "--json"], err, echo=True)
        if rc != 0:
            log(f"  ERROR: mandel sweep -k {k} exited {rc} (log: {k}.log, with this run's raw sweep files)")
        elif (data := sweep_json(text, f"mandel sweep -k {k}")) is not None:
            atomic.write_text(raw / f"{k}.json", text)  # the JSON only once the sweep succeeded
            results.append(data)
            continue
        ok = False
    if args.skip_python:
        log("  --skip-python: no Numba parallel sweep")
    else:
        path = raw / "numba-parallel.json"
        log(f"sweeping numba-parallel (budget {budget:g} s a point)")
        rc = stream([sys.executable, "-m", "python_baselines.sweep", "--budget", budget, "--out", path],
                    raw / "numba-parallel.log")
        what = f"python_baselines.sweep's {path.name}"
        data = sweep_json(path.read_text(encoding="utf-8"), what) if rc == 0 and path.exists() else None
        if data is not None:
            results.append(data)
        else:
            log(f"  ERROR: python_baselines.sweep exited {rc} (log: numba-parallel.log, with this run's raw sweep files)")
            ok = False
    if not ok:  # the run cannot succeed now: no 1 GiB render for nothing
        log("  the large image is not rendered: a sweep failed")
        return results, None, False
    large, rendered = large_image(describe_path, raw)
    return results, large, rendered


def large_image(describe_path, raw):
    """The large image of `mandel describe`'s sweep grid rendered once in a fresh process (does a 1 GiB buffer cost
    page faults beyond the render?): (its report, kept in sweeps/raw/large.json, or None; False when the render
    failed or its report was refused, which fails the sweeps like a failed sweep)."""
    try:
        large = json.loads(describe_path.read_text(encoding="utf-8"))["sweep"]["large"]
        p = large["problem"]
        flags = [f"--{f.replace('_', '-')}={p[f]}" for f in ("width", "height", "x_min", "x_max", "y_min", "y_max",
                                                             "max_iters")]
    except (OSError, ValueError, KeyError, TypeError):
        log("  no large image in raw/describe.json (a mandel older than it): not rendered")
        return None, True
    log(f"rendering the large image ({p['width']}x{p['height']}, {p['max_iters']} iterations) with {large['kernel']}")
    try:
        text = mandel_json(["render", "-k", large["kernel"], *flags, "--json"], raw / "large.json")
    except InputError as e:  # its exit 2: out of memory, say, for this 1 GiB image: a failed render, not bad input
        log(f"  ERROR: {e}")
        return None, False
    report = sweep_json(text, f"mandel render -k {large['kernel']}", "large") if text else None
    return report, report is not None


def pin_tuning(args, out, raw, run, registry, desc, beside_other=False):
    """Choose the tuning once (`mandel tune`, kept per machine in <results>/tuning.json and reused on the CPU that
    chose it, unless --retune) and pin it through MANDEL_TUNING / MANDEL_C_TUNING, so that every process of the run
    uses one choice. A value the user set is kept. `beside_other`: `out` holds another machine's set (`other_set`).
    True when tuning.json is to be written at the commit."""
    path, stored = raw / "tune.json", out / "tuning.json"
    source = "mandel tune"
    if args.skip_bench:  # a re-merge times nothing: the set may come from another machine
        if not path.exists():
            log(f"--skip-bench: no {path.name} in {raw}: no tuning recorded, none chosen here")
    elif stored.exists() and not args.retune and not (why := not_reusable(stored, out, registry, desc)):
        log(f"reusing this machine's tuning from {stored} (--retune chooses again)")
        atomic.write_bytes(path, stored.read_bytes())
        source = f"mandel tune, kept in {stored.name} from an earlier run"
    else:
        why = "--retune" if args.retune and stored.exists() else why if stored.exists() else "first run in this folder"
        log(f"choosing the tuning on this CPU ({why}): `mandel tune` (every tuning timed on the canonical image "
            "in interleaved rounds, in fresh processes; the median of their fastest rounds decides, a tie band "
            "keeps the default)")
        if not mandel_json(["tune", "--json"], path):
            return False
        readers.read_tune(path)
        if not beside_other:
            atomic.write_bytes(stored, path.read_bytes())
    pins = readers.tuning_pins(readers.read_tune(path) if path.exists() else [], path)
    for t in readers.tunings():
        run[t["run_key"]] = pin_env(t["variable"], pins.get(t["variable"]), source)
    # Beside another machine's set, the choice is kept only with this run's raw/machine.json (at its commit): a
    # run that stops before would leave this CPU's tuning beside that machine's description, reused there.
    return path.exists() and not args.skip_bench and beside_other


def other_set(out, desc):
    """Why the set in `out` is another machine's than `desc` (empty when it is this one's, or there is none, or its
    description is unreadable: it is replaced as the rest of raw/)."""
    try:
        return other_machine(readers.read_machine(out / "raw" / "machine.json"), desc)
    except (InputError, OSError):
        return []


def not_reusable(stored, out, registry, desc):
    """Why the tuning kept in `stored` is not this run's to pin (it would time another CPU's or build's choice):
    None when it is."""
    rows = readers.read_tune(stored)
    kernels = {k.get("name"): k for k in registry or []}
    if not {r.get("isa") for r in rows} <= {k.get("isa") for k in kernels.values()}:
        return "its ISA paths differ from the stored one's"
    if why := machine.kept_tuning_problem(out, desc):
        return why
    user_set = [t["variable"] for t in readers.tunings() if os.environ.get(t["variable"])]  # the user's to pin
    if missing := readers.unchosen(registry or [], rows, user_set):
        return f"it has no choice for {', '.join(missing)}"
    pins = {k: v for k, v in readers.tuning_pins(rows, stored).items() if not os.environ.get(k)}
    rc, _, err = capture([MANDEL, "describe", "--json"], env={**os.environ, **pins})  # mandel checks each name
    if rc != 0:
        return f"this build refuses it: {err.strip()}"
    return None


def pin_env(var, chosen, source="mandel tune"):
    """Set `var` for every later child to `chosen` unless the user set it; what the run used, for run.json."""
    user = os.environ.get(var)  # as set: mandel describe refused one with spaces before any work
    pin = user or chosen
    if not pin:
        return None
    os.environ[var] = pin
    log(f"  {var}={pin}" + (" (set by the user)" if user else ""))
    return {"value": pin, "source": f"{var} set by the user" if user else source}


def read_registry(args, raw, run, fresh, described):
    """The registry (raw/describe.json; a re-merge keeps the measured run's), and for a `fresh` run the rounds'
    settings and pool. (kernels, None), or (None, why) when `mandel describe` failed."""
    path = raw / "describe.json"
    if not (args.skip_bench and path.exists()):
        if described is None:
            return None, "`mandel describe --json` failed in this run (see above)"
        atomic.write_text(path, described)
    data = readers.read_describe(path)
    if data["canonical"] != CANONICAL:
        raise InputError(f"{path}: the canonical problem is {data['canonical']}, ladderlib.CANONICAL says "
                         f"{CANONICAL}: scripts/ladderlib/__init__.py must follow Params::canonical()")
    if fresh and data.get("rounds") is None:
        # A build from before the rounds (the Criterion-era sets' describe.json): its rounds' settings are not
        # recorded; a fresh run then takes them from round 0, a re-merge has none (its Python rows: median calls).
        if args.skip_bench and (raw / "rounds.json").exists():
            raise InputError(f"{path} records no rounds' settings (a build from before the rounds), yet "
                             f"{raw / 'rounds.json'} holds rounds and {raw / 'run.json'} is absent: the settings "
                             "they were taken with are unknown; restore run.json")
        log(f"  {path} records no rounds' settings (a build from before the rounds): not recorded")
    elif fresh:
        run["rounds"] = {"source": "crates/registry/src/rounds.rs", **data["rounds"]["quick" if args.quick else "full"]}
        # A Python rung's calls are cut into rounds of the full run's size whatever this run's mode: the
        # baselines may be a full run.py's (--skip-python, --baselines), and a quick run.py makes one call.
        run["python_rounds"] = {k: data["rounds"]["full"][k] for k in ("kernel_s", "min_renders")}
        if args.rounds is not None:
            run["rounds"]["rounds"] = args.rounds
    if fresh:
        run["pool_threads"] = data["pool_threads"]
    return data["kernels"], None


def bench(args, raw, run):
    """(records, verification rows, results by kernel, ok): the rounds, or with --skip-bench raw/rounds.json (or,
    for a set measured before rounds, raw/records.json and raw/criterion)."""
    kept = raw / "rounds.json"
    if not args.skip_bench:
        return run_rounds(args, raw, run)
    if kept.exists():
        log(f"--skip-bench: merging the rounds in {kept}")
        return (*readers.read_rounds(readers.load_json(kept), kept), True)
    legacy = raw / "records.json"
    if legacy.exists():
        log(f"--skip-bench: merging {legacy} and the Criterion results in {raw / 'criterion'} (measured before rounds)")
        records, verify, ids = readers.read_records(legacy)
        return records, verify, readers.read_criterion(raw / "criterion", ids), True
    log(f"--skip-bench: no rounds in {raw}: the Rust rows are missing")
    return None, {}, {}, True


def split_output(command, keep, echo=False):
    """(exit status, stdout) of `mandel bench` or `mandel sweep`, its stderr into `keep` as it comes; stdout goes
    through a file, since a pipe read after stderr would deadlock once the JSON outgrows it."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as sink:
        proc = popen(command, stdout=sink, stderr=subprocess.PIPE, text=True, bufsize=1)
        for line in proc.stderr:
            keep.write(line)
            if echo:
                log("  " + line.rstrip())
        proc.wait()
        sink.seek(0)
        return finished(proc), sink.read()


def run_rounds(args, raw, run):
    """`mandel bench --round N --json`, one process per round, each round checked as it comes; raw/rounds.json is
    written only once every round ran."""
    settings = run.get("rounds")  # None when `mandel describe` failed: round 0 then says them
    if settings:
        log(f"timing the Rust kernels in {settings['rounds']} rounds" + (" (quick)" if args.quick else "") +
            f": each a fresh `mandel bench` process that verifies every kernel, then times it for "
            f"{settings['kernel_s']:g} s (at least {settings['min_renders']} renders), the order rotated each round")
    taken, ok, r = [], True, 0
    with atomic.replacing(raw / "bench.log", keep_partial=True) as keep:
        while r < (settings["rounds"] if settings else 1):
            started = time.monotonic()
            rc, text = split_output([MANDEL, "bench", "--round", r, "--json"] + (["--quick"] if args.quick else []), keep)
            if rc != 0:
                log(f"  ERROR: round {r}: `mandel bench` exited {rc} (log: {raw / 'bench.log'})")
                ok = False
                break
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"`mandel bench --round {r}`: not valid JSON ({e})") from None
            taken.append(readers.check_round(data, f"`mandel bench --round {r}`", f"round {r}"))
            if not settings:
                settings = run["rounds"] = {"source": "mandel bench", **data["settings"]}
                run["pool_threads"] = data["pool_threads"]
                if args.rounds is not None:
                    settings["rounds"] = args.rounds
            others = max((a["others"] + a["steal"] for k in data["kernels"] if (a := k.get("activity"))), default=0.0)
            log(f"  round {r + 1}/{settings['rounds']} in {time.monotonic() - started:.1f} s; busiest kernel: others "
                f"used {others:.0%} of the CPUs; load average {machine.load_average()}")
            r += 1
    if not taken:
        return None, {}, {}, False
    data = {"schema": ROUNDS_SCHEMA, "rounds": taken}
    if ok:
        atomic.write_text(raw / "rounds.json", json.dumps(data, indent=1) + "\n")
    return (*readers.read_rounds(data, raw / "rounds.json"), ok)


LOCKS = {}  # path -> the open lock file this run holds (released by release_locks or the process's end)


def take_lock(folder, what, holders="another ladder"):
    """An exclusive flock on folder/.ladder.lock, held until the process ends (`atomic.lock_file`); InputError naming
    the holder's pid. (scripts/ab takes the target folder's while it builds and copies the working tree's mandel.)"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder.resolve() / ".ladder.lock"  # the folder's links followed, never the lock file's
    if path in LOCKS:
        return path

    def busy(holder):
        raise InputError(f"{holders}{f' (pid {holder})' if holder else ''} is using {what} "
                         f"({path}): wait for it to finish or stop it; two runs at once would mix their results")
    LOCKS[path] = atomic.lock_file(path, busy)
    return path


def release_locks():
    for f in LOCKS.values():
        f.close()
    LOCKS.clear()


def preflight(out, staged):
    """The results folder can be written and no other ladder uses it; then the leftovers of killed writes, raw/
    swaps and baseline saves are cleaned. The folder this run writes its raw files into: a new staging folder
    beside raw/ when `staged` (a measuring run: `settle` swaps it in or moves it aside), else raw/ itself."""
    raw = out / "raw"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise InputError(f"{out}: the results folder cannot be written: {e.strerror or e}") from None
    take_lock(out, f"the results folder {out}")
    for p in sorted(out.iterdir()):  # a measuring run killed before its summary was written (`commit`)
        m = re.fullmatch(r"\.raw\.(tmp|kept)-(\d+)", p.name)
        if m and stat.S_ISDIR(os.lstat(p).st_mode) and not atomic.pid_alive(int(m[2])):
            if m[1] == "kept" and summary_of_raw(out):  # killed after the summary was written: it stands
                atomic.remove(p)
                log(f"  removed {p.name}: a ladder killed after writing its summary left the earlier raw/ there")
            else:
                log(f"  a ladder killed before writing its summary left {p.name}: {restore_raw(out, p)}")
    for folder in (out, out / "sweeps"):
        for name in atomic.repair_swaps(folder):
            log(f"  repaired {folder / name}: a ladder killed between the two renames of its swap, the earlier one "
                "restored")
    for folder in (out, raw, out / "sweeps", out / "sweeps" / "raw"):
        for p in atomic.clean_stale(folder):
            log(f"  removed a stale temporary file of a killed write: {p}")
    for name in baseline.repair(out):
        log(f"  repaired baseline {name!r}: a save killed between its two renames, the earlier one restored")
    try:
        if staged:
            return atomic.staging(raw)
        raw.mkdir(exist_ok=True)
        return raw
    except OSError as e:
        raise InputError(f"{raw}: cannot be written: {e.strerror or e}") from None


def settle(out, raw):
    """A failed or stopped measuring run's raw files (`raw`, its staging folder) moved to out/raw.failed/
    (replacing an earlier one), raw/ left as it was. A re-merge's `raw` is raw/ already. The folder."""
    if raw == out / "raw" or not raw.exists():
        return out / "raw"
    failed = atomic.swap_in(raw, out / "raw.failed")
    log(f"raw/ is left as it was: this run's raw files are in {failed}")
    return failed


def restore_raw(out, kept):
    """Undo a measuring run's raw/ whose summary was not written: its files (raw/, or a staging folder `kept`
    never swapped in) go to raw.failed/, and the earlier raw/ (`kept`, `.raw.kept-PID`) comes back. What was done."""
    if kept.name.startswith(".raw.tmp-"):
        return f"its raw files moved to {atomic.swap_in(kept, out / 'raw.failed')}"
    if os.path.lexists(out / "raw"):
        atomic.swap_in(out / "raw", out / "raw.failed")
    os.rename(kept, out / "raw")
    return f"the earlier raw/ restored, this run's raw files in {out / 'raw.failed'}"


def summary_of_raw(out):
    """Whether out/summary.json was merged from out/raw/: the machine description's date, which a measuring run
    writes into both, agrees."""
    try:
        date = json.loads((out / "summary.json").read_text(encoding="utf-8"))["machine"]["date"]
        return date is not None and date == json.loads((out / "raw" / "machine.json").read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def commit(out, raw, write):
    """This run's raw files swapped in as raw/ and the summary written by `write()`, or neither: the earlier raw/
    is kept aside (`.raw.kept-PID`) until `write` returns, and put back when it fails or is interrupted (this
    run's files going to raw.failed/, as a run killed there finds them: `preflight`). The raw folder."""
    global FAILED_RAW
    if raw == out / "raw" or not raw.exists():  # a re-merge writes raw/ in place
        write()
        return out / "raw"
    new, kept = atomic.swap_in(raw, out / "raw", keep=True)
    try:
        write()
    except BaseException:
        if Path(os.path.realpath(out / "summary.json")) in atomic.WRITTEN:
            # summary.json is this run's: raw/ is its input, whatever else failed (a re-merge makes the rest)
            atomic.remove(kept)
            log(f"  the summary was written in part: raw/ is this run's; `--skip-bench` re-merges the rest")
        elif os.path.lexists(kept):
            log(f"  the summary was not written: {restore_raw(out, kept)}")
            FAILED_RAW = out / "raw.failed"
        else:  # no earlier raw/: this run's stays beside the summary it could not write
            log(f"  the summary was not written; {new} holds this run's raw files")
        raise
    if os.path.lexists(kept):
        gone = kept.with_name(f".raw.old-{os.getpid()}")  # a name repair_swaps removes beside raw/
        os.rename(kept, gone)
        atomic.remove(gone)
    return new


def report_binary(args):
    """`mandel-report` (crates/report: summary.md, speedup.svg and the lines printed; the sweeps' fits and charts):
    --prebuilt's, else `cargo.report_binary`."""
    if args.prebuilt is None:  # `main` holds the target folder's lock (built with mandel, not during timing)
        return cargo.report_binary(REPO, locked=True)
    binary = args.prebuilt.resolve() / "mandel-report"
    if not os.access(binary, os.X_OK):
        raise InputError(f"--prebuilt {args.prebuilt}: no executable {binary}, which writes the summary up and fits "
                         "and draws the sweeps (scripts/prebuilt builds it beside mandel)")
    return cargo.speaks(binary)  # MANDEL_REPORT_BIN is not asked: the folder's binaries go together


def build(args, build_log):
    """Point MANDEL at --prebuilt's binary, or `cargo build --release` it (log in `build_log`); cargo's exit status."""
    global MANDEL
    build_log.unlink(missing_ok=True)
    if args.prebuilt is not None:
        MANDEL = args.prebuilt.resolve() / "mandel"
        log(f"--prebuilt: using {MANDEL} (no cargo build)")
        return 0
    log("building the release binary")
    build_log.parent.mkdir(parents=True, exist_ok=True)  # take_lock made it; kept for a caller that did not
    return stream(["cargo", "build", "--release", "--bin", "mandel"], build_log, env=cargo.build_env(TARGET))


def main(argv=None):
    global OUT, FAILED_RAW
    OUT = FAILED_RAW = None
    args = parse_args(argv)
    if args.prebuilt is None:  # the ladder builds mandel, for this machine: refused before any work
        cargo.check_host_build()
    if not args.skip_bench or args.prebuilt is None:  # it reads Criterion's results there, or builds mandel there
        take_lock(TARGET, f"the build folder {TARGET}", "another ladder or scripts/ab")
    # mandel-report describes the machine's CPU, writes summary.md and speedup.svg up, fits and draws the sweeps:
    # found (or built, under the lock just taken) and checked to be of these scripts' version before any other work
    mandel_report = report_binary(args)
    # Every check from here on asks it (--prebuilt's: DIR's): cargo.report's would be cargo's, built or waited for
    # under the target folder's lock this run holds (--save-baseline's name, checked again below, asked it)
    with readers.asking(mandel_report):
        return _main(args, mandel_report)


def _main(args, mandel_report):
    """`main` once mandel-report is found, every check asking it."""
    global OUT, FAILED_RAW
    log("describing the machine")
    desc = machine.describe(REPO)
    # One derived from the CPU model is refused now, not after every timing.
    mid = args.machine_id or derived_id(machine.machine_id(desc), "the machine id derived from the CPU model")
    out = args.out_dir or REPO / "results" / mid
    for name in RESULT_FILES + ["raw/" + n for n in ("build.log", "bench.log", "python.log")]:
        if name != "raw/criterion":  # each output a regular file or absent (`atomic.check_target`), before any work
            atomic.check_target(out / name, "result file")
    check_scratch(out / "raw" / "baselines.new.json")
    if not args.skip_bench:  # a measuring run replaces raw/ (or raw.failed/) whole, by rename
        for name in ("raw", "raw.failed"):
            atomic.check_dir(out / name, "raw files of this run")
    if args.sweeps:  # and the sweeps theirs (`run_sweeps`), each of their outputs a regular file or absent
        for name in ("sweeps", "sweeps/raw", "sweeps/raw.failed"):
            atomic.check_dir(out / name, "raw sweep files of this run")
        for name in sweeps.OUTPUTS:
            atomic.check_target(out / "sweeps" / name, "result file")
    if not args.skip_python and (args.sweeps or not args.baselines):  # run.py, or sweep.py for Numba parallel
        check_python_environment()
    if args.save_baseline:  # refused now, not after the whole run
        atomic.check_dir(baseline.folder(out, args.save_baseline), f"baseline {args.save_baseline!r}")
    if out.exists():
        take_lock(out, f"the results folder {out}")  # a second ladder here stops before building
    build_log = TARGET / f".ladder-build.{os.getpid()}.log"
    built = build(args, build_log) == 0
    # `mandel describe` first: it refuses a bad environment variable (exit 2) before anything is written.
    described = mandel_json(["describe", "--json"]) if built else None
    if args.sweeps and described is not None:  # a name it does not know refused now, not after every timing
        check_sweep_kernels(args.sweep_kernels, described_kernels(described))
    raw = preflight(out, staged=not args.skip_bench)
    OUT = out
    try:
        return measure(args, desc, mid, out, raw, built, build_log, described, mandel_report)
    except BaseException as e:
        if raw != out / "raw" and raw.exists():  # stopped before `settle`: raw/ stays, this run's files aside
            with contextlib.suppress(InputError, OSError):
                FAILED_RAW = settle(out, raw)
            if isinstance(e, InputError) and FAILED_RAW is not None:  # name the file where it now lies
                e.args = (str(e).replace(str(raw), str(FAILED_RAW)),)
        raise


def measure_peak_again(peak, peak_path, path, when):
    """`mandel peak` once more (its output kept at `path`), combined with `peak` (readers.combine_peaks: each rate
    the higher, every measurement kept) and written over `peak_path`; `peak` unchanged where it fails or took
    another ISA path."""
    log(f"measuring with `mandel peak` again, {when}")
    if mandel_json(["peak", "--json"], path):
        combined = readers.combine_peaks(peak, readers.read_peak(path), when=when)
        if combined is not None:
            atomic.write_text(peak_path, json.dumps(combined, indent=2) + "\n")
            return combined
    return peak


def described_value(described, *keys):
    """The value at `keys` in `mandel describe --json`'s text, or None where it cannot be read that far (an older
    build that does not say, or output `read_registry` refuses later, naming why)."""
    try:
        value = json.loads(described or "null")
        for key in keys:
            value = value[key]
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return value


def built_with(described):
    """`rustc -V` of the compiler that built `mandel`, as its `describe --json` says (None: not said)."""
    rustc = described_value(described, "rustc")
    return rustc if isinstance(rustc, str) and rustc.strip() else None


def kept_id(out, desc):
    """A re-merged set's machine id: the one its summary.json has (a set may be named apart from its CPU, e.g. with
    an ISA forced), else derived from its kept machine description."""
    try:
        mid = readers.read_summary(out / "summary.json")["machine_id"] if (out / "summary.json").exists() else None
    except InputError as e:
        log(f"  {e}: the machine id is derived from raw/machine.json")
        mid = None
    return derived_id(mid or machine.machine_id(desc), f"the machine id of the set in {out}")


def derived_id(mid, what):
    """`mid`, a machine id the user did not give, if it is one folder name; else InputError asking for one."""
    try:
        return baseline.check_folder_name(mid, what)
    except InputError as e:
        raise InputError(f"{e}; give one with --machine-id") from None


def measure(args, desc, mid, out, raw, built, build_log, described, mandel_report):
    """The run, its raw files written into `raw` (a staging folder unless --skip-bench); the exit status.
    `mandel_report`: the binary that writes the summary up, and fits and draws the sweeps (with --sweeps)."""
    if args.skip_bench and not (raw / "machine.json").exists() and any(
            (raw / name).exists() for name in ("rounds.json", "records.json")):
        raise InputError(f"{raw / 'machine.json'} is missing, but {raw} holds measured Rust results: the machine that "
                         "measured them is unknown, and a re-merge does not describe this one in its place")
    if build_log.exists():  # a re-merge's build is not the measured run's: its log goes beside raw/build.log
        atomic.move_into(build_log, raw / ("build.skip-bench.log" if args.skip_bench else "build.log"))
    if not built:
        log("ERROR: cargo build failed; see the output above")
        settle(out, raw)
        return 1
    run_file = raw / "run.json"
    kept_machine = args.skip_bench and (raw / "machine.json").exists()  # never rewritten then
    if kept_machine:  # (read once preflight has restored an interrupted run's raw/)
        log(f"--skip-bench: the results in {raw} were measured on the machine described there")
        here, desc = machine.machine_id(desc), readers.read_machine(raw / "machine.json")
        if args.sweeps and machine.machine_id(desc) != here:  # sweeps time this machine, into that set
            raise InputError(f"--sweeps times this machine ({here}), but the set re-merged in {out} was measured "
                             f"on {machine.machine_id(desc)}: run --sweeps without --skip-bench, or there")
        if args.machine_id is None:  # the set's own id (it may have been copied here), not this CPU's
            mid = kept_id(out, desc)
    elif rustc := built_with(described):  # the compiler of the binary timed (a --prebuilt one was built elsewhere)
        desc["rustc"] = rustc
    fresh = not (args.skip_bench and run_file.exists())
    # The pool is Rust's to say (`mandel describe`, else a round): unknown until then, never the machine
    # description's core count (os.cpu_count() ignores affinity and cgroup quotas).
    run = {"quick": args.quick, "criterion": {}, "pool_threads": None} if fresh else readers.read_run(run_file)
    if fresh and args.prebuilt is not None:  # a re-merge keeps how the measured binary was built
        run["prebuilt"] = True
    for label, value in writers.machine_lines(mandel_report, mid, desc, {**run, "params": None})[:8]:
        log(f"  {label}: {value}")

    registry, registry_missing = read_registry(args, raw, run, fresh, described)
    failed = registry is None
    recorded = {t["run_key"]: run.get(t["run_key"]) for t in readers.tunings()}
    if reasons := [] if args.skip_bench else other_set(out, desc):
        log(f"  WARNING: {out} holds a set measured on another machine ({'; '.join(reasons)}): this run replaces "
            "it (--machine-id NAME writes beside it)")
    tuning_at_commit = pin_tuning(args, out, raw, run, registry, desc, beside_other=bool(reasons))
    if not fresh:  # re-merging: what the measured run recorded stands, whatever this shell sets
        for key, var in ((t["run_key"], t["variable"]) for t in readers.tunings()):
            if run.get(key) != recorded[key]:
                log(f"  --skip-bench: {var} does not change what was measured; {run_file} records "
                    f"{(recorded[key] or {}).get('value') or 'no value'}, kept")
            run[key] = recorded[key]
    peak_path = raw / "peak.json"
    if args.skip_bench:  # a corrupt file is an InputError naming it (exit 2, nothing written)
        peak = readers.read_peak(peak_path) if peak_path.exists() else None
    else:
        log("measuring with `mandel peak`")
        peak = mandel_json(["peak", "--json"], peak_path) and readers.read_peak(peak_path)

    records, verify, criterion, bench_ok = bench(args, raw, run)
    failed = failed or not bench_ok
    if not args.skip_bench and peak and "measured" not in peak:
        # Measured again after the benches, minutes later: a ceiling is the most the CPU does, so each
        # rate keeps the higher of the two, and the notes say how far apart they were.
        peak = measure_peak_again(peak, peak_path, raw / "peak-after.json", "after the benches")
    if registry is None and records is not None:
        registry = records["records"]  # the records describe the kernels too
    if not args.skip_bench:
        desc["load_average_after_bench"] = machine.load_average()
    if records is not None and records.get("schema") == ROUNDS_SCHEMA:
        found = {"taken": records["rounds"], "tunings": records["tunings"]}
        if fresh:
            run["rounds"].update(found)
        for key, value in () if fresh else found.items():  # a re-merge: run.json said so when they were taken
            if (said := (run.get("rounds") or {}).get(key)) is not None and said != value:
                raise InputError(f"{run_file}: rounds.{key} is {said!r}, but {raw / 'rounds.json'} has {value!r}: the "
                                 "summary would state what the rounds merged did not do")
    if not kept_machine:
        atomic.write_text(raw / "machine.json", json.dumps(desc, indent=2) + "\n")

    log("Python baselines")
    baselines, baselines_missing, python_source = python_baselines(args, raw, desc, earlier=out / "raw")
    if baselines is None:
        log(f"  Python rungs missing: {baselines_missing}")
    digest = atomic.file_sha256(raw / "baselines.json") if baselines is not None else None
    if (not fresh and args.skip_python and not args.baselines and run.get("python_source")
            and run.get("python_sha256") in (None, digest)):
        # a re-merge of the very baselines file the measured run merged (None: a run.json from before the digest
        # was recorded): their source is what that run recorded, a failed run's "reused ... run.py failed" too
        # (nothing failed now); a file replaced since (a --baselines re-merge) is "reused from an earlier run"
        python_source = run["python_source"]
    else:
        failed = failed or (python_source or "").startswith(REUSED_AFTER_FAILURE)
    complete = not failed  # else the summary replaces no earlier one
    run["python_source"] = python_source
    run["python_sha256"] = digest  # which baselines file was merged (a re-merge leaves run.json's as it was)
    run["python_foreign"] = "; ".join(foreign(baselines, desc) if baselines else []) or None
    if not args.skip_bench and python_source == "run now" and len((peak or {}).get("measured") or []) == 2:
        # (a re-merge never measures: its peak is the measured run's, maybe on another machine)
        # Once more after the Python rows, minutes after the Rust rounds: every speedup of a Rust row divides
        # pure Python's time by the row's, so a change of the machine's speed in between is warned of.
        peak = measure_peak_again(peak, peak_path, raw / "peak-python.json", "after the Python rows")
    if fresh:  # a re-merge (--skip-bench) leaves the measured run's run.json as it was
        atomic.write_text(run_file, json.dumps(run, indent=2) + "\n")

    log("merging")
    summary = merge(desc, mid, run, registry=registry, verify=verify, criterion=criterion, baselines=baselines,
                    baselines_missing=baselines_missing or "", peak=peak or None, registry_missing=registry_missing
                    or "", baselines_source=str(args.baselines or raw / "baselines.json"),
                    tune=readers.read_tune(raw / "tune.json") if (raw / "tune.json").exists() else None,
                    mandel_report=mandel_report)
    if records is None:
        summary["notes"].append("Agreement column empty: no bench records in this run (see above).")
    written_up = writers.report(mandel_report, summary)  # asked once: the console's table now, the files below
    print(f"\n{written_up['console']}\n")
    for note in summary["notes"]:
        print(f"- {note}")
    print()
    if complete or not (out / "summary.json").exists():
        raw = commit(out, raw, lambda: writers.write_all(mandel_report, summary, out, written_up))
        if tuning_at_commit:
            atomic.write_bytes(out / "tuning.json", (raw / "tune.json").read_bytes())
        render_image(registry, out / "mandelbrot.png")
        log(f"results in {out}: summary.md, summary.json, summary.csv, speedup.svg, mandelbrot.png, raw/")
    else:
        raw = settle(out, raw)
        log(f"ERROR: part of this run failed (see above): the table above is not written over the earlier "
            f"summary in {out}, which is kept with raw/. This run's raw files are in {raw}: to merge them anyway, "
            "move raw.failed/ to raw/ and run `scripts/ladder --skip-bench` (it re-merges what raw/ holds).")
    if args.sweeps and not run_sweeps(args, summary, registry, out, mid, raw / "describe.json", mandel_report):
        failed = True
    if args.save_baseline and failed:
        log(f"not saving baseline {args.save_baseline!r}: this run failed")
    elif args.save_baseline:
        log(f"saved as baseline {args.save_baseline!r}: {baseline.save(out, args.save_baseline)}")
    return 1 if failed else 0


def render_image(registry, path):
    """The canonical image, by a kernel that must equal the f64 reference exactly (none: no image)."""
    exact = [k["name"] for k in registry or [] if k.get("tolerance_max_fraction") == 0 and k.get("available", True)]
    if exact:
        log("rendering the canonical image")
        rc, _, err = capture([MANDEL, "render", "-k", exact[0], "--png", path])
        if rc != 0:
            log(f"  WARNING: mandel render failed (exit {rc}): {err.strip()}")


if __name__ == "__main__":
    sys.exit(guarded(main))
