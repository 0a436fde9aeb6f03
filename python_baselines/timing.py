"""The timed loop every Python rung is measured with, standard library only, so that the PyPy rung's
driver (pypy_driver.py, run by `pypy3`, which has no NumPy) times its renders with the very code
run.py uses inside CPython.

- `timed(call)`: one call between two `time.perf_counter()` readings, the garbage collector off (as
  in timeit);
- `more_wanted(times, budget, min_repeats, max_repeats)`: the repeat rule: after the first timed
  call, more until the rung has used `budget` seconds (at least `min_repeats` calls in all, at most
  `max_repeats`).
"""

import gc
import time


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
