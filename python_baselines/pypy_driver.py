"""The PyPy rung's driver: run by `pypy3` (never by CPython), it renders the problem with the
python-pure rung's own code (`pure_python.compute` on `problem.Problem`, both imported unchanged) and
times the renders with run.py's own loop (`timing.py`), then hands everything back to run.py, which
verifies the counts against the Rust reference and records the times.

  pypy3 -m python_baselines.pypy_driver --problem JSON --counts FILE [--budget S --min-repeats N --max-repeats N]

1. warm-up: `--warmup-renders` full-size renders (1 by default), untimed by the loop: PyPy's JIT
   traces and compiles the escape loop during them. Their time is reported as `warmup_s`, apart
   from the times, as Numba's compile time is.
2. the first timed render: its counts are written to FILE (uint32, row-major, native byte order) for
   run.py to verify; then more renders by the repeat rule until the budget is spent.

Stdout: one JSON object, {"times_s": [...], "warmup_s": ..., "pypy": version, "implementation": ...}.
Python 3.9 syntax (Debian's pypy3 7.3.11 is a Python 3.9). pypy3 runs outside the venv, where neither
package is installed: the caller (pypy_rung.py) puts the folders holding `python_baselines` and
`ladderlib` on its PYTHONPATH.
"""

import argparse
import json
import platform
import sys
import time
from array import array

from .problem import Problem
from .pure_python import compute
from .timing import repeat, timed


def main(argv=None):
    p = argparse.ArgumentParser(prog="python_baselines.pypy_driver", description=__doc__.split("\n\n")[0])
    p.add_argument("--problem", required=True, help="the problem as a JSON object (Problem's fields)")
    p.add_argument("--counts", required=True, help="where to write the first timed render's counts")
    p.add_argument("--budget", type=float, default=3.0)
    p.add_argument("--min-repeats", type=int, default=1)
    p.add_argument("--max-repeats", type=int, default=5000)  # run.py passes its own
    p.add_argument("--warmup-renders", type=int, default=1)
    args = p.parse_args(argv)
    problem = Problem(**json.loads(args.problem))

    start = time.perf_counter()
    for _ in range(args.warmup_renders):
        compute(problem)
    warmup_s = time.perf_counter() - start

    first_s, counts = timed(lambda: compute(problem))
    flat = array("I")
    if flat.itemsize != 4:
        raise SystemExit(f"pypy_driver.py: array('I') has {flat.itemsize}-byte items, not 4")
    for row in counts:
        flat.extend(row)
    with open(args.counts, "wb") as f:
        flat.tofile(f)
    times = repeat(lambda: compute(problem), [first_s], args.budget, args.min_repeats, args.max_repeats)
    json.dump({"times_s": times, "warmup_s": warmup_s, "warmup_renders": args.warmup_renders,
               "implementation": platform.python_implementation(), "python": platform.python_version(),
               "pypy": ".".join(map(str, getattr(sys, "pypy_version_info", ())[:3])) or None},
              sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
