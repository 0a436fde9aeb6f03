"""The merge: the registry (`mandel describe`), the Rust results (verification, times) and `mandel peak`, and the
Python baselines, into one row per rung with speedups and shares of the peak. Order: the Python rungs (pyo3-*
excepted), the Rust kernels in registry order, then the pyo3-* rungs (the same kernels called from Python). Every
rung named by any input gets a row (`missing` with the reason, `failed` without a speedup). Here the inputs are
checked with the readers' rules and the rows built; `mandel-report finish` (crates/report/src/rows.rs) finishes
them (rates, speedups, shares, the rows not compared with their native rows), writes the notes and groups the rows
like for like (crates/report/src/groups.rs), in one request; the result is checked with `readers.check_summary`."""

from pathlib import Path

from . import CANONICAL, SUMMARY_SCHEMA, cargo, readers, rounds
from .machine import other_machine
from .readers import PURE_PYTHON, InputError

BITMAP_MARK = "(bitmap only: computes a different result)"
REFERENCE_MARK = "(reference, not a rung)"
REPO = Path(__file__).resolve().parents[2]


def problem_label(params):
    """`canonical`, or `WxH/N` with the window when it differs from the canonical problem."""
    params = {**CANONICAL, **(params or {})}
    if params == CANONICAL:
        return "canonical"
    return "{width}x{height}/{max_iters} [{x_min},{x_max}]x[{y_min},{y_max}]".format(**params)


def foreign(baselines, machine):
    """Why the Python baselines' machine (CPU model, cores, family/model, machine id) or problem differs from this
    run's: empty when they match. A file that does not record its machine counts as foreign."""
    reasons = other_machine(baselines.get("machine"), machine)
    label = problem_label(baselines.get("params"))
    if label != "canonical":
        reasons.append(f"problem {label}, not the canonical one the Rust rungs are timed on")
    return reasons


def thread_count(threads):
    """Threads as a whole number (a pool kernel reports its pool's size); None when unknown."""
    return threads if isinstance(threads, int) and not isinstance(threads, bool) and threads >= 1 else None


def threads_label(info):
    """`1`, or `pool(N)` for a kernel on the rayon pool of N threads."""
    n = info.get("threads")
    return f"pool({n})" if info.get("pool") and n is not None else (None if n is None else str(n))


def _method(label, name):
    return name if not label or label == name else f"{label} ({name})"


# A row's fields, in the order summary.json has them (writers.CSV_FIELDS is the CSV's subset).
ROW_FIELDS = ("name method language precision isa threads threads_n computes problem status kernel median_s "
              "spread_kind spread_low_s spread_high_s mean_s repeats compile_s iterations iterations_per_s "
              "speedup_vs_python speedup_vs_previous previous lane_iterations lane_iterations_source peak_share "
              "step_share pixels differing allowed max_abs_diff verified_ok round_times_s contended_rounds "
              "others_median steal_median note").split()


def _row(name, method, language, **fields):
    return {**dict.fromkeys(ROW_FIELDS), "computes": "counts", "problem": "canonical", "status": "missing", "note": "",
            "name": name, "method": method, "language": language, **fields}


def python_row(rung, problem, round_settings):
    """A Python rung's row; its time judged like the Rust rows' rounds (`rounds.calls_time`: its calls, all in one
    process, cut into rounds by the run's `round_settings`), or the file's median call where the run was not timed
    in rounds (a Criterion-era set: medians on both sides) or the file lists no calls."""
    v = rung.get("verification") or {}
    times = rung.get("times_s")
    time = rung.get("median_s")  # None: no time (the rung failed), whatever calls it lists
    if time is not None and times and round_settings:
        time = rounds.calls_time(times, round_settings["kernel_s"], round_settings["min_renders"])
    return _row(
        rung["name"], _method(rung.get("rung"), rung["name"]),
        rung.get("language") or "Python",
        precision=rung.get("precision"), isa=rung.get("isa"), threads=rung.get("threads"),
        threads_n=thread_count(rung.get("threads")), computes=rung.get("computes") or "counts",
        problem=problem, median_s=time, spread_low_s=rung.get("min_s"), spread_high_s=rung.get("max_s"),
        spread_kind=None if rung.get("min_s") is None else f"min-max over {rung.get('repeats') or '?'} runs",
        repeats=rung.get("repeats"), compile_s=rung.get("compile_s"), iterations=rung.get("iterations"),
        pixels=v.get("pixels"), differing=v.get("differing"), allowed=v.get("allowed"),
        max_abs_diff=v.get("max_abs_diff"), verified_ok=v.get("ok"),
        kernel=rung["name"][len("pyo3-"):] if rung["name"].startswith("pyo3-") else None,
        **({"simd_width": rung["simd_width"]} if rung.get("simd_width") else {}),
    )


