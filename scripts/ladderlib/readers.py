"""Every input the ladder reads, checked before use: an error names the file and the field (`InputError`,
exit 2), never a KeyError or a wrong row. The checker is Rust's, one for every file and rule
(crates/report/src/check.rs, `mandel-report check`): this module reads the bytes (`load_json`), asks it, with the
words its messages name the value by, and raises its refusal as an InputError. The functions below keep the names
and arguments the scripts call; where a file is read as well as checked (the rounds, the bench records), the
checker answers what the scripts take from it (crates/report/src/rounds.rs), as it answers the tuning variables,
what tune rows pin and their tie band, the tuned families a kept tuning lacks, and two peaks combined (`tunings`,
`tuning_pins`, `tie_band`, `unchosen`, `combine_peaks`: tunings.rs, peaks.rs), and holds the baselines' pyo3-* rungs
to the kernels they wrap (`check_inputs`). `wire` marks what JSON cannot carry; `_unwire` reads an answer back."""

import contextlib
import json
import math
import os
import re
import stat
from functools import cache, partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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


# --- asking the checker ----------------------------------------------------------------------------


# A lone surrogate, which JSON's UTF-8 cannot carry, sent as U+10FFFF and its code point in hex (U+10FFFF itself too,
# so that a message read back has only those the request sent: `ask` restores them).
UNSENDABLE, SENT = re.compile("[\ud800-\udfff\U0010ffff]"), re.compile("\U0010ffff([0-9a-f]{6})")


def wire(v):
    """`v` as JSON carries it to the checker, which reads it back as json.loads made it (crates/report/src/pyjson.rs):
    a NaN or an infinity, an int past 64 bits, a string whose repr escapes more than ASCII's controls (its text with
    any lone surrogate as UNSENDABLE says), and an object with such a key or a key "$py", each as a {"$py": ...}."""
    if isinstance(v, float) and not math.isfinite(v):
        return {"$py": repr(v)}
    if isinstance(v, int) and not isinstance(v, bool) and not -2**63 <= v < 2**64:
        return {"$py": "int", "digits": str(v)}
    if isinstance(v, str) and not (v.isascii() or v.isprintable()):
        return {"$py": "str", "text": UNSENDABLE.sub(lambda c: f"\U0010ffff{ord(c[0]):06x}", v), "repr": repr(v)}
    if isinstance(v, dict):
        items = [[wire(k), wire(x)] for k, x in v.items()]
        marked = "$py" in v or any(isinstance(k, dict) for k, _ in items)
        return {"$py": "dict", "items": items} if marked else dict(items)
    if isinstance(v, (list, tuple)):
        return [wire(x) for x in v]
    return v


def _restored(text):
    """`text` with each code point `wire` spelled (U+10FFFF and its hex) back as itself."""
    return SENT.sub(lambda c: chr(int(c[1], 16)), text)


# json.loads's own NaN and infinities: the objects every value it reads holds (a dict holding one equals another)
_MARKED = {"nan": json.loads("NaN"), "inf": json.loads("Infinity"), "-inf": json.loads("-Infinity")}


