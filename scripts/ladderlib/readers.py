"""Readers for every input the summary merges. Each one checks what it needs and raises `InputError`
naming the file and what is wrong with it, never a bare KeyError."""

import json
from pathlib import Path

from . import BASELINES_SCHEMA


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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{path}: {where} should be a number, found {value!r}")
    return float(value)


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
    result = {
        "full_id": bench["full_id"],
        "kernel": bench["function_id"],
        "isa": bench["value_str"],
        "median_s": _number(median["point_estimate"], est_path, "'median.point_estimate'") * 1e-9,
        "ci_low_s": _number(ci["lower_bound"], est_path, "'median.confidence_interval.lower_bound'") * 1e-9,
        "ci_high_s": _number(ci["upper_bound"], est_path, "'median.confidence_interval.upper_bound'") * 1e-9,
        "ci_level": ci.get("confidence_level", 0.95),
        "mean_s": _number(mean["point_estimate"], est_path, "'mean.point_estimate'") * 1e-9,
        "iterations": throughput.get("Elements") if isinstance(throughput, dict) else None,
        "samples": None,
        "min_s": None,
        "max_s": None,
    }
    if sample_path.exists():
        sample = require(load_json(sample_path), ["iters", "times"], sample_path, "the samples")
        per_iter = [t / i * 1e-9 for t, i in zip(sample["times"], sample["iters"]) if i]
        if per_iter:
            result.update(samples=len(per_iter), min_s=min(per_iter), max_s=max(per_iter))
    return result


def criterion_dirs(root, group="ladder"):
    """Every `<root>/<group>/<kernel>/<isa>/new` folder that holds an estimates.json."""
    base = Path(root) / group
    if not base.is_dir():
        return []
    return sorted(p.parent for p in base.glob("*/*/new/estimates.json"))


def read_criterion(root, isa_of=None, group="ladder"):
    """All benchmarks of the group under `root` (target/criterion, or a raw/criterion copy), keyed by
    kernel name. A kernel benched under several ISA paths over time keeps the one `isa_of` (kernel ->
    ISA, from `mandel list`) names, else the most recently written."""
    found = {}
    for new_dir in criterion_dirs(root, group):
        r = read_criterion_bench(new_dir)
        r["dir"] = str(new_dir)
        r["mtime"] = (new_dir / "estimates.json").stat().st_mtime
        prev = found.get(r["kernel"])
        wanted = (isa_of or {}).get(r["kernel"])
        if prev is None:
            found[r["kernel"]] = r
        elif wanted is not None:
            if r["isa"] == wanted:
                found[r["kernel"]] = r
        elif r["mtime"] > prev["mtime"]:
            found[r["kernel"]] = r
    return found


# --- the Python baselines ------------------------------------------------------------------------

RUNG_KEYS = ["name", "median_s"]


def read_baselines(path):
    """`python_baselines/run.py`'s JSON: schema mandel-baselines/1 with a list of rungs."""
    data = require(load_json(path), ["schema", "rungs"], path, "the baselines file")
    if data["schema"] != BASELINES_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {BASELINES_SCHEMA!r}")
    if not isinstance(data["rungs"], list):
        raise InputError(f"{path}: 'rungs' should be a list")
    for i, rung in enumerate(data["rungs"]):
        require(rung, RUNG_KEYS, path, f"rung #{i}")
        if rung["median_s"] is not None:
            _number(rung["median_s"], path, f"rung {rung['name']!r} median_s")
    return data


# --- the mandel CLI's JSON -----------------------------------------------------------------------


def _rows(path, keys, what):
    data = load_json(path)
    if not isinstance(data, list):
        raise InputError(f"{path}: {what} should be a JSON list, found {type(data).__name__}")
    for i, row in enumerate(data):
        require(row, keys, path, f"entry #{i}")
    return data


def read_list(path):
    """`mandel list --json`: the registry in ladder order, as a list of kernel descriptions."""
    return _rows(path, ["name", "rung", "precision", "threads", "isa"], "`mandel list --json`")


def read_verify(path):
    """`mandel verify --json`, keyed by kernel name."""
    rows = _rows(path, ["kernel", "pixels", "differing", "allowed", "ok"], "`mandel verify --json`")
    return {r["kernel"]: r for r in rows}


PEAK_KEYS = ["isa", "f32_lane_fmas_per_s", "f64_lane_fmas_per_s"]


def read_peak(path):
    """`mandel peak --json`: lane FMAs per second per core, measured on this machine."""
    data = require(load_json(path), PEAK_KEYS, path, "the peak file")
    for key in PEAK_KEYS[1:]:
        _number(data[key], path, f"'{key}'")
    return data


def lane_iterations(*sources):
    """Lane-iterations executed per kernel, wherever the CLI reports them: a `lane_iterations` field
    on rows of `mandel verify/list --json` or of a `mandel lanes --json` list (rows named by `kernel`
    or `name`), or a {kernel: count} object. Later sources win."""
    found = {}
    for source in sources:
        if isinstance(source, dict) and all(isinstance(v, (int, float)) for v in source.values()):
            found.update({k: int(v) for k, v in source.items()})
            continue
        rows = source.values() if isinstance(source, dict) else (source or [])
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("lane_iterations"), (int, float)):
                found[row.get("kernel") or row.get("name")] = int(row["lane_iterations"])
    return found