def rust_row(info, crit, check):
    name = info["name"]
    row = _row(name, _method(info.get("rung"), name), "Rust", precision=info.get("precision"), isa=info.get("isa"),
               threads=threads_label(info), threads_n=thread_count(info.get("threads")), kernel=name,
               reference=bool(info.get("reference")), skips_work=bool(info.get("algorithmic")))
    if row["reference"]:
        # A yardstick, not a rung (the registry's references are the hand-written C kernels): its
        # label says so, or the method cell does.
        row["language"] = "C"
        if "not a rung" not in row["method"]:
            row["method"] = f"{row['method']} {REFERENCE_MARK}"
    if info.get("available") is False:
        return row  # not runnable in this build: results left over from an earlier build are not its
    if check:
        row.update(pixels=check.get("pixels"), differing=check.get("differing"), allowed=check.get("allowed"),
                   max_abs_diff=check.get("max_abs_diff"), verified_ok=check.get("ok"),
                   iterations=check.get("iterations"))
    if crit:
        row.update(isa=crit["isa"], median_s=crit["median_s"], mean_s=crit["mean_s"],
                   spread_low_s=crit["ci_low_s"], spread_high_s=crit["ci_high_s"], repeats=crit.get("samples"),
                   spread_kind=crit.get("spread_kind")
                   or f"{round(crit.get('ci_level', 0.95) * 100)}% CI of the median (Criterion)",
                   iterations=crit.get("iterations") or row["iterations"])
        if crit.get("round_times_s"):  # measured in rounds (ladderlib.rounds): what the verdicts use
            row.update(round_times_s=crit["round_times_s"], contended_rounds=crit.get("contended_rounds"),
                       others_median=crit.get("others_median"), steal_median=crit.get("steal_median"))
    return row


def _settle(row, missing_reason):
    """Status and note: failed verification beats everything; ok only with a verification (its `ok` exactly
    `differing <= allowed`: readers.check_verification); a time without a verification is failed, never ranked."""
    if row["verified_ok"] is False and row["differing"] is None:  # no count: the output could not be compared
        row["status"] = "failed"
        row["note"] = ("FAILED verification: its output could not be compared with the reference pixel by pixel "
                       "(a wrong shape, or the timed build's counts differing from the verified build's); no speedup")
    elif row["verified_ok"] is False:
        row["status"] = "failed"
        row["note"] = (f"FAILED verification: {row['differing']} of {row['pixels']} pixels differ "
                       f"(allowed {row['allowed']}); no speedup")
    elif row["median_s"] is None:
        row["status"] = "missing"
        row["note"] = missing_reason
    elif row["verified_ok"] is None:
        row["status"] = "failed"
        row["note"] = "NOT VERIFIED: timed, but no verification of its output was recorded; no speedup"
    else:
        row["status"] = "ok"
    if row["computes"] == "bitmap":
        row["method"] = f"{row['method']} {BITMAP_MARK}"
    return row


def tuning_family(row):
    """The tuned family (`mandel bench`'s names: readers.TUNING_FAMILIES) whose tuning a row's kernel runs: the C
    reference's, the whole-vector SIMD kernels' of its precision (simd-f32, rayon-simd-f64: the refill and
    algorithmic variants run one fixed tuning per path, which no variable reaches); None otherwise."""
    if row.get("reference"):
        return "c-reference"
    parts = (row.get("kernel") or "").split("-")
    return f"simd-{parts[-1]}" if parts[-2:] in (["simd", "f32"], ["simd", "f64"]) else None


