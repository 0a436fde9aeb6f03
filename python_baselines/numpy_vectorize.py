"""Rung: `np.vectorize` of the pure-Python per-pixel function, as in the article.

np.vectorize is a Python-level loop: it calls the function once per element with Python scalars, so
it is expected to run at pure-Python speed. It is here because the article measured it.
"""

import numpy as np

from .problem import Problem
from .pure_python import escape_count


def compute(problem: Problem) -> np.ndarray:
    counts = np.vectorize(escape_count, otypes=[np.uint32])
    return counts(problem.complex_grid(), problem.max_iters)
