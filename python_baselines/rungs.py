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
from dataclasses import dataclass, field
from typing import Any, Callable

# name (stable id, used by --only/--skip and in result files), the table's label, the function that
# computes the image ("module:function" of this folder), what it computes, and its traits:
# `fused`: the rung's arithmetic may fuse multiply-adds, which moves a few boundary pixels, as FMA does
# in Rust, so it gets the tolerance of an f64 FMA kernel (the extension's `tolerance("f64", fused=True)`,
# Rust's one rule): Numba's fastmath lets LLVM fuse and reassociate; NumPy's complex multiply (the
# masked rungs' z*z) dispatches at run time to a loop that uses FMA where the CPU has it (x86-64-v3
# and up: AVX2 + FMA3), so on those CPUs its results are an FMA kernel's, not the reference's;
# `compiles`: the first call compiles (Numba), its time is reported as compile_s; `parallel`: runs on
# Numba's threads.
# The rungs of other tools add: `language` (Python by default), `precision` (f64 by default), `tool`
# (cython, pythran, mojo: built ahead of time by build_rungs.py, `missing` when not built; pypy: the
# interpreter, `missing` when not installed), `threads` ("openmp" or "mojo": that runtime's thread count;
# 1 otherwise), `simd_width` ("mojo": the Mojo build's vector width in f32 lanes, recorded since Mojo compiles
# for the host CPU and ignores MANDEL_ISA: the merge notes a width other than the Rust SIMD rows' path),
# `prepare` in place of `compute` ("module:function" taking the problem and returning the
# zero-argument call that is timed, for rungs that fill an array allocated once, untimed, like pyo3-*),
# and `external` (a "module:function" that measures the rung in another interpreter: PyPy).
# Labels name the tool's pinned version (requirements.txt, requirements-mojo.txt; a test holds them equal).
PYTHON_RUNGS = [
    dict(name="python-pure", label="pure Python", compute="pure_python:compute",
         description="per-pixel function on Python complex, list of lists"),
    dict(name="numpy-vectorize", label="NumPy np.vectorize", compute="numpy_vectorize:compute",
         description="np.vectorize of the pure-Python per-pixel function"),
    dict(name="numpy-masked-counts", label="NumPy masked, escape counts", compute="numpy_masked:escape_counts",
         fused=True,  # NumPy's complex multiply fuses on FMA CPUs (above)
         description="whole-array z*z + c over a shrinking set of points not escaped yet, recording counts"),
    dict(name="numpy-masked-bitmap", label="NumPy masked bitmap (article; not counts)",
         compute="numpy_masked:in_set_bitmap", computes="bitmap", fused=True,  # as numpy-masked-counts
         description="the article's Z[M] = Z[M]*Z[M] + C[M] for all max_iters steps: an in/out bitmap only, "
                     "no counts, no early exit; verified against the reference's count == max_iters"),
    dict(name="numba", label="Numba @njit", compute="numba_rungs:compute", compiles=True,
         description="the pure-Python per-pixel function compiled with @njit, complex128"),
    dict(name="numba-fastmath", label="Numba @njit fastmath", compute="numba_rungs:compute_fastmath",
         compiles=True, fused=True,
         description="@njit(fastmath=True): fused multiply-adds and reassociation allowed"),
    dict(name="numba-parallel", label="Numba parallel prange", compute="numba_rungs:compute_parallel",
         compiles=True, parallel=True,
         description="@njit(parallel=True), rows interleaved over Numba's threads: prange over one slot a "
                     "thread, slot t of n rendering rows t, t+n, t+2n, ..."),
    dict(name="cython", label="Cython 3.3.1 typed memoryviews", compute="compiled_rungs:cython", language="Cython",
         tool="cython",
         description="per-pixel escape loop over typed memoryviews in C doubles, one thread (cythonize, -O3)"),
    dict(name="cython-prange", label="Cython 3.3.1 prange (OpenMP)", compute="compiled_rungs:cython_parallel",
         language="Cython", tool="cython", threads="openmp",
         description="the same loop, rows spread by prange over OpenMP's threads (dynamic), GIL released"),
    dict(name="pythran", label="Pythran 0.19.0", compute="compiled_rungs:pythran", language="Pythran",
         tool="pythran", description="the same loop in Python syntax, compiled by pythran -O3, one thread"),
    dict(name="pythran-openmp", label="Pythran 0.19.0 OpenMP", compute="compiled_rungs:pythran_openmp",
         language="Pythran", tool="pythran", threads="openmp",
         description="the same, built with -fopenmp: '#omp parallel for' spreads the rows (dynamic)"),
    dict(name="pypy", label="PyPy, the python-pure code", compute="pure_python:compute", language="PyPy",
         tool="pypy", external="pypy_rung:measure",
         description="pure_python.py unchanged under pypy3; one warm-up render (JIT) untimed, reported apart"),
    dict(name="mojo-scalar-f64", label="Mojo 0.25.7 ComplexFloat64 (series: adding types)",
         prepare="compiled_rungs:mojo_scalar_f64", language="Mojo", tool="mojo", fused=True,
         description="the Mojo series' typed scalar kernel, z*z + c on ComplexFloat64 (which fuses multiply-adds), "
                     "one pixel at a time, filling a NumPy array"),
    dict(name="mojo-simd-f32", label="Mojo 0.25.7 SIMD (2x native width)", prepare="compiled_rungs:mojo_simd_f32",
         language="Mojo", tool="mojo", precision="f32", fused=True, simd_width="mojo",
         description="Modular's examples/mojo/mandelbrot.mojo kernel, f32 at twice the native SIMD width, "
                     "vectorize over each row, one thread"),
    dict(name="mojo-parallel-f32", label="Mojo 0.25.7 SIMD + parallelize", prepare="compiled_rungs:mojo_parallel_f32",
         language="Mojo", tool="mojo", precision="f32", fused=True, threads="mojo", simd_width="mojo",
         description="the same, rows spread by parallelize[worker](rows, rows) over Mojo's runtime threads"),
]


