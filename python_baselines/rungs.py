"""The Python side of the ladder, in table order: every Python rung, then every Rust kernel of the
registry called through the extension (iterated, never named by hand).

A rung knows how to prepare one timed call (`prepare`: untimed set-up, returns the zero-argument
function the runner times) and how many pixels it may differ from the f64 reference by (`allowed`).
"""

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import mandel_ladder
import numpy as np

import numba_rungs
import numpy_masked
import numpy_vectorize
import pure_python
from problem import Problem

# Numba's fastmath lets LLVM fuse multiply-adds and reassociate, which moves a few boundary pixels, as
# FMA does in Rust: it gets the tolerance of Rust's f64 FMA kernels (`Tolerance::F64_FMA`), at most
# 0.1% of the pixels + 2. Measured at 960x960/200: 0 pixels differ (see results/).
FASTMATH_TOLERANCE = {"max_fraction": 0.001, "slack_pixels": 2}
EXACT = {"max_fraction": 0.0, "slack_pixels": 0}


def allowed_differing(tolerance: dict, pixels: int) -> int:
    """`Tolerance::allowed` of mandel_core: slack + floor(fraction * pixels)."""
    return tolerance["slack_pixels"] + math.floor(tolerance["max_fraction"] * pixels)


@dataclass(frozen=True)
class Rung:
    name: str  # stable id, used by --only/--skip and in result files
    rung: str  # the table's label
    language: str
    precision: str
    threads: int
    prepare: Callable[[Problem], Callable[[], Any]]
    tolerance: dict
    computes: str = "counts"  # or "bitmap": True where the point never escaped
    compiles: bool = False  # the first call compiles (Numba): its time is reported as compile_s
    description: str = ""
    extra: dict = field(default_factory=dict)  # more fields for the result file

    def allowed(self, pixels: int) -> int:
        return allowed_differing(self.tolerance, pixels)


def _python(compute: Callable[[Problem], Any]) -> Callable[[Problem], Callable[[], Any]]:
    """A Python rung times its whole compute function, pixel grid included, as the article did."""
    return lambda problem: lambda: compute(problem)


def _pyo3(name: str) -> Callable[[Problem], Callable[[], Any]]:
    """A Rust kernel through the extension, filling an array allocated once, untimed (the article's
    "allocate in Python, fill in Rust"): the timed call is the Python call, checks and GIL release included."""

    def prepare(problem: Problem) -> Callable[[], np.ndarray]:
        out = np.zeros((problem.height, problem.width), dtype=np.uint32)  # zeros: pages touched now, not timed
        bounds = {k: v for k, v in problem.as_dict().items() if k not in ("width", "height")}

        def call() -> np.ndarray:
            mandel_ladder.render(name, out, **bounds)
            return out

        return call

    return prepare


def python_rungs() -> list[Rung]:
    f64 = dict(language="Python", precision="f64", tolerance=EXACT)
    return [
        Rung("python-pure", "pure Python", threads=1, prepare=_python(pure_python.compute),
             description="per-pixel function on Python complex, list of lists", **f64),
        Rung("numpy-vectorize", "NumPy np.vectorize", threads=1, prepare=_python(numpy_vectorize.compute),
             description="np.vectorize of the pure-Python per-pixel function", **f64),
        Rung("numpy-masked-counts", "NumPy masked, escape counts", threads=1,
             prepare=_python(numpy_masked.escape_counts),
             description="whole-array z*z + c over a shrinking set of points not escaped yet, recording counts",
             **f64),
        Rung("numpy-masked-bitmap", "NumPy masked bitmap (article; not counts)", threads=1,
             prepare=_python(numpy_masked.in_set_bitmap), computes="bitmap",
             description="the article's Z[M] = Z[M]*Z[M] + C[M] for all max_iters steps: an in/out bitmap only, "
                         "no counts, no early exit; verified against the reference's count == max_iters",
             **f64),
        Rung("numba", "Numba @njit", threads=1, prepare=_python(numba_rungs.compute), compiles=True,
             description="the pure-Python per-pixel function compiled with @njit, complex128", **f64),
        Rung("numba-fastmath", "Numba @njit fastmath", language="Python", precision="f64", threads=1,
             prepare=_python(numba_rungs.compute_fastmath), compiles=True, tolerance=FASTMATH_TOLERANCE,
             description="@njit(fastmath=True): fused multiply-adds and reassociation allowed"),
        Rung("numba-parallel", "Numba parallel prange", threads=numba_rungs.threads(),
             prepare=_python(numba_rungs.compute_parallel), compiles=True,
             description="@njit(parallel=True), rows spread over Numba's threads with prange", **f64),
    ]


def pyo3_rungs() -> list[Rung]:
    return [
        Rung(f"pyo3-{k['name']}", k["rung"], language="Rust via PyO3", precision=k["precision"],
             threads=k["threads"], prepare=_pyo3(k["name"]), tolerance=k["tolerance"],
             description=k["description"], extra={"kernel": k["name"], "isa": k["isa"]})
        for k in mandel_ladder.kernels()
    ]


def all_rungs() -> list[Rung]:
    return python_rungs() + pyo3_rungs()
