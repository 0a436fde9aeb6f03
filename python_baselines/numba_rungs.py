"""Rungs: Numba. The pure-Python per-pixel function, compiled with `@njit` (complex128, one thread),
with `fastmath=True` (lets LLVM fuse multiply-adds and reorder, so a few boundary pixels differ from
the reference), and with `parallel=True`, rows interleaved over Numba's threads with `prange` (`thread_rows`).

Nothing is cached on disk (`cache=False`): the first call compiles, and the runner measures that call
apart from the timed ones.

Numba is imported on first use, not when this module is imported: without Numba installed the rungs
are still listed (`run.py --list`), and each fails with the ImportError when it is run.
"""

import ctypes
import functools
import os

import numpy as np

from .problem import Problem
from .pure_python import escape_count


NUMBA_THREADS_MAX = 1024  # as RAYON_NUM_THREADS (mandel)


# Each of these makes the Numba rungs something else than what their rows say (`@njit` at Numba's defaults,
# for the CPU it runs on): (name, the values that keep Numba's default, None for none but unset, why not).
# The defaults are numba.core.config's. An empty value is Numba's default where Numba cannot parse it as a
# number (it warns and keeps the default). NUMBA_CPU_NAME and NUMBA_CPU_FEATURES are passed to LLVM as given,
# even empty (numba.core.codegen tests them against None): an empty name is LLVM's generic tuning, an empty
# feature list the named CPU's defaults instead of what this one reports; so only unset is the default.
NUMBA_VARIANTS = (
    ("NUMBA_DISABLE_JIT", ("", "0"), "runs the Numba rungs as plain Python"),
    ("NUMBA_BOUNDSCHECK", ("", "0"), "adds bounds checks to every array access"),
    ("NUMBA_OPT", ("", "3"), "compiles at another optimisation level than the default, 3"),
    ("NUMBA_CPU_NAME", None, "compiles for another CPU than this one (its instructions, fused multiply-adds "
                             "included, and its tuning)"),
    ("NUMBA_CPU_FEATURES", None, "compiles for other CPU features than this CPU's (fused multiply-adds, "
                                 "vector widths)"),
    # Numba's default depends on the CPU (off on a few where AVX pessimised its code), so no value is its default.
    ("NUMBA_ENABLE_AVX", ("",), "overrides Numba's own choice of AVX for this CPU"),
    ("NUMBA_LOOP_VECTORIZE", ("", "1"), "changes LLVM's loop vectorizer from its default, on"),
    ("NUMBA_SLP_VECTORIZE", ("", "0"), "changes LLVM's SLP vectorizer from Numba's default, off"),
)


def environment_error() -> str | None:
    """Why NUMBA_NUM_THREADS, NUMBA_THREADING_LAYER, or a variable that changes what Numba compiles
    (`NUMBA_VARIANTS`) cannot be used, or None. Numba itself fails late and badly on a bad thread count (0: a
    ValueError when its threads start; a huge one: a crash of the whole process), so the runners check it
    first, with RAYON_NUM_THREADS's rule."""
    value = os.environ.get("NUMBA_NUM_THREADS", "")
    if not (value == "" or (value.isascii() and value.isdigit() and 1 <= int(value) <= NUMBA_THREADS_MAX)):
        return (f"NUMBA_NUM_THREADS={value!r} must be a whole number of threads from 1 to {NUMBA_THREADS_MAX} "
                "(digits only, no sign or spaces), or unset/empty for one per core")
    for name, allowed, what in NUMBA_VARIANTS:
        value = os.environ.get(name)
        if value is not None and (allowed is None or value.strip() not in allowed):
            others = [repr(a) for a in allowed or () if a]
            return (f"{name}={value!r} {what}: the Numba rungs would not be what their rows say; unset it"
                    + (f" (or set {' or '.join(others)})" if others else ""))
    # A threading layer Numba does not know, or cannot load (tbb not installed), fails when its threads start,
    # which the runners do while listing the rungs: a traceback and no result. Started here instead, once OpenMP's
    # variable has been checked (libgomp may load with the layer).
    layer = os.environ.get("NUMBA_THREADING_LAYER")
    try:
        if layer is not None:  # set, even empty: Numba refuses an empty name too
            _numba()
    except ImportError:
        pass  # no Numba: its rungs are missing anyway
    except ValueError as e:
        return f"NUMBA_THREADING_LAYER={layer!r}: Numba cannot start its threads: {' '.join(str(e).split())}"
    return None


def _numba():
    import numba  # noqa: PLC0415 (deliberately lazy: see the module docs)

    _launched(numba)
    return numba


