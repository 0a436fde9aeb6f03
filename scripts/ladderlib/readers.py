"""Every input the ladder and compare read, checked before use: an error names the file and the field (`InputError`,
exit 2), never a KeyError or a wrong row. Each file's shape is a schema read by `check`: a dict is a JSON object
(a key required unless its spec is `Opt` or ends in "?"; "|null": required, may be null), `[spec]` a list,
`Items` a list of named items, a tuple the values allowed, a string a type of `SCALARS`, a function a rule of its
own. What a schema cannot say (the tolerance rule, intervals in order, the canonical problem) is checked in code
after it. Every time must be a finite number of seconds above 0."""

import json
import math
import os
import re
import stat
import unicodedata
from functools import partial
from pathlib import Path
from statistics import median

from . import BASELINES_SCHEMA, CANONICAL, DESCRIBE_SCHEMA, RECORDS_SCHEMA, ROUND_SCHEMA, SUMMARY_SCHEMA


class InputError(Exception):
    """A result file that cannot be used: unreadable, not JSON, or missing what the merge needs."""


def load_json(path):
    """A regular file's JSON. Opened without blocking and refused unless regular: a FIFO (or a device) in a
    results folder would otherwise hang the reader forever, or read something no run wrote."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise InputError(f"{path}: not a regular file (a FIFO, a device or a socket): refused, not read")
            text = f.read().decode("utf-8")
        return json.loads(text)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8: {e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON: {e}") from None
    except RecursionError:  # the parser recurses per level: thousands of '[' exhaust the stack
        raise InputError(f"{path}: JSON nested too deeply to read") from None


# --- the checker -----------------------------------------------------------------------------------


class Opt:
    """A field that may be null; and, unless `required`, absent."""

    def __init__(self, spec, required=False):
        self.spec, self.required = spec, required


class Items:
    """A list of `spec`, each named in messages `label 'name'` (else `label #index`); `unique`, `nonempty`."""

    def __init__(self, label, spec, unique=False, nonempty=False):
        self.label, self.spec, self.unique, self.nonempty = label, spec, unique, nonempty


def _real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _whole(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _clean(text, allowed=""):
    return not any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


# A time outside these is no measurement of a render (a timer's tick, a unit mistaken, a hung run), and log
# scales, ratios and 1/time^2 weights then meet denormals or overflow.
MIN_TIME_S, MAX_TIME_S = 1e-12, 1e6
# Scalar types: (the rule, what the message says a value should be).
SCALARS = {
    "count": (lambda v: _whole(v) and v >= 0, "a whole number, 0 or more"),
    "int1": (lambda v: _whole(v) and v >= 1, "a whole number, 1 or more"),
    "num": (_real, "a finite number"),
    "num0": (lambda v: _real(v) and v >= 0, "a finite number, 0 or more"),
    "s": (lambda v: _real(v) and MIN_TIME_S <= v <= MAX_TIME_S,
          f"a time in seconds from {MIN_TIME_S:g} to {MAX_TIME_S:g}"),
    "pos": (lambda v: _real(v) and v > 0, "a positive, finite number"),
    "rate": (lambda v: _real(v) and v > 0, "a positive, finite rate"),
    "frac": (lambda v: _real(v) and 0 <= v <= 1, "a fraction from 0 to 1"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    # a name: no control characters at all; text (a label, a note): tab and newline allowed
    "name": (lambda v: isinstance(v, str) and bool(v.strip()) and _clean(v),
             "a non-empty string without control characters"),
    "text": (lambda v: isinstance(v, str) and _clean(v, "\t\n"), "a string without control characters"),
    "obj": (lambda v: isinstance(v, dict), "a JSON object"),
}


def _opt(spec):
    if isinstance(spec, str) and spec.endswith("?"):
        return Opt(spec[:-1])
    if isinstance(spec, str) and spec.endswith("|null"):
        return Opt(spec[:-5], required=True)
    return spec


def check(value, spec, path, where, kind="field"):
    """`value` if it is what `spec` describes, else InputError `{path}: {where} ...`. `kind`: how a key joins
    `where`: "root" (the key alone), "item" (`rung 'x' key`), "field" (`a.key`)."""
    spec = _opt(spec)

    def fail(what):
        raise InputError(f"{path}: {where} {what}")

    if isinstance(spec, Opt):
        return value if value is None else check(value, spec.spec, path, where, kind)
    if isinstance(spec, str):
        rule, what = SCALARS[spec]
        if not rule(value):
            fail(f"should be {what}, found {value!r}")
    elif isinstance(spec, tuple):
        if not any(value == v and type(value) is type(v) for v in spec):
            fail(f"is {value!r}, expected {' or '.join(map(repr, spec))}")
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            fail(f"should be a JSON object, found {type(value).__name__}")
        required = [k for k, s in spec.items() if not isinstance(_opt(s), Opt) or _opt(s).required]
        missing = [k for k in required if k not in value]
        if missing:
            fail(f"lacks key(s) {', '.join(missing)}")
        for key, s in spec.items():
            at = key if kind == "root" else f"{where} {key}" if kind == "item" else f"{where}.{key}"
            check(value.get(key), s, path, at)
    elif isinstance(spec, (list, Items)):
        if not isinstance(value, list):
            fail(f"should be a list, found {value!r}")
        if isinstance(spec, list):
            for i, item in enumerate(value):
                check(item, spec[0], path, f"{where}[{i}]")
            return value
        if spec.nonempty and not value:
            fail("should be a non-empty list")
        seen = set()
        for i, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) else None
            at = f"{spec.label} {name!r}" if isinstance(name, str) else f"{spec.label} #{i}"
            check(item, spec.spec, path, at, "item")
            if spec.unique and name in seen:
                raise InputError(f"{path}: {name!r} appears twice")
            seen.add(name)
    else:
        spec(value, path, where)
    return value


def read(path, spec, what):
    return check(load_json(path), spec, path, what, "root")


def ordered(obj, keys, path, where):
    """The bounds of an interval, in order where given."""
    values = [(k, obj.get(k)) for k in keys if obj.get(k) is not None]
    for (k1, low), (k2, high) in zip(values, values[1:]):
        if low > high:
            raise InputError(f"{path}: {where + ' ' if where else ''}{k1} ({low!r}) is above {k2} ({high!r})")


# The variable each kind of `mandel tune` row pins: the only ones the ladder and scripts/ab set from a tune file.
# A row's `env` (Rust's TUNING_ENV, absent from tune.json written before) must agree: a file naming another
# variable is refused, never obeyed.
TUNE_ENV = {"simd": "MANDEL_TUNING", "c-reference": "MANDEL_C_TUNING"}
TUNINGS = {"simd_tuning": TUNE_ENV["simd"], "c_tuning": TUNE_ENV["c-reference"]}  # run.json's key: what it pins


# The tuned kernel families each variable pins, as `mandel bench` names them in its rounds' `tunings`.
TUNING_FAMILIES = {TUNE_ENV["simd"]: ("simd-f32", "simd-f64"), TUNE_ENV["c-reference"]: ("c-reference",)}
_TUNING_NAME = re.compile(r"default|v[1-9][0-9]*k[1-9][0-9]*")  # Rust's names: no leading zero (v04k8 is none)


def tunings_pinned(var, value):
    """{family: the tuning `var`=`value` pins for it, or None where it pins none (the process calibrates its own)},
    read as the kernels read it (mandel_simd::parse_tuning): trimmed, any case, MANDEL_TUNING one name for both
    precisions or `f32:NAME,f64:NAME`; unset or empty pins nothing. None for a value that names no tuning."""
    families = TUNING_FAMILIES[var]
    if not (value or "").isascii():  # Rust folds ASCII case only: str.lower() would make K (Kelvin) a k
        return None
    value = (value or "").strip().lower()
    if not value:
        return dict.fromkeys(families)
    if ":" not in value:
        return dict.fromkeys(families, value) if _TUNING_NAME.fullmatch(value) else None
    if var != TUNE_ENV["simd"]:
        return None
    out = dict.fromkeys(families)
    for part in value.split(","):
        precision, sep, name = part.partition(":")
        family, name = f"simd-{precision.strip()}", name.strip()
        if not sep or family not in out or out[family] is not None or not _TUNING_NAME.fullmatch(name):
            return None
        out[family] = name
    return out


def _extension_tunings(value, path, where):
    """run.py's `extension_tunings`: [family, "TUNING (source)"] pairs, as a round records them; or, in files
    written before that (2026-12-03), each tuning variable as the extension read it (null: unset)."""
    if isinstance(value, list):
        return check(value, TUNING_PAIRS, path, where)
    check(value, {var: "name|null" for var in TUNING_FAMILIES}, path, where)
    if extra := sorted(set(value) - set(TUNING_FAMILIES)):
        raise InputError(f"{path}: {where} has {', '.join(extra)}: only {', '.join(TUNING_FAMILIES)} are recorded")
    for var in TUNING_FAMILIES:
        if value[var] is not None and tunings_pinned(var, value[var]) is None:
            raise InputError(f"{path}: {where}.{var} is {value[var]!r}, which names no tuning (accepted: a tuning "
                             "such as v4k8, default, and for MANDEL_TUNING f32:NAME,f64:NAME)")


def extension_pairs(value):
    """`extension_tunings` as [family, "TUNING (source)"] pairs. The older record of the variables gives the
    families a variable pinned to a named tuning; not those it left unset (calibrated) or pinned to `default`
    (the path's own, which it does not name): their tuning stays unknown."""
    if not isinstance(value, dict):
        return value
    return [[family, f"{name} (forced)"] for var in TUNING_FAMILIES
            for family, name in (tunings_pinned(var, value[var]) or {}).items() if name not in (None, "default")]


# --- the schemas -----------------------------------------------------------------------------------

PARAMS = {"width": "int1", "height": "int1", "x_min": "num", "x_max": "num", "y_min": "num", "y_max": "num",
          "max_iters": "int1"}


def canonical(value, path, where):
    if check(value, PARAMS, path, where) and {k: value[k] for k in PARAMS} != CANONICAL:
        raise InputError(f"{path}: {where} is {value}, not the canonical problem {CANONICAL} the ladder merges")


_TUNING_TEXT = re.compile(r"[a-z0-9][a-z0-9 ]* \([a-z ]+\)")  # mandel_registry::tunings: v4k8 (forced)


def _pair(value, path, where, second):
    """A [name, value] pair (a round's [family, "TUNING (source)"]; `mandel tune`'s [tuning, seconds])."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        raise InputError(f"{path}: {where} should be a [name, {second}] pair, found {value!r}")
    check(value[0], "name", path, where)
    check(value[1], "s" if second == "seconds" else "text", path, f"{where} {value[0]!r}")
    if second == "tuning" and not _TUNING_TEXT.fullmatch(value[1]):
        raise InputError(f"{path}: {where} {value[0]!r} should be a tuning and its source, such as 'v4k8 (forced)', "
                         f"found {value[1]!r}")


TUNING_PAIRS = [partial(_pair, second="tuning")]


VERIFICATION = {"pixels": "count", "differing": "count|null", "allowed": "count", "ok": "bool",
                "iterations": "count?", "reference_iterations": "count?", "lane_iterations": "count?",
                "max_abs_diff": "count?"}
# A kernel as `mandel describe --json` (and every round of `mandel bench`) describes it.
KERNEL = {"name": "name", "rung": "text|null", "precision": ("f32", "f64"), "threads": "int1", "pool": "bool",
          "isa": "name", "description": "text?", "unavailable": "text?", "reference": "bool?", "algorithmic": "bool?",
          "one_lane": "bool?", "available": "bool?", "fused": "bool?", "tolerance_max_fraction": "frac?",
          "tolerance_slack_pixels": "count?"}
REGISTRY = Items("kernel", KERNEL, unique=True)
BENCH_SETTINGS = {"sample_size": "count", "warm_up_s": "s", "measurement_s": "s"}
ROUND_SETTINGS = {"rounds": "int1", "kernel_s": "num0", "min_renders": "int1"}
DESCRIBE = {"schema": (DESCRIBE_SCHEMA,), "canonical": PARAMS, "pool_threads": "int1",
            "bench": {"full": BENCH_SETTINGS, "quick": BENCH_SETTINGS},
            "rounds": Opt({"full": ROUND_SETTINGS, "quick": ROUND_SETTINGS}), "kernels": REGISTRY, "rustc": "text?"}
RECORDS = {"schema": (RECORDS_SCHEMA,), "criterion": "obj|null", "params": canonical,
           "records": Items("kernel", {**KERNEL, "verification": Opt(VERIFICATION, True), "criterion_id": "name?"},
                            unique=True)}
ROUND = {"schema": (ROUND_SCHEMA,), "round": "count", "settings": ROUND_SETTINGS, "params": canonical,
         "pool_threads": "int1", "tunings": TUNING_PAIRS,
         "kernels": Items("kernel", {**KERNEL, "verification": Opt(VERIFICATION, True), "times_s": ["s"],
                                     "activity": Opt({"steal": "frac", "others": "frac"}, True)}, nonempty=True)}
TUNE = Items("row", {"isa": "name", "precision": "name", "source": "name", "chosen": "name", "fastest": "name",
                     "kernel": "name?", "env": "name?", "workload": "name?", "default": "name?",
                     "tie_band": "frac?", "times": [partial(_pair, second="seconds")]})
# Rows from before `mandel tune` recorded its `tie_band`: it has written each row's `default` since its band became
# 2% (mandel_core::choose::TIE_BAND, the same change); before, the band was 3%, and before that there was none, and
# a file of either says neither.
TIE_BAND_OF_ROWS_WITH_DEFAULT = 0.02


def tie_band(rows):
    """The tie band `mandel tune` chose its rows with (a fraction), as far as the rows say; None when unknown."""
    recorded = {r.get("tie_band") for r in rows or []}
    if recorded - {None}:  # recorded (by some rows at least): one band for every row, else not known
        return recorded.pop() if len(recorded) == 1 else None
    return TIE_BAND_OF_ROWS_WITH_DEFAULT if rows and all(r.get("default") is not None for r in rows) else None


def _family_model(value, path, where):
    if "/" not in check(value, "text", path, where):
        raise InputError(f"{path}: {where} should be FAMILY/MODEL, found {value!r}")


MACHINE = {**{k: "text?" for k in ("cpu_model", "os", "rustc", "python", "python_build", "numpy", "numba", "date",
                                   "git_commit", "hostname", "mandel_ladder")},
           "cpu_family_model": Opt(_family_model), "cores": "int1?", "cpus_usable": "int1?", "isa_flags": Opt(["text"]),
           "load_average": Opt(["num"]), "load_average_after_bench": Opt(["num"])}
# The machine run.py ran on; the extension's cargo profile labels the pyo3- rows (the notes).
PYTHON_MACHINE = {**MACHINE, "mandel_ladder_profile": "name?"}
CRITERION_SETTINGS = {"sample_size": "count?", "warm_up_s": "s?", "measurement_s": "s?", "source": "text?",
                      "samples": "text?"}
# What a Mojo SIMD rung records (f32 lanes: twice the native width of SSE/NEON, AVX2, AVX-512).
MOJO_SIMD_WIDTHS = (8, 16, 32)


def _tuning(var):
    """run.json's record of what the run pinned `var` to: {value, source}, the value one the kernels read."""
    def checked(value, path, where):
        check(value, {"value": "name", "source": "name"}, path, where)
        if tunings_pinned(var, value["value"]) is None:
            raise InputError(f"{path}: {where}.value is {value['value']!r}, which names no tuning {var} takes")
    return Opt(checked)
# run.json's rounds: describe's (or round 0's) settings, where they came from, and (once taken) how many were
# taken and the tunings they ran on; a set measured with Criterion records none.
RUN_ROUNDS = {**ROUND_SETTINGS, "source": "text?", "taken": "count?",
              "tunings": Opt(TUNING_PAIRS)}
RUN = {"quick": "bool?", "prebuilt": "bool?", "criterion": Opt(CRITERION_SETTINGS), "pool_threads": "int1?",
       "rounds": Opt(RUN_ROUNDS), "python_rounds": Opt({"kernel_s": "num0", "min_renders": "int1"}),
       **{key: _tuning(var) for key, var in TUNINGS.items()}, "python_source": "text?", "python_foreign": "text?",
       "python_sha256": "name?"}
RATES = ["f32_lane_fmas_per_s", "f64_lane_fmas_per_s"]
# The step ceiling (lane-iterations per second of the kernel's own step, every lane busy); absent from
# builds before it was measured.
STEP_KEYS = ["f32_step_lane_iterations_per_s", "f64_step_lane_iterations_per_s"]
PEAK_RATES = {**{k: "rate" for k in RATES}, **{k: "rate?" for k in STEP_KEYS}}


def _settings(value, path, where):
    """Settings recorded as they were (the baselines' own): an object of JSON scalars, every number finite, since
    they are written back into summary.json and shown in summary.md."""
    check(value, "obj", path, where)
    for key, v in value.items():
        if not (v is None or isinstance(v, bool) or _real(v) or (isinstance(v, str) and _clean(v))):
            raise InputError(f"{path}: {where}.{key} should be a finite number, a string without control characters, "
                             f"true, false or null, found {v!r}")


def _measured(value, path, where):
    """The measurements a combined peak (`combine_peaks`) was made of: before and after the benches, and where the
    Python rows were timed in the same run, after them."""
    if not (isinstance(value, list) and len(value) in (2, 3)):
        raise InputError(f"{path}: {where} should list the two or three measurements combined, found {value!r}")
    check(value, Items("measurement", PEAK_RATES), path, where)


def _peak(value, path, where):
    """A peak file: its rates, the step ceilings for both precisions or neither, and, where it was measured more
    than once, each rate the highest of its measurements, which each give the same rates."""
    check(value, {"isa": "name", **PEAK_RATES, "measured": Opt(_measured)}, path, where, "root")
    steps = [k for k in STEP_KEYS if value.get(k) is not None]
    if len(steps) == 1:
        raise InputError(f"{path}: {steps[0]} without {(set(STEP_KEYS) - set(steps)).pop()}: one measurement gives "
                         "the step ceiling of both precisions")
    for i, m in enumerate(measured := value.get("measured") or []):
        if (has := [k for k in STEP_KEYS if m.get(k) is not None]) != steps:
            raise InputError(f"{path}: measurement #{i} gives the step ceilings {has or 'none'}, the file "
                             f"{steps or 'none'}: the measurements of one run give the same rates")
    for key in (RATES + steps) if measured else ():
        if value[key] != (top := max(m[key] for m in measured)):
            raise InputError(f"{path}: {key} is {value[key]:g}, not the highest of its measurements ({top:g}): every "
                             "share divides by that")


PEAK = _peak
PYTHON_RUNG = {"name": "name", "median_s": "s|null", "min_s": "s?", "max_s": "s?", "times_s": Opt(["s"]),
               **{k: "text?" for k in ("rung", "language", "precision", "isa", "kernel", "description", "error")},
               "threads": "int1?", "compile_s": "num0?", "iterations": "count?", "repeats": "count?",
               "computes": Opt(("counts", "bitmap")), "verification": Opt(VERIFICATION),
               # the rule its verification's `allowed` follows (run.py: rungs.py's, mandel_ladder.tolerance);
               # absent from files written before it was recorded
               "tolerance": Opt({"max_fraction": "frac", "slack_pixels": "count"}),
               # a Mojo SIMD rung's vector width in f32 lanes (twice its build's native width); absent before
               "simd_width": Opt(MOJO_SIMD_WIDTHS)}
BASELINES = {"schema": (BASELINES_SCHEMA,), "rungs": Items("rung", PYTHON_RUNG, unique=True),
             "machine": Opt(PYTHON_MACHINE), "settings": Opt(_settings),
             "params": Opt(PARAMS),
             # the tunings the pyo3- rows' kernels ran, as a round's (rows.rs); absent from older files
             "extension_tunings": Opt(_extension_tunings),
             # run.py's table of every Python rung, run or not, in ladder order
             "python_rungs": Opt(Items("Python rung", {"name": "name", "label": "name", "language": "name",
                                                       "precision": "name", "computes": ("counts", "bitmap")},
                                       unique=True))}


def _threads(value, path, where):
    """A row's threads: a label (`pool(2)`) or a whole number."""
    if not isinstance(value, str):
        check(value, "int1", path, where)


# A row of summary.json (merge._row): every time and ratio positive and finite, or null.
ROW = {"name": "name", "status": ("ok", "failed", "missing"), "median_s": "s|null", "threads": Opt(_threads),
       **{k: "text?" for k in ("method", "language", "precision", "isa", "computes", "problem", "kernel",
                               "spread_kind", "previous", "lane_iterations_source", "note")},
       **{k: "s?" for k in ("mean_s", "spread_low_s", "spread_high_s")},
       **{k: "pos?" for k in ("iterations_per_s", "speedup_vs_python", "speedup_vs_previous", "peak_share",
                              "step_share")},
       **{k: "count?" for k in ("repeats", "iterations", "lane_iterations", "pixels", "differing", "allowed",
                                "max_abs_diff", "threads_n", "contended_rounds")},
       **{k: "bool?" for k in ("verified_ok", "reference", "skips_work")},
       # each round's fastest render; round_medians_s: a set merged before that rule (the verdict rule reads either: crates/report/src/verdict.rs)
       "compile_s": "num0?", "simd_width": Opt(MOJO_SIMD_WIDTHS), "round_times_s": Opt(["s"]),
       "round_medians_s": Opt(["s"]), "others_median": "frac?", "steal_median": "frac?"}
SUMMARY = {"schema": (SUMMARY_SCHEMA,), "machine_id": "name", "rows": Items("row", ROW, unique=True),
           "machine": Opt(MACHINE), "peak": "obj?",
           "settings": Opt({"quick": "bool?", "criterion": Opt(CRITERION_SETTINGS), "pool_threads": "int1?",
                            "params": Opt(PARAMS), "python_params": Opt(PARAMS), "python_settings": Opt(_settings),
                            "python_machine": Opt(PYTHON_MACHINE), "python_time": "text?", "python_source": "text?",
                            "python_foreign": "text?",
                            # the tunings the rounds ran on: compare sets them side by side (_round_tunings)
                            "rounds": Opt({"round_time": "text?",
                                           "tunings": Opt(TUNING_PAIRS)})})}
# A Criterion result as the merge takes it (seconds): read_criterion_bench's, or the rounds' (ladderlib.rounds).
CRITERION_RESULT = {"median_s": "s", "ci_low_s": "s|null", "ci_high_s": "s|null", "mean_s": "s|null",
                    "min_s": "s?", "max_s": "s?", "iterations": "count?", "samples": "count?", "isa": "name"}
# A verification row the merge takes, keyed by kernel; a kernel the build cannot run says `skipped` (why).
VERIFY_ROW = {**{k: "count|null" for k in ("pixels", "differing", "allowed")}, "ok": "bool|null", "skipped": "text?",
              **{k: "count?" for k in ("iterations", "reference_iterations", "lane_iterations", "max_abs_diff")}}


# --- the rules a schema cannot say -----------------------------------------------------------------


def quartiles(values):
    """(Q1, Q3): the medians of the lower and upper halves (an odd count's middle value in neither)."""
    v = sorted(values)
    n = len(v)
    if n < 2:
        return (v[0], v[0]) if v else (None, None)
    return median(v[: n // 2]), median(v[(n + 1) // 2:])


def allowed_differing(max_fraction, slack_pixels, pixels):
    """`Tolerance::allowed` of mandel_core."""
    return slack_pixels + math.floor(max_fraction * pixels)


# mandel_core's Tolerance::F32 (1% of the pixels and 2 more), the loosest rule of Tolerance::of, the one source of
# every kernel's and every Python rung's rule (rungs.py asks the extension for it): a constant here because the
# baselines are checked without the registry (a re-merge, `--baselines FILE`), and a test holds it to the
# extension's. A Python rung whose file does not record its rule may allow no more than this.
LOOSEST_TOLERANCE = (0.01, 2)


def tolerance_of(kernel):
    """(max_fraction, slack_pixels) of a registry kernel, None when not recorded."""
    fraction, slack = kernel.get("tolerance_max_fraction"), kernel.get("tolerance_slack_pixels")
    return None if fraction is None or slack is None else (fraction, slack)


def check_verification(v, path, where, pixels=None, tolerance=None):
    """A verification the merge can trust: `ok` exactly `differing <= allowed`, `pixels` the problem's, `allowed`
    the tolerance rule's when `tolerance` is known."""
    check(v, VERIFICATION, path, where)
    if v["differing"] is None:  # the output could not be compared (wrong shape): a failure, said so
        if v["ok"]:
            raise InputError(f"{path}: {where}.ok is true without a count of differing pixels")
        return
    if v["ok"] != (v["differing"] <= v["allowed"]):
        raise InputError(f"{path}: {where}.ok is {str(v['ok']).lower()} but {v['differing']} pixels differ, "
                         f"{v['allowed']} allowed: the file contradicts itself")
    if pixels is not None and v["pixels"] != pixels:
        raise InputError(f"{path}: {where}.pixels is {v['pixels']}, the problem has {pixels} pixels")
    if tolerance is not None and v["allowed"] != allowed_differing(*tolerance, v["pixels"]):
        raise InputError(f"{path}: {where}.allowed is {v['allowed']}, the tolerance rule allows "
                         f"{allowed_differing(*tolerance, v['pixels'])} of {v['pixels']} pixels")
    if v["differing"] > v["pixels"]:
        raise InputError(f"{path}: {where}.differing ({v['differing']}) exceeds pixels ({v['pixels']})")


PIXELS = CANONICAL["width"] * CANONICAL["height"]


def check_round(data, path, where):
    """One `mandel bench --round N --json`: the canonical problem, every kernel verified (or unavailable and
    untimed), every verified kernel timed, every timed one passing."""
    check(data, ROUND, path, where, "item")
    for k in data["kernels"]:
        at, v = f"{where} {k['name']!r}", k["verification"]
        if v is None:
            if k["times_s"] or not k.get("unavailable"):
                raise InputError(f"{path}: {at} has no verification: it must be unavailable and untimed")
            continue
        check_verification(v, path, f"{at} verification", pixels=PIXELS, tolerance=tolerance_of(k))
        if k["times_s"] and not v["ok"]:
            raise InputError(f"{path}: {at} is timed but failed verification")
        if v["ok"] and not k["times_s"]:  # `mandel bench` times every kernel it verified, min_renders at least
            raise InputError(f"{path}: {at} is verified but not timed (times_s is empty): a round times every "
                             "kernel that passes verification")
    return data


# --- the files -------------------------------------------------------------------------------------

read_describe = partial(read, spec=DESCRIBE, what="`mandel describe --json`")
read_tune = partial(read, spec=TUNE, what="`mandel tune --json`")
read_machine = partial(read, spec=MACHINE, what="the machine description")
read_run = partial(read, spec=RUN, what="the run's settings")
read_peak = partial(read, spec=PEAK, what="the peak file")


def check_baselines(data, path="the Python baselines"):
    """run.py's JSON: every rung once, its times in order, a time only with a passed verification of the problem's
    pixels, each verification's `allowed` its tolerance rule's."""
    check(data, BASELINES, path, "the baselines file", "root")
    if "extension_tunings" in data and data["extension_tunings"] is None:  # absent: a file from before it
        raise InputError(f"{path}: extension_tunings is null: it lists the tunings that ran, [] if none")
    params = data.get("params") or CANONICAL
    for rung in data["rungs"]:
        where = f"rung {rung['name']!r}"
        ordered(rung, ["min_s", "median_s", "max_s"], path, where)
        _check_calls(rung, path, where)
        if rung.get("simd_width") is not None and not rung["name"].startswith("mojo-"):
            raise InputError(f"{path}: {where} has simd_width: only the Mojo SIMD rungs record one")
        v = rung.get("verification")
        timed = rung["median_s"] is not None or bool(rung.get("times_s"))
        if v is not None:
            _check_rung_verification(rung, v, path, where, pixels=params["width"] * params["height"])
            # as a Rust round (check_round): a wrong answer is not a data point, whatever its time
            if timed and not v["ok"]:
                raise InputError(f"{path}: {where} is timed (median_s, times_s) but failed verification: only a "
                                 "verified rung's time is merged")
        elif timed:
            raise InputError(f"{path}: {where} has a time (median_s, times_s) but its verification is null: only a "
                             "verified rung's time is merged")
    return data


def _check_rung_verification(rung, v, path, where, pixels):
    """A Python rung's verification: `allowed` its recorded tolerance rule's, and never more than the loosest rule
    any kernel has (a file without the rule: `LOOSEST_TOLERANCE`), so that no tolerance a file claims lets a
    wrong image pass."""
    rule = rung.get("tolerance")
    rule = None if rule is None else (rule["max_fraction"], rule["slack_pixels"])
    check_verification(v, path, f"{where} verification", pixels=pixels, tolerance=rule)
    if v["differing"] is None:  # not compared: failed whatever it allowed (check_verification)
        return
    loosest = allowed_differing(*LOOSEST_TOLERANCE, v["pixels"])
    if v["allowed"] > loosest:
        said = "its recorded tolerance" if rule else "no recorded tolerance"
        raise InputError(f"{path}: {where} verification.allowed is {v['allowed']} ({said}), above the "
                         f"{loosest} of {v['pixels']} pixels the loosest tolerance of any kernel allows "
                         f"({LOOSEST_TOLERANCE[0]:g} of the pixels + {LOOSEST_TOLERANCE[1]})")


def _check_calls(rung, path, where):
    """A rung's calls (`times_s`) as run.py's `measure` records them: their fastest the min_s, their slowest the
    max_s, their median the median_s, their count the repeats, where the file gives those; the merge takes the
    row's time from the calls (merge.python_row) and its spread from min_s and max_s, so a file whose fields
    disagree is refused."""
    times = rung.get("times_s")
    if times is None:
        return
    if rung.get("repeats") is not None and len(times) != rung["repeats"]:
        raise InputError(f"{path}: {where} lists {len(times)} calls (times_s), repeats says {rung['repeats']}")
    if rung["median_s"] is not None and not times:
        raise InputError(f"{path}: {where} has a time (median_s) but no calls (times_s is empty)")
    for key, pick in (("median_s", median), ("min_s", min), ("max_s", max)):
        if rung.get(key) is not None and times and rung[key] != pick(times):
            raise InputError(f"{path}: {where} {key} is {rung[key]!r}, the {pick.__name__} of its times_s is "
                             f"{pick(times)!r}: the file contradicts itself")


def read_baselines(path):
    return check_baselines(load_json(path), path)


def verify_row(r, source=None):
    """A record's verification as the merge takes it (a kernel not run: `skipped`); `source`, the file it came
    from, names it in the merge's messages (`check_registry`)."""
    head = {"kernel": r["name"], "isa": r["isa"], "precision": r["precision"],
            **({"source": source} if source else {})}
    if r["verification"] is None:
        return {**head, "skipped": r.get("unavailable") or "unavailable", "pixels": None, "differing": None,
                "allowed": None, "ok": None}
    return {**head, "threads": r["threads"], **r["verification"]}


def read_records(path):
    """The bench records of a set measured with Criterion, before rounds: (records, verification rows by kernel,
    Criterion ids by kernel)."""
    data = read(path, RECORDS, "the bench records")
    for r in data["records"]:
        if r["verification"] is None:
            if not r.get("unavailable"):
                raise InputError(f"{path}: {r['name']!r} has no verification and is not unavailable")
            if r.get("criterion_id") is not None:
                raise InputError(f"{path}: {r['name']!r} criterion_id names a timing but its verification is "
                                 "null: only a verified kernel's time is merged")
        else:
            check_verification(r["verification"], path, f"{r['name']!r} verification", pixels=PIXELS,
                               tolerance=tolerance_of(r))
    ids = {r["name"]: r["criterion_id"] for r in data["records"] if r.get("criterion_id") is not None}
    return data, {r["name"]: verify_row(r, str(path)) for r in data["records"]}, ids


ESTIMATES = {"median": {"point_estimate": "pos", "confidence_interval": {"lower_bound": "pos", "upper_bound": "pos",
                                                                       "confidence_level": "frac?"}},
             "mean": {"point_estimate": "pos"}}
BENCHMARK = {"full_id": "name", "function_id": "name", "value_str": "name", "throughput": "obj?"}


def read_criterion_bench(new_dir):
    """One benchmark's `new/` folder as Criterion wrote it, in seconds: the median and its CI, the mean, the
    iterations (throughput), the per-sample min and max when sample.json is there."""
    est_path, bench_path, sample_path = (Path(new_dir) / f for f in ("estimates.json", "benchmark.json", "sample.json"))
    est, bench = read(est_path, ESTIMATES, "the estimates"), read(bench_path, BENCHMARK, "the benchmark")
    median, ci = est["median"], est["median"]["confidence_interval"]
    ordered(ci, ["lower_bound", "upper_bound"], est_path, "median.confidence_interval")
    result = {"full_id": bench["full_id"], "kernel": bench["function_id"], "isa": bench["value_str"],
              "median_s": median["point_estimate"] * 1e-9, "ci_low_s": ci["lower_bound"] * 1e-9,
              "ci_high_s": ci["upper_bound"] * 1e-9, "ci_level": ci.get("confidence_level", 0.95),
              "mean_s": est["mean"]["point_estimate"] * 1e-9,
              "iterations": check((bench.get("throughput") or {}).get("Elements"), "count?", bench_path,
                                  "throughput.Elements"),
              "samples": None, "min_s": None, "max_s": None}
    if sample_path.exists():
        sample = read(sample_path, {"iters": ["pos"], "times": ["pos"]}, "the samples")
        if len(sample["iters"]) != len(sample["times"]):
            raise InputError(f"{sample_path}: 'iters' and 'times' should be lists of the same length")
        per_iter = [t / i * 1e-9 for t, i in zip(sample["times"], sample["iters"])]
        if per_iter:
            result.update(samples=len(per_iter), min_s=min(per_iter), max_s=max(per_iter))
    return result


def read_criterion(root, ids):
    """The Criterion results the records name (`ids`: kernel to benchmark id, its folder under `root`), keyed by
    kernel: nothing found by globbing or judged by date; a named result missing is an error."""
    found = {}
    for kernel, bench_id in ids.items():
        new_dir = Path(root) / bench_id / "new"
        if not (new_dir / "estimates.json").exists():
            raise InputError(f"{new_dir}: the bench records say {kernel} was timed as {bench_id}, "
                             "but Criterion's results are not there")
        r = read_criterion_bench(new_dir)
        if r["kernel"] != kernel:
            raise InputError(f"{new_dir}: holds {r['kernel']!r}, the records say {kernel!r}")
        found[kernel] = {**r, "dir": str(new_dir)}
    return found


def check_inputs(registry, verify, criterion, baselines, peak):
    """The rules above, applied to what the merge is given in memory."""
    if registry is not None:
        check(registry, REGISTRY, "the registry", "the registry")
    check(verify, "obj", "the verification rows", "the rows keyed by kernel")
    for name, row in verify.items():
        check(row, VERIFY_ROW, "the verification rows", f"kernel {name!r}", "item")
        if not (row["ok"] is None and isinstance(row.get("skipped"), str)):
            # differing null: an output that could not be compared (a failure; check_verification holds it to that)
            check(row, {"pixels": "count", "differing": "count|null", "allowed": "count"}, "the verification rows",
                  f"kernel {name!r}", "item")
            check_verification(row, "the verification rows", f"kernel {name!r}")
    check(criterion, "obj", "the Criterion results", "the results keyed by kernel")
    for name, result in criterion.items():
        where = f"the Criterion result of {name!r}"
        check(result, CRITERION_RESULT, where, "the result", "root")
        ordered(result, ["ci_low_s", "ci_high_s"], where, "")
        ordered(result, ["min_s", "max_s"], where, "")
    if registry is not None:
        check_registry(registry, verify)
    if baselines is not None:
        check_baselines(baselines)
    if peak is not None:
        check(peak, PEAK, "`mandel peak --json`", "the peak file")
        # measured under the same environment as the rounds, so on the whole-vector kernel's path: another path's
        # ceiling would make every share of it another machine's, in effect (a hand-edited or mixed-up file)
        if (simd := (verify.get("simd-f32") or {}).get("isa")) and peak.get("isa") != simd:
            raise InputError(f"the peak file: isa is {peak.get('isa')!r}, but simd-f32 ran on {simd!r}: its step "
                             "ceiling and FMA peak are another path's")


def check_registry(registry, verify):
    """Each verification row read from a run's bench files (`source`: raw/rounds.json, raw/records.json) against
    its registry kernel (`mandel describe`, raw/describe.json): `allowed` the kernel's tolerance rule of its
    pixels, and the precision, threads and ISA path the registry gives it. The ladder runs describe and the bench
    in one environment (MANDEL_ISA, MANDEL_THREADS) on one build and keeps both in raw/, so every committed set
    agrees, ISA path included; a row that does not was not measured as the registry describes (or was edited), and
    merged it would show a tolerance, width or path the run never had. A row handed to the merge without a source
    is the caller's to vouch for (no file to name; the tests' rows pair any verification with any kernel)."""
    kernels = {k["name"]: k for k in registry}
    for name, row in verify.items():
        kernel, source = kernels.get(name), row.get("source")
        # not from a file, not in the registry (a note says so), or not run (nothing measured to disagree)
        if source is None or kernel is None or row.get("skipped") is not None:
            continue
        for field in ("precision", "threads", "isa"):
            if field in row and row[field] != kernel.get(field):
                raise InputError(f"{source}: kernel {name!r} {field} is {row[field]!r}, the registry "
                                 f"(`mandel describe`) says {kernel.get(field)!r}: not the kernel it describes")
        rule = tolerance_of(kernel)
        if rule is not None and row["allowed"] != allowed_differing(*rule, row["pixels"]):
            raise InputError(f"{source}: kernel {name!r} verification.allowed is {row['allowed']}, the registry's "
                             f"tolerance rule allows {allowed_differing(*rule, row['pixels'])} of {row['pixels']} "
                             "pixels")


def tuning_pins(rows, source="`mandel tune --json`"):
    """{variable: value} pinning what `mandel tune` chose (its `fastest`): MANDEL_TUNING takes `precision:tuning`
    pairs, MANDEL_C_TUNING one tuning; a variable left out when no row of its kind timed any."""
    pins = {}
    for i, r in enumerate(rows):
        kernel = r.get("kernel", "simd")
        if r.get("env") not in (None, TUNE_ENV.get(kernel)):
            raise InputError(f"{source}: row #{i} ({kernel}) names the variable {r['env']!r}, not "
                             f"{TUNE_ENV.get(kernel) or 'one the ladder sets'}: refused, nothing is set from it")
        if kernel in TUNE_ENV and r["times"]:
            pin = f"{r['precision']}:{r['fastest']}" if kernel == "simd" else r["fastest"]
            pins.setdefault(TUNE_ENV[kernel], []).append(pin)
    return {var: ",".join(values) for var, values in pins.items()}


def combine_peaks(before, after, when="after the benches"):
    """Two `mandel peak` results of one run as one: each rate the higher (a busy neighbour only ever lowers a
    ceiling), with its tuning; `measured` keeps each measurement, `when` naming the new one (`before` may be a
    combined peak already: the third, after the Python rows, is added to its two). Different ISA paths: None."""
    if before.get("isa") != after.get("isa"):
        return None
    rates = RATES + [k for k in STEP_KEYS if k in before and k in after]
    out = dict(before)
    for key in rates:
        if after[key] > before[key]:
            out[key] = after[key]
            tuning = key.replace("_lane_iterations_per_s", "_tuning")
            if tuning != key and tuning in after:
                out[tuning] = after[tuning]
    earlier = before.get("measured") or [{"when": "before the benches", **{k: before[k] for k in rates}}]
    out["measured"] = [*earlier, {"when": when, **{k: after[k] for k in rates}}]
    return out


def read_summary(path):
    """A summary.json (or the folder holding one), every field compare reads checked."""
    path = Path(path)
    path = path / "summary.json" if path.is_dir() else path
    data = check_summary(load_json(path), path)
    data.setdefault("source", str(path))
    return data


def check_summary(data, path="the summary"):
    """A summary as written or compared: each rung once, every time positive and finite or null, intervals in order,
    every ok row timed."""
    check(data, SUMMARY, path, "the summary", "root")
    for row in data["rows"]:
        where = f"row {row['name']!r}"
        ordered(row, ["spread_low_s", "spread_high_s"], path, where)
        if row["status"] == "ok":
            if row["median_s"] is None:
                raise InputError(f"{path}: {where} is ok without a time (median_s)")
            # ok means verified (merge._settle): every committed summary's ok rows say true
            if row.get("verified_ok") is not True:
                raise InputError(f"{path}: {where} is ok but verified_ok is {json.dumps(row.get('verified_ok'))}: "
                                 "only a verified row is ok")
            if None not in (row.get("differing"), row.get("allowed")) and row["differing"] > row["allowed"]:
                raise InputError(f"{path}: {where} is ok but {row['differing']} pixels differ, "
                                 f"{row['allowed']} allowed: the file contradicts itself")
        _check_round_times(row, path, where)
    _check_speedups(data["rows"], path)
    return data


# The row every speedup_vs_python divides (merge, which imports this module, takes it from here).
PURE_PYTHON = "python-pure"
SPEEDUP_RTOL = 1e-9


def _check_speedups(rows, path):
    """Every speedup a row claims, as the merge computes it (crates/report/src/rows.rs) from the rows' medians.
    Which row is previous is the merge's rule, not checked here: only that the claimed figure follows from the named
    row's median."""
    by_name = {r["name"]: r for r in rows}
    for row in rows:
        where = f"row {row['name']!r}"
        claims = [k for k in ("speedup_vs_python", "speedup_vs_previous") if row.get(k) is not None]
        if claims and row["status"] != "ok":
            raise InputError(f"{path}: {where} is {row['status']} but claims {claims[0]} {row[claims[0]]!r}: only an "
                             "ok row has a speedup")
        for key, named in (("speedup_vs_python", PURE_PYTHON), ("speedup_vs_previous", row.get("previous"))):
            if (claimed := row.get(key)) is None:
                continue
            other = by_name.get(named)
            if other is None or other["status"] != "ok" or other.get("problem") != row.get("problem"):
                raise InputError(f"{path}: {where} claims {key} {claimed!r} but its divisor ({named!r}) is no ok row "
                                 "of its problem")
            expected = other["median_s"] / row["median_s"]
            if abs(claimed - expected) > SPEEDUP_RTOL * abs(expected):
                raise InputError(f"{path}: {where} {key} is {claimed!r}, {named!r}'s median over its own is "
                                 f"{expected!r}: the file contradicts itself")


def _check_round_times(row, path, where):
    """A row measured in rounds: its time the median of its rounds' times and its spread their quartiles, exactly
    as rounds.read_rounds computes them (round_medians_s: a set merged before a round's time was its fastest
    render, by the same rule), so that no verdict reads a time its own rounds contradict."""
    key = next((k for k in ("round_times_s", "round_medians_s") if row.get(k)), None)
    if key is None or row["median_s"] is None:
        return
    times = row[key]
    if row["median_s"] != median(times):
        raise InputError(f"{path}: {where} median_s is {row['median_s']!r}, the median of its {key} is "
                         f"{median(times)!r}: the file contradicts itself")
    q1, q3 = quartiles(times)
    if (row.get("spread_low_s"), row.get("spread_high_s")) != (q1, q3):
        raise InputError(f"{path}: {where} spread is {row.get('spread_low_s')!r} to {row.get('spread_high_s')!r}, "
                         f"the quartiles of its {key} are {q1!r} to {q3!r}: the file contradicts itself")
    if (busy := row.get("contended_rounds")) is not None and busy > len(times):
        raise InputError(f"{path}: {where} contended_rounds is {busy}, of {len(times)} rounds: the file contradicts "
                         "itself")
