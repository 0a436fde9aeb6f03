# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Rungs: Cython. The per-pixel escape loop over typed memoryviews in C doubles, as a Cython user
would write it: one thread (`image`), and the same loop with the rows spread by `prange` over
OpenMP's threads, the GIL released (`image_parallel`).

The escape count is the project's one definition, written out as the Rust reference writes it
(z from 0, |z|^2 = re^2 + im^2 tested against 4 before each step, z*z + c as
(re^2 - im^2 + cx) + i(2 re im + cy)): in IEEE doubles these are the very roundings of Python's
`complex` multiply, so the counts equal the f64 reference exactly. Built by build_rungs.py with
-O3 -ffp-contract=off (no fused multiply-add, whatever CFLAGS say) and -fopenmp.
"""

import numpy as np

cimport openmp
from cython.parallel cimport parallel, prange


cdef inline unsigned int escape_count(double cx, double cy, unsigned int max_iters) noexcept nogil:
    cdef double re = 0.0, im = 0.0, new_re
    cdef unsigned int n = 0
    while n < max_iters and re * re + im * im <= 4.0:
        new_re = re * re - im * im + cx
        im = 2.0 * re * im + cy
        re = new_re
        n += 1
    return n


def image(const double[::1] xs, const double[::1] ys, unsigned int max_iters):
    """Escape counts of the grid xs x ys as a new (len(ys), len(xs)) uint32 array, one thread."""
    out = np.empty((ys.shape[0], xs.shape[0]), dtype=np.uint32)
    cdef unsigned int[:, ::1] counts = out
    cdef Py_ssize_t row, col
    for row in range(ys.shape[0]):
        for col in range(xs.shape[0]):
            counts[row, col] = escape_count(xs[col], ys[row], max_iters)
    return out


def image_parallel(const double[::1] xs, const double[::1] ys, unsigned int max_iters):
    """The same, rows spread over OpenMP's threads (one row at a time, dynamic: rows near the set
    cost more than the others), the GIL released."""
    out = np.empty((ys.shape[0], xs.shape[0]), dtype=np.uint32)
    cdef unsigned int[:, ::1] counts = out
    cdef Py_ssize_t row, col
    for row in prange(ys.shape[0], nogil=True, schedule="dynamic"):
        for col in range(xs.shape[0]):
            counts[row, col] = escape_count(xs[col], ys[row], max_iters)
    return out


def threads():
    """The threads `image_parallel` runs on: the team a parallel region actually gets, asked inside one
    (OMP_NUM_THREADS, else one per CPU, less what OMP_THREAD_LIMIT or OMP_MAX_ACTIVE_LEVELS=0 take away;
    omp_get_max_threads() ignores those, and the runners refuse them too)."""
    cdef int team[1]
    team[0] = 0
    with nogil, parallel():
        if openmp.omp_get_thread_num() == 0:  # a store through the array: shared, not made private
            team[0] = openmp.omp_get_num_threads()
    return team[0]
