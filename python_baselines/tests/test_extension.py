"""The mandel_ladder extension: every registered kernel against the f64 reference, caller memory
filled exactly, the GIL released while computing, and every bad input refused with a clear message."""

import os
import subprocess
import threading
import time
from pathlib import Path

import mandel_ladder as m
import numpy as np
import pytest

# The kernels this build can run (the C reference is unavailable when built without a C compiler).
KERNELS = [k["name"] for k in m.kernels() if k["available"]]
# (width, height, bounds, max_iters): odd sizes, single rows and columns, a zoom near the boundary.
# (Not a deep one: at x in [-0.75, -0.73], 1000 iterations, f32 differs on ~7% of the pixels, past
# the 1% its tolerance allows; that is f32 running out of precision, not a wrong kernel.)
CASES = [
    (17, 13, {}, 200),
    (1, 7, {}, 200),
    (7, 1, {}, 200),
    (64, 48, {}, 50),
    (40, 30, dict(x_min=-0.8, x_max=-0.7, y_min=0.05, y_max=0.15), 300),
]


def test_the_extension_names_the_cargo_profile_it_was_built_with():
    # scripts/test exports the profile it builds (`ci`); scripts/setup builds `release` by default
    expected = {"dev": "debug"}.get(os.environ.get("MANDEL_PROFILE"), os.environ.get("MANDEL_PROFILE"))
    assert m.BUILD_PROFILE == expected if expected else m.BUILD_PROFILE in {"release", "ci", "debug"}


def test_registry_is_listed_with_every_field():
    kernels = m.kernels()
    assert kernels, "the registry is empty"
    assert len(set(KERNELS)) == len(KERNELS)
    for k in kernels:
        # `mandel describe --json`'s KernelInfo, field for field (serde's, not a dict built by hand).
        assert set(k) == {"name", "rung", "precision", "threads", "pool", "isa", "description",
                          "tolerance_max_fraction", "tolerance_slack_pixels", "fused", "reference", "algorithmic",
                          "one_lane", "available", "unavailable"}
        assert k["available"] == (k["unavailable"] is None)
        assert k["precision"] in ("f32", "f64")
        assert isinstance(k["threads"], int) and k["threads"] >= 1
    assert "naive-f32" in KERNELS, "the article's kernel"
    assert m.kernels() == m.describe()["kernels"]


def test_describe_carries_the_facts_python_reads():
    """`describe()` is `mandel describe --json`'s document: the ISA names, the thread rule and its
    value here, the tolerance rule for every precision and fused combination, the sweep grid."""
    d = m.describe()
    assert d["schema"] == "mandel-describe/1" and d["canonical"] == m.canonical()
    assert d["isa_names"] == ["avx512", "avx2", "sse2", "neon", "scalar"]
    threads = d["threads"]
    assert threads["env"] == "RAYON_NUM_THREADS" and threads["max"] == 1024
    assert threads["pool"] == d["pool_threads"] and threads["cores"] >= 1
    assert sorted((t["precision"], t["fused"]) for t in d["tolerances"]) == [
        ("f32", False), ("f32", True), ("f64", False), ("f64", True)]
    for t in d["tolerances"]:
        assert {"max_fraction": t["max_fraction"], "slack_pixels": t["slack_pixels"]} == m.tolerance(
            t["precision"], t["fused"])
    assert d["sweep"]["size_iters"] == d["canonical"]["max_iters"]
    assert d["sweep"]["iters_size"] == d["canonical"]["width"]
    assert 960 in d["sweep"]["sizes"] and 200 in d["sweep"]["iters"]


def test_an_unavailable_kernel_is_a_clear_error():
    kernels = m.kernels()
    assert any(k["reference"] for k in kernels), "the C reference kernels are registered"
    for k in kernels:
        if k["available"]:
            continue
        assert k["reference"], f"{k['name']} is a rung, yet unavailable: {k['unavailable']}"
        for call in (lambda: m.render_new(k["name"], 4, 4), lambda: m.render(k["name"], np.zeros((4, 4), np.uint32)),
                     lambda: m.verify(k["name"], 4, 4)):
            with pytest.raises(RuntimeError, match=f"{k['name']} is unavailable: {k['unavailable']}"):
                call()


