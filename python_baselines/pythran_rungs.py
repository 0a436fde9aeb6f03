"""Rungs: Pythran. The Cython rungs' loop in plain Python syntax, compiled ahead of time by Pythran
(`#pythran export`): build_rungs.py builds this one file twice, as the extension `pythran_serial`
(one thread) and, with -fopenmp, as `pythran_openmp`, where the `#omp parallel for` comment spreads
the rows over OpenMP's threads (one row at a time, dynamic). Without -fopenmp Pythran ignores the
comment.

The escape count is the project's one definition, written out as the Rust reference writes it (the
roundings of Python's complex multiply, so the counts equal the f64 reference exactly); built with
-O3 -ffp-contract=off (no fused multiply-add).

Never imported as Python: rungs.py imports the compiled extensions only, so a failed build shows the
rungs as missing instead of timing this file in the interpreter.
"""

# pythran export image(float64[:], float64[:], int)
import numpy as np


def escape_count(cx, cy, max_iters):
    re = 0.0
    im = 0.0
    n = 0
    while n < max_iters and re * re + im * im <= 4.0:
        new_re = re * re - im * im + cx
        im = 2.0 * re * im + cy
        re = new_re
        n += 1
    return n


def image(xs, ys, max_iters):
    """Escape counts of the grid xs x ys as a new (len(ys), len(xs)) uint32 array."""
    out = np.empty((ys.shape[0], xs.shape[0]), dtype=np.uint32)
    # omp parallel for schedule(dynamic)
    for row in range(ys.shape[0]):
        for col in range(xs.shape[0]):
            out[row, col] = escape_count(xs[col], ys[row], max_iters)
    return out
