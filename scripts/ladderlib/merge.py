"""The merge: the registry (`mandel describe`), the Rust results (verification, times) and `mandel peak`, and the
Python baselines, into one row per rung with speedups and shares of the peak. Order: the Python rungs (pyo3-*
excepted), the Rust kernels in registry order, then the pyo3-* rungs (the same kernels called from Python). Every
rung named by any input gets a row (`missing` with the reason, `failed` without a speedup); only ok rows that
compute counts serve as the next row's "previous rung". Every input is checked with the readers' rules first and
the result with `readers.check_summary`."""

from pathlib import Path

from . import CANONICAL, SUMMARY_SCHEMA, cargo, readers, rounds
from .groups import like_for_like
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


def peak_share(work, median_s, per_core_s, threads):
    """(work / median_s) / (per_core_s * threads): a rung's share of a per-core ceiling of `mandel peak`
    (`per_core_s`: a rate, work per second per core), None where an input is missing. Of the FMA peak, work is
    the lane-iterations (every SIMD lane that ran, idle or not), one counted against one FMA slot though an
    iteration needs several: real kernels sit far below 1. Of the step ceiling (the SIMD step on always-busy
    vectors, no checks, no loads), work is the useful iterations: a kernel that skips work can pass 1."""
    if not work or not median_s or not per_core_s or not threads:
        return None
    return (work / median_s) / (per_core_s * threads)


step_share = peak_share


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


def add_rates(rows, peak, registry, verify):
    """Iterations per second and the shares of the peak. Lane-iterations: the bench's measured ones, else a
    one-lane kernel's iterations."""
    lanes = {name: v["lane_iterations"] for name, v in verify.items() if v.get("lane_iterations") is not None}
    one_lane = {k["name"] for k in registry if k.get("one_lane")}
    for r in rows:
        if r["status"] != "ok":
            continue
        if r["iterations"]:
            r["iterations_per_s"] = r["iterations"] / r["median_s"]
        if r["kernel"] is None:
            continue
        if r["kernel"] in lanes:
            r["lane_iterations"], r["lane_iterations_source"] = lanes[r["kernel"]], "measured"
        elif r["kernel"] in one_lane and r["iterations"]:
            r["lane_iterations"], r["lane_iterations_source"] = r["iterations"], "scalar: one lane"
        if peak and r["precision"] in ("f32", "f64"):
            r["peak_share"] = peak_share(r["lane_iterations"], r["median_s"],
                                         peak.get(f"{r['precision']}_lane_fmas_per_s"), r["threads_n"])
            r["step_share"] = step_share(r["iterations"], r["median_s"],
                                         peak.get(f"{r['precision']}_step_lane_iterations_per_s"), r["threads_n"])


def add_speedups(rows):
    """Speedup over pure Python and over the previous rung, only for ok rows and against a row of the same problem.
    The previous rung of a pyo3-<kernel> row is its own <kernel> row (what crossing the boundary costs); of any other
    row the nearest ok row above of the same precision that computes counts, no reference and no pyo3-* row: an f32
    row over an f64 one would mix what the rung adds with what the narrower type gives (twice the SIMD lanes). A row
    that does not compute counts (the bitmap) has none."""
    base = next((r for r in rows if r["name"] == PURE_PYTHON and r["status"] == "ok"), None)
    ok = {r["name"]: r for r in rows if r["status"] == "ok"}
    rungs = []  # the ok rows above that may be a previous rung, in order
    for r in rows:
        if r["status"] != "ok":
            continue
        if base is not None and base["problem"] == r["problem"]:
            r["speedup_vs_python"] = base["median_s"] / r["median_s"]
        # A reference (the hand-written C) is not a rung: it neither has nor is a "previous rung".
        if r.get("reference"):
            continue
        if r["computes"] != "counts":  # a bitmap is other work than any counts row: it has no previous rung either
            continue
        pyo3 = r["name"].startswith("pyo3-")
        if pyo3:
            previous = ok.get(r["kernel"])
            if previous is not None and (previous["computes"] != "counts" or previous.get("reference")):
                previous = None
        else:
            previous = next((p for p in reversed(rungs) if p["precision"] == r["precision"]), None)
        if previous is not None and previous["problem"] == r["problem"]:
            r["speedup_vs_previous"] = previous["median_s"] / r["median_s"]
            r["previous"] = previous["name"]
        if not pyo3:
            rungs.append(r)


