"""The rungs of other tools (Cython, Pythran, PyPy, Mojo): each gives the f64 reference's counts within
its tolerance (exactly for the f64 rungs without fused multiply-adds) on the canonical image and on two
other views: one off the real axis, one at high iterations; and the runner records them as it records
every rung (a tool that is absent: `missing`, never a failure).

A rung whose tool is not installed or not built is skipped with the reason, unless the tool is named
in MANDEL_REQUIRE_RUNGS (comma-separated: cython,pythran,mojo,pypy), as scripts/test does for Cython,
Pythran and Mojo: then it fails. PyPy is required only where pypy3 is installed. A name there that is not
one of those four stops the run (a typo must not turn a requirement into a skip).
"""

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import mandel_ladder as m
import numpy as np
import pytest

from python_baselines import compiled_rungs
from python_baselines import pypy_rung
from python_baselines import run
from python_baselines import timing
from python_baselines.problem import Problem
from python_baselines.rungs import PYTHON_RUNGS, Rung, all_rungs, python_rungs

HERE = Path(__file__).resolve().parent.parent
TOOLS = ("cython", "pythran", "pypy", "mojo")


def required_tools(value: str) -> set[str]:
    """MANDEL_REQUIRE_RUNGS's tools; ValueError naming any that is not one of TOOLS (a typo there would
    silently skip the rungs it meant to require)."""
    names = {t.strip() for t in value.split(",") if t.strip()}
    unknown = sorted(names - set(TOOLS))
    if unknown:
        raise ValueError(f"MANDEL_REQUIRE_RUNGS={value!r}: unknown {', '.join(map(repr, unknown))}; it takes "
                         f"comma-separated names among {', '.join(TOOLS)} (lower case)")
    return names


try:
    REQUIRED = required_tools(os.environ.get("MANDEL_REQUIRE_RUNGS", ""))
except ValueError as e:
    raise pytest.UsageError(str(e)) from None
RUNGS = [r for r in python_rungs() if r.extra.get("tool") in TOOLS]

CANONICAL = Problem()
VIEWS = [
    CANONICAL,
    # off the real axis: no row mirrors another (the upper half's bulbs, above the axis). Not deeper: at
    # 500 iterations in the seahorse valley (x -0.8..-0.7, y 0.05..0.15) f32 moves 1.6% of the pixels,
    # Rust's f32 kernels as much as Mojo's, past the f32 tolerance of 1% + 2
    Problem(160, 120, x_min=-1.5, x_max=0.5, y_min=0.1, y_max=1.2, max_iters=200),
    # high iterations, on the boundary near the cardioid's cusp
    Problem(96, 64, x_min=0.20, x_max=0.30, y_min=-0.05, y_max=0.05, max_iters=5000),
]
CANONICAL_ITERATIONS = 40_139_097


def need(rung):
    """Skip (or fail, when its tool is required) a rung that cannot run here."""
    if rung.missing:
        if rung.extra["tool"] in REQUIRED:
            pytest.fail(f"{rung.name} is required (MANDEL_REQUIRE_RUNGS) but missing: {rung.missing}")
        pytest.skip(f"{rung.name}: {rung.missing}")


def exact(rung):
    return rung.precision == "f64" and rung.tolerance == m.tolerance("f64")


def test_the_new_rungs_are_in_the_table():
    assert [r.name for r in RUNGS] == ["cython", "cython-prange", "pythran", "pythran-openmp", "pypy",
                                       "mojo-scalar-f64", "mojo-simd-f32", "mojo-parallel-f32"]
    by = {r.name: r for r in RUNGS}
    assert {n for n, r in by.items() if exact(r)} == {"cython", "cython-prange", "pythran", "pythran-openmp", "pypy"}
    assert by["mojo-scalar-f64"].tolerance == m.tolerance("f64", True)  # ComplexFloat64 fuses multiply-adds
    assert by["mojo-simd-f32"].precision == by["mojo-parallel-f32"].precision == "f32"
    for name in ("cython", "pythran", "pypy", "mojo-scalar-f64", "mojo-simd-f32"):
        assert by[name].threads == 1


@pytest.mark.parametrize("tool", TOOLS)
def test_required_tools_are_here(tool):
    rungs = [r for r in RUNGS if r.extra["tool"] == tool]
    for r in rungs:
        need(r)


