"""The merge: the registry (`mandel describe`), the Rust results (verification, times) and `mandel peak`, and the
Python baselines, into one row per rung with speedups and shares of the peak. Here the inputs are checked with the
readers' rules and the summary's settings assembled; `mandel-report finish` builds the rows from the checked inputs
(crates/report/src/build.rs: every rung named by any input gets a row, in ladder order), finishes them (rates,
speedups, shares, the rows not compared with their native rows: rows.rs), writes the notes and groups the rows like
for like (groups.rs), in one request; the result is checked with `readers.check_summary`."""

import math
from pathlib import Path

from . import CANONICAL, SUMMARY_SCHEMA, cargo, readers

REPO = Path(__file__).resolve().parents[2]


def foreign(baselines, machine):
    """Why the Python baselines' machine or problem differs from this run's (crates/report/src/machine.rs): empty when
    they match. A file that does not record its machine counts as foreign."""
    return readers.ask({"kind": "foreign", "baselines": baselines, "here": machine})[0]


def finite(v):
    """`v` with each NaN or infinity as null, for JSON: the readers hold every number the rows are built from finite,
    so only a field no rule reads can hold one (run.py writes a few such), and it must not stop the merge."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    return [finite(x) for x in v] if isinstance(v, list) else v


def merge(machine, machine_id, settings, registry=None, verify=None, criterion=None, baselines=None,
          baselines_missing="Python baselines not run", peak=None, registry_missing="`mandel describe` not run",
          baselines_source="the Python baselines", tune=None, mandel_report=None):
    """The summary: machine, settings, rows and notes. `registry`: `mandel describe`'s kernels; `verify`:
    verification rows by kernel; `criterion`: the results by kernel (rounds or Criterion); `tune`: the run's
    `mandel tune` rows (raw/tune.json), for the tie band its tuning was chosen with; any may be None;
    `mandel_report`: the binary that builds and finishes the rows and writes the notes (`finish`). InputError for
    an input that breaks the readers' rules."""
    # Rust's pool (describe or a round), never the machine's core count: a run that recorded none shows it unknown.
    pool_threads = settings.get("pool_threads")
    criterion = {} if criterion is None else criterion
    verify = {} if verify is None else verify
    # checked, with the tune rows, and the pyo3-* rungs against the kernels they wrap: the tie band the tuning was
    # chosen with
    tie_band = readers.check_inputs(registry, verify, criterion, baselines, peak, tune, baselines_source,
                                    foreign=settings.get("python_foreign"))
    bl = baselines or {}

    # A Python rung's calls are cut into rounds made as the full run's Rust ones (`python_rounds`; a set merged
    # before it was recorded: its own rounds' settings), sent as the summary's words write them (an int of any size).
    round_settings = settings.get("python_rounds") or settings.get("rounds")
    python = {f"python_{k}": bl.get(k) for k in ("params", "settings", "machine")}
    # The rows built from the checked inputs and finished (rates, speedups, shares, those not compared with their
    # native rows), and the notes: `mandel-report finish` (crates/report/src/finish.rs, build.rs, rows.rs, notes.rs).
    inputs = finite({"registry": registry, "verify": verify, "criterion": criterion,
                     "baselines": None if baselines is None else {k: bl.get(k) for k in ("rungs", "python_rungs")},
                     "python_rounds": {k: readers.wire(v) for k, v in round_settings.items()
                                       if k in ("kernel_s", "min_renders")} if round_settings else None})
    request = {"inputs": inputs, "peak": peak or None,
               "python_tunings": bl.get("extension_tunings"),  # either record (crates/report/src/check.rs)
               "isa_flags": (machine or {}).get("isa_flags"),
               "notes": notes_request({**settings, **python}, registry_missing, baselines_missing, tie_band=tie_band)}
    answer = cargo.ask_report(mandel_report or cargo.report_binary(REPO), "finish", request)
    # what a row's time is, in the words of the rule that makes it, `finish`'s (compare refuses to judge runs whose
    # rules differ)
    merged = {**settings, "pool_threads": pool_threads, "params": CANONICAL,
              **({"rounds": {**settings["rounds"], "round_time": answer["round_time"]}} if settings.get("rounds") else {}),
              **({"python_time": answer["python_time"]} if answer["python_time"] is not None else {}), **python}
    summary = {"schema": SUMMARY_SCHEMA, "machine_id": machine_id, "machine": machine, "settings": merged,
               "peak": peak, "rows": answer["rows"], "notes": answer["notes"],
               "groups": answer["groups"]}  # summary.md's "Like for like" (crates/report/src/groups.rs)
    return readers.check_summary(summary)


def notes_request(settings, registry_missing, py_reason, tie_band=None):
    """The notes' part of `mandel-report finish`'s request (crates/report/src/notes.rs): the summary's `settings`,
    and the rules the scripts use too (the rounds' speed note is made there: crates/report/src/speed.rs)."""
    return {"settings": settings, "registry_missing": registry_missing, "py_reason": py_reason, "tie_band": tie_band}
