"""The timed loop every Python rung is measured with, standard library only, so that the PyPy rung's
driver (pypy_driver.py, run by `pypy3`, which has no NumPy) times its renders with the very code
run.py uses inside CPython.

- `timed(call)`: one call between two `time.perf_counter()` readings, the garbage collector off (as
  in timeit);
- `more_wanted(times, budget, min_repeats, max_repeats)`: the repeat rule: after the first timed
  call, more until the rung has used `budget` seconds (at least `min_repeats` calls in all, at most
  `max_repeats`);
- `interpreter_error()`: why this interpreter would time every call slower (tracemalloc, the development
  mode, a debug allocator), for the runners to refuse first.
"""

import gc
import os
import sys
import time

# PYTHONMALLOC's values that put debug hooks on every allocation.
DEBUG_ALLOCATORS = ("debug", "malloc_debug", "pymalloc_debug")


def interpreter_error():
    """Why this interpreter would time every call slower than Python runs, or None: tracemalloc tracing
    (PYTHONTRACEMALLOC, -X tracemalloc; MEASUREMENTS.md), the development mode (PYTHONDEVMODE, -X dev: debug
    allocator hooks and more checks) or a debug allocator (PYTHONMALLOC=debug). Every speedup is over
    python-pure's time, so the whole table would be inflated."""
    import tracemalloc  # noqa: PLC0415 (the check's own import, not the timed loop's)

    if tracemalloc.is_tracing():
        return (f"tracemalloc is tracing (PYTHONTRACEMALLOC={os.environ.get('PYTHONTRACEMALLOC', '')!r} or -X "
                "tracemalloc): every allocation would be traced and every call timed slower; unset it")
    if sys.flags.dev_mode:
        return "Python's development mode is on (PYTHONDEVMODE or -X dev): every call would be timed slower; unset it"
    if os.environ.get("PYTHONMALLOC", "").strip().lower() in DEBUG_ALLOCATORS:
        return (f"PYTHONMALLOC={os.environ['PYTHONMALLOC']!r} puts debug hooks on every allocation: every call would "
                "be timed slower; unset it")
    return None


def timed(call):
    """(seconds, result) of one call, with the garbage collector off during it."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        result = call()
        return time.perf_counter() - start, result
    finally:
        if gc_was_enabled:
            gc.enable()


def more_wanted(times, budget, min_repeats, max_repeats):
    """Whether the loop times one more call, given the times so far."""
    return len(times) < max_repeats and (sum(times) < budget or len(times) < min_repeats)


def repeat(call, times, budget, min_repeats, max_repeats):
    """Time more calls of `call` into `times` (the first timed call already in it) by the repeat rule."""
    while more_wanted(times, budget, min_repeats, max_repeats):
        times.append(timed(call)[0])
    return times