@pytest.mark.parametrize("rung", RUNGS, ids=lambda r: r.name)
@pytest.mark.parametrize("problem", VIEWS, ids=["canonical", "off-axis", "high-iterations"])
def test_counts_agree_with_the_reference(rung, problem):
    need(rung)
    reference = m.reference(**problem.as_dict())
    got = np.ascontiguousarray(np.asarray(rung.prepare(problem)(), dtype=np.uint32))
    assert got.shape == reference.shape
    cmp = m.compare(reference, got)
    assert cmp["differing"] <= rung.allowed(reference.size), cmp
    if exact(rung):
        assert cmp["differing"] == 0, cmp
        if problem == CANONICAL:
            assert int(got.sum(dtype=np.uint64)) == CANONICAL_ITERATIONS


# The Mojo rungs on the project's grid, bit for bit. VIEWS, and two odd sizes whose points Mojo's own
# `min + i*scale` moved (each has a real-axis row), with columns not a multiple of the SIMD width
# (`vectorize`'s narrower last steps): 97 = 3*32 + 1, 961 = 30*32 + 1
MOJO_VIEWS = VIEWS + [Problem(97, 62), Problem(961, 6, y_min=-0.03, y_max=0.03)]
MOJO_VIEW_IDS = ["canonical", "off-axis", "high-iterations", "97x62", "961x6"]


def mojo_rung(name):
    rung = next(r for r in RUNGS if r.name == name)
    need(rung)
    return rung


@pytest.mark.parametrize("name", ["mojo-simd-f32", "mojo-parallel-f32"])
@pytest.mark.parametrize("problem", MOJO_VIEWS, ids=MOJO_VIEW_IDS)
def test_mojo_f32_rungs_are_the_fma_f32_kernel_bit_for_bit(name, problem):
    """The Mojo f32 kernel does fma-f32's arithmetic step for step (y2 = y*y; fma(x, x, y2) <= 4;
    y = fma(x, y+y, cy); x = fma(x, x, cx - y2)) on the same points, the f64 grid rounded to f32: every
    pixel equal. Computing the points in Mojo (`min + i*scale`, which Mojo contracts into one FMA) moved
    the canonical image's real-axis row off 0: 179 pixels, all in row 480."""
    got = np.asarray(mojo_rung(name).prepare(problem)(), dtype=np.uint32)
    bounds = {k: v for k, v in problem.as_dict().items() if k not in ("width", "height")}
    fma = m.render_new("fma-f32", problem.width, problem.height, **bounds)
    assert m.compare(fma, got)["differing"] == 0, m.compare(fma, got)


@pytest.mark.parametrize("problem, differing", list(zip(MOJO_VIEWS, [0, 0, 2, 0, 0], strict=True)), ids=MOJO_VIEW_IDS)
def test_mojo_scalar_f64_is_on_the_reference_grid(problem, differing):
    """mojo-scalar-f64 reads the reference's points, so what still differs is ComplexFloat64's own
    arithmetic: z*z + c as (fma(re, re, -im*im) + cx, fma(re, im, im*re) + cy), |z|^2 as fma(re, re,
    im*im). Nothing on the canonical image (its sum is the reference's), 2 pixels at 5,000 iterations
    near the cusp. With the points computed in Mojo, contracted into FMAs, the canonical image's
    real-axis row moved: 177 pixels, all in row 480."""
    got = np.asarray(mojo_rung("mojo-scalar-f64").prepare(problem)(), dtype=np.uint32)
    cmp = m.compare(m.reference(**problem.as_dict()), got)
    assert cmp["differing"] == differing, cmp
    if problem == CANONICAL:
        assert int(got.sum(dtype=np.uint64)) == CANONICAL_ITERATIONS