def _unwire(v):
    """A value the checker answers with, as `wire` sent it: its markers read back (a NaN or an infinity, an int past 64
    bits, an object with a key "$py"), each string `_restored`."""
    if isinstance(v, str):
        return _restored(v)
    if isinstance(v, list):
        return [_unwire(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "$py" not in v:
        return {_restored(k): _unwire(x) for k, x in v.items()}
    if v["$py"] == "dict":
        return {_restored(k): _unwire(x) for k, x in v["items"]}
    return int(v["digits"]) if v["$py"] == "int" else _MARKED[v["$py"]]


_asking = []  # the binaries `asking` names, the innermost last


@contextlib.contextmanager
def asking(mandel_report):
    """Within it, the checks ask `mandel_report` (the ladder's: --prebuilt's, or the one it built under the lock it
    holds on the target folder, which `cargo.report` would wait for forever); None: `cargo.report`'s, as outside."""
    _asking.append(mandel_report)
    try:
        yield
    finally:
        _asking.pop()


def checker():
    """The `mandel-report` the checks ask: the innermost `asking`'s, else `cargo.report`'s."""
    from . import cargo  # cargo imports this module (InputError)

    return next(filter(None, reversed(_asking)), None) or cargo.report(REPO)


def ask(*checks, then=None):
    """The checker's results for `checks` (one process for them all), in order; its first refusal an InputError, as is
    `then` (a file that could not be read after those checked) once they pass."""
    from . import cargo

    results = []
    if checks:
        answer = cargo.ask_report(checker(), "check", {"checks": wire(list(checks))})
        if answer.get("refused") is not None:
            raise InputError(_restored(answer["refused"]))
        results = _unwire(answer["results"])
    if then is not None:
        raise then
    return results


def check(value, shape, path, where, kind="field"):
    """`value` if it is a `shape` ("describe", "tune", "machine", "run", "peak"), else InputError `{path}: {where}
    ...`. `kind`: how a key joins `where`: "root" (the key alone), "item" (`rung 'x' key`), "field" (`a.key`)."""
    ask({"kind": "shape", "shape": shape, "value": value, "path": str(path), "at": where, "join": kind})
    return value


def read(path, shape, what):
    return check(load_json(path), shape, path, what, "root")


read_describe = partial(read, shape="describe", what="`mandel describe --json`")
read_tune = partial(read, shape="tune", what="`mandel tune --json`")
read_machine = partial(read, shape="machine", what="the machine description")
read_run = partial(read, shape="run", what="the run's settings")
read_peak = partial(read, shape="peak", what="the peak file")


def check_round(data, path, where):
    """One `mandel bench --round N --json`: the canonical problem, every kernel verified (or unavailable and
    untimed), every verified kernel timed, every timed one passing."""
    ask({"kind": "round", "value": data, "path": str(path), "at": where})
    return data


def read_rounds(data, path):
    """raw/rounds.json, its rounds each as `check_round`, all of one run (numbered in order, one kernel list, one set
    of settings, each kernel described alike), read as the merge takes it (crates/report/src/rounds.rs): (records of
    the first round, verification rows by kernel, results by kernel)."""
    return tuple(ask({"kind": "rounds", "value": data, "path": str(path)})[0])


def check_baselines(data, path="the Python baselines"):
    """run.py's JSON: every rung once, its times in order, a time only with a passed verification of the problem's
    pixels, each verification's `allowed` its tolerance rule's."""
    ask({"kind": "baselines", "value": data, "path": str(path)})
    return data


def read_baselines(path):
    return check_baselines(load_json(path), path)


def read_records(path):
    """The bench records of a set measured with Criterion, before rounds: (records, verification rows by kernel,
    Criterion ids by kernel)."""
    data = load_json(path)
    return data, *ask({"kind": "records", "value": data, "path": str(path)})[0]


def read_criterion_bench(new_dir):
    """One benchmark's `new/` folder as Criterion wrote it, in seconds: the median and its CI, the mean, the
    iterations (throughput), the per-sample min and max when sample.json is there."""
    return _criterion([(None, Path(new_dir))])[0]


def read_criterion(root, ids):
    """The Criterion results the records name (`ids`: kernel to benchmark id, its folder under `root`), keyed by
    kernel: nothing found by globbing or judged by date; a named result missing is an error."""
    dirs = {kernel: Path(root) / bench_id / "new" for kernel, bench_id in ids.items()}
    return {kernel: {**r, "dir": str(dirs[kernel])} for kernel, r in zip(dirs, _criterion(dirs.items(), ids))}


def _criterion(benches, ids=None):
    """`read_criterion_bench` of each (kernel the records say or None, folder), checked in one request; a file that
    cannot be read is said once those read before it pass, as when each was checked as it was read."""
    checks, loaded, error = [], [], None
    for kernel, new_dir in benches:
        if ids is not None and not (new_dir / "estimates.json").exists():
            error = InputError(f"{new_dir}: the bench records say {kernel} was timed as {ids[kernel]}, "
                               "but Criterion's results are not there")
            break
        files = {}
        for name in ("estimates", "benchmark", "sample"):
            path = new_dir / f"{name}.json"
            if name == "sample" and not path.exists():
                break
            try:
                files[name] = {"path": str(path), "value": load_json(path)}
            except InputError as e:
                error = e
                break
        if "estimates" in files:
            checks.append({"kind": "criterion", "estimates": files["estimates"], "benchmark": files.get("benchmark"),
                           "sample": files.get("sample"), "kernel": kernel, "dir": str(new_dir)})
            loaded.append(files)
        if error is not None:
            break
    out = []
    for files, seconds in zip(loaded, ask(*checks, then=error)):
        est, bench = files["estimates"]["value"], files["benchmark"]["value"]
        out.append({"full_id": bench["full_id"], "kernel": bench["function_id"], "isa": bench["value_str"],
                    **{k: seconds[k] for k in ("median_s", "ci_low_s", "ci_high_s")},
                    "ci_level": est["median"]["confidence_interval"].get("confidence_level", 0.95),
                    "mean_s": seconds["mean_s"], "iterations": (bench.get("throughput") or {}).get("Elements"),
                    **{k: seconds[k] for k in ("samples", "min_s", "max_s")}})
    return out


def check_inputs(registry, verify, criterion, baselines, peak, tune=None, source="the Python baselines",
                 foreign=False):
    """What the merge is given in memory: the registry, the verification rows and Criterion results by kernel (each
    row from a file against its registry kernel), the baselines (`source`; `foreign`: from another machine), the
    peak (on the rounds' ISA path), the tune rows; then the baselines' pyo3-* rungs against the kernels they wrap
    (crates/report/src/check.rs, `wrapped`). The tie band of the tune rows."""
    inputs = {"registry": registry, "verify": verify, "criterion": criterion, "baselines": baselines}
    _, band, _ = ask({"kind": "inputs", **inputs, "peak": peak}, {"kind": "tie_band", "rows": tune},
                      {"kind": "wrapped", **inputs, "source": str(source), "foreign": bool(foreign)})
    return band


def read_summary(path):
    """A summary.json (or the folder holding one), every field compare reads checked."""
    path = Path(path)
    path = path / "summary.json" if path.is_dir() else path
    data = check_summary(load_json(path), path)
    data.setdefault("source", str(path))
    return data


def check_summary(data, path="the summary"):
    """A summary as written or compared: each rung once, every time positive and finite or null, intervals in order,
    every ok row timed and verified, its time, spread and speedups those its rounds and the rows it names give."""
    ask({"kind": "summary", "value": data, "path": str(path)})
    return data


def check_sweep(data, kind, what):
    """A sweep (`kind` "sweep": `mandel sweep --json`, python_baselines.sweep) or the large image ("large": `mandel
    render --json`) as `what` printed it: its shape, every point verified, no more work than its pixels can do."""
    ask({"kind": "sweep", "value": data, "what": str(what), "large": kind == "large"})
    return data


# --- what is not a check ---------------------------------------------------------------------------

# The tunings, tune rows and peaks are Rust's to read (crates/report/src/tunings.rs, peaks.rs): these ask it.


def tunings():
    """The tuning variables a tune file pins, the only ones the ladder and scripts/ab set from one, in order: each
    a dict of its `variable`, the `run_key` run.json records it under, the kernel `families` it pins (a copy of the
    one answer a process asks for: a caller's change stays its own)."""
    return json.loads(_tunings())


@cache
def _tunings():
    return json.dumps(ask({"kind": "tunings"})[0])


def tie_band(rows):
    """The tie band `mandel tune` chose its rows with (a fraction), as far as the rows say; None when unknown. The
    rows (None: none) are checked as the merge's tune rows."""
    return ask({"kind": "tie_band", "rows": rows})[0]


def unchosen(registry, rows, user_set):
    """The tuned families the registry's kernels run that the tune rows chose none for, sorted, those of the
    variables in `user_set` (the user's to pin) left out (crates/report/src/tunings.rs)."""
    return ask({"kind": "unchosen", "registry": registry, "rows": rows, "user_set": list(user_set)})[0]


def tuning_pins(rows, source="`mandel tune --json`"):
    """{variable: value} pinning what `mandel tune` chose (its `fastest`) in `rows` (tune rows from `source`); a
    variable left out when no row of its kind timed any. A row naming another variable is refused (InputError)."""
    return dict(ask({"kind": "pins", "rows": rows, "source": str(source)})[0])


def combine_peaks(before, after, when="after the benches"):
    """Two `mandel peak` results of one run as one: each rate the higher, with its tuning; `measured` keeps each
    measurement, `when` naming the new one (`before` may be a combined peak already: the third, after the Python
    rows, is added to its two). Different ISA paths: None."""
    return ask({"kind": "peaks", "before": before, "after": after, "when": when})[0]
