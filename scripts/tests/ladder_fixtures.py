"""Fixture data for the ladder tests, written by the tests themselves: Criterion-style result trees,
a baselines JSON, `mandel describe --json` and the bench records."""

import json
import math
from pathlib import Path

from ladderlib import CANONICAL

MACHINE = {"cpu_model": "Intel(R) Xeon(R) Platinum 8488C", "cpu_family_model": "6/143", "cores": 2,
           "isa_flags": ["avx2", "fma", "avx512f"], "os": "Linux", "rustc": "rustc 1.95.0", "python": "3.11.7",
           "numpy": None, "numba": None, "date": "2026-11-25T04:10:00Z", "git_commit": "abc123", "hostname": "t"}
SETTINGS = {"quick": False, "criterion": {"sample_size": 10, "warm_up_s": 1.0, "measurement_s": 3.0,
                                          "source": "crates/registry/src/bench.rs", "samples": "10"}}
ITERS = 40_139_097


def write_json(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def criterion_bench(root, kernel, isa, median_s, ci=(0.99, 1.01), iterations=ITERS, times=None):
    """One `ladder/<kernel>/<isa>/new/` folder as Criterion 0.8 writes it (times in ns)."""
    new = Path(root) / "ladder" / kernel / isa / "new"
    ns = median_s * 1e9
    est = {"mean": {"point_estimate": ns * 1.001, "confidence_interval": {"confidence_level": 0.95,
                                                                          "lower_bound": ns, "upper_bound": ns}},
           "median": {"point_estimate": ns, "confidence_interval": {"confidence_level": 0.95,
                                                                    "lower_bound": ns * ci[0], "upper_bound": ns * ci[1]}},
           "median_abs_dev": {"point_estimate": 1.0}, "slope": None, "std_dev": {"point_estimate": 1.0}}
    write_json(new / "estimates.json", est)
    write_json(new / "benchmark.json", {"group_id": "ladder", "function_id": kernel, "value_str": isa,
                                        "throughput": {"Elements": iterations}, "full_id": f"ladder/{kernel}/{isa}",
                                        "directory_name": f"ladder/{kernel}/{isa}", "title": f"ladder/{kernel}/{isa}"})
    times = times or [ns * 2] * 10
    write_json(new / "sample.json", {"sampling_mode": "Flat", "iters": [2.0] * len(times), "times": times})
    return new


def kernel_info(name, precision, isa="scalar", threads=1, pool=False, rung=None, one_lane=True, **flags):
    """A kernel as `mandel describe/list --json` and the bench records report it."""
    return {"name": name, "rung": rung or name.rsplit("-", 1)[0], "precision": precision, "threads": threads,
            "pool": pool, "isa": isa, "description": "", "tolerance_max_fraction": 0.0, "tolerance_slack_pixels": 0,
            "reference": False, "algorithmic": False, "one_lane": one_lane, "available": True, "unavailable": None,
            **flags}


REGISTRY = [kernel_info("naive-f64", "f64"), kernel_info("fma-f64", "f64", isa="fma"),
            kernel_info("rayon-fma-f64", "f64", isa="fma", threads=2, pool=True)]


def allowed(max_fraction, slack_pixels, pixels):
    """The pixels a tolerance rule allows of `pixels` (mandel_core's Tolerance::allowed, which the checker applies)."""
    return slack_pixels + math.floor(max_fraction * pixels)


def verification(differing=0, allowed=0, ok=True, pixels=921600, lane_iterations=ITERS):
    return {"pixels": pixels, "differing": differing, "allowed": allowed, "max_abs_diff": 3 if differing else 0,
            "iterations": ITERS, "reference_iterations": ITERS, "lane_iterations": lane_iterations, "ok": ok}


def verify_row(name, **kw):
    """A verification row keyed as the merge takes them (what readers.read_records makes of a record)."""
    return {"kernel": name, "isa": "scalar", "precision": "f64", **verification(**kw)}


ROUNDS = {"rounds": 5, "kernel_s": 0.25, "min_renders": 3}


def describe(kernels=None, pool_threads=2):
    """`mandel describe --json`."""
    bench = {"sample_size": 10, "warm_up_s": 1.0, "measurement_s": 3.0}
    return {"schema": "mandel-describe/1", "canonical": dict(CANONICAL), "pool_threads": pool_threads,
            "bench": {"full": bench, "quick": {**bench, "warm_up_s": 0.3, "measurement_s": 1.0}},
            "rounds": {"full": dict(ROUNDS), "quick": {**ROUNDS, "kernel_s": 0.05, "min_renders": 2}},
            "kernels": REGISTRY if kernels is None else kernels,
            "sweep": {"sizes": [240, 480], "size_iters": 200, "iters": [50, 100], "iters_size": 960,
                      "large": {"kernel": "rayon-fma-f64", "problem": dict(LARGE)}}}


LARGE = {"width": 16000, "height": 16000, "x_min": -1.5, "x_max": 0.5, "y_min": -1.0, "y_max": 1.0, "max_iters": 51}


def render_report(kernel="rayon-fma-f64", times=(2.0, 2.2, 2.1)):
    """`mandel render --json` of the large image."""
    return {"kernel": kernel, "isa": "fma", "threads": 2, "width": 16000, "height": 16000, "max_iters": 51,
            "iterations": 6349719915, "times_s": list(times), "paging_s": 0.06, "user_s": 4.0, "sys_s": 0.001,
            "process_user_s": 12.5, "process_sys_s": 0.5}


def bench_round(r, medians, kernels=None, verifications=None, others=0.0, jitter=0.01):
    """What `mandel bench --round r --json` prints: every kernel verified, those in `medians` ({name:
    seconds}) timed three times, the fastest at that time (round r's renders `jitter` apart, shifted by r
    so the rounds differ; the median of the rounds' fastest renders is the time given)."""
    kernels = REGISTRY if kernels is None else kernels
    out = []
    for k in kernels:
        m = medians.get(k["name"])
        times = [] if m is None else [m * (1 + jitter * (r % 3 - 1)) * f for f in (1.0, 1.01, 1.02)]
        out.append({**k, "verification": (verifications or {}).get(k["name"], verification()), "times_s": times,
                    "activity": {"steal": 0.0, "others": others}})
    return {"schema": "mandel-round/1", "round": r, "settings": dict(ROUNDS), "params": dict(CANONICAL),
            "pool_threads": 2, "tunings": [["simd-f32", "v4k8 (forced)"]], "kernels": out}


def records(kernels=None, timed=None, verifications=None):
    """The bench's records: every kernel verified (`verifications` {name: verification} overrides),
    those in `timed` (all by default) with the Criterion id criterion_bench writes."""
    kernels = REGISTRY if kernels is None else kernels
    timed = [k["name"] for k in kernels] if timed is None else timed
    return {"schema": "mandel-bench-records/1", "quick": False, "criterion": SETTINGS["criterion"],
            "params": dict(CANONICAL),
            "records": [{**k, "verification": (verifications or {}).get(k["name"], verification()),
                         "criterion_id": f"ladder/{k['name']}/{k['isa']}" if k["name"] in timed else None}
                        for k in kernels]}


def bench_ids(root):
    """The Criterion ids of every `ladder/<kernel>/<isa>` result under `root`, keyed by kernel."""
    return {p.parent.parent.parent.name: p.parent.parent.relative_to(root).as_posix()
            for p in sorted(Path(root).glob("ladder/*/*/new/estimates.json"))}


def read_criterion(root):
    """Every result of a fixture tree, read as the ladder reads the ones its records name."""
    from ladderlib import readers

    return readers.read_criterion(root, bench_ids(root))


# run.py's table of the Python rungs, as a baselines file carries it (`python_rungs`), in ladder order.
PYTHON_RUNGS = [{"name": n, "label": label, "language": language, "precision": precision,
                 "computes": "bitmap" if n == "numpy-masked-bitmap" else "counts"}
                for n, label, language, precision in [
                    ("python-pure", "pure Python", "Python", "f64"),
                    ("numpy-vectorize", "NumPy np.vectorize", "Python", "f64"),
                    ("numpy-masked-counts", "NumPy masked, escape counts", "Python", "f64"),
                    ("numpy-masked-bitmap", "NumPy masked bitmap (article; not counts)", "Python", "f64"),
                    ("numba", "Numba @njit", "Python", "f64"), ("numba-fastmath", "Numba @njit fastmath", "Python", "f64"),
                    ("numba-parallel", "Numba parallel prange", "Python", "f64"),
                    ("cython", "Cython typed memoryviews", "Cython", "f64"), ("pythran", "Pythran", "Pythran", "f64"),
                    ("mojo-simd-f32", "Mojo SIMD", "Mojo", "f32")]]
PYTHON_NAMES = [r["name"] for r in PYTHON_RUNGS]


def rung(name, median_s, computes="counts", ok=True, threads=1, language="Python", label=None):
    return {"name": name, "rung": label or {r["name"]: r["label"] for r in PYTHON_RUNGS}.get(name, "Rust kernel via PyO3"), "language": language, "precision": "f64", "threads": threads,
            # the fastest call twice: the row's time (the median of its rounds' fastest calls) is median_s too
            "computes": computes, "times_s": [median_s, median_s, median_s * 1.02], "median_s": median_s,
            "min_s": median_s, "max_s": median_s * 1.02, "repeats": 3,
            "compile_s": 0.8 if name.startswith("numba") else None, "iterations": ITERS,
            "verification": {"pixels": 921600, "differing": 0 if ok else 5000, "max_abs_diff": 0,
                             "allowed": 0, "ok": ok}}


def baselines(rungs=None, params=None):
    rungs = rungs if rungs is not None else [
        rung("python-pure", 5.0), rung("numpy-vectorize", 4.0), rung("numpy-masked-bitmap", 1.0, computes="bitmap"),
        rung("numba", 0.5), {**rung("pyo3-naive-f64", 0.2, language="Rust via PyO3"), "isa": "scalar"},  # run.py's
    ]
    params = params or dict(CANONICAL)
    for r in rungs:  # the verification counts the problem's pixels
        if r.get("verification") and r["verification"].get("pixels") == 921600:
            r["verification"]["pixels"] = params["width"] * params["height"]
    return {"schema": "mandel-baselines/1", "created": "2026-11-25T04:10:00Z", "machine": MACHINE,
            "params": params, "settings": {"quick": False, "budget_s": 3.0}, "rungs": rungs,
            "python_rungs": PYTHON_RUNGS}


def criterion_tree(root):
    """naive-f64 at 0.1 s, fma-f64 at 0.05 s, rayon-fma-f64 at 0.025 s."""
    criterion_bench(root, "naive-f64", "scalar", 0.1)
    criterion_bench(root, "fma-f64", "fma", 0.05)
    criterion_bench(root, "rayon-fma-f64", "fma", 0.025)
    return root


def respeed(summary):
    """A summary's speedups made to follow from its rows' medians again after a test edited them (status, time), as
    readers.check_summary requires: only ok rows keep one, each from pure Python's and the named previous row's
    medians; a previous row left without a time is no previous."""
    rows = {r["name"]: r for r in summary["rows"]}
    base = rows.get("python-pure")
    for r in summary["rows"]:
        if r["status"] != "ok":
            r.update(speedup_vs_python=None, speedup_vs_previous=None, previous=None)
            continue
        if r.get("speedup_vs_python") is not None:
            ok = base is not None and base["status"] == "ok"
            r["speedup_vs_python"] = base["median_s"] / r["median_s"] if ok else None
        prev = rows.get(r.get("previous"))
        if r.get("speedup_vs_previous") is not None:
            if prev is None or prev["median_s"] is None:
                r.update(speedup_vs_previous=None, previous=None)
            else:
                r["speedup_vs_previous"] = prev["median_s"] / r["median_s"]
    return summary