def blank_other_isa(rows, recorded_isa):
    """pyo3-<kernel> rows whose ISA path (`recorded_isa`: as their baselines file records it) is not their native
    row's, or either is unknown (e.g. Python baselines merged from a run that took AVX-512 into one forced to AVX2):
    their vs previous, their lane-iterations (counted on the native path) and their shares of the ceiling and the
    peak (measured on it) are blanked. Returns (name, its ISA, the native row's) for each, in row order."""
    native = {r["name"]: r for r in rows if not r["name"].startswith("pyo3-")}
    out = []
    for r in rows:
        if r["name"] not in recorded_isa or r["status"] != "ok":
            continue
        ours, theirs = recorded_isa[r["name"]], (native.get(r["kernel"]) or {}).get("isa")
        if ours is not None and ours == theirs:
            continue
        r.update(speedup_vs_previous=None, previous=None, peak_share=None, step_share=None, lane_iterations=None,
                 lane_iterations_source=None)
        out.append((r["name"], ours, theirs))
    return out


def tuning_family(row):
    """The tuned family (`mandel bench`'s names: readers.TUNING_FAMILIES) whose tuning a row's kernel runs: the C
    reference's, the whole-vector SIMD kernels' of its precision (simd-f32, rayon-simd-f64: the refill and
    algorithmic variants run one fixed tuning per path, which no variable reaches); None otherwise."""
    if row.get("reference"):
        return "c-reference"
    parts = (row.get("kernel") or "").split("-")
    return f"simd-{parts[-1]}" if parts[-2:] in (["simd", "f32"], ["simd", "f64"]) else None


def resolved(pairs):
    """{family: {tuning}} from [family, "TUNING (source)"] pairs, a round's or the extension's
    (mandel_registry::tunings): whether a tuning was forced or calibrated does not change what ran."""
    out = {}
    for family, text in pairs or ():
        out.setdefault(family, set()).add(text.partition(" (")[0])
    return out


def blank_other_tuning(rows, settings, recorded, skip=()):
    """pyo3-<kernel> rows of a tuned kernel whose tuning through Python (`recorded`: the baselines'
    `extension_tunings`) is not the Rust rows' (the rounds' `tunings`): their vs previous, lane-iterations and share
    of the FMA peak (counted on the Rust row's schedule) are blanked; the step ceiling's share (useful iterations)
    stays. Where a side records no tuning for the family (a baselines file from before the field, rounds timed by
    Criterion) or the rounds ran more than one (unpinned, each process calibrated its own), nothing is blanked and
    the row's tuning is unknown. Rows in `skip` (not compared already: blank_other_isa) are left alone. Returns
    ([(name, family, Python's tuning, the Rust rows')], [names whose tuning is unknown], in row order; whether any
    tuned pyo3- row's tuning differs or is unknown)."""
    ours, theirs = resolved((settings.get("rounds") or {}).get("tunings")), resolved(recorded)
    blanked, unknown, differs = [], [], False
    for r in rows:
        family = tuning_family(r) if r["name"].startswith("pyo3-") and r["status"] == "ok" else None
        if family is None:
            continue
        py, rust = theirs.get(family, set()), ours.get(family, set())
        if len(py) == 1 and py == rust:
            continue
        differs = True  # or unknown: the tuning note then claims the run's tuning for the Rust rows only
        if r["name"] in skip:
            continue
        if len(py) != 1 or len(rust) != 1:
            unknown.append(r["name"])
            continue
        r.update(speedup_vs_previous=None, previous=None, peak_share=None, lane_iterations=None,
                 lane_iterations_source=None)
        blanked.append((r["name"], family, *py, *rust))  # one each (not popped: the family's next row reads them)
    return blanked, unknown, differs


# The vector width of each SIMD path the Rust and C kernels take (`mandel describe`'s ISA names).
VECTOR_BITS = {"avx512": 512, "avx2": 256, "sse2": 128, "neon": 128}


