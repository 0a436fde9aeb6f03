#!/usr/bin/env python3
"""Time the Python side of the Mandelbrot speedup ladder and write one JSON result file.

Every rung is verified against the Rust f64 reference (through the mandel_ladder extension) before
its time counts, then timed:

  1. warm-up: one call on a 16x16 image of the same problem (no larger than the image), untimed. For
     the Numba rungs this call compiles, and its time is reported as compile_s, apart from the timed runs.
  2. verification: one full-size call, timed. Its output is compared with the reference; a rung
     that differs on more pixels than it is allowed is recorded as failed, with its comparison, and
     no valid time. Otherwise this call is the first timed run.
  3. repeats: more full-size calls until the rung has used --budget seconds (at least --min-repeats
     runs in all, at most --max-repeats), so that slow rungs run once and fast ones many times.

The PyPy rung runs in another interpreter: its driver (pypy_driver.py, under pypy3) warms the JIT up
with one full-size render (reported as compile_s) and times the renders with this very loop
(timing.py); the first timed render's counts come back and are verified here before its times count.
A rung whose tool is not installed or not built (Cython, Pythran, Mojo, PyPy) is recorded as missing,
with the reason and the command that installs it: not a failure.

The median, min and max of the timed runs are recorded, with every run's time: the ladder's table cuts
them into rounds (the Rust rounds' kernel_s and min_renders, from `mandel describe`) and takes the median
of each round's fastest, as for the Rust rows. The garbage collector is off during each timed call, as in
timeit (the article used %timeit).
"""

import argparse
import fnmatch
import json
import math
import os
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import mandel_ladder
import numpy as np

from ladderlib.atomic import NotAFileError, check_target, write_text
from ladderlib.machine import describe as describe_machine
from ladderlib.readers import InputError, checker

from .compiled_rungs import omp_environment_error
from .numba_rungs import environment_error as numba_environment_error
from .problem import Problem
from .rungs import PYTHON_RUNGS, Rung, all_rungs
from .timing import interpreter_error, repeat, timed

SCHEMA = "mandel-baselines/1"
WARMUP_SIZE = 16


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict:
    """The machine, described as the ladder describes it (`ladderlib.machine`), and the extension's version
    and cargo profile (the merge labels pyo3- rows timed on a build other than release)."""
    return {**describe_machine(Path(__file__).resolve().parents[1]), "mandel_ladder": mandel_ladder.__version__,
            "mandel_ladder_profile": getattr(mandel_ladder, "BUILD_PROFILE", None)}


def out_problem(path: str) -> str | None:
    """Why the result file cannot be written at `path`, or None. Checked before any timing, so that a
    run's timings are never thrown away at the end: `path` must not be a folder, and its folder must
    exist (it is created if missing) and take a new file (one is created and removed). A symlink is
    written through (its target replaced); a device, FIFO, socket or folder is refused (`check_target`)."""
    try:
        target = check_target(path, "results")
    except NotAFileError as e:
        return str(e)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create its folder {folder}: {e.strerror or e}"
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return f"cannot create a file in {folder}: {e.strerror or e}"
    return None


def save(text: str, path: str, prog: str = "run.py") -> int:
    """Write the result file whole (a temporary file renamed into place: an earlier file at `path` is
    replaced only by a complete new one). If that fails (a full disk), the results are not lost: they
    go to a file in the system's temporary folder, or to stdout if even that fails; exit status 1."""
    try:
        write_text(path, text)
        progress(f"results written to {path}")
        return 0
    except OSError as e:
        why = f"{prog}: error: cannot write {path}: {e.strerror or e}"
    except NotAFileError as e:  # --out became a folder, FIFO, ... during the run (not an OSError)
        why = f"{prog}: error: cannot write {path}: {e}"
    fallback = None
    try:
        fd, fallback = tempfile.mkstemp(prefix="baselines-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{why}; the results were saved to {fallback} instead", file=sys.stderr)
    except OSError as e:
        if fallback:
            try:
                os.unlink(fallback)  # no partial copy left behind
            except OSError:
                pass
        print(f"{why}; nor could they be saved in the temporary folder ({e.strerror or e}): "
              "here they are, on stdout", file=sys.stderr)
        sys.stdout.write(text)
    return 1


def as_counts(result) -> np.ndarray:
    """Any rung's output as a C-contiguous uint32 array (a bitmap becomes 0/1)."""
    return np.ascontiguousarray(np.asarray(result, dtype=np.uint32))


