"""Rungs: Numba. The pure-Python per-pixel function, compiled with `@njit` (complex128, one thread),
with `fastmath=True` (lets LLVM fuse multiply-adds and reorder, so a few boundary pixels differ from
the reference), and with `parallel=True`, rows spread over Numba's threads with `prange`.

Nothing is cached on disk (`cache=False`): the first call compiles, and the runner measures that call
apart from the timed ones.
"""

import numba
import numpy as np

from problem import Problem
from pure_python import escape_count


def _image_loop(escape, **options):
    """Compile the row/column loop around a compiled escape function, with the given njit options."""
    row_range = numba.prange if options.get("parallel") else range

    @numba.njit(cache=False, **options)
    def image(xs, ys, max_iters):
        out = np.empty((ys.size, xs.size), dtype=np.uint32)
        for row in row_range(ys.size):
            for col in range(xs.size):
                out[row, col] = escape(complex(xs[col], ys[row]), max_iters)
        return out

    return image


_scalar = numba.njit(cache=False)(escape_count)
_image = _image_loop(_scalar)
_image_fastmath = _image_loop(numba.njit(cache=False, fastmath=True)(escape_count), fastmath=True)
_image_parallel = _image_loop(_scalar, parallel=True)


def compute(problem: Problem) -> np.ndarray:
    return _image(*problem.axes(), problem.max_iters)


def compute_fastmath(problem: Problem) -> np.ndarray:
    return _image_fastmath(*problem.axes(), problem.max_iters)


def compute_parallel(problem: Problem) -> np.ndarray:
    return _image_parallel(*problem.axes(), problem.max_iters)


def threads() -> int:
    """How many threads the parallel rung runs on (NUMBA_NUM_THREADS, else the CPU count)."""
    return numba.get_num_threads()