@pytest.mark.parametrize("name", ["pyo3-naive-f32", "pyo3-simd-algorithmic-f32", "mojo-scalar-f64", "mojo-simd-f32"])
def test_the_first_timed_call_pays_no_page_faults(name):
    """The pyo3 and Mojo rungs allocate their output array in prepare, untimed. np.zeros maps it without
    touching it, so the first timed call paid a minor page fault per page (and ran slower than the rest);
    prepare must write every page itself. Counted, not timed: the first call's minor faults."""
    rung = next(r for r in all_rungs() if r.name == name)
    if rung.missing:
        need(rung)
    # 3 MiB: 768 pages of 4 KiB, and under NumPy's 4 MiB threshold for asking for huge pages
    problem = Problem(1024, 768, max_iters=1)
    call = rung.prepare(problem)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    out = call()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert out.shape == (768, 1024) and out.nbytes // 4096 == 768
    assert faults < 768 // 8, f"{name}: the first call paid {faults} minor page faults"


def test_labels_name_the_pinned_versions():
    pins = {}
    for name in ("requirements.txt", "requirements-mojo.txt"):
        for line in (HERE / name).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.-]+)==([^;\s]+)", line)
            if match:
                pins[match[1].lower()] = match[2]
    labels = {r["name"]: r["label"] for r in PYTHON_RUNGS}
    assert pins["cython"] in labels["cython"] and pins["cython"] in labels["cython-prange"]
    assert pins["pythran"] in labels["pythran"] and pins["pythran"] in labels["pythran-openmp"]
    mojo = ".".join(pins["mojo-compiler"].split(".")[:3])  # 0.25.7.0 -> 0.25.7
    assert all(mojo in labels[n] for n in ("mojo-scalar-f64", "mojo-simd-f32", "mojo-parallel-f32"))
    for r in RUNGS:  # what was built is what is pinned
        if not r.missing and r.extra["tool"] in ("cython", "pythran"):
            assert r.extra["tool_version"] == pins[r.extra["tool"]]
        if not r.missing and r.extra["tool"] == "mojo":
            assert r.extra["tool_version"] == pins["mojo-compiler"]


def test_mojo_width_threads_and_environment():
    rung = next(r for r in RUNGS if r.name == "mojo-parallel-f32")
    need(rung)
    width = compiled_rungs.mojo_simd_width()
    assert width >= 8 and width & (width - 1) == 0  # twice a native width: 8 (SSE, NEON), 16 (AVX2), 32
    assert rung.threads == compiled_rungs.mojo_threads() >= 1
    # Loading the Mojo extension must not leave Mojo's interpreter settings to child processes.
    out = subprocess.run([sys.executable, "-c", "import sys, os; print(sys.executable, os.environ.get('PYTHONPATH'))"],
                         capture_output=True, text=True, timeout=60).stdout.split()
    assert out[0] == sys.executable and out[1] == str(os.environ.get("PYTHONPATH"))


def test_the_runner_records_them(tmp_path):
    """run.py times each available new rung in one quick run, verified; missing ones are recorded as
    missing, not failed, and do not make the run fail. PyPy's JIT warm-up is its compile_s."""
    out = tmp_path / "b.json"
    assert run.main(["--quick", "--width", "24", "--height", "16", "--only", ",".join(r.name for r in RUNGS),
                     "--out", str(out)]) == 0
    entries = {e["name"]: e for e in json.loads(out.read_text())["rungs"]}
    for r in RUNGS:
        e = entries[r.name]
        assert e["tool"] == r.extra["tool"] and e["language"] == r.language
        if r.missing:
            assert e["missing"] is True and e["error"] == r.missing and e["median_s"] is None
        else:
            assert e["verification"]["ok"] and e["median_s"] > 0 and e["repeats"] == 1
    if not next(r for r in RUNGS if r.name == "pypy").missing:
        assert entries["pypy"]["compile_s"] > 0 and entries["pypy"]["tool_version"]