def check_wrapped(rung, kernel, source, foreign=False):
    """A pyo3-* rung against the registry kernel it wraps: the same precision and threads, else its row would show
    one kernel's time with another's width (a share of the ceiling of the wrong precision, or divided by the wrong
    thread count: over 100% of the step ceiling for a pool kernel said to run on one thread). Baselines merged from
    another machine (--allow-foreign-baselines) ran on that machine's pool: their threads are theirs."""
    for field in ("precision",) if foreign else ("precision", "threads"):
        if rung.get(field) is not None and rung[field] != kernel.get(field):
            raise InputError(f"{source}: rung {rung['name']!r} {field} is {rung[field]!r}, the registry's "
                             f"{kernel['name']!r} (`mandel describe`) has {kernel.get(field)!r}: not the kernel it "
                             "wraps")


def registry_from_results(names, verify, criterion):
    """Kernel descriptions without the registry, of `names` from their verification rows and results."""
    out = []
    for name in names:
        v, c = verify.get(name) or {}, criterion.get(name) or {}
        out.append({"name": name, "rung": None, "precision": v.get("precision"), "threads": v.get("threads"),
                    "pool": False, "isa": v.get("isa") or c.get("isa")})
    return out


def merge(machine, machine_id, settings, registry=None, verify=None, criterion=None, baselines=None,
          baselines_missing="Python baselines not run", peak=None, registry_missing="`mandel describe` not run",
          baselines_source="the Python baselines", tune=None, mandel_report=None):
    """The summary: machine, settings, rows and notes. `registry`: `mandel describe`'s kernels; `verify`:
    verification rows by kernel; `criterion`: the results by kernel (rounds or Criterion); `tune`: the run's
    `mandel tune` rows (raw/tune.json), for the tie band its tuning was chosen with; any may be None;
    `mandel_report`: the binary that finishes the rows and writes the notes (`finish`). InputError for an input
    that breaks the readers' rules."""
    # Rust's pool (describe or a round), never the machine's core count: a run that recorded none shows it unknown.
    pool_threads = settings.get("pool_threads")
    criterion = {} if criterion is None else criterion
    verify = {} if verify is None else verify
    readers.check_inputs(registry, verify, criterion, baselines, peak)
    if tune is not None:
        readers.check(tune, readers.TUNE, "`mandel tune --json`", "the tune rows")
    have_registry = registry is not None
    known = {info["name"] for info in registry or []}
    from_results = list(dict.fromkeys(n for n in [*verify, *criterion] if n not in known))  # verified and timed: once
    listed = (registry or []) + registry_from_results(from_results, verify, criterion)
    by_name = {info["name"]: info for info in listed}
    # Timed or verified, but not in the registry: kept, at the end of the Rust rows, never dropped.
    unlisted = from_results if have_registry else []
    bl = baselines or {}
    problem = problem_label(bl.get("params"))
    clash = [r["name"] for r in bl.get("rungs", []) if r["name"] in by_name]
    if clash:
        raise InputError(f"the Python baselines name rung(s) {', '.join(clash)} like Rust kernels "
                         "(Python rungs are named python-*, numpy-*, numba-*, pyo3-<kernel>)")
    pyo3_rungs = [r for r in bl.get("rungs", []) if r["name"].startswith("pyo3-")]

    # A Python rung's calls are cut into rounds made as the full run's Rust ones (`python_rounds`; a set merged
    # before it was recorded: its own rounds' settings).
    round_settings = settings.get("python_rounds") or settings.get("rounds")

    def from_baselines(rung):
        return _settle(python_row(rung, problem, round_settings), rung.get("error") or "no time in the baselines file")

    rows = [from_baselines(r) for r in bl.get("rungs", []) if not r["name"].startswith("pyo3-")]
    seen = {r["name"] for r in rows}
    # run.py's table of every Python rung (`python_rungs`): those it did not run are listed, missing.
    for r in bl.get("python_rungs") or []:
        if r["name"] not in seen:
            row = _row(r["name"], _method(r["label"], r["name"]), r["language"], precision=r["precision"],
                       computes=r["computes"])
            rows.append(_settle(row, "not in the baselines file"))
    for info in listed:
        # e.g. "built without a C compiler"; else the timing method's own word for "not timed"
        missing = info.get("unavailable") or ("not timed in the rounds (raw/rounds.json)" if settings.get("rounds")
                                              else "no Criterion result")
        row = _settle(rust_row(info, criterion.get(info["name"]), verify.get(info["name"])), missing)
        if info["name"] in unlisted:
            row["note"] = (row["note"] + "; " if row["note"] else "") + "not in the registry"
        rows.append(row)
    recorded_isa = {}
    for rung in pyo3_rungs:  # a Rust kernel through the extension: the registry's tolerance rule applies
        row = from_baselines(rung)
        info = by_name.get(row["kernel"]) or {}
        if row["kernel"] in known:
            check_wrapped(rung, info, baselines_source, foreign=bool(settings.get("python_foreign")))
        v, rule = rung.get("verification"), readers.tolerance_of(info)
        if v and rule:  # (a verification has its pixels: readers.check_baselines)
            readers.check_verification(v, baselines_source, f"rung {rung['name']!r} verification", tolerance=rule)
        recorded_isa[row["name"]] = row["isa"]  # the path the extension took, as the baselines file says
        row["isa"] = row["isa"] or info.get("isa")  # the wrapped kernel's path, if the file omits it
        row["reference"] = bool(info.get("reference"))
        rows.append(row)

    summary = {"schema": SUMMARY_SCHEMA, "machine_id": machine_id, "machine": machine,
               "settings": {**settings, "pool_threads": pool_threads, "params": CANONICAL,
                            # what a row's time is (compare refuses to judge runs whose rules differ)
                            **({"rounds": {**settings["rounds"], "round_time": rounds.ROUND_TIME}}
                               if settings.get("rounds") else {}),
                            **({"python_time": f"the median of its rounds' fastest calls (rounds of "
                                f"{round_settings['kernel_s']} s and {round_settings['min_renders']} calls at least; "
                                f"with fewer than {rounds.MIN_ROUNDS} rounds, the median call)"}
                               if baselines is not None and round_settings else {}),
                            **{f"python_{k}": bl.get(k) for k in ("params", "settings", "machine")}},
               "peak": peak, "rows": rows}
    # The rows finished (rates, speedups, shares, those not compared with their native rows) and the notes:
    # `mandel-report finish` (crates/report/src/finish.rs, rows.rs, notes.rs).
    request = {"rows": rows, "peak": peak or None,
               "kernels": [{"name": k["name"], "one_lane": k.get("one_lane")} for k in listed],  # all it reads
               "verify": {name: {"lane_iterations": v.get("lane_iterations")} for name, v in verify.items()},
               "recorded_isa": recorded_isa,
               "families": {r["name"]: f for r in rows if r["name"].startswith("pyo3-") and (f := tuning_family(r))},
               "rust_tunings": (settings.get("rounds") or {}).get("tunings"),
               "python_tunings": readers.extension_pairs(bl.get("extension_tunings")),
               "isa_flags": (machine or {}).get("isa_flags"), "unlisted": unlisted,
               "notes": notes_request(summary, have_registry, registry_missing, baselines is not None,
                                      baselines_missing, tie_band=readers.tie_band(tune))}
    answer = cargo.ask_report(mandel_report or cargo.report_binary(REPO), "finish", request)
    summary["rows"], summary["notes"] = answer["rows"], answer["notes"]
    summary["groups"] = answer["groups"]  # summary.md's "Like for like" (crates/report/src/groups.rs)
    return readers.check_summary(summary)


def notes_request(summary, have_registry, registry_missing, have_baselines, py_reason, tie_band=None):
    """The notes' part of `mandel-report finish`'s request (crates/report/src/notes.rs): the rules the scripts use
    too (the rounds' speed note is made there: crates/report/src/speed.rs)."""
    settings = summary["settings"]
    return {"settings": settings, "have_registry": have_registry, "registry_missing": registry_missing,
            "have_baselines": have_baselines, "py_reason": py_reason, "tie_band": tie_band,
            "python_problem": problem_label(settings["python_params"]), "pure_python": PURE_PYTHON,
            "contended": rounds.CONTENDED, "step_keys": readers.STEP_KEYS, "rates": readers.RATES,
            "tunings": [[var, settings.get(key)] for key, var in readers.TUNINGS.items()]}