@functools.cache
def warm():
    """Numba's first compile of such a loop in a process also starts its compiler and types what every rung
    shares (complex arithmetic, the array). The runner calls this before a Numba rung's first (compiling) call,
    untimed (`rungs.python_rungs`), so that each rung's compile_s is its own compile, whichever rungs ran before;
    on a copy of the plain loop of its own."""
    numba = _numba()
    escape = numba.njit(cache=False)(escape_count)
    numba.njit(cache=False)(_loop(escape))(np.zeros(1), np.zeros(1), 1)


def _libgomp():
    """GNU OpenMP's runtime as this process has it (the one the Cython and Pythran OpenMP rungs use), or
    None where it cannot be loaded."""
    try:
        return ctypes.CDLL("libgomp.so.1")
    except OSError:
        return None


@functools.cache
def _launched(numba):
    """Start Numba's threads, keeping OpenMP's own thread count. Numba's "omp" threading layer (libgomp,
    shared with the Cython and Pythran OpenMP rungs) calls omp_set_num_threads(NUMBA_NUM_THREADS) when
    it starts, which would silently run those rungs on Numba's count instead of OMP_NUM_THREADS (else
    one per CPU), as the docs say and their threads column reports: the count libgomp had before is
    put back. Numba's own parallel loops name their thread count, so they are not changed by that."""
    gomp = _libgomp()
    before = gomp.omp_get_max_threads() if gomp is not None else None
    numba.get_num_threads()  # launches the threading layer
    if gomp is not None and gomp.omp_get_max_threads() != before:
        gomp.omp_set_num_threads(before)


def _image_loop(escape, **options):
    """Compile the row/column loop around a compiled escape function, with the given njit options."""
    numba = _numba()
    if options.get("parallel"):
        loop = _interleaved_loop(escape, numba.njit(cache=False)(thread_rows), numba.get_num_threads, numba.prange)
    else:
        loop = _loop(escape)
    return numba.njit(cache=False, **options)(loop)


def _loop(escape):
    """The row/column loop around `escape`, in Python, for Numba to compile."""
    def image(xs, ys, max_iters):
        out = np.empty((ys.size, xs.size), dtype=np.uint32)
        for row in range(ys.size):
            for col in range(xs.size):
                out[row, col] = escape(complex(xs[col], ys[row]), max_iters)
        return out

    return image


def thread_rows(height, threads, slot):
    """The rows that slot `slot` (0 to threads - 1) of the parallel rung renders: every `threads`-th row from
    row `slot`. Numba's prange gives each thread one contiguous block of its iterations (its static schedule;
    MEASUREMENTS.md, "How `numba-parallel` shares out its rows"), so a prange over the rows themselves would
    hand the middle rows of the image, where the set's work is, to a few threads; interleaved, every thread gets
    rows from top to bottom. The parallel loop calls this very function (compiled)."""
    return range(slot, height, threads)


def _interleaved_loop(escape, rows, thread_count, slot_range):
    """The parallel rung's loop, in Python, for Numba to compile: one prange iteration per thread (so each
    thread takes one slot), each slot's rows from `rows` (`thread_rows`), each pixel as in `_loop`."""
    def image(xs, ys, max_iters):
        out = np.empty((ys.size, xs.size), dtype=np.uint32)
        threads = thread_count()
        for slot in slot_range(threads):
            for row in rows(ys.size, threads, slot):
                for col in range(xs.size):
                    out[row, col] = escape(complex(xs[col], ys[row]), max_iters)
        return out

    return image


@functools.cache
def _compiled(kind):
    """The jitted image functions, created on first use (Numba compiles them at their first call). Each rung
    compiles its own escape function: shared, the rung run second would skip that part of its compile."""
    njit = _numba().njit
    fastmath = kind == "fastmath"
    return _image_loop(njit(cache=False, fastmath=fastmath)(escape_count), fastmath=fastmath,
                       parallel=kind == "parallel")


def compute(problem: Problem) -> np.ndarray:
    return _compiled("plain")(*problem.axes(), problem.max_iters)


def compute_fastmath(problem: Problem) -> np.ndarray:
    return _compiled("fastmath")(*problem.axes(), problem.max_iters)


def compute_parallel(problem: Problem) -> np.ndarray:
    return _compiled("parallel")(*problem.axes(), problem.max_iters)


def threads() -> int:
    """How many threads the parallel rung runs on (NUMBA_NUM_THREADS, else the CPU count); without
    Numba installed, the cores Rust counts (`compiled_rungs.cores`; the rung cannot run then anyway)."""
    try:
        return _numba().get_num_threads()
    except ImportError:
        from .compiled_rungs import cores  # noqa: PLC0415

        return cores()