@pytest.mark.parametrize("view, param", [
    (["--x-min", "0.3", "--x-max", "0.30000001", "--y-min", "-0.01", "--y-max", "0.01"], "dx"),  # columns
    (["--x-min", "-1", "--x-max", "1", "--y-min", "1000", "--y-max", "1000.00001"], "dy"),  # rows
])
def test_mojo_f32_refuses_a_view_f32_cannot_resolve_as_pyo3_does(tmp_path, view, param):
    """f32 cannot tell these pixels apart: the pyo3 f32 kernels refuse the view, and the Mojo f32 rungs
    must too, with the same reason, never timed (they used to be timed and shown ok on a blocky image)."""
    mojo = [r for r in RUNGS if r.name in ("mojo-simd-f32", "mojo-parallel-f32")]
    for r in mojo:
        need(r)
    out = tmp_path / "b.json"
    names = [r.name for r in mojo] + ["pyo3-simd-f32", "mojo-scalar-f64"]
    assert run.main(["--quick", "--width", "64", "--height", "64", *view, "--only", ",".join(names),
                     "--out", str(out)]) == 1
    entries = {e["name"]: e for e in json.loads(out.read_text())["rungs"]}
    pyo3 = entries["pyo3-simd-f32"]["error"]
    assert pyo3.startswith("ValueError: simd-f32 cannot render this view: ") and f"spacing {param} =" in pyo3
    reason = pyo3.removeprefix("ValueError: simd-f32")
    for r in mojo:
        e = entries[r.name]
        assert e["error"] == f"ValueError: {r.name}{reason}"
        assert e["median_s"] is None and e["times_s"] == [] and not e["verification"]["ok"]
        assert "invalid_time_s" not in e
    assert entries["mojo-scalar-f64"]["verification"]["ok"]  # f64 resolves it: not refused


def test_a_missing_tool_is_missing_with_its_install_command(tmp_path, monkeypatch):
    absent = Rung("cython", "Cython", "Cython", "f64", 1, lambda p: lambda: None, m.tolerance("f64"),
                  extra={"tool": "cython"}, missing="cython is not installed; install: pip install cython")
    monkeypatch.setattr(run, "all_rungs", lambda: [absent])
    out = tmp_path / "b.json"
    assert run.main(["--quick", "--width", "3", "--height", "2", "--out", str(out)]) == 0
    (entry,) = json.loads(out.read_text())["rungs"]
    assert entry["missing"] is True and "install: pip install cython" in entry["error"]
    assert entry["median_s"] is None and entry["verification"] is None


def test_missing_reasons_name_what_installs_the_tool(monkeypatch, tmp_path):
    monkeypatch.setattr(compiled_rungs, "STATUS", tmp_path / "none.json")
    compiled_rungs.module.cache_clear()
    try:
        assert "scripts/setup" in compiled_rungs.missing("mojo")
        (tmp_path / "none.json").write_text(json.dumps({"tools": {"mojo": {
            "ok": False, "error": "mojo-compiler is not installed", "install": "pip install -r requirements-mojo.txt"}}}))
        assert compiled_rungs.missing("mojo") == ("mojo-compiler is not installed; install: pip install -r "
                                                  "requirements-mojo.txt")
    finally:
        compiled_rungs.module.cache_clear()
    monkeypatch.setenv("MANDEL_PYPY", str(tmp_path / "no-pypy3"))
    assert pypy_rung.missing().startswith(f"MANDEL_PYPY={tmp_path / 'no-pypy3'} is not an executable")
    assert "apt-get install -y pypy3" in pypy_rung.missing()
    monkeypatch.setenv("MANDEL_PYPY", "")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pypy_rung.missing().startswith("pypy3 not found on PATH; install: apt-get install -y pypy3")


def test_the_timed_loop_is_one_rule():
    """run.py and the PyPy driver share timing.py: the first call counts, then more until the budget
    is spent, at least min_repeats and at most max_repeats."""
    assert not timing.more_wanted([1.0], budget=0.5, min_repeats=1, max_repeats=100)
    assert timing.more_wanted([0.1], budget=0.5, min_repeats=1, max_repeats=100)
    assert timing.more_wanted([1.0], budget=0.5, min_repeats=3, max_repeats=100)
    assert not timing.more_wanted([0.1] * 4, budget=5.0, min_repeats=1, max_repeats=4)
    assert len(timing.repeat(lambda: None, [0.0], budget=0.0, min_repeats=5, max_repeats=9)) == 5
    assert run.timed is timing.timed


def _status_file(monkeypatch, tmp_path, entry):
    monkeypatch.setattr(compiled_rungs, "STATUS", tmp_path / "status.json")
    (tmp_path / "status.json").write_text(json.dumps({"schema": "mandel-rung-builds/1", "tools": {"cython": entry}}))
    compiled_rungs.module.cache_clear()
    compiled_rungs.current_stamp.cache_clear()


