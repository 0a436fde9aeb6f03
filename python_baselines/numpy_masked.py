"""Rungs: NumPy whole-array iteration under a mask.

`escape_counts` is the fair NumPy rung: it records every pixel's escape count, and iterates only the
points still inside (a shrinking active set), so escaped points cost nothing after they leave.

`in_set_bitmap` is the article's variant: `Z[M] = Z[M]*Z[M] + C[M]` over the whole image for all
max_iters steps, producing only an in/out bitmap (no counts, no early exit). It computes something
else than every other rung, so the runner labels it and verifies it against the reference's
`count == max_iters` bitmap. The article tested `abs(Z) > 2` after each step; here the test is the
project's (|z|^2 > 4, before each step), so its bitmap is exactly the reference's.
"""

import numpy as np

from .problem import Problem


def escape_counts(problem: Problem) -> np.ndarray:
    c = problem.complex_grid().ravel()
    counts = np.full(c.size, problem.max_iters, dtype=np.uint32)
    active = np.arange(c.size)  # flat indices of the points not escaped yet
    z = np.zeros_like(c)
    for n in range(problem.max_iters):
        escaped = z.real * z.real + z.imag * z.imag > 4.0
        if escaped.any():
            counts[active[escaped]] = n
            inside = ~escaped
            active, z, c = active[inside], z[inside], c[inside]
            if active.size == 0:
                break
        z = z * z + c
    return counts.reshape(problem.height, problem.width)


def in_set_bitmap(problem: Problem) -> np.ndarray:
    """True where the point has not escaped after max_iters steps."""
    c = problem.complex_grid()
    z = np.zeros_like(c)
    m = np.full(c.shape, True)
    for _ in range(problem.max_iters):
        m[z.real * z.real + z.imag * z.imag > 4.0] = False
        z[m] = z[m] * z[m] + c[m]
    return m