def range_error(result, limit: int) -> str | None:
    """Why `result` is not counts from 0 to `limit` (a bitmap: 0 to 1), or None. Checked before
    as_counts's cast, which would wrap a negative or too large value into uint32 unnoticed (a count
    of 2**32 + n would pass as n)."""
    got = np.asarray(result)
    if got.dtype == np.bool_:
        return None
    if got.dtype.kind not in "iuf":
        return f"output has dtype {got.dtype}, expected whole numbers"
    if got.dtype.kind == "f" and not (np.isfinite(got).all() and (got == np.floor(got)).all()):
        return f"output has dtype {got.dtype} with values that are not whole numbers"
    if got.size and (got.min() < 0 or got.max() > limit):
        return f"output holds values outside 0..{limit}: min {got.min()}, max {got.max()}"
    return None


def verify(rung: Rung, result, expected: np.ndarray, limit: int) -> dict:
    """The rung's output against the reference (`expected`, counts from 0 to `limit`, or a 0/1 bitmap)."""
    why = range_error(result, limit)
    if why:
        return {"pixels": expected.size, "differing": None, "max_abs_diff": None, "allowed": 0, "ok": False,
                "error": why}
    got = as_counts(result)
    if got.shape != expected.shape:
        return {"pixels": expected.size, "differing": None, "max_abs_diff": None, "allowed": 0, "ok": False,
                "error": f"output has shape {got.shape}, expected {expected.shape}"}
    cmp = mandel_ladder.compare(expected, got)
    allowed = rung.allowed(cmp["pixels"])
    return {"pixels": cmp["pixels"], "differing": cmp["differing"], "max_abs_diff": cmp["max_abs_diff"],
            "allowed": allowed, "ok": cmp["differing"] <= allowed, "first_difference": cmp["first_difference"]}


def new_entry(rung: Rung) -> dict:
    """A rung's result, before anything is measured: no valid time until verification passed."""
    return {"name": rung.name, "rung": rung.rung, "language": rung.language, "precision": rung.precision,
            "threads": rung.threads, "computes": rung.computes, "times_s": [], "median_s": None, "min_s": None,
            "max_s": None, "repeats": 0, "compile_s": None, "iterations": None, "verification": None,
            # the rule its verification's `allowed` comes from: the merge checks `allowed` against it
            "tolerance": {"max_fraction": rung.tolerance["max_fraction"],
                          "slack_pixels": rung.tolerance["slack_pixels"]},
            "description": rung.description, **rung.extra}


def missing_entry(rung: Rung) -> dict:
    """A rung that cannot run here: no time, no verification, the reason (with what installs its tool)."""
    return {**new_entry(rung), "missing": True, "error": rung.missing}


def measure(rung: Rung, problem: Problem, reference: np.ndarray, args) -> dict:
    entry = new_entry(rung)
    expected = reference if rung.computes == "counts" else (reference == problem.max_iters).astype(np.uint32)

    if rung.external is not None:
        # Another interpreter: its driver warmed up and timed the renders with timing.py's loop.
        measured = rung.external(problem, args.budget, args.min_repeats, args.max_repeats)
        times, result = list(measured["times_s"]), measured["result"]
        entry["compile_s"] = measured.get("compile_s")
        entry.update(measured.get("extra") or {})
        first_s, call = times[0], None
    else:
        # Never larger than the image: for a tiny image at a high cap, a bigger warm-up would cost more
        # than the timed calls.
        warmup = Problem(**{**problem.as_dict(), "width": min(WARMUP_SIZE, problem.width),
                            "height": min(WARMUP_SIZE, problem.height)})
        warmup_s, _ = timed(rung.prepare(warmup))
        if rung.compiles:
            entry["compile_s"] = warmup_s
        call = rung.prepare(problem)
        first_s, result = timed(call)
        times = [first_s]
    entry["verification"] = verify(rung, result, expected, problem.max_iters if rung.computes == "counts" else 1)
    if not entry["verification"]["ok"]:
        entry["invalid_time_s"] = first_s  # kept for diagnosis only: a wrong answer is not a data point
        return entry
    if rung.computes == "counts":
        entry["iterations"] = int(as_counts(result).sum(dtype=np.uint64))

    if call is not None:
        repeat(call, times, args.budget, args.min_repeats, args.max_repeats)
    entry.update(times_s=times, median_s=statistics.median(times), min_s=min(times), max_s=max(times),
                 repeats=len(times))
    return entry


def select(rungs: list[Rung], only: list[str], skip: list[str]) -> list[Rung]:
    """Keep the rungs matching any --only pattern (all when none), minus those matching --skip."""
    names = [r.name for r in rungs]
    for flag, patterns in (("--only", only), ("--skip", skip)):
        for pattern in patterns:
            if not fnmatch.filter(names, pattern):
                raise InputError(f"{flag} {pattern!r}: no rung matches it; rungs: {', '.join(names)}")

    def matches(name, patterns):
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)

    selected = [r for r in rungs if (not only or matches(r.name, only)) and not matches(r.name, skip)]
    if not selected:
        raise InputError(f"--only {','.join(only) or '*'} with --skip {','.join(skip)} leaves no rung to run")
    return selected