@pytest.fixture
def clear_caches():
    yield
    compiled_rungs.module.cache_clear()
    compiled_rungs.current_stamp.cache_clear()


def test_a_stale_build_is_missing_never_timed(monkeypatch, tmp_path, clear_caches):
    from python_baselines import build_rungs

    monkeypatch.setattr(build_rungs, "tool_version", lambda tool: "3.3.1")
    fake = tmp_path / "cython_rungs.so"
    fake.write_bytes(b"not an extension module")
    current = build_rungs.stamp("cython", "3.3.1")
    entry = {"ok": True, "version": "3.3.1", "modules": {"cython_rungs": str(fake)},
             "sha256": {"cython_rungs": build_rungs.file_sha256(fake)}}
    _status_file(monkeypatch, tmp_path, {**entry, "stamp": "ffb61d95458e5723"})
    assert compiled_rungs.missing("cython") == ("stale build: run scripts/setup (it runs python_baselines/"
                                                "build_rungs.py) (the cython rungs were built from another "
                                                "source, tool version, Python or compiler settings than these)")
    # the stamp build_rungs.py would record now: not stale, so it is loaded (and this file does not load)
    _status_file(monkeypatch, tmp_path, {**entry, "stamp": current})
    assert "does not load" in compiled_rungs.missing("cython")
    # the compiler settings are part of it: the same build under other CFLAGS is stale
    monkeypatch.setenv("CFLAGS", "-O0")
    compiled_rungs.module.cache_clear()
    compiled_rungs.current_stamp.cache_clear()
    assert compiled_rungs.missing("cython").startswith("stale build")


def test_a_module_that_is_not_the_recorded_file_is_missing_never_loaded(monkeypatch, tmp_path, clear_caches):
    """A build interrupted after moving a module in, before status.json was written, left a module built from
    other inputs under the record of an earlier build, whose stamp matches again once the source is restored:
    the module's sha256 is not the recorded one, so it is a stale build, never loaded nor timed."""
    from python_baselines import build_rungs

    monkeypatch.setattr(build_rungs, "tool_version", lambda tool: "3.3.1")
    fake = tmp_path / "cython_rungs.so"
    fake.write_bytes(b"the module that was recorded")
    entry = {"ok": True, "version": "3.3.1", "stamp": build_rungs.stamp("cython", "3.3.1"),
             "modules": {"cython_rungs": str(fake)}, "sha256": {"cython_rungs": build_rungs.file_sha256(fake)}}
    _status_file(monkeypatch, tmp_path, entry)
    assert "does not load" in compiled_rungs.missing("cython")  # the recorded file: loaded
    fake.write_bytes(b"a module moved in by a build that did not finish")
    for recorded in (entry, {k: v for k, v in entry.items() if k != "sha256"}):
        _status_file(monkeypatch, tmp_path, recorded)
        why = compiled_rungs.missing("cython")
        assert why.startswith("stale build: run scripts/setup") and "cython_rungs.so is not the file" in why, why


def test_the_stamp_covers_the_host_cpu_for_mojo_and_the_compiler_for_the_c_tools(monkeypatch):
    """Mojo compiles for the host CPU, with no runtime dispatch: a build/ copied to another CPU was up to date
    (SIGILL, or lanes sized for another CPU). Cython and Pythran builds depend on the compiler's release."""
    from python_baselines import build_rungs

    base = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran", "mojo")}
    info = build_rungs.cpuinfo()
    other_cpus = [{**info, "model name": "another CPU"}, {**info, "flags": info.get("flags", "") + " avx512f_not"}]
    for other in other_cpus:
        monkeypatch.setattr(build_rungs, "cpuinfo", lambda other=other: other)
        assert build_rungs.stamp("mojo", "1.0") != base["mojo"]
        assert build_rungs.stamp("cython", "1.0") == base["cython"]  # built for the generic target
    monkeypatch.undo()
    assert build_rungs.compiler_version(build_rungs.DEFAULT_COMPILERS["CC"])  # a compiler that runs here
    monkeypatch.setattr(build_rungs, "compiler_version", lambda command: "gcc (GCC) 99.1")
    assert build_rungs.stamp("cython", "1.0") != base["cython"]
    assert build_rungs.stamp("pythran", "1.0") != base["pythran"]
    assert build_rungs.stamp("mojo", "1.0") == base["mojo"]


