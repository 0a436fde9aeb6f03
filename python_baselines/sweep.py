"""Cost-growth sweep of the Numba parallel rung: the points `mandel sweep` times, in its JSON shape.

    python -m python_baselines.sweep [--sizes 240,480,...] [--size-iters N] [--iters 50,100,...]
                                     [--iters-size N] [--budget 0.5] [--out FILE]

Each point is the canonical rectangle at another size or iteration cap: by default `mandel sweep`'s grid
(`mandel_ladder.describe()["sweep"]`, the registry's). It is verified against the
Rust f64 reference (the `mandel_ladder` extension; Numba's f64 loop must equal it exactly) on one
untimed call before any is timed (the first call of all also compiles, and compile time is not the
kernel's), then rendered repeatedly for `--budget` seconds (at least 3 timed calls).
Progress goes to stderr, the JSON to `--out` or stdout.
"""

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

from ladderlib.atomic import check_output
from ladderlib.readers import InputError

from .problem import Problem


def points(sizes, size_iters, iters, iters_size):
    """(axis, n, max_iters) of every point, the size axis first, as `mandel sweep` orders them."""
    return [("size", n, size_iters) for n in sizes] + [("iters", iters_size, it) for it in iters]


def plan_error(plan, max_pixels, max_iters_cap):
    """Why a point of `plan` cannot be rendered (the extension's limits), or None: the whole plan is checked
    before the first point is timed, so that a bad one never throws away the points timed before it."""
    for axis, n, max_iters in plan:
        where = f"the {axis} axis' point {n}x{n}, {max_iters} iterations"
        if n < 1:
            return f"{where}: the size must be at least 1"
        if n * n > max_pixels:
            return f"{where}: {n}x{n} is more than the cap of {max_pixels} pixels"
        if not 1 <= max_iters <= max_iters_cap:
            return f"{where}: max_iters must be between 1 and {max_iters_cap}"
    return None


def time_calls(compute, problem, budget):
    """Timed calls until `budget` seconds have passed (at least 3, at most 1000)."""
    times = []
    started = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - started < budget and len(times) < 1000):
        t = time.perf_counter()
        compute(problem)
        times.append(time.perf_counter() - t)
    return times


def sweep(compute, reference, compare, kernel, threads, plan, budget, progress=sys.stderr):
    """Sweep `compute` (Problem -> uint32 counts) over `plan`; every point must equal `reference` exactly."""
    result = {"kernel": kernel, "isa": "numba", "precision": "f64", "threads": threads, "points": []}
    for axis, n, max_iters in plan:
        print(f"sweep {kernel}: {axis} {n}x{n}, {max_iters} iterations ...", file=progress, flush=True)
        problem = Problem(width=n, height=n, max_iters=max_iters)
        counts = compute(problem)  # untimed: the first call of all also compiles
        cmp = compare(reference(**problem.as_dict()), counts)
        if cmp["differing"]:  # before any timing: a wrong point is never timed
            raise SystemExit(f"sweep.py: {kernel} at {n}x{n}/{max_iters}: {cmp['differing']} pixels differ "
                             "from the reference, allowed 0")
        times = time_calls(compute, problem, budget)
        result["points"].append({
            "axis": axis, "width": n, "height": n, "max_iters": max_iters,
            "iterations": int(counts.sum(dtype="uint64")), "differing": cmp["differing"], "allowed": 0,
            "median_s": statistics.median(times), "min_s": min(times), "times_s": times,
        })
    return result


def int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int_list, help="square image sizes of the size axis")
    p.add_argument("--size-iters", type=int, help="iteration cap of the size axis")
    p.add_argument("--iters", type=int_list, help="iteration caps of the iteration axis")
    p.add_argument("--iters-size", type=int, help="square image size of the iteration axis")
    p.add_argument("--budget", type=float, default=0.5, help="seconds of timed calls per point")
    p.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    args = p.parse_args(argv)
    if not (math.isfinite(args.budget) and args.budget >= 0):
        p.error("--budget must be a finite number of seconds, 0 or more")
    import mandel_ladder

    try:
        grid = mandel_ladder.describe()["sweep"]  # also refuses a bad RAYON_NUM_THREADS, ..., before any work
        if args.out:
            # a symlink written through; a device, FIFO, folder or missing folder refused
            check_output(args.out, "sweep results")
    except (ValueError, InputError) as e:
        p.error(str(e))
    from . import compiled_rungs, numba_rungs, timing

    why = timing.interpreter_error() or compiled_rungs.omp_environment_error() or numba_rungs.environment_error()
    if why:
        p.error(why)

    plan = points(*(grid[k] if getattr(args, k) is None else getattr(args, k)
                    for k in ("sizes", "size_iters", "iters", "iters_size")))
    why = plan_error(plan, mandel_ladder.MAX_PIXELS, mandel_ladder.MAX_ITERS_CAP)
    if why:
        p.error(why)
    result = sweep(numba_rungs.compute_parallel, mandel_ladder.reference, mandel_ladder.compare,
                   "numba-parallel", numba_rungs.threads(), plan, args.budget)
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        from .run import save  # noqa: PLC0415 (a failed write keeps the results: temporary folder, else stdout)

        return save(text, str(args.out), prog="sweep.py")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