def allowed_differing(tolerance: dict, pixels: int) -> int:
    """The pixels an image of `pixels` pixels may differ on under `tolerance`: Rust's one rule
    (`Tolerance::allowed`), applied by the extension."""
    import mandel_ladder

    return mandel_ladder.allowed(tolerance, pixels)


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
    # Why this rung cannot run here (its tool not installed or not built), with the command that
    # installs it: the runner records it as missing, never as failed. None: it can run.
    missing: str | None = None
    # Measured in another interpreter (PyPy): (problem, budget, min_repeats, max_repeats) -> {times_s,
    # result, compile_s, extra}; `prepare` then makes one untimed render for the tests.
    external: Callable | None = None

    def allowed(self, pixels: int) -> int:
        return allowed_differing(self.tolerance, pixels)


def _python(compute: Callable[[Any], Any]) -> Callable[[Any], Callable[[], Any]]:
    """A Python rung times its whole compute function, pixel grid included, as the article did."""
    return lambda problem: lambda: compute(problem)


def _numba_warmed(prepare: Callable[[Any], Callable[[], Any]]) -> Callable[[Any], Callable[[], Any]]:
    """A Numba rung whose preparation (untimed) first pays Numba's start-up (`numba_rungs.warm`), so that its
    first call, timed as compile_s, is its own compile only."""

    def warmed(problem):
        from . import numba_rungs

        numba_rungs.warm()
        return prepare(problem)

    return warmed


def _pyo3(name: str) -> Callable[[Any], Callable[[], Any]]:
    """A Rust kernel through the extension, filling an array allocated once, untimed (the article's
    "allocate in Python, fill in Rust"): the timed call is the Python call, checks and GIL release included."""

    def prepare(problem):
        import mandel_ladder
        import numpy as np

        out = np.empty((problem.height, problem.width), dtype=np.uint32)
        # Every page written now, untimed: a fresh array is mapped but not touched (np.zeros too), and the
        # first timed call would pay a page fault per page.
        out.fill(0)
        bounds = {k: v for k, v in problem.as_dict().items() if k not in ("width", "height")}

        def call():
            mandel_ladder.render(name, out, **bounds)
            return out

        return call

    return prepare


def _function(spec: str) -> Callable:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(f".{module}", __package__), function)


def _tool(r: dict) -> tuple[str | None, dict]:
    """(why the rung's tool cannot run here or None, the fields the result file gets about the tool)."""
    tool = r.get("tool")
    if tool is None:
        return None, {}
    if tool == "pypy":
        from . import pypy_rung

        pypy = pypy_rung.interpreter()
        why = pypy_rung.missing()
        return why, {"tool": tool, "tool_version": None if why else pypy_rung.version(pypy)}
    from . import compiled_rungs

    why = compiled_rungs.missing(tool)
    return why, {"tool": tool, "tool_version": compiled_rungs.version(tool),
                 "build_s": compiled_rungs.build_seconds(tool)}


def _threads(r: dict, missing: str | None) -> int:
    if r.get("parallel"):
        from . import numba_rungs

        return numba_rungs.threads()
    kind = r.get("threads")
    if kind is None:
        return 1
    from . import compiled_rungs

    if kind == "mojo" and not missing:
        return compiled_rungs.mojo_threads()
    return compiled_rungs.openmp_threads() if kind == "openmp" else compiled_rungs.cores()


def python_rungs() -> list[Rung]:
    import mandel_ladder

    rungs = []
    for r in PYTHON_RUNGS:
        missing, extra = _tool(r)
        if r.get("simd_width") == "mojo" and not missing:
            from . import compiled_rungs

            extra = {**extra, "simd_width": compiled_rungs.mojo_simd_width()}
        precision = r.get("precision", "f64")
        external = _function(r["external"]) if r.get("external") else None
        if external is not None:
            from . import pypy_rung

            prepare = lambda problem: lambda: pypy_rung.render(problem)  # noqa: E731
        elif r.get("prepare"):
            prepare = _function(r["prepare"])
        else:
            prepare = _python(_function(r["compute"]))
            if r.get("compiles"):
                prepare = _numba_warmed(prepare)
        rungs.append(Rung(
            r["name"], r["label"], language=r.get("language", "Python"), precision=precision,
            threads=_threads(r, missing), prepare=prepare,
            tolerance=mandel_ladder.tolerance(precision, r.get("fused", False)),
            computes=r.get("computes", "counts"), compiles=r.get("compiles", False), description=r["description"],
            extra=extra, missing=missing, external=external))
    return rungs


def pyo3_rungs() -> list[Rung]:
    import mandel_ladder

    return [
        Rung(f"pyo3-{k['name']}", k["rung"], language="Rust via PyO3", precision=k["precision"],
             threads=k["threads"], prepare=_pyo3(k["name"]),
             tolerance={"max_fraction": k["tolerance_max_fraction"], "slack_pixels": k["tolerance_slack_pixels"]},
             description=k["description"], extra={"kernel": k["name"], "isa": k["isa"]})
        for k in mandel_ladder.kernels()
    ]


def all_rungs() -> list[Rung]:
    return python_rungs() + pyo3_rungs()