def test_the_stamp_covers_what_changes_a_build(monkeypatch, tmp_path):
    from python_baselines import build_rungs

    for name in build_rungs.BUILD_ENVIRONMENT + ("PYTHRANRC",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    base = {t: build_rungs.stamp(t, "1.0") for t in ("cython", "pythran", "mojo")}
    assert base == {t: build_rungs.stamp(t, "1.0") for t in base}  # the same inputs, the same stamp, each time
    assert len(set(base.values())) == 3 and all(len(v) == 16 for v in base.values())
    assert build_rungs.stamp("cython", "1.1") != base["cython"]
    (tmp_path / ".pythranrc").write_text("[compiler]\ncflags=-O0\n")
    assert build_rungs.stamp("pythran", "1.0") != base["pythran"]
    assert build_rungs.stamp("cython", "1.0") == base["cython"]
    (tmp_path / ".pythranrc").unlink()
    for name in ("CFLAGS", "CXXFLAGS", "CC"):
        monkeypatch.setenv(name, "x")
        assert build_rungs.stamp("cython", "1.0") != base["cython"], name
        assert build_rungs.stamp("pythran", "1.0") != base["pythran"], name
        assert build_rungs.stamp("mojo", "1.0") == base["mojo"], name
        monkeypatch.delenv(name)
    assert {t: build_rungs.stamp(t, "1.0") for t in base} == base


# One process (each imports Numba and the compiled rungs: seconds in CI): OpenMP's count below Numba's, so
# that Numba's start, which sets libgomp's count to its own, shows.
@pytest.mark.parametrize("env", [{"OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "2"}])
def test_numba_leaves_openmp_s_thread_count_alone(env):
    """Numba's omp threading layer sets libgomp's thread count to NUMBA_NUM_THREADS when it starts; the
    OpenMP rungs must still run on OMP_NUM_THREADS, and their threads column say so. In a fresh process:
    libgomp's count is read after the rung table is built and a Numba parallel loop has run."""
    code = """
import ctypes, json
from python_baselines import numba_rungs
from python_baselines.problem import Problem
from python_baselines.rungs import python_rungs
try:
    gomp = ctypes.CDLL("libgomp.so.1")
except OSError:
    print(json.dumps(None)); raise SystemExit
rungs = {r.name: r for r in python_rungs()}
numba_rungs.compute_parallel(Problem(8, 6))
print(json.dumps({"openmp": gomp.omp_get_max_threads(), "numba": rungs["numba-parallel"].threads,
                  "cython-prange": rungs["cython-prange"].threads, "pythran-openmp": rungs["pythran-openmp"].threads}))
"""
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    if got is None:
        pytest.skip("no libgomp here")
    omp, numba = int(env["OMP_NUM_THREADS"]), int(env["NUMBA_NUM_THREADS"])
    assert got == {"openmp": omp, "numba": numba, "cython-prange": omp, "pythran-openmp": omp}


def test_a_mistyped_mandel_pypy_is_named_not_replaced(tmp_path, monkeypatch):
    """MANDEL_PYPY set to something that is not an executable: the reason names MANDEL_PYPY (not 'install
    pypy3'), and no pypy3 from PATH is used instead."""
    fake = tmp_path / "bin" / "pypy3"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 7.3.11\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    for value in ("/usr/bin/pypy3x", str(tmp_path)):  # a mistyped path; a folder
        monkeypatch.setenv("MANDEL_PYPY", value)
        assert pypy_rung.interpreter() is None
        assert pypy_rung.missing().startswith(f"MANDEL_PYPY={value} is not an executable"), pypy_rung.missing()
    monkeypatch.setenv("MANDEL_PYPY", str(fake))
    assert pypy_rung.interpreter() == str(fake)
    monkeypatch.delenv("MANDEL_PYPY")
    assert pypy_rung.interpreter() == str(fake)


def test_the_pypy_timeout_follows_the_budget():
    assert pypy_rung.timeout_s(0.0) == pypy_rung.TIMEOUT_MARGIN_S > 0
    assert pypy_rung.timeout_s(3600.0) == 3600.0 + pypy_rung.TIMEOUT_MARGIN_S


def test_sigterm_during_the_pypy_rung_leaves_no_temporary_folder(tmp_path):
    """run.py stopped by SIGTERM (as the ladder stops it) while PyPy's driver runs: the driver's temporary
    folder is removed, the driver is gone, and run.py still ends by SIGTERM. A stand-in pypy3 reports a
    version, then sleeps as a driver would."""
    import signal
    import time

    fake = tmp_path / "pypy3"
    fake.write_text("#!/bin/sh\nif [ \"$1\" = -c ]; then echo 7.3.11; exit 0; fi\n"
                    f"echo $$ > {tmp_path / 'driver.pid'}\nexec sleep 60\n")
    fake.chmod(0o755)
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "MANDEL_PYPY": str(fake), "TMPDIR": str(temp)}
    proc = subprocess.Popen([sys.executable, "-m", "python_baselines.run", "--quick", "--width", "4", "--height", "3",
                             "--only", "pypy", "--out", str(tmp_path / "r.json")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "driver.pid").exists() or not list(temp.glob("mandel-pypy-*")):
            assert time.monotonic() < deadline and proc.poll() is None, "the driver never started"
            time.sleep(0.05)
        driver = int((tmp_path / "driver.pid").read_text())
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGTERM
    assert list(temp.glob("mandel-pypy-*")) == []
    assert not (tmp_path / "r.json").exists()
    assert driver_gone(driver)


def driver_gone(pid, wait_s=10.0):
    """Whether process `pid` ended within `wait_s`: gone, or a zombie (dead, waiting for its new parent, the
    reaper, to collect it: on a loaded machine that can take longer than the test)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):  # no such process (or no /proc: then os.kill says)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            state = "?"
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_mandel_require_rungs_takes_only_known_tools():
    assert required_tools("") == set() and required_tools(" cython , pythran,mojo,pypy,") == set(TOOLS)
    for value in ("PyPy", "all", "pypy;cython", "cython,numba"):
        with pytest.raises(ValueError, match="MANDEL_REQUIRE_RUNGS=.*unknown"):
            required_tools(value)


def test_an_unknown_required_tool_fails_the_run(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--co", __file__],
                          env={**os.environ, "MANDEL_REQUIRE_RUNGS": "pypy;cython"}, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    assert "MANDEL_REQUIRE_RUNGS='pypy;cython': unknown 'pypy;cython'" in proc.stdout + proc.stderr


@pytest.mark.parametrize("text", ['[]', '{"tools": {"cython": "ok", "pythran": ["ok"], "mojo": 3}}', '{"tools": []}',
                                  '"ok"', '{"tools": {"cython": {"ok": true, "modules": ["cython_rungs"]}}}',
                                  '{"tools": {"cython": {"ok": true, "modules": {"cython_rungs": 5}}}}'])
def test_a_malformed_status_file_is_not_built(tmp_path, monkeypatch, capsys, clear_caches, text):
    """build/status.json that is valid JSON of another shape: the rungs are missing (not built), and
    run.py --list still lists them, instead of a traceback."""
    monkeypatch.setattr(compiled_rungs, "STATUS", tmp_path / "status.json")
    (tmp_path / "status.json").write_text(text)
    compiled_rungs.module.cache_clear()
    for tool in ("cython", "pythran", "mojo"):
        why = compiled_rungs.missing(tool)
        # an entry without a stamp is a stale build: rebuilt by scripts/setup, as a missing one
        assert why.startswith((f"the {tool} rungs are not built: run scripts/setup", "stale build: run scripts/setup")), why
        assert isinstance(compiled_rungs.tool_status(tool), dict)
    assert run.main(["--list"]) == 0
    assert "cython-prange" in capsys.readouterr().out


def test_numba_starts_its_compiler_before_the_first_rung_compiles():
    """Whichever Numba rung compiled first also paid Numba's start-up (its compiler, typing the complex
    arithmetic every rung shares), and the parallel rung reused the plain rung's escape function: each rung's
    compile_s depended on which ran before it. Now a rung's untimed preparation starts Numba on a loop of its own
    (`numba_rungs.warm`), and each rung compiles its own escape function: counted with Numba's compile events,
    in a fresh process. Listing the rungs compiles nothing."""
    pytest.importorskip("numba")
    code = """
from numba.core import event
from python_baselines import numba_rungs, rungs
from python_baselines.problem import Problem
seen = []
class Names(event.Listener):
    def on_start(self, ev): seen.append(ev.data["dispatcher"].py_func.__name__)
    def on_end(self, ev): pass
event.register("numba:compile", Names())
by_name = {r.name: r for r in rungs.python_rungs()}
listed = len(seen)
tiny = Problem(width=2, height=2, max_iters=50)
call = by_name["numba"].prepare(tiny)
warmed = len(seen)
call()
plain = seen[warmed:]
mark = len(seen)
by_name["numba-parallel"].prepare(tiny)()
print(listed, warmed, ",".join(plain), ",".join(seen[mark:]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    listed, warmed, plain, parallel = proc.stdout.split()
    assert int(listed) == 0  # run.py --list, and the environment checks, compile nothing
    assert int(warmed) >= 2  # the preparation: a loop of its own and its escape function, untimed
    assert "escape_count" in plain.split(",") and "image" in plain.split(",")
    assert "escape_count" in parallel.split(",")  # its own, not the plain rung's: the same compile whatever ran first


@pytest.mark.parametrize("env, team", [({"OMP_NUM_THREADS": "3"}, 3), ({"OMP_NUM_THREADS": "3", "OMP_THREAD_LIMIT": "2"}, 2),
                                       ({"OMP_NUM_THREADS": "3", "OMP_MAX_ACTIVE_LEVELS": "0"}, 1)])
def test_the_openmp_threads_are_the_team_a_parallel_region_gets(env, team):
    """omp_get_max_threads() says OMP_NUM_THREADS whatever caps the team; the threads the OpenMP rungs report
    are asked inside a parallel region, so they are the team's size (the runners refuse these variables too)."""
    if compiled_rungs.missing("cython"):
        pytest.skip(compiled_rungs.missing("cython"))
    code = "from python_baselines import compiled_rungs; print(compiled_rungs.openmp_threads())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == team


@pytest.mark.parametrize("make, what", [(os.mkfifo, "a FIFO"), (os.mkdir, "a folder"),
                                        (lambda p: os.symlink(p.parent / "elsewhere.json", p), "a symlink")])
def test_a_status_file_that_is_not_a_regular_file_is_named(tmp_path, monkeypatch, capsys, clear_caches,
                                                          fifo_unblocker, make, what):
    """A FIFO at build/status.json blocked every runner, `run.py --list` included, for good (reading it waited for
    a writer). Now, as a folder or a symlink there, it is read without blocking nor following it: the compiled
    rungs are missing with a message naming it, and run.py --list still lists them."""
    status = tmp_path / "status.json"
    monkeypatch.setattr(compiled_rungs, "STATUS", status)
    compiled_rungs.module.cache_clear()  # the real modules, loaded by earlier tests
    make(status)
    (tmp_path / "elsewhere.json").write_text(json.dumps({"tools": {"cython": {"ok": True}}}))
    with fifo_unblocker(status):
        for tool in ("cython", "pythran", "mojo"):
            assert compiled_rungs.missing(tool) == \
                f"{status} is {what}, not a regular file: remove it (build_rungs.py records the builds there, and " \
                "the runners read it)"
            assert compiled_rungs.tool_status(tool) == {}
        assert run.main(["--list"]) == 0
    assert "cython-prange" in capsys.readouterr().out


def test_the_mojo_simd_rungs_record_their_width(monkeypatch):
    """Mojo builds for the host CPU whatever MANDEL_ISA says: the SIMD rungs' entries carry the width they ran
    (the merge marks a width other than the Rust rows' path); the scalar rung has none."""
    from python_baselines import rungs as rungs_module

    monkeypatch.setattr(compiled_rungs, "missing", lambda tool: None)
    monkeypatch.setattr(compiled_rungs, "mojo_simd_width", lambda: 32)
    monkeypatch.setattr(compiled_rungs, "mojo_threads", lambda: 2)
    got = {r.name: r for r in rungs_module.python_rungs() if r.name.startswith("mojo-")}
    assert got["mojo-simd-f32"].extra["simd_width"] == 32 and got["mojo-parallel-f32"].extra["simd_width"] == 32
    assert "simd_width" not in got["mojo-scalar-f64"].extra
