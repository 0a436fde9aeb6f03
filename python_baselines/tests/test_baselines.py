"""Every rung of the Python side (the Python baselines and the Rust kernels through the extension)
gives the Rust f64 reference's counts: exactly for the f64 Python rungs, within the documented
tolerance otherwise; the bitmap rung gives the reference's count == max_iters bitmap."""

import mandel_ladder as m
import numpy as np
import pytest

from python_baselines.problem import Problem
from python_baselines.rungs import all_rungs

RUNGS = all_rungs()
# Kernels this build cannot run (the C reference without a C compiler), and why.
UNAVAILABLE = {k["name"]: k["unavailable"] for k in m.kernels() if not k["available"]}
PROBLEMS = [
    Problem(17, 13),
    Problem(1, 7),
    Problem(7, 1),
    Problem(9, 9, max_iters=1),
    Problem(23, 11, x_min=-0.8, x_max=-0.7, y_min=0.05, y_max=0.15, max_iters=300),
]


def test_the_rung_list_is_the_issue_s():
    names = [r.name for r in RUNGS]
    assert names[:15] == ["python-pure", "numpy-vectorize", "numpy-masked-counts", "numpy-masked-bitmap", "numba",
                          "numba-fastmath", "numba-parallel", "cython", "cython-prange", "pythran", "pythran-openmp",
                          "pypy", "mojo-scalar-f64", "mojo-simd-f32", "mojo-parallel-f32"]
    assert names[15:] == [f"pyo3-{k['name']}" for k in m.kernels()]
    assert [r.computes for r in RUNGS].count("bitmap") == 1


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p.width}x{p.height}/{p.max_iters}")
def test_grid_is_the_rust_grid(problem):
    xs, ys = problem.axes()
    assert xs.tolist() == problem.xs() and ys.tolist() == problem.ys()
    c = problem.complex_grid()
    assert c.shape == (problem.height, problem.width)
    assert (c.real == xs).all() and (c.imag == ys[:, None]).all()
    # The reference of a single pixel at the grid's point gives the same count as the full image's.
    row, col = problem.height // 2, problem.width // 2
    full = m.reference(**problem.as_dict())
    point = m.reference(1, 1, xs[col], xs[col] + 1.0, ys[row], ys[row] + 1.0, problem.max_iters)
    assert full[row, col] == point[0, 0]


@pytest.mark.parametrize("rung", RUNGS, ids=lambda r: r.name)
@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p.width}x{p.height}/{p.max_iters}")
def test_rung_gives_the_reference_counts(rung, problem):
    if rung.extra.get("kernel") in UNAVAILABLE:
        pytest.skip(f"{rung.name}: {UNAVAILABLE[rung.extra['kernel']]}")
    if rung.missing:  # its tool is not installed or not built (test_compiled_rungs.py says when that fails)
        pytest.skip(f"{rung.name}: {rung.missing}")
    reference = m.reference(**problem.as_dict())
    got = np.asarray(rung.prepare(problem)(), dtype=np.uint32)
    assert got.shape == reference.shape
    if rung.computes == "bitmap":
        expected = (reference == problem.max_iters).astype(np.uint32)
    else:
        expected = reference
    cmp = m.compare(expected, np.ascontiguousarray(got))
    assert cmp["differing"] <= rung.allowed(reference.size), cmp
    if rung.precision == "f64" and rung.tolerance == m.tolerance("f64"):
        assert cmp["differing"] == 0, "f64 Python rungs do the reference's arithmetic: exact"


def test_numpy_masked_rungs_fuse_and_pass_where_numpy_s_complex_multiply_uses_fma():
    # NumPy's complex multiply runs an FMA loop on x86-64-v3 CPUs: on this deep view that moves a few
    # boundary pixels, in counts and in the bitmap, where an exact rung may move none.
    problem = Problem(160, 120, x_min=-0.8, x_max=-0.7, y_min=0.05, y_max=0.15, max_iters=2000)
    reference = m.reference(**problem.as_dict())
    by_name = {r.name: r for r in RUNGS}
    for name in ("numpy-masked-counts", "numpy-masked-bitmap"):
        rung = by_name[name]
        assert rung.tolerance == m.tolerance("f64", True), name
        got = np.asarray(rung.prepare(problem)(), dtype=np.uint32)
        expected = (reference == problem.max_iters).astype(np.uint32) if rung.computes == "bitmap" else reference
        cmp = m.compare(expected, np.ascontiguousarray(got))
        assert cmp["differing"] <= rung.allowed(reference.size), (name, cmp)
