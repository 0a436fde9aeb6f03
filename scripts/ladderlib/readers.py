"""Readers for every input the summary merges. Each one checks what it needs and raises `InputError`
naming the file and what is wrong with it, never a bare KeyError.

Times are measurements: every one read (Criterion's estimates and samples, the baselines' times) must
be a finite number of seconds above 0. A zero, negative, NaN or infinite time is a corrupt input, an
error naming the file, never a row of the summary. The `check_*` functions hold the rules; the merge
calls them again on whatever it is given, so no caller can slip a bad time past them.
"""

import json
import math
import unicodedata
from pathlib import Path

from . import BASELINES_SCHEMA, CANONICAL, DESCRIBE_SCHEMA, RECORDS_SCHEMA


class InputError(Exception):
    """A result file that cannot be used: unreadable, not JSON, or missing what the merge needs."""


def load_json(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON: {e}") from None


def require(obj, keys, path, where):
    """Check `obj` is a JSON object holding `keys`; `where` says which part of the file it is."""
    if not isinstance(obj, dict):
        raise InputError(f"{path}: {where} should be a JSON object, found {type(obj).__name__}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise InputError(f"{path}: {where} lacks key(s) {', '.join(missing)}")
    return obj


def _number(value, path, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{path}: {where} should be a finite number, found {value!r}")
    return float(value)


def positive_seconds(value, path, where, what="time"):
    """A time as the merge accepts it: a finite number above 0 (seconds, or Criterion's ns)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"{path}: {where} should be a positive, finite {what}, found {value!r}")
    return float(value)


def _optional_seconds(value, path, where):
    return None if value is None else positive_seconds(value, path, where)


def _count(value, path, where, optional=True):
    """A non-negative integer (iterations, pixels); None allowed when `optional`."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{path}: {where} should be a whole number, 0 or more, found {value!r}")
    return value


def _name(value, path, where):
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{path}: {where} should be a non-empty string, found {value!r}")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InputError(f"{path}: {where} holds control characters: {value!r}")
    return value


def _text(value, path, where, optional=True):
    """A string (free text: a label, a description), or None when `optional`; no control characters
    but tab and newline (they cannot go into the SVG charts)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InputError(f"{path}: {where} should be a string, found {value!r}")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in value):
        raise InputError(f"{path}: {where} holds control characters: {value!r}")
    return value


def _bool(value, path, where, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise InputError(f"{path}: {where} should be true or false, found {value!r}")
    return value


def _object(value, path, where, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, dict):
        raise InputError(f"{path}: {where} should be a JSON object, found {value!r}")
    return value


def _ordered(low, high, path, where_low, where_high):
    """Two bounds of one interval (a CI, a min and max): low <= high when both are there."""
    if low is not None and high is not None and low > high:
        raise InputError(f"{path}: {where_low} ({low!r}) is above {where_high} ({high!r})")


def allowed_differing(max_fraction, slack_pixels, pixels):
    """`Tolerance::allowed` of mandel_core: slack + floor(fraction * pixels)."""
    return slack_pixels + math.floor(max_fraction * pixels)


def check_verification(v, path, where, pixels=None, tolerance=None):
    """One verification ({pixels, differing, allowed, ok, ...}) as the merge trusts it: whole-number
    counts, `ok` exactly `differing <= allowed` (a file that says otherwise contradicts itself),
    `pixels` the problem's pixel count, and `allowed` the tolerance rule's when the rule is known
    (`tolerance`: (max_fraction, slack_pixels))."""
    require(v, ["pixels", "differing", "allowed", "ok"], path, where)
    for key in ("pixels", "differing", "allowed"):
        _count(v[key], path, f"{where}.{key}", optional=key == "differing")
    for key in ("iterations", "reference_iterations", "lane_iterations", "max_abs_diff"):
        _count(v.get(key), path, f"{where}.{key}")
    _bool(v["ok"], path, f"{where}.ok", optional=False)
    if v["differing"] is None:  # the output could not be compared (wrong shape): a failure, said so
        if v["ok"]:
            raise InputError(f"{path}: {where}.ok is true without a count of differing pixels")
        return v
    if v["ok"] != (v["differing"] <= v["allowed"]):
        raise InputError(f"{path}: {where}.ok is {str(v['ok']).lower()} but {v['differing']} pixels differ, "
                         f"{v['allowed']} allowed: the file contradicts itself")
    if pixels is not None and v["pixels"] != pixels:
        raise InputError(f"{path}: {where}.pixels is {v['pixels']}, the problem has {pixels} pixels")
    if tolerance is not None:
        rule = allowed_differing(*tolerance, v["pixels"])
        if v["allowed"] != rule:
            raise InputError(f"{path}: {where}.allowed is {v['allowed']}, the tolerance rule allows {rule} "
                             f"of {v['pixels']} pixels")
    if v["differing"] > v["pixels"]:
        raise InputError(f"{path}: {where}.differing ({v['differing']}) exceeds pixels ({v['pixels']})")
    return v


# --- Criterion -----------------------------------------------------------------------------------


def read_criterion_bench(new_dir):
    """One benchmark's `new/` folder as Criterion wrote it: the median and its confidence interval,
    the mean (all in ns there, in seconds here), the throughput (the kernel's iteration count), and
    the per-sample min and max from sample.json when it is there."""
    new_dir = Path(new_dir)
    est_path, bench_path, sample_path = (new_dir / f for f in ("estimates.json", "benchmark.json", "sample.json"))
    est = require(load_json(est_path), ["median", "mean"], est_path, "the estimates")
    median = require(est["median"], ["point_estimate", "confidence_interval"], est_path, "'median'")
    ci = require(median["confidence_interval"], ["lower_bound", "upper_bound"], est_path, "'median.confidence_interval'")
    mean = require(est["mean"], ["point_estimate"], est_path, "'mean'")
    bench = require(load_json(bench_path), ["full_id", "function_id", "value_str"], bench_path, "the benchmark")
    throughput = bench.get("throughput") or {}
    level = ci.get("confidence_level", 0.95)
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise InputError(f"{est_path}: 'median.confidence_interval.confidence_level' should be between 0 and 1, "
                         f"found {level!r}")
    result = {
        "full_id": _name(bench["full_id"], bench_path, "'full_id'"),
        "kernel": _name(bench["function_id"], bench_path, "'function_id'"),
        "isa": _name(bench["value_str"], bench_path, "'value_str'"),
        "median_s": positive_seconds(median["point_estimate"], est_path, "'median.point_estimate'") * 1e-9,
        "ci_low_s": positive_seconds(ci["lower_bound"], est_path, "'median.confidence_interval.lower_bound'") * 1e-9,
        "ci_high_s": positive_seconds(ci["upper_bound"], est_path, "'median.confidence_interval.upper_bound'") * 1e-9,
        "ci_level": level,
        "mean_s": positive_seconds(mean["point_estimate"], est_path, "'mean.point_estimate'") * 1e-9,
        "iterations": _count(throughput.get("Elements") if isinstance(throughput, dict) else None,
                             bench_path, "'throughput.Elements'"),
        "samples": None,
        "min_s": None,
        "max_s": None,
    }
    _ordered(result["ci_low_s"], result["ci_high_s"], est_path, "'median.confidence_interval.lower_bound'",
             "'median.confidence_interval.upper_bound'")
    if sample_path.exists():
        sample = require(load_json(sample_path), ["iters", "times"], sample_path, "the samples")
        if not isinstance(sample["iters"], list) or not isinstance(sample["times"], list) \
                or len(sample["iters"]) != len(sample["times"]):
            raise InputError(f"{sample_path}: 'iters' and 'times' should be lists of the same length")
        per_iter = [positive_seconds(t, sample_path, f"'times'[{k}]") / positive_seconds(i, sample_path, f"'iters'[{k}]")
                    * 1e-9 for k, (t, i) in enumerate(zip(sample["times"], sample["iters"]))]
        if per_iter:
            result.update(samples=len(per_iter), min_s=min(per_iter), max_s=max(per_iter))
    return check_criterion_result(result, est_path)


def check_criterion_result(r, where):
    """One Criterion result as the merge uses it (seconds): every time positive and finite."""
    if not isinstance(r, dict):
        raise InputError(f"{where}: should be a Criterion result (an object), found {type(r).__name__}")
    require(r, ["median_s", "ci_low_s", "ci_high_s", "mean_s", "isa"], where, "the Criterion result")
    positive_seconds(r["median_s"], where, "median_s")
    for key in ("ci_low_s", "ci_high_s", "mean_s", "min_s", "max_s"):
        _optional_seconds(r.get(key), where, key)
    _count(r.get("iterations"), where, "iterations")
    _count(r.get("samples"), where, "samples")
    _ordered(r["ci_low_s"], r["ci_high_s"], where, "ci_low_s", "ci_high_s")
    _ordered(r.get("min_s"), r.get("max_s"), where, "min_s", "max_s")
    _name(r["isa"], where, "isa")
    return r


def read_criterion(root, ids):
    """The Criterion results the bench records name, keyed by kernel: `ids` maps a kernel to its
    benchmark id (`ladder/<kernel>/<isa>`, also its folder under `root`, Criterion's output directory
    or a raw/criterion copy). Only what this run's bench says it timed is read: nothing is found by
    globbing, nothing is judged by its date. A named result that is missing is an InputError."""
    found = {}
    for kernel, bench_id in ids.items():
        new_dir = Path(root) / bench_id / "new"
        if not (new_dir / "estimates.json").exists():
            raise InputError(f"{new_dir}: the bench records say {kernel} was timed as {bench_id}, "
                             "but Criterion's results are not there")
        r = read_criterion_bench(new_dir)
        if r["kernel"] != kernel:
            raise InputError(f"{new_dir}: holds {r['kernel']!r}, the records say {kernel!r}")
        r["dir"] = str(new_dir)
        found[kernel] = r
    return found


# --- the Python baselines ------------------------------------------------------------------------

RUNG_KEYS = ["name", "median_s"]


def read_baselines(path):
    """`python_baselines/run.py`'s JSON: schema mandel-baselines/1 with a list of rungs."""
    return check_baselines(load_json(path), path)


PARAM_KEYS = ["width", "height", "x_min", "x_max", "y_min", "y_max", "max_iters"]


def check_baselines(data, path="the Python baselines"):
    """The baselines as the merge uses them: each rung named once, every time positive and finite
    (or null for a rung without a valid time), verification counts whole numbers."""
    require(data, ["schema", "rungs"], path, "the baselines file")
    if data["schema"] != BASELINES_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {BASELINES_SCHEMA!r}")
    if not isinstance(data["rungs"], list):
        raise InputError(f"{path}: 'rungs' should be a list")
    for key in ("machine", "settings"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise InputError(f"{path}: '{key}' should be an object, found {data[key]!r}")
    params = CANONICAL
    if data.get("params") is not None:
        params = check_params(data["params"], path, "'params'")
    table = data.get("python_rungs")
    if table is not None:
        _rows(table, path, ["name", "label", "language", "precision", "computes"], "'python_rungs'", "name")
        for r in table:
            for key in ("label", "language", "precision"):
                _name(r[key], path, f"'python_rungs' {r['name']!r} {key}")
            if r["computes"] not in ("counts", "bitmap"):
                raise InputError(f"{path}: 'python_rungs' {r['name']!r} computes should be 'counts' or 'bitmap'")
    seen = set()
    for i, rung in enumerate(data["rungs"]):
        require(rung, RUNG_KEYS, path, f"rung #{i}")
        name = _name(rung["name"], path, f"rung #{i} 'name'")
        if name in seen:
            raise InputError(f"{path}: rung {name!r} appears twice")
        seen.add(name)
        where = f"rung {name!r}"
        for key in ("median_s", "min_s", "max_s"):
            _optional_seconds(rung.get(key), path, f"{where} {key}")
        _ordered(rung.get("min_s"), rung.get("median_s"), path, f"{where} min_s", f"{where} median_s")
        _ordered(rung.get("median_s"), rung.get("max_s"), path, f"{where} median_s", f"{where} max_s")
        _ordered(rung.get("min_s"), rung.get("max_s"), path, f"{where} min_s", f"{where} max_s")
        for key in ("rung", "language", "precision", "isa", "kernel", "description", "error"):
            _text(rung.get(key), path, f"{where} {key}")
        if rung.get("threads") is not None and not (_count(rung["threads"], path, f"{where} threads") >= 1):
            raise InputError(f"{path}: {where} threads should be 1 or more, found {rung['threads']!r}")
        if rung.get("compile_s") is not None and _number(rung["compile_s"], path, f"{where} compile_s") < 0:
            raise InputError(f"{path}: {where} compile_s should not be negative, found {rung['compile_s']!r}")
        times = rung.get("times_s")
        if times is not None:
            if not isinstance(times, list):
                raise InputError(f"{path}: {where} times_s should be a list, found {times!r}")
            for k, t in enumerate(times):
                positive_seconds(t, path, f"{where} times_s[{k}]")
        _count(rung.get("iterations"), path, f"{where} iterations")
        _count(rung.get("repeats"), path, f"{where} repeats")
        if rung.get("computes") not in (None, "counts", "bitmap"):
            raise InputError(f"{path}: {where} computes should be 'counts' or 'bitmap', found {rung['computes']!r}")
        v = rung.get("verification")
        if v is not None:
            check_verification(v, path, f"{where} verification", pixels=params["width"] * params["height"])
        elif rung.get("median_s") is not None:
            raise InputError(f"{path}: {where} has a time (median_s) but its verification is null: only a "
                             "verified rung's time is merged")
    return data


def check_params(params, path, where):
    """A problem ({width, height, x_min, x_max, y_min, y_max, max_iters}): whole-number sizes and cap,
    finite bounds."""
    require(params, PARAM_KEYS, path, where)
    for key in PARAM_KEYS:
        if key in ("width", "height", "max_iters"):
            if _count(params[key], path, f"{where[:-1]}.{key}'", optional=False) < 1:
                raise InputError(f"{path}: {where[:-1]}.{key}' should be 1 or more, found {params[key]!r}")
        else:
            _number(params[key], path, f"{where[:-1]}.{key}'")
    return params


# --- the mandel CLI's JSON -----------------------------------------------------------------------


def _rows(data, path, keys, what, name_key):
    if not isinstance(data, list):
        raise InputError(f"{path}: {what} should be a JSON list, found {type(data).__name__}")
    seen = set()
    for i, row in enumerate(data):
        require(row, keys, path, f"entry #{i}")
        name = _name(row[name_key], path, f"entry #{i} '{name_key}'")
        if name in seen:
            raise InputError(f"{path}: {name!r} appears twice")
        seen.add(name)
    return data


def read_describe(path):
    """`mandel describe --json`: the canonical problem, the bench settings, the thread pool and the
    registry in ladder order."""
    data = require(load_json(path), ["schema", "canonical", "pool_threads", "bench", "kernels"], path,
                   "`mandel describe --json`")
    if data["schema"] != DESCRIBE_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {DESCRIBE_SCHEMA!r}")
    check_params(data["canonical"], path, "'canonical'")
    _object(data["bench"], path, "'bench'", optional=False)
    for mode in ("full", "quick"):
        bench = require(data["bench"].get(mode), ["sample_size", "warm_up_s", "measurement_s"], path, f"'bench.{mode}'")
        _count(bench["sample_size"], path, f"'bench.{mode}.sample_size'", optional=False)
        for key in ("warm_up_s", "measurement_s"):
            positive_seconds(bench[key], path, f"'bench.{mode}.{key}'")
    if _count(data["pool_threads"], path, "'pool_threads'", optional=False) < 1:
        raise InputError(f"{path}: 'pool_threads' should be 1 or more, found {data['pool_threads']!r}")
    check_list(data["kernels"], path)
    return data


KERNEL_KEYS = ["name", "rung", "precision", "threads", "pool", "isa"]


def check_list(data, path="the registry"):
    """The registry's kernels (`mandel describe/list --json`): named once each, whole-number threads
    (the pool's size for a pool kernel), a true/false `pool`."""
    _rows(data, path, KERNEL_KEYS, "the registry", "name")
    for k in data:
        where = f"kernel {k['name']!r}"
        if _count(k["threads"], path, f"{where} threads", optional=False) < 1:
            raise InputError(f"{path}: {where} threads should be 1 or more")
        _bool(k["pool"], path, f"{where} pool", optional=False)
        if k["precision"] not in ("f32", "f64"):
            raise InputError(f"{path}: {where} precision should be \"f32\" or \"f64\", found {k['precision']!r}")
        _name(k["isa"], path, f"{where} isa")
        for key in ("rung", "description", "unavailable"):
            _text(k.get(key), path, f"{where} {key}")
        for key in ("reference", "algorithmic", "one_lane", "available", "fused"):
            _bool(k.get(key), path, f"{where} {key}")
        if k.get("tolerance_max_fraction") is not None:
            fraction = _number(k["tolerance_max_fraction"], path, f"{where} tolerance_max_fraction")
            if not 0 <= fraction <= 1:
                raise InputError(f"{path}: {where} tolerance_max_fraction should be from 0 to 1, found {fraction!r}")
        _count(k.get("tolerance_slack_pixels"), path, f"{where} tolerance_slack_pixels")
    return data


def tolerance_of(kernel):
    """(max_fraction, slack_pixels) of a registry kernel, None when the file does not record it."""
    fraction, slack = kernel.get("tolerance_max_fraction"), kernel.get("tolerance_slack_pixels")
    return None if fraction is None or slack is None else (fraction, slack)


def read_records(path):
    """The bench's records (`benches/ladder.rs`, schema mandel-bench-records/1): one per registered
    kernel, its verification (null when unavailable) and the Criterion benchmark that timed it (null
    when not timed). Returns (records, verify rows keyed by kernel, Criterion ids keyed by kernel)."""
    data = require(load_json(path), ["schema", "criterion", "params", "records"], path, "the bench records")
    if data["schema"] != RECORDS_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {RECORDS_SCHEMA!r}")
    if not isinstance(data["records"], list):
        raise InputError(f"{path}: 'records' should be a list")
    # The bench times the canonical problem only: records of another are not this ladder's.
    params = check_params(data["params"], path, "'params'")
    if {k: params[k] for k in PARAM_KEYS} != CANONICAL:
        raise InputError(f"{path}: 'params' is {params}, not the canonical problem {CANONICAL} the ladder "
                         "merges")
    check_list(data["records"], path)
    pixels = CANONICAL["width"] * CANONICAL["height"]
    verify, ids = {}, {}
    for r in data["records"]:
        v, bench_id = r.get("verification"), r.get("criterion_id")
        if v is None:
            if not r.get("unavailable"):
                raise InputError(f"{path}: {r['name']!r} has no verification and is not unavailable")
            if bench_id is not None:
                raise InputError(f"{path}: {r['name']!r} criterion_id names a timing but its verification is "
                                 "null: only a verified kernel's time is merged")
            verify[r["name"]] = {"kernel": r["name"], "isa": r["isa"], "precision": r["precision"],
                                 "skipped": _text(r["unavailable"], path, f"{r['name']!r} unavailable"),
                                 "pixels": None, "differing": None, "allowed": None, "ok": None}
        else:
            check_verification(v, path, f"{r['name']!r} verification", pixels=pixels, tolerance=tolerance_of(r))
            verify[r["name"]] = {"kernel": r["name"], "isa": r["isa"], "precision": r["precision"],
                                 "threads": r["threads"], **v}
        if bench_id is not None:
            ids[r["name"]] = _name(bench_id, path, f"{r['name']!r} criterion_id")
    return data, check_verify(verify, path), ids


def check_verify(rows, path="`mandel verify --json`"):
    """Verification rows keyed by kernel: whole-number counts, a true/false verdict; or, for a kernel
    the build cannot run (the C reference without a C compiler), `skipped` with the reason and nulls."""
    if not isinstance(rows, dict):
        raise InputError(f"{path}: should be rows keyed by kernel, found {type(rows).__name__}")
    for name, row in rows.items():
        require(row, ["pixels", "differing", "allowed", "ok"], path, f"kernel {name!r}")
        if isinstance(row.get("skipped"), str) and row["ok"] is None:
            continue
        for key in ("pixels", "differing", "allowed"):
            _count(row[key], path, f"kernel {name!r} {key}", optional=False)
        check_verification(row, path, f"kernel {name!r}")
    return rows


PEAK_KEYS = ["isa", "f32_lane_fmas_per_s", "f64_lane_fmas_per_s"]
# The step ceiling (lane-iterations per second of the kernel's own step, every lane busy); absent from
# builds before it was measured.
STEP_KEYS = ["f32_step_lane_iterations_per_s", "f64_step_lane_iterations_per_s"]


TUNE_KEYS = ["isa", "precision", "source", "chosen", "fastest", "times"]


def read_tune(path):
    """`mandel tune --json`: per precision, every SIMD tuning's best time on the canonical image."""
    data = load_json(path)
    if not isinstance(data, list):
        raise InputError(f"{path}: should be a list of rows, one per precision")
    for i, row in enumerate(data):
        require(row, TUNE_KEYS, path, f"row #{i}")
        for key in ("isa", "precision", "source", "chosen", "fastest"):
            _name(row[key], path, f"row #{i} '{key}'")
        for key in ("kernel", "workload"):
            if key in row:
                _name(row[key], path, f"row #{i} '{key}'")
        if not isinstance(row["times"], list):
            raise InputError(f"{path}: row #{i} 'times' should be a list of [name, seconds] pairs, found "
                             f"{row['times']!r}")
        for pair in row["times"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise InputError(f"{path}: row #{i}: 'times' should hold [name, seconds] pairs")
            positive_seconds(pair[1], path, f"row #{i} 'times' entry {pair[0]!r}")
    return data


def read_machine(path):
    """raw/machine.json: the machine a run was measured on (`ladderlib.machine.describe`)."""
    return check_machine(load_json(path), path)


def check_machine(data, path="the machine description"):
    _object(data, path, "the machine description", optional=False)
    for key in ("cpu_model", "cpu_family_model", "os", "rustc", "python", "numpy", "numba", "date", "git_commit",
                "hostname", "mandel_ladder"):
        _text(data.get(key), path, f"'{key}'")
    if data.get("cpu_family_model") is not None and "/" not in data["cpu_family_model"]:
        raise InputError(f"{path}: 'cpu_family_model' should be FAMILY/MODEL, found {data['cpu_family_model']!r}")
    if data.get("cores") is not None and _count(data["cores"], path, "'cores'") < 1:
        raise InputError(f"{path}: 'cores' should be 1 or more, found {data['cores']!r}")
    flags = data.get("isa_flags")
    if flags is not None and not (isinstance(flags, list) and all(isinstance(f, str) for f in flags)):
        raise InputError(f"{path}: 'isa_flags' should be a list of strings, found {flags!r}")
    for key in ("load_average", "load_average_after_bench"):
        load = data.get(key)
        if load is not None:
            if not isinstance(load, list):
                raise InputError(f"{path}: '{key}' should be a list of numbers, found {load!r}")
            for k, x in enumerate(load):
                _number(x, path, f"'{key}'[{k}]")
    return data


def read_run(path):
    """raw/run.json: the settings a measured run recorded."""
    return check_run(load_json(path), path)


def check_run(data, path="the run's settings"):
    _object(data, path, "the run's settings", optional=False)
    for key in ("quick", "prebuilt"):
        _bool(data.get(key), path, f"'{key}'")
    crit = _object(data.get("criterion"), path, "'criterion'")
    if crit is not None:
        for key in ("sample_size",):
            _count(crit.get(key), path, f"'criterion.{key}'")
        for key in ("warm_up_s", "measurement_s"):
            _optional_seconds(crit.get(key), path, f"'criterion.{key}'")
        for key in ("source", "samples"):
            _text(crit.get(key), path, f"'criterion.{key}'")
    if data.get("pool_threads") is not None and _count(data["pool_threads"], path, "'pool_threads'") < 1:
        raise InputError(f"{path}: 'pool_threads' should be 1 or more, found {data['pool_threads']!r}")
    for key in ("simd_tuning", "c_tuning"):
        t = _object(data.get(key), path, f"'{key}'")
        if t is not None:
            require(t, ["value", "source"], path, f"'{key}'")
            _name(t["value"], path, f"'{key}.value'")
            _name(t["source"], path, f"'{key}.source'")
    for key in ("python_source", "python_foreign"):
        _text(data.get(key), path, f"'{key}'")
    return data


def read_peak(path):
    """`mandel peak --json`: lane FMAs per second per core, measured on this machine."""
    return check_peak(load_json(path), path)


def combine_peaks(before, after):
    """Two `mandel peak --json` results of one run (before and after its benches) as one: each rate is
    the higher of the two, with the tuning that reached it (a ceiling is a most: a busy neighbour on a
    shared machine only ever lowers it), and `measured` keeps both sets of rates for the notes. Both
    must have been checked ([`check_peak`]); results of different ISA paths are not combined (None)."""
    if before.get("isa") != after.get("isa"):
        return None
    rates = PEAK_KEYS[1:] + [k for k in STEP_KEYS if k in before and k in after]
    out = dict(before)
    for key in rates:
        if after[key] > before[key]:
            out[key] = after[key]
            tuning = key.replace("_lane_iterations_per_s", "_tuning")
            if tuning != key and tuning in after:
                out[tuning] = after[tuning]
    out["measured"] = [{"when": when, **{k: run[k] for k in rates}}
                       for when, run in (("before the benches", before), ("after the benches", after))]
    return out


def check_peak(data, path="`mandel peak --json`"):
    require(data, PEAK_KEYS, path, "the peak file")
    for key in PEAK_KEYS[1:] + [k for k in STEP_KEYS if k in data]:
        positive_seconds(data[key], path, f"'{key}'", what="rate")
    # Written by `combine_peaks`: the two measurements a combined peak was made of.
    if "measured" in data:
        if not (isinstance(data["measured"], list) and len(data["measured"]) == 2):
            raise InputError(f"{path}: 'measured' should list the two measurements combined")
        for i, run in enumerate(data["measured"]):
            require(run, PEAK_KEYS[1:], path, f"measurement #{i}")
            for key in PEAK_KEYS[1:] + [k for k in STEP_KEYS if k in run]:
                positive_seconds(run[key], path, f"measurement #{i} '{key}'", what="rate")
    return data