def test_reference_follows_the_one_definition():
    # c = 2: |0|^2 <= 4, z = 2; |2|^2 = 4 <= 4 (the test is inclusive), z = 6; 36 > 4: count 2.
    assert m.reference(1, 1, 2.0, 3.0, 0.0, 1.0, 200).tolist() == [[2]]
    # c = 0 never escapes: the count is max_iters.
    assert m.reference(1, 1, 0.0, 1.0, 0.0, 1.0, 77).tolist() == [[77]]
    ref = m.reference()
    assert ref.shape == (960, 960) and ref.dtype == np.uint32
    assert int(ref.sum(dtype=np.uint64)) == 40139097  # the canonical image's iteration count


@pytest.mark.parametrize("width, height", [(9, 4), (1, 1), (1000, 3), (3, 12345)])
def test_the_npy_file_mandel_writes_is_what_numpy_loads(tmp_path, width, height):
    """`mandel render --npy` writes the .npy format by hand: NumPy loads it as uint32 in C order with the
    shape (height, width), and the counts are the reference's (naive-f64 is exact); header lengths of
    every digit count."""
    mandel = Path(os.environ.get("MANDEL_BIN") or Path(__file__).resolve().parents[2] / "target/release/mandel")
    out = tmp_path / "c.npy"
    proc = subprocess.run([mandel, "render", "-k", "naive-f64", "--width", str(width), "--height", str(height),
                           "--max-iters", "50", "--npy", out], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    counts = np.load(out, allow_pickle=False)
    assert counts.dtype == np.dtype("<u4") and counts.shape == (height, width) and counts.flags.c_contiguous
    assert np.array_equal(counts, m.reference(width, height, -2.0, 0.6, -1.5, 1.5, 50))


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("width,height,bounds,max_iters", CASES)
def test_kernel_fills_caller_array_within_tolerance(name, width, height, bounds, max_iters):
    expected = m.reference(width, height, max_iters=max_iters, **bounds)
    # The caller's array sits inside a larger buffer with guard rows above and below: the kernel must
    # fill every pixel of its rows and touch nothing else.
    sentinel = np.uint32(0xDEADBEEF)
    buffer = np.full((height + 2, width), sentinel, dtype=np.uint32)
    out = buffer[1:-1]
    assert m.render(name, out, max_iters=max_iters, **bounds) is None
    assert (buffer[0] == sentinel).all() and (buffer[-1] == sentinel).all()
    assert not (out == sentinel).any()
    cmp = m.compare(expected, out)
    assert cmp["differing"] <= m.allowed(name, width * height), cmp
    assert np.array_equal(m.render_new(name, width, height, max_iters=max_iters, **bounds), out)


@pytest.mark.parametrize("name", KERNELS)
def test_verify_reports_the_comparison(name):
    v = m.verify(name, 96, 64)
    assert v["ok"] and v["kernel"] == name and v["pixels"] == 96 * 64
    assert v["differing"] <= v["allowed"] == m.allowed(name, 96 * 64)


def test_compare_reads_any_layout_in_row_major_order():
    a = m.reference(7, 9, max_iters=50)
    b = a.copy()
    b[3, 4] += 5
    first = (3 * 7 + 4, a[3, 4], b[3, 4])
    assert m.compare(a, b) == {"pixels": 63, "differing": 1, "max_abs_diff": 5, "first_difference": first}
    assert m.compare(a.T, np.ascontiguousarray(a.T))["differing"] == 0
    assert m.compare(a[::2], a[::2].copy())["differing"] == 0


def test_gil_is_released_while_a_kernel_runs():
    """A Python thread keeps running during a render: the longest pause between two of its loop
    iterations is far shorter than the render (it would be the whole render with the GIL held)."""
    stamps, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            stamps.append(time.perf_counter())

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        time.sleep(0.01)
        start = time.perf_counter()
        m.render_new("naive-f64", 600, 600, max_iters=1000)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    during = [t for t in stamps if start <= t <= end]
    gaps = np.diff([start, *during, end])
    assert end - start > 0.1, "render too fast to tell"
    assert gaps.max() < 0.5 * (end - start), f"longest pause {gaps.max():.3f} s of a {end - start:.3f} s render"


def _readonly():
    a = np.zeros((4, 4), np.uint32)
    a.flags.writeable = False
    return a


OUT = np.zeros((4, 5), np.uint32)
BAD_CALLS = [
    # (call, exception, words the message must contain)
    (lambda: m.render("no-such-kernel", OUT), ValueError, ["unknown kernel", "no-such-kernel", KERNELS[0]]),
    (lambda: m.render_new("no-such-kernel"), ValueError, ["unknown kernel", KERNELS[-1]]),
    (lambda: m.render(KERNELS[0], OUT.astype(np.int32)), TypeError, ["out", "dtype", "uint32", "int32"]),
    (lambda: m.render(KERNELS[0], OUT.astype(np.float64)), TypeError, ["out", "uint32", "float64"]),
    (lambda: m.render(KERNELS[0], OUT.astype(">u4")), TypeError, ["out", "uint32", "byte order"]),
    (lambda: m.render(KERNELS[0], [[0, 0], [0, 0]]), TypeError, ["out", "numpy.ndarray", "list"]),
    (lambda: m.render(KERNELS[0], np.zeros(20, np.uint32)), ValueError, ["out", "2-dimensional", "shape"]),
    (lambda: m.render(KERNELS[0], np.zeros((2, 2, 5), np.uint32)), ValueError, ["out", "2-dimensional"]),
    (lambda: m.render(KERNELS[0], np.zeros((5, 4), np.uint32).T), ValueError, ["out", "C-contiguous"]),
    (lambda: m.render(KERNELS[0], np.zeros((4, 10), np.uint32)[:, ::2]), ValueError, ["out", "C-contiguous"]),
    (lambda: m.render(KERNELS[0], np.zeros(21, np.uint8)[1:].view(np.uint32).reshape(1, 5)), ValueError,
     ["out", "aligned"]),
    (lambda: m.render(KERNELS[0], _readonly()), ValueError, ["out", "read-only"]),
    (lambda: m.render(KERNELS[0], np.zeros((0, 5), np.uint32)), ValueError, ["height", "at least 1"]),
    (lambda: m.render(KERNELS[0], np.zeros((5, 0), np.uint32)), ValueError, ["width", "at least 1"]),
    (lambda: m.render_new(KERNELS[0], 0, 5), ValueError, ["width", "at least 1"]),
    (lambda: m.render_new(KERNELS[0], 5, -3), ValueError, ["height", "at least 1", "-3"]),
    (lambda: m.reference(10**30, 5), ValueError, ["width", "out of range"]),
    (lambda: m.reference(2**20, 2**20), ValueError, ["width x height", "cap"]),
    (lambda: m.render(KERNELS[0], OUT, x_min=float("nan")), ValueError, ["x_min", "finite"]),
    (lambda: m.render(KERNELS[0], OUT, y_max=float("inf")), ValueError, ["y_max", "finite"]),
    (lambda: m.reference(5, 5, x_min=-1e308, x_max=1e308), ValueError, ["dx", "finite"]),
    (lambda: m.render(KERNELS[0], OUT, x_min=1.0, x_max=1.0), ValueError, ["x_min", "x_max", "less than"]),
    (lambda: m.reference(5, 5, y_min=2.0, y_max=-2.0), ValueError, ["y_min", "y_max"]),
    (lambda: m.reference(5, 5, x_min=1.0, x_max=1.0 + 1e-17), ValueError, ["x_min", "x_max"]),
    (lambda: m.reference(5, 5, x_min=1.0, x_max=1.0 + 4e-16), ValueError, ["dx", "too small"]),
    (lambda: m.render(KERNELS[0], OUT, max_iters=0), ValueError, ["max_iters", "between 1 and"]),
    (lambda: m.render(KERNELS[0], OUT, max_iters=-5), ValueError, ["max_iters", "-5"]),
    (lambda: m.verify(KERNELS[0], 4, 4, max_iters=m.MAX_ITERS_CAP + 1), ValueError, ["max_iters", "between"]),
    (lambda: m.render(KERNELS[0], OUT, max_iters=10**40), ValueError, ["max_iters", "out of range"]),
    (lambda: m.render(KERNELS[0], OUT, max_iters=2.5), TypeError, ["max_iters"]),
    (lambda: m.render(KERNELS[0], OUT, x_min="left"), TypeError, ["x_min"]),
    # Issue 20, 12: an int too large for a float raised an OverflowError that named no parameter.
    (lambda: m.render(KERNELS[0], OUT, x_min=-10**400), ValueError, ["x_min", "out of the range of a float"]),
    (lambda: m.render_new(KERNELS[0], 4, 4, y_max=10**400), ValueError, ["y_max", "range", "401 characters"]),
    (lambda: m.reference(4, 4, x_max=10**5000), ValueError, ["x_max", "out of the range of a float"]),
    (lambda: m.verify(KERNELS[0], 4, 4, y_min=-10**309), ValueError, ["y_min", "out of the range"]),
    (lambda: m.render(KERNELS[0], OUT, x_min=0.5, x_max=-0.5), ValueError, ["x_min", "x_max", "less than"]),
    (lambda: m.render_new(KERNELS[0], 4, 4, y_min=1, y_max=-1), ValueError, ["y_min", "y_max"]),
    (lambda: m.compare(OUT, np.zeros((5, 4), np.uint32)), ValueError, ["same shape"]),
    (lambda: m.compare(OUT, OUT.astype(np.int64)), TypeError, ["candidate", "uint32"]),
    (lambda: m.allowed("no-such-kernel", 10), ValueError, ["unknown kernel"]),
    # a bool is a Python int: max_iters=True rendered all-1 counts, width=True an image 1 pixel wide (a review)
    (lambda: m.render_new(KERNELS[0], 4, 4, max_iters=True), TypeError, ["max_iters", "bool (True)"]),
    (lambda: m.render_new(KERNELS[0], True, 8), TypeError, ["width", "bool"]),
    (lambda: m.verify(KERNELS[0], 4, 4, x_min=False), TypeError, ["x_min", "bool (False)"]),
    # NumPy's bool is no int subclass, but converts to a float all the same (a review)
    (lambda: m.verify(KERNELS[0], 4, 4, x_min=np.False_), TypeError, ["x_min", "bool (False)"]),
    (lambda: m.render_new(KERNELS[0], 4, 4, max_iters=np.True_), TypeError, ["max_iters", "bool (True)"]),
]


@pytest.mark.parametrize("call,exception,words", BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    # pyo3 names the argument of a failed conversion in a note (PEP 678) rather than in the message.
    text = " ".join([str(info.value), *getattr(info.value, "__notes__", [])])
    for word in words:
        assert word in text, f"{word!r} missing from {text!r}"


# --- issue 12: the environment is checked like the arguments; views f32 cannot represent are refused ---

DEEP = dict(x_min=-0.7436438875, x_max=-0.7436438865, y_min=0.1318259037, y_max=0.1318259047, max_iters=2000)
HUGE = dict(x_min=-1e300, x_max=1e300, y_min=-1e300, y_max=1e300)


@pytest.mark.parametrize("var,value,words", [
    ("MANDEL_ISA", "avx9000", ["MANDEL_ISA", "avx9000", "avx512, avx2, sse2, neon, scalar"]),
    ("RAYON_NUM_THREADS", "100000", ["RAYON_NUM_THREADS", "100000", "1 to 1024"]),
    ("RAYON_NUM_THREADS", "many", ["RAYON_NUM_THREADS", "many"]),
    ("RAYON_RS_NUM_CPUS", "3000", ["RAYON_RS_NUM_CPUS", "3000", "RAYON_NUM_THREADS instead"]),
])
def test_garbage_environment_raises_naming_the_variable(monkeypatch, var, value, words):
    monkeypatch.setenv(var, value)
    calls = [m.kernels, lambda: m.render("rayon-fma-f32", np.zeros((4, 4), np.uint32)),
             lambda: m.render_new("naive-f64", 4, 4), lambda: m.verify("naive-f64", 4, 4)]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        for word in words:
            assert word in str(info.value), f"{word!r} missing from {info.value}"


def test_environment_in_force_is_kept_once_the_kernels_chose():
    """In a fresh process: valid values are taken. The first call fixes MANDEL_ISA and RAYON_NUM_THREADS (and
    the tuning variables: the next test) for the process (the kernels choose their path and pool from them
    once), so a different value later raises ValueError naming the variable and the value in force, rather
    than being obeyed by some kernels and ignored by others; the same value spelled otherwise, or restored,
    is accepted."""
    import os
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import os, mandel_ladder as m
        print(sorted({k["isa"] for k in m.kernels() if k["name"].startswith("simd-")}))
        print(sorted({k["threads"] for k in m.kernels() if k["pool"]}))
        os.environ["MANDEL_ISA"] = "SCALAR"
        m.kernels()
        for var, value in [("MANDEL_ISA", "avx2"), ("MANDEL_ISA", ""), ("RAYON_NUM_THREADS", "2"),
                           ("RAYON_NUM_THREADS", None)]:
            before = os.environ[var]
            if value is None:
                del os.environ[var]
            else:
                os.environ[var] = value
            for call in (m.kernels, lambda: m.render_new("simd-f32", 4, 4)):
                try:
                    call()
                    print("accepted", var, value)
                except ValueError as e:
                    print(e)
            os.environ[var] = before
        print(m.render_new("simd-f32", 4, 4).shape)
    """)
    # The tunings left to the narrow path (one pinned for a wide path is refused on the scalar one).
    env = {**{k: v for k, v in os.environ.items() if k not in ("MANDEL_TUNING", "MANDEL_C_TUNING")},
           "MANDEL_ISA": "scalar", "RAYON_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:2] == ["['scalar']", "[3]"], lines
    tail = ("differs from the value in force in this process ({}): the kernels chose from it at their first use, "
            "once per process, and would not all follow a change; set it before the first call, or start a new "
            "process")
    expected = [f'MANDEL_ISA="avx2" {tail.format("MANDEL_ISA=scalar")}',
                f'MANDEL_ISA="" {tail.format("MANDEL_ISA=scalar")}',
                f'RAYON_NUM_THREADS="2" {tail.format("RAYON_NUM_THREADS=3")}',
                f'RAYON_NUM_THREADS="" {tail.format("RAYON_NUM_THREADS=3")}']
    assert lines[2:] == [line for line in expected for _ in range(2)] + ["(4, 4)"], lines


def test_the_path_is_fixed_by_the_first_call_that_reached_it_even_one_that_failed_on_a_tuning():
    """A first call under MANDEL_ISA=sse2 (here scalar, on every machine) failed on MANDEL_TUNING, after the SIMD kernels had fixed their path:
    the next call, with MANDEL_ISA unset, was taken as the first, and the process ran simd-f32 on sse2 while
    saying the widest path was in force (a review)."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import os, mandel_ladder as m
        for step in ("first", "isa unset", "tuning unset"):
            if step == "isa unset":
                del os.environ["MANDEL_ISA"]
            if step == "tuning unset":
                os.environ["MANDEL_ISA"] = "scalar"
                del os.environ["MANDEL_TUNING"]
            try:
                print(step, {k["name"]: k["isa"] for k in m.kernels()}["simd-f32"])
            except ValueError as e:
                print(step, e)
    """)
    env = {**os.environ, "MANDEL_ISA": "scalar", "MANDEL_TUNING": "v8k8"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, unset, ok = out.stdout.splitlines()
    assert first.startswith("first ") and "v8k8" in first
    assert unset.startswith('isa unset MANDEL_ISA="" differs from the value in force in this process (MANDEL_ISA=scalar)')
    assert ok == "tuning unset scalar"


def test_tuning_variables_in_force_are_kept_once_the_kernels_chose():
    """MANDEL_TUNING (read once per precision by the SIMD kernels) and MANDEL_C_TUNING (once by the C
    reference) are fixed by the first call too: a later value that selects another tuning, or leaves a
    precision to calibration, raises ValueError naming the variable and the value in force, instead of
    being validated and then ignored, or followed by the precision that had not chosen yet (f64 here,
    after an f32 render); the same selection spelled otherwise is accepted."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import os, mandel_ladder as m
        print(m.render_new("simd-f32", 4, 4).shape)
        for var, value in [("MANDEL_TUNING", "v2k8"), ("MANDEL_TUNING", "f32:default"), ("MANDEL_TUNING", None),
                           ("MANDEL_TUNING", "DEFAULT"), ("MANDEL_TUNING", "f64:default,f32:Default"),
                           ("MANDEL_C_TUNING", None), ("MANDEL_C_TUNING", "Default")]:
            before = os.environ[var]
            if value is None:
                del os.environ[var]
            else:
                os.environ[var] = value
            try:
                m.render_new("simd-f64", 4, 4)
                print("accepted", var, repr(value))
            except ValueError as e:
                print(e)
            os.environ[var] = before
    """)
    # The scalar path builds one tuning (v2k8) for the SIMD kernels and none for the C reference, on
    # every machine; `default` is accepted by both everywhere.
    env = {**os.environ, "MANDEL_ISA": "scalar", "MANDEL_TUNING": "default", "MANDEL_C_TUNING": "default"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    tail = ("differs from the value in force in this process ({}): the kernels chose from it at their first use, "
            "once per process, and would not all follow a change; set it before the first call, or start a new "
            "process")
    assert out.stdout.splitlines() == [
        "(4, 4)",
        f'MANDEL_TUNING="v2k8" {tail.format("MANDEL_TUNING=default")}',
        f'MANDEL_TUNING="f32:default" {tail.format("MANDEL_TUNING=default")}',
        f'MANDEL_TUNING="" {tail.format("MANDEL_TUNING=default")}',
        "accepted MANDEL_TUNING 'DEFAULT'",
        "accepted MANDEL_TUNING 'f64:default,f32:Default'",
        f'MANDEL_C_TUNING="" {tail.format("MANDEL_C_TUNING=default")}',
        "accepted MANDEL_C_TUNING 'Default'",
    ], out.stdout


@pytest.mark.parametrize("name", [k for k in KERNELS if k.endswith("f32")])
def test_f32_kernels_refuse_views_f32_cannot_represent(name):
    out = np.full((64, 64), 7, np.uint32)
    for view, words in [(DEEP, ["pixel spacing dx", "f32"]), (HUGE, ["x_min", "finite range of f32"])]:
        for call in [lambda: m.render(name, out, **view), lambda: m.render_new(name, 64, 64, **view),
                     lambda: m.verify(name, 64, 64, **view)]:
            with pytest.raises(ValueError) as info:
                call()
            assert name in str(info.value) and all(w in str(info.value) for w in words), str(info.value)
        assert (out == 7).all(), "a refused render wrote into the array"


def test_f64_kernels_render_those_views():
    assert m.verify("naive-f64", 64, 64, **DEEP)["ok"]
    counts = m.render_new("fma-f64", 16, 16, **HUGE)
    assert np.array_equal(counts, m.reference(16, 16, **HUGE))


@pytest.mark.parametrize("pixels", [-1, -(2**70), 2**70])
def test_allowed_with_a_bad_pixel_count_raises_value_error(pixels):
    with pytest.raises(ValueError, match="pixels"):
        m.allowed("naive-f32", pixels)


def test_the_canonical_problem_is_defined_once():
    """Python's one copy of the canonical problem (ladderlib.CANONICAL, which problem.py, sweep.py and
    the ladder scripts read) is Rust's `Params::canonical()`, and the extension's defaults are it."""
    from ladderlib import CANONICAL
    from python_baselines.problem import Problem

    assert m.canonical() == CANONICAL
    assert Problem().as_dict() == CANONICAL
    assert m.reference(8, 8).tolist() == m.reference(8, 8, **{k: v for k, v in CANONICAL.items()
                                                                if k not in ("width", "height")}).tolist()


def test_tolerances_follow_the_one_rule():
    """The Python rungs' tolerances come from Rust's rule (precision, fused or not), the one every
    registered kernel follows."""
    assert m.tolerance("f64") == {"max_fraction": 0.0, "slack_pixels": 0}
    assert m.tolerance("f64", fused=True) == {"max_fraction": 0.001, "slack_pixels": 2}
    assert m.tolerance("f32") == m.tolerance("f32", True) == {"max_fraction": 0.01, "slack_pixels": 2}
    with pytest.raises(ValueError, match="precision"):
        m.tolerance("f16")
    by_name = {k["name"]: k for k in m.kernels()}
    for name, rule in [("naive-f64", m.tolerance("f64")), ("fma-f64", m.tolerance("f64", fused=True))]:
        assert (by_name[name]["tolerance_max_fraction"], by_name[name]["tolerance_slack_pixels"]) == (
            rule["max_fraction"], rule["slack_pixels"])
    # `allowed` applies the rule (slack + floor(fraction * pixels)) to a kernel or to a tolerance.
    assert m.allowed(m.tolerance("f32"), 1000) == 2 + 10 == m.allowed("naive-f32", 1000)
    assert m.allowed(m.tolerance("f64", True), 2999) == 2 + 2
    assert m.allowed(m.tolerance("f64"), 10**6) == 0
    with pytest.raises(ValueError, match="max_fraction"):
        m.allowed({"max_fraction": 1.5, "slack_pixels": 0}, 10)


def test_pool_kernels_report_the_pool_rayon_starts(tmp_path):
    """In a fresh process, RAYON_NUM_THREADS sizes the pool the pool kernels run on and report."""
    import os
    import subprocess
    import sys

    code = "import mandel_ladder as m; print(sorted({k['threads'] for k in m.kernels() if k['pool']}))"
    env = {**os.environ, "RAYON_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[3]"


# --- issue 20, 7: Ctrl-C stops a render; chunked renders change no count ---

@pytest.mark.parametrize("call", [
    'm.render_new("naive-f64", 1000, 1000, -0.3, 0.1, -0.2, 0.2, 8000)',  # the call: 23 s to stop
    'm.render("rayon-fma-f64", np.empty((1000, 1000), np.uint32), -0.3, 0.1, -0.2, 0.2, 1000000)',
    'm.verify("simd-algorithmic-f32", 1000, 1000, -0.3, 0.1, -0.2, 0.2, 1000000)',
    'm.reference(1000, 1000, -0.3, 0.1, -0.2, 0.2, 1000000)',
])
def test_ctrl_c_stops_a_long_render_within_a_second(call):
    """SIGINT one second into a render of minutes raises KeyboardInterrupt within about a second (the
    render looks at pending signals between chunks of about 0.1 s)."""
    interrupted_a_second_in(call)


def test_ctrl_c_stops_a_render_on_a_pool_larger_than_the_cpus():
    """The pieces were sized by the pool's threads, not the CPUs that run them: with RAYON_NUM_THREADS=64 on 2 CPUs a
    render of 7 s ignored Ctrl-C to its end (a review). Minutes of work here, on any number of CPUs."""
    interrupted_a_second_in('m.render_new("rayon-naive-f64", 4096, 4096, max_iters=20000)',
                            {**os.environ, "RAYON_NUM_THREADS": "64"})


def interrupted_a_second_in(call, env=None):
    import signal
    import subprocess
    import sys

    # Python installs its KeyboardInterrupt handler only where SIGINT is not ignored, and a shell
    # starts background jobs (CI runners, nohup) with SIGINT ignored: the child restores it.
    code = ("import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
            f"import mandel_ladder as m, numpy as np\nprint('started', flush=True)\n{call}\nprint('finished')")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout.readline() == "started\n"
        time.sleep(1.0)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        waited = time.monotonic() - sent
    finally:
        proc.kill()
    assert "KeyboardInterrupt" in err and "finished" not in out, err
    assert waited < 3.0, f"KeyboardInterrupt {waited:.1f} s after SIGINT"


@pytest.mark.parametrize("name", ["naive-f64", "fma-f32", "algorithmic-f32", "rayon-algorithmic-f32",
                                  "simd-algorithmic-f32", "rayon-simd-f32"])
def test_a_chunked_render_equals_the_whole_one(name):
    """A render too large for one piece (480x480 at 5000 iterations: 1.15 G capped iterations) runs in
    chunks, the algorithmic kernels' mirrored rows copied over the whole image. A brute-force count
    capped lower is the same orbit stopped earlier, and the algorithmic kernels equal brute force, so
    capping the chunked render's counts at 200 must give the unchunked render at 200 exactly."""
    high = m.render_new(name, 480, 480, max_iters=5000)
    low = m.render_new(name, 480, 480, max_iters=200)
    assert high.max() == 5000
    np.testing.assert_array_equal(np.minimum(high, 200), low)


# --- review 31: unaligned arrays, memory that cannot be had, tolerance dicts ---

def test_compare_refuses_unaligned_arrays_naming_them():
    """A field of a packed structured array is a uint32 array numpy reads but whose elements are unaligned:
    compare read it through misaligned references (5 of 6 pixels "differed" from its own copy). It is
    refused as render refuses one; an aligned copy compares equal."""
    packed = np.zeros(6, dtype=[("a", "u1"), ("b", "<u4")])
    packed["b"] = [10, 20, 30, 40, 50, 60]
    unaligned = packed["b"]
    assert not unaligned.flags.aligned
    for call, name in [(lambda: m.compare(unaligned.copy(), unaligned), "candidate"),
                       (lambda: m.compare(unaligned, unaligned.copy()), "reference")]:
        with pytest.raises(ValueError, match=f"^{name} must be aligned for uint32"):
            call()
    assert m.compare(unaligned.copy(), unaligned.copy())["differing"] == 0
    # Contiguous but misaligned by a byte, like render's case: refused too.
    shifted = np.zeros(25, np.uint8)[1:].view(np.uint32)
    with pytest.raises(ValueError, match="^candidate must be aligned"):
        m.compare(np.zeros(6, np.uint32), shifted)
    # An aligned strided array is still read in row-major order.
    wide = np.arange(12, dtype=np.uint32).reshape(3, 4)
    assert m.compare(wide[:, ::2].copy(), wide[:, ::2])["differing"] == 0
    assert m.compare(wide.T.copy(), wide.T)["differing"] == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux's /proc and RLIMIT_AS")
def test_memory_that_cannot_be_had_is_a_memory_error_not_a_crash():
    """An image within MAX_PIXELS but beyond the memory the process may have: verify's buffers aborted the
    interpreter, render_new's and reference's array raised a PanicException. Each is a MemoryError now."""
    import subprocess
    import sys

    code = """if True:
        import os, resource
        import mandel_ladder as m
        m.kernels()
        # this process's address space now, plus 256 MiB: a 16384 x 16384 image (1 GiB) cannot be had
        size = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + (256 << 20), resource.RLIM_INFINITY))
        for name, call in [("render_new", lambda: m.render_new("naive-f64", 16384, 16384)),
                           ("reference", lambda: m.reference(16384, 16384)),
                           ("verify", lambda: m.verify("naive-f64", 16384, 16384))]:
            try:
                call()
                print(name, "no error")
            except MemoryError as e:  # numpy's own is a subclass
                print(name, "MemoryError", e)
        print(m.render_new("naive-f64", 4, 4).shape)
    """
    env = {**os.environ, "RAYON_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["render_new", "MemoryError"], ["reference", "MemoryError"],
                                                         ["verify", "MemoryError"]], proc.stdout + proc.stderr
    # verify's buffers are the workspace's one fallible allocation (mandel_core::buffer::zeroed), the CLI's too
    assert lines[2] == "verify MemoryError cannot allocate 1024 MiB for 268435456 counts: out of memory", lines
    assert lines[3] == "(4, 4)", proc.stdout  # the process goes on


@pytest.mark.parametrize("tolerance, words", [
    ({"max_fraction": 0.1, "slack_pixels": -1}, ["slack_pixels", "0 or more", "-1"]),
    ({"max_fraction": 0.1, "slack_pixels": True}, ["slack_pixels", "True"]),
    ({"max_fraction": 0.1, "slack_pixels": 1.0}, ["slack_pixels", "1.0"]),
    ({"max_fraction": 0.1, "slack_pixels": 2**70}, ["slack_pixels", str(2**70)]),
    ({"max_fraction": 0.1}, ["lacks", "slack_pixels"]),
    ({"slack_pixels": 0}, ["lacks", "max_fraction"]),
    ({"max_fraction": False, "slack_pixels": 0}, ["max_fraction", "False"]),
    ({"max_fraction": "0.1", "slack_pixels": 0}, ["max_fraction", "from 0 to 1"]),
    ({"max_fraction": float("nan"), "slack_pixels": 0}, ["max_fraction", "nan"]),
])
def test_allowed_refuses_a_bad_tolerance_dict_naming_the_key(tolerance, words):
    """A negative slack was a TypeError from pyo3's extraction, a missing key a bare KeyError, True one pixel."""
    with pytest.raises(ValueError) as info:
        m.allowed(tolerance, 10)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_allowed_takes_a_name_or_a_tolerance_dict():
    assert m.allowed({"max_fraction": 0.1, "slack_pixels": np.int64(2)}, 100) == 12
    assert m.allowed({"max_fraction": 1, "slack_pixels": 0, "note": "extra keys are ignored"}, 10) == 10
    with pytest.raises(TypeError, match="kernel name .* or a tolerance dict"):
        m.allowed(3, 10)
