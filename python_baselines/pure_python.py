"""Rung: pure Python, in the article's style: a per-pixel function on Python complex numbers, called
for every pixel of a list of lists.

The article's kernel started at z = c and tested `abs(z) > 2`; here it follows the project's one
definition (z starts at 0, |z|^2 = re^2 + im^2 is tested against 4 before each step), which changes
no timing but makes the counts equal the Rust reference's.
"""

from .problem import Problem


def escape_count(c: complex, max_iters: int) -> int:
    """Steps of z = z*z + c from z = 0 before |z|^2 > 4, at most max_iters. Numba compiles this very function."""
    z = 0j
    for n in range(max_iters):
        if z.real * z.real + z.imag * z.imag > 4.0:
            return n
        z = z * z + c
    return max_iters


def compute(problem: Problem) -> list[list[int]]:
    """Escape counts as a list of rows, each a list of ints."""
    xs = problem.xs()
    return [[escape_count(complex(x, y), problem.max_iters) for x in xs] for y in problem.ys()]