def seconds(t: float) -> str:
    return f"{t:.3f} s" if t >= 1 else f"{t * 1e3:.2f} ms" if t >= 1e-3 else f"{t * 1e6:.1f} us"


def table(entries: list[dict]) -> str:
    lines = [f"{'rung':<26} {'computes':<8} {'prec':<4} {'thr':>3} {'median':>10} {'min':>10} {'max':>10} "
             f"{'runs':>4} {'speedup':>8}  verification"]
    for e in entries:
        v = e["verification"] or {}
        check = f"{'ok' if v.get('ok') else 'FAILED'}: {v.get('differing')} of {v.get('pixels')} differ " \
                f"(allowed {v.get('allowed')})"
        if e.get("missing"):
            check = f"missing: {e['error']}"
        elif e.get("error") or v.get("error"):
            check = f"FAILED: {e.get('error') or v.get('error')}"
        if e["median_s"] is None:
            times = f"{'-':>10} {'-':>10} {'-':>10} {0:>4} {'-':>8}"
        else:
            speedup = f"{e['speedup_vs_python_pure']:.1f}x" if e["speedup_vs_python_pure"] else "-"
            times = " ".join(f"{seconds(e[k]):>10}" for k in ("median_s", "min_s", "max_s"))
            times += f" {e['repeats']:>4} {speedup:>8}"
        lines.append(f"{e['name']:<26} {e['computes']:<8} {e['precision']:<4} {e['threads']:>3} {times}  {check}")
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="run.py",
        description=__doc__.split("\n\n")[0],
        epilog=f"Rungs: {', '.join(r['name'] for r in PYTHON_RUNGS)} (rungs.py; numpy-masked-bitmap computes an "
               "in/out bitmap only, as in the article), and pyo3-<kernel> for every kernel of the Rust registry. "
               "--only/--skip take names or shell patterns (pyo3-*), repeatable or comma-separated. "
               "Example: run.py --quick --width 96 --height 96 --skip python-pure",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    d = Problem()
    problem = p.add_argument_group("problem (defaults: the canonical ladder problem)")
    problem.add_argument("--width", type=int, default=d.width, help="image width in pixels")
    problem.add_argument("--height", type=int, default=d.height, help="image height in pixels")
    for name in ("x_min", "x_max", "y_min", "y_max"):
        problem.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float, default=getattr(d, name),
                             help=f"{name} of the rectangle of the complex plane")
    problem.add_argument("--max-iters", type=int, default=d.max_iters, help="iteration cap")
    timing = p.add_argument_group("timing")
    timing.add_argument("--budget", type=float, default=3.0,
                        help="seconds of timed runs per rung: repeat until spent (the first run always counts)")
    # Three: pure Python, every speedup's denominator, takes longer than the budget a call, and one call on a VM
    # whose speed moves is one draw of it; its median of three is robust to one slow call.
    timing.add_argument("--min-repeats", type=int, default=None,
                        help="timed runs per rung, at least (default 3; 1 with --quick)")
    # High enough that the fastest rung (well under the rounds' time a call) spends the whole budget: the ladder
    # cuts the calls into rounds of the Rust rounds' kernel_s (`mandel describe`) and takes the median of their
    # fastest, as for the Rust rows, which needs a dozen rounds.
    timing.add_argument("--max-repeats", type=int, default=5000, help="timed runs per rung, at most")
    timing.add_argument("--quick", action="store_true",
                        help="one timed run per rung (sets --budget 0, and --min-repeats 1 unless given)")
    p.add_argument("--only", action="append", default=[], metavar="RUNGS", help="run only these rungs")
    p.add_argument("--skip", action="append", default=[], metavar="RUNGS", help="do not run these rungs")
    p.add_argument("--list", action="store_true", help="list the rungs and exit")
    p.add_argument("--note", action="append", default=[], help="a note stored in the result file (repeatable)")
    p.add_argument("--out", default="results/baselines.json", help="where to write the JSON result file")
    args = p.parse_args(argv)
    if args.quick:
        args.budget = 0.0
    if args.min_repeats is None:  # no more than --max-repeats allows
        args.min_repeats = min(1 if args.quick else 3, max(args.max_repeats, 1))
    if args.min_repeats < 1 or args.max_repeats < args.min_repeats:
        p.error("need 1 <= --min-repeats <= --max-repeats")
    if not (math.isfinite(args.budget) and args.budget >= 0):
        p.error(f"--budget must be a finite number of seconds, 0 or more (0: one timed run each), got {args.budget}")
    for flag, values in (("--only", args.only), ("--skip", args.skip)):
        for value in values:
            if not split_patterns([value]):  # an empty --only would otherwise select every rung
                p.error(f"{flag} {value!r} names no rung: give names or patterns, comma-separated")
    args.only, args.skip = split_patterns(args.only), split_patterns(args.skip)
    return args