def mark_other_width(rows, machine):
    """Rows that record their SIMD width (the Mojo SIMD rungs: `simd_width` f32 lanes, twice the native width
    of the CPU `mojo build` compiled for, whatever MANDEL_ISA says) get the ISA path that width implies; where
    it is not the width of the Rust and C SIMD rows' path (a run forced to AVX2 on an AVX-512 CPU), their
    method says so, in the main table and the like-for-like groups. Returns (name, bits, the Rust rows' paths)
    for each such row."""
    # the whole-vector Rust SIMD rows' path: the one the groups rank Mojo against (the C rows may have another)
    paths = sorted({r["isa"] for r in rows if r["language"] == "Rust" and r["isa"] in VECTOR_BITS
                    and not r["name"].startswith("pyo3-") and r["name"].split("-")[-2:-1] == ["simd"]})
    arm = "asimd" in ((machine or {}).get("isa_flags") or [])
    out = []
    for r in rows:
        if not r.get("simd_width") or r["status"] != "ok":
            continue
        bits = r["simd_width"] // 2 * 32
        r["isa"] = r["isa"] or {512: "avx512", 256: "avx2", 128: "neon" if arm else "sse2"}.get(bits)
        if paths and any(VECTOR_BITS[p] != bits for p in paths):
            r["method"] = f"{r['method']} [{bits}-bit vectors, not the Rust rows' {'/'.join(paths)}]"
            out.append((r["name"], bits, paths))
    return out


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
    `mandel_report`: the binary that writes the notes (`notes`). InputError for an input that breaks the readers'
    rules."""
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

    add_rates(rows, peak, listed, verify)
    add_speedups(rows)
    other_isa = blank_other_isa(rows, recorded_isa)
    other_tuning, unknown_tuning, tuning_differs = blank_other_tuning(
        rows, settings, readers.extension_pairs(bl.get("extension_tunings")), skip={name for name, _, _ in other_isa})
    other_width = mark_other_width(rows, machine)
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
    summary["notes"] = notes(summary, have_registry, registry_missing, baselines is not None, baselines_missing,
                             tie_band=readers.tie_band(tune), pyo3_tuning_differs=tuning_differs,
                             mandel_report=mandel_report)
    if other_isa:
        summary["notes"].append(
            "Not compared with their native rows (no vs previous, no share of the step ceiling or FMA peak): "
            + ", ".join(f"{name} ({ours or 'ISA not recorded'} against {native or 'ISA not recorded'})"
                        for name, ours, native in other_isa)
            + ". Through Python they took another instruction-set path than the native row of their kernel (or one "
            "of the two paths is not recorded): the ratio would mix the boundary's cost with the path's, and the "
            "ceiling, the peak and the lane-iterations were measured on the native row's path.")
    if other_tuning:
        summary["notes"].append(
            "Not compared with their native rows (no vs previous, no lane-iterations, no share of the FMA peak): "
            + ", ".join(f"{name} ({family}: {py} through Python, {rust} in the Rust rows)"
                        for name, family, py, rust in other_tuning)
            + ". Through Python the kernel ran another tuning than its Rust row: the ratio would mix the boundary's "
            "cost with the tuning's, and the lane-iterations were counted on the Rust row's tuning.")
    if unknown_tuning:
        summary["notes"].append(
            f"The tuning of {', '.join(unknown_tuning)} is unknown: their baselines file predates run.py recording "
            "the tunings the extension ran (extension_tunings), or the Rust rounds record none (timed by Criterion) "
            "or more than one (unpinned, each process calibrated its own). Their 'vs previous' and lane-iterations "
            "(counted on the Rust rows' tuning) hold only if the extension ran the Rust rows' tuning, which the "
            "files cannot show; rerun the ladder to know.")
    if other_width:
        summary["notes"].append(
            "Not on the Rust and C rows' SIMD path: "
            + ", ".join(f"{name} ({bits}-bit vectors against {'/'.join(paths)})" for name, bits, paths in other_width)
            + ". Mojo compiles for the host CPU and ignores MANDEL_ISA, so where the run forced another path (or "
            "the build lacks the host's widest) they ran another vector width than the rows they are ranked with in "
            "the like-for-like groups: the gap there is partly the width's.")
    summary["groups"] = like_for_like(rows, machine)  # summary.md's "Like for like" (ladderlib.groups)
    if unlisted:
        summary["notes"].insert(0, f"Timed or verified but not in the registry: {', '.join(unlisted)} "
                                   "(kept, after the registry's kernels).")
    return readers.check_summary(summary)


def notes(summary, have_registry, registry_missing, have_baselines, py_reason, tie_band=None,
          pyo3_tuning_differs=False, mandel_report=None):
    """The summary's notes (`mandel-report notes`: crates/report/src/notes.rs), given the rules the scripts use too
    and the rounds' speed note (`rounds.speed_note`, which scripts/compare and scripts/ab write as well).
    `mandel_report`: the binary, else `cargo.report_binary`'s (MANDEL_REPORT_BIN where set)."""
    rows, settings = summary["rows"], summary["settings"]
    request = {"rows": rows, "peak": summary["peak"] or None, "settings": settings,
               "have_registry": have_registry, "registry_missing": registry_missing,
               "have_baselines": have_baselines, "py_reason": py_reason, "tie_band": tie_band,
               "pyo3_tuning_differs": pyo3_tuning_differs,
               "python_problem": problem_label(settings["python_params"]),
               "speed_note": rounds.speed_note(rows, "Rust rounds"), "pure_python": PURE_PYTHON,
               "contended": rounds.CONTENDED, "step_keys": readers.STEP_KEYS, "rates": readers.RATES,
               "tunings": [[var, settings.get(key)] for key, var in readers.TUNINGS.items()]}
    return cargo.ask_report(mandel_report or cargo.report_binary(REPO), "notes", request)["notes"]
