"""The Python side of the ladder, in table order: every Python rung, then every Rust kernel of the
registry called through the extension (iterated, never named by hand).

`PYTHON_RUNGS` is the one table of the Python rungs: adding one is its module (the function that
computes the image) and one line here. The table is plain data and this module imports only the
standard library when it is loaded, so that `scripts/ladderlib` (standard library only) reads the
rungs' names and labels from here too; NumPy, Numba and the extension are imported when rungs are built.

A rung knows how to prepare one timed call (`prepare`: untimed set-up, returns the zero-argument
function the runner times) and how many pixels it may differ from the f64 reference by (`allowed`).
"""

import importlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable

# name (stable id, used by --only/--skip and in result files), the table's label, the function that
# computes the image ("module:function" of this folder), what it computes, and its traits:
# `fused`: Numba's fastmath lets LLVM fuse multiply-adds and reassociate, which moves a few boundary
# pixels, as FMA does in Rust, so it gets the tolerance of an f64 FMA kernel (the extension's
# `tolerance("f64", fused=True)`, Rust's one rule); `compiles`: the first call compiles (Numba), its
# time is reported as compile_s; `parallel`: runs on Numba's threads.
PYTHON_RUNGS = [
    dict(name="python-pure", label="pure Python", compute="pure_python:compute",
         description="per-pixel function on Python complex, list of lists"),
    dict(name="numpy-vectorize", label="NumPy np.vectorize", compute="numpy_vectorize:compute",
         description="np.vectorize of the pure-Python per-pixel function"),
    dict(name="numpy-masked-counts", label="NumPy masked, escape counts", compute="numpy_masked:escape_counts",
         description="whole-array z*z + c over a shrinking set of points not escaped yet, recording counts"),
    dict(name="numpy-masked-bitmap", label="NumPy masked bitmap (article; not counts)",
         compute="numpy_masked:in_set_bitmap", computes="bitmap",
         description="the article's Z[M] = Z[M]*Z[M] + C[M] for all max_iters steps: an in/out bitmap only, "
                     "no counts, no early exit; verified against the reference's count == max_iters"),
    dict(name="numba", label="Numba @njit", compute="numba_rungs:compute", compiles=True,
         description="the pure-Python per-pixel function compiled with @njit, complex128"),
    dict(name="numba-fastmath", label="Numba @njit fastmath", compute="numba_rungs:compute_fastmath",
         compiles=True, fused=True,
         description="@njit(fastmath=True): fused multiply-adds and reassociation allowed"),
    dict(name="numba-parallel", label="Numba parallel prange", compute="numba_rungs:compute_parallel",
         compiles=True, parallel=True,
         description="@njit(parallel=True), rows spread over Numba's threads with prange"),
]


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
    prepare: Callable[[Any], Callable[[], Any]]
    tolerance: dict
    computes: str = "counts"  # or "bitmap": True where the point never escaped
    compiles: bool = False  # the first call compiles (Numba): its time is reported as compile_s
    description: str = ""
    extra: dict = field(default_factory=dict)  # more fields for the result file

    def allowed(self, pixels: int) -> int:
        return allowed_differing(self.tolerance, pixels)


def _python(compute: Callable[[Any], Any]) -> Callable[[Any], Callable[[], Any]]:
    """A Python rung times its whole compute function, pixel grid included, as the article did."""
    return lambda problem: lambda: compute(problem)


def _pyo3(name: str) -> Callable[[Any], Callable[[], Any]]:
    """A Rust kernel through the extension, filling an array allocated once, untimed (the article's
    "allocate in Python, fill in Rust"): the timed call is the Python call, checks and GIL release included."""

    def prepare(problem):
        import mandel_ladder
        import numpy as np

        out = np.zeros((problem.height, problem.width), dtype=np.uint32)  # zeros: pages touched now, not timed
        bounds = {k: v for k, v in problem.as_dict().items() if k not in ("width", "height")}

        def call():
            mandel_ladder.render(name, out, **bounds)
            return out

        return call

    return prepare


def _function(spec: str) -> Callable:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def python_rungs() -> list[Rung]:
    import mandel_ladder

    import numba_rungs

    rungs = []
    for r in PYTHON_RUNGS:
        rungs.append(Rung(
            r["name"], r["label"], language="Python", precision="f64",
            threads=numba_rungs.threads() if r.get("parallel") else 1,
            prepare=_python(_function(r["compute"])), tolerance=mandel_ladder.tolerance("f64", r.get("fused", False)),
            computes=r.get("computes", "counts"), compiles=r.get("compiles", False), description=r["description"]))
    return rungs


def pyo3_rungs() -> list[Rung]:
    import mandel_ladder

    return [
        Rung(f"pyo3-{k['name']}", k["rung"], language="Rust via PyO3", precision=k["precision"],
             threads=k["threads"], prepare=_pyo3(k["name"]), tolerance=k["tolerance"],
             description=k["description"], extra={"kernel": k["name"], "isa": k["isa"]})
        for k in mandel_ladder.kernels()
    ]


def all_rungs() -> list[Rung]:
    return python_rungs() + pyo3_rungs()