def split_patterns(values: list[str]) -> list[str]:
    """--only a,b --only c -> [a, b, c]"""
    return [s.strip() for v in values for s in v.split(",") if s.strip()]


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        mandel_ladder.describe()  # refuses a bad RAYON_NUM_THREADS, MANDEL_ISA or tuning, before any work
    except ValueError as e:
        print(f"run.py: error: {e}", file=sys.stderr)
        return 2
    why = interpreter_error() or omp_environment_error() or numba_environment_error()
    if why:
        print(f"run.py: error: {why}", file=sys.stderr)
        return 2
    rungs = all_rungs()
    if args.list:
        for r in rungs:
            print(f"{r.name:<26} {r.language:<14} {r.precision:<4} {r.computes:<7} {r.description}")
        return 0
    try:
        selected = select(rungs, args.only, args.skip)
    except InputError as e:
        print(f"run.py: error: {e}", file=sys.stderr)
        return 2
    why = out_problem(args.out)
    if why:
        print(f"run.py: error: cannot write --out {args.out}: {why} (checked before timing anything)",
              file=sys.stderr)
        return 2
    try:  # the machine is described after the timing, its CPU by mandel-report (`machine`): found now, not then
        checker()
    except InputError as e:
        print(f"run.py: error: {e} (it describes the machine; checked before timing anything)", file=sys.stderr)
        return 2
    problem = Problem(args.width, args.height, args.x_min, args.x_max, args.y_min, args.y_max, args.max_iters)
    try:
        # The reference also validates the problem, with the same rules and messages as the Rust side.
        reference = mandel_ladder.reference(**problem.as_dict())
    except (ValueError, TypeError) as e:
        print(f"run.py: error: invalid problem: {e}", file=sys.stderr)
        return 2

    progress(f"{problem.width}x{problem.height}, max_iters {problem.max_iters}: {len(selected)} rungs, "
             f"{'quick (one timed run each)' if args.quick else f'{args.budget:g} s of timed runs each'}")
    entries = []
    for i, rung in enumerate(selected, 1):
        progress(f"[{i}/{len(selected)}] {rung.name} ...")
        if rung.missing:
            entries.append(missing_entry(rung))
            progress(f"    missing: {rung.missing}")
            continue
        try:
            entry = measure(rung, problem, reference, args)
        except Exception as e:  # a rung that crashes is a failed rung, not a failed run
            pixels = problem.width * problem.height
            entry = {**new_entry(rung), "error": f"{type(e).__name__}: {e}",
                     "verification": {"pixels": pixels, "differing": None, "max_abs_diff": None,
                                      "allowed": rung.allowed(pixels), "ok": False}}
        v = entry["verification"]
        if entry["median_s"] is not None:
            compile_note = f", compile {seconds(entry['compile_s'])}" if entry["compile_s"] is not None else ""
            progress(f"    ok ({v['differing']} of {v['pixels']} pixels differ, allowed {v['allowed']}): "
                     f"median {seconds(entry['median_s'])} over {entry['repeats']} runs{compile_note}")
        else:
            progress(f"    FAILED: {entry.get('error') or v}")
        entries.append(entry)

    base = next((e["median_s"] for e in entries if e["name"] == "python-pure" and e["median_s"]), None)
    for e in entries:
        e["speedup_vs_python_pure"] = base / e["median_s"] if base and e["median_s"] else None
    result = {
        "schema": SCHEMA,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        # The tunings the pyo3- rows' kernels ran (each family's, once resolved in this process): the merge
        # compares them with the Rust rows' (crates/report/src/rows.rs, blank_other_tuning).
        "extension_tunings": mandel_ladder.tunings(),
        "params": problem.as_dict(),
        "settings": {"quick": args.quick, "budget_s": args.budget, "min_repeats": args.min_repeats,
                     "max_repeats": args.max_repeats, "warmup_size": WARMUP_SIZE, "gc_disabled_while_timed": True,
                     "timer": "time.perf_counter"},
        "notes": args.note,
        "rungs": entries,
        # The table of every Python rung, run or not: the ladder lists those this run left out, as missing.
        "python_rungs": [{"name": r["name"], "label": r["label"], "language": r.get("language", "Python"),
                          "precision": r.get("precision", "f64"), "computes": r.get("computes", "counts")}
                         for r in PYTHON_RUNGS],
    }
    print(table(entries))
    if save(json.dumps(result, indent=2) + "\n", args.out) != 0:
        return 1
    # A missing rung (its tool not installed here) is not a failure; a failed or crashed one is.
    return 0 if all(e.get("missing") or e["verification"]["ok"] for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
