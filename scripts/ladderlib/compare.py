"""Compare ladder results (summary.json): several machines side by side, or two runs of one machine.

  scripts/compare results/A results/B [more ...]   machines: per rung each one's time, speedup over its own
                                                   pure Python, ISA path, threads, verification; X/A ratios
  scripts/compare --baseline NAME                  this machine's baseline NAME against its current results
  scripts/compare RUN_A RUN_B                      two runs of one machine: a verdict per rung (`mandel-report verdicts`)

Results of different problems or settings are refused unless --allow-different. The verdicts on two runs come from
`mandel-report verdicts` (crates/report): cargo builds it (seconds; after scripts/ladder, a no-op), or
MANDEL_REPORT_BIN names a built one (scripts/prebuilt's copy on a machine without cargo).
"""

import argparse
import functools
import math
import os
import re
import sys
from pathlib import Path

from . import CANONICAL, atomic, baseline, cargo, fmt, rounds, svg
from .readers import InputError, read_summary


REPO = Path(__file__).resolve().parents[2]

# The floors unless --noise-floor: of rows not in rounds, the run-to-run drift of an unchanged tree on the project's
# shared VMs, rounded up; of rows in rounds, the smallest change called faster or slower (METHODOLOGY.md).
DEFAULT_NOISE_FLOOR = 0.10
ROUNDS_NOISE_FLOOR = 0.05
SAME = "no change"  # the verdict of a rung that did not change beyond the noise


def judged(mandel_report, a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR, interleaved=False,
           fail_above=None, fail_on_missing=False):
    """The verdicts on two runs of one machine, A (`a`) and B (`b`: each a summary, or its rows and settings), by
    `mandel-report verdicts` (the rule: crates/report/src/verdict.rs): {entries, counts, failures, drift, changes,
    alpha, min_calls}, each entry {name, a, b (its rows, None where absent), verdict, change, why, isa, shown,
    interval, rounds, spread} and, judged by rounds, {p, floor, wide, rule}. `interleaved`: the sides' rounds
    alternated (scripts/ab)."""
    report = cargo.ask_report(mandel_report, "verdicts", {
        "a": {"rows": a["rows"], "settings": a.get("settings")}, "b": {"rows": b["rows"], "settings": b.get("settings")},
        "noise_floor": noise_floor, "rounds_floor": rounds_floor, "min_rounds": rounds.MIN_ROUNDS,
        "interleaved": interleaved, "fail_above": fail_above, "fail_on_missing": fail_on_missing})
    rows = [{r["name"]: r for r in s["rows"]} for s in (a, b)]
    for e in report["entries"]:
        e["a"], e["b"] = rows[0].get(e["name"]), rows[1].get(e["name"])
    return report


def geomean(values):
    """Geometric mean of positive numbers; None for none."""
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


DRIFT_ADVICE = ("A code change rarely moves every row, scalar ones included: the machine probably changed speed "
                "between the runs, and verdicts near that change may be its doing. Compare builds with scripts/ab, "
                "which interleaves them.")


def drift_note(report, timed="in both", advice=DRIFT_ADVICE):
    """The warning when every rung moved one way (the report's `drift`: 90% of the changes, 8 at least), or None:
    scripts/compare's words unless scripts/ab gives its own."""
    if (d := report["drift"]) is None:
        return None
    return (f"every rung moved the same way: {'faster' if d < 0 else 'slower'} in at least 90% of the "
            f"{report['changes']} timed {timed}, median {d:+.1%}. {advice}")


def labels(summaries):
    """Short column labels A, B, C... and what each stands for."""
    return [(chr(ord("A") + i), s["machine_id"]) for i, s in enumerate(summaries)]


# --- what must match -----------------------------------------------------------------------------


def _settings_view(s, same_machine):
    st = s.get("settings") or {}
    crit, py = st.get("criterion") or {}, st.get("python_settings") or {}
    view = {
        "problem (Rust)": st.get("params") or CANONICAL,  # a set without params ran the canonical problem
        "problem (Python)": st.get("python_params"),
        "quick mode": bool(st.get("quick")),
        **{f"Criterion {k}": crit.get(k) for k in ("sample_size", "warm_up_s", "measurement_s")},
        **{f"Python {k}": py.get(k) for k in ("quick", "budget_s", "min_repeats", "max_repeats")},
        # what a row's time is: a set merged under another rule is not comparable, on one machine or two
        "Rust timing": "Criterion" if not st.get("rounds") else
        f"rounds, a round's time its {rounds.round_time(st['rounds'])}",
        "Python time": rounds.python_time(st),
    }
    if same_machine:
        m = s.get("machine") or {}
        # the family/model too: a VM often names only "AMD EPYC", which a Zen 3 and a Zen 4 share (None where a
        # set does not record it, so an older set is not refused for lacking it)
        view.update({"machine id": s["machine_id"], "CPU": m.get("cpu_model"),
                     "CPU family/model": m.get("cpu_family_model"), "cores": m.get("cores"),
                     "thread pool": st.get("pool_threads"),
                     # Two runs on different tunings measure different configurations: refused too. No tuning
                     # recorded is a configuration of its own (each process calibrates its own), not an absence.
                     "SIMD tuning": (st.get("simd_tuning") or {}).get("value") or CALIBRATED,
                     "C reference tuning": (st.get("c_tuning") or {}).get("value") or CALIBRATED,
                     "rounds' tunings": _round_tunings(st),
                     # pure Python, every speedup's denominator, moves with the interpreter's build (None: not
                     # recorded, so an older set is not refused for lacking it)
                     "Python version": python_machine(s).get("python"),
                     "Python build": python_machine(s).get("python_build"),
                     "rounds' time per kernel": (st.get("rounds") or {}).get("kernel_s")})
    return view


CALIBRATED = "calibrated in each process"  # what a run with no tuning recorded ran on (`writers`' word too)


def _round_tunings(settings):
    """The [family, tuning] pairs the rounds ran on, as one text (None for a set that records none)."""
    pairs = (settings.get("rounds") or {}).get("tunings")
    return None if pairs is None else ", ".join(f"{f}={t}" for f, t in sorted(map(tuple, pairs))) or "none"


def differences(summaries, same_machine=False):
    """What differs between the results' problems and settings (each against the first set that has it), as lines.
    A setting absent from one side (e.g. no Python run there) is not a difference: its rows are missing.
    `same_machine` adds the machine id, CPU (model and family/model), cores and thread pool (two runs of one
    machine)."""
    tags = [tag for tag, _ in labels(summaries)]
    views = [_settings_view(s, same_machine) for s in summaries]
    # the reference for each setting is the first set that has it: A lacking it must not hide B and C differing
    first = {}
    for tag, view in zip(tags, views):
        for key, value in view.items():
            if value is not None:
                first.setdefault(key, (tag, value))
    return [f"{key}: {first[key][1]} in {first[key][0]}, {value} in {tag} ({s['machine_id']})"
            for tag, s, view in zip(tags, summaries, views) for key, value in view.items()
            if value is not None and value != first[key][1]]


# --- machines ------------------------------------------------------------------------------------


def compare(summaries):
    """One entry per rung (in order of first appearance): its row on each machine (None where the
    machine has none), the time ratio of each machine to the first and the ratio of their speedups over
    their own pure Python (None unless both timed it)."""
    by_machine = [{r["name"]: r for r in s["rows"]} for s in summaries]
    result = []
    for name in dict.fromkeys(r["name"] for s in summaries for r in s["rows"]):
        rows = [m.get(name) for m in by_machine]
        first = rows[0]
        ratios, speedups = [None], [None]
        for r in rows[1:]:
            both = first and r and first["status"] == "ok" and r["status"] == "ok"
            ratios.append(r["median_s"] / first["median_s"] if both else None)
            sa, sb = (first or {}).get("speedup_vs_python"), (r or {}).get("speedup_vs_python")
            speedups.append(sb / sa if both and sa and sb else None)
        isas = {r.get("isa") for r in rows if r and r.get("isa")}
        threads = {r.get("threads_n") for r in rows if r and r.get("threads_n")}
        result.append({"name": name, "rows": rows, "time_ratios": ratios,
                       "speedup_ratios": speedups, "isa_differs": len(isas) > 1, "threads_differ": len(threads) > 1})
    return result


def _verified(row):
    return row is not None and row["status"] == "ok" and row.get("verified_ok") is not False


def geomeans(summaries):
    """Per machine after the first: geometric means of its time over A's, over the rungs both timed and
    verified; all of them, those on the same ISA path on both, those on different paths; and of its
    speedup over its own pure Python over A's. {tag: {all: (gm, n), same_isa, isa_differs, speedup}}."""
    out, entries = {}, compare(summaries)
    for i, (tag, _) in enumerate(labels(summaries)[1:], 1):
        shared = [e for e in entries if _verified(e["rows"][0]) and _verified(e["rows"][i])]

        def isa_differs(a, b):  # an unrecorded path (an older set's Mojo rows) differs from none
            return bool(a.get("isa") and b.get("isa") and a["isa"] != b["isa"])

        def gm(key, same_isa=None):  # None: either
            values = [e[key][i] for e in shared
                      if e[key][i] and same_isa in (None, not isa_differs(e["rows"][0], e["rows"][i]))]
            return geomean(values), len(values)

        out[tag] = {"all": gm("time_ratios"), "same_isa": gm("time_ratios", True),
                    "isa_differs": gm("time_ratios", False), "speedup": gm("speedup_ratios")}
    return out


def _time(row):
    if row is None or row["status"] == "missing":
        return "missing"
    if row["status"] == "failed":
        return "FAILED"
    return fmt.time(row["median_s"])


def check(row):
    """The verification of a row, short: ok, FAIL d/allowed, or a dash when unknown."""
    if row is None or row.get("verified_ok") is None:
        return fmt.DASH
    return "ok" if row["verified_ok"] else fmt.agreement(row)  # FAIL d/allowed, or FAIL alone without a count


def _precision(rows):
    return "/".join(dict.fromkeys(r.get("precision") for r in rows if r and r.get("precision"))) or fmt.DASH


def _ratio(q):
    return fmt.DASH if q is None else f"{q:.2f}"


def table(summaries):
    tags = labels(summaries)
    header = ["rung", "precision", *(f"{tag} {col}" for tag, _ in tags
                                     for col in ("time", "speedup", "ISA", "threads", "check")),
              *(f"{tag}/{tags[0][0]} {col}" for col in ("time", "speedup") for tag, _ in tags[1:]), "note"]
    body = []
    for entry in compare(summaries):
        line = [entry["name"], _precision(entry["rows"])]
        for row in entry["rows"]:
            r = row or {}  # a rung the machine lacks: missing, dashes
            line += [_time(row), fmt.speedup(r.get("speedup_vs_python")), r.get("isa") or fmt.DASH, fmt.threads(r),
                     check(row)]
        line += [_ratio(q) for q in entry["time_ratios"][1:] + entry["speedup_ratios"][1:]]
        line.append(", ".join(note for note, on in (("ISA differs", entry["isa_differs"]),
                                                    ("threads differ", entry["threads_differ"])) if on))
        body.append(line)
    right = {h for h in header if h.endswith((" time", " speedup"))}
    return header, body, right


def simd_paths(summary):
    """The SIMD paths the machine's rows took (e.g. ['avx512']), widest first as they appear."""
    scalar = {"scalar", "fma", None, ""}
    return list(dict.fromkeys(r.get("isa") for r in summary["rows"] if r.get("isa") not in scalar))


def legend(summaries):
    out = []
    for (tag, mid), s in zip(labels(summaries), summaries):
        m = s.get("machine") or {}
        st = s.get("settings") or {}
        paths = ", ".join(simd_paths(s)) or "none"
        out.append(f"{tag} = {mid}: {m.get('cpu_model', '?')} (family/model {m.get('cpu_family_model') or '?'}), "
                   f"{m.get('cores', '?')} cores, SIMD path {paths}, thread pool {st.get('pool_threads') or '?'}, "
                   f"{m.get('date', '?')}, commit {m.get('git_commit', '?')}"
                   + (" (quick)" if st.get("quick") else "") + load(m))
    return out


def load(m):
    """`, load average 0.12 at start, 1.40 after the benches`: other jobs on the machine show here."""
    parts = [f"{values[0]:.2f} {when}" for key, when in (("load_average", "at start"),
                                                          ("load_average_after_bench", "after the benches"))
             if (values := m.get(key))]
    return f", load average {', '.join(parts)}" if parts else ""


def python_machine(summary):
    """The machine description the Python rows ran under: the baselines' own record, else (an older set) the
    ladder's, which ran them."""
    return (summary.get("settings") or {}).get("python_machine") or summary.get("machine") or {}


def interpreter(summary):
    """The interpreter a set's Python rows ran on: (its build, recorded since machine.python_build; its version),
    from the baselines' own record, else (an older set) the ladder's; None for a set without a timed pure Python,
    whose ladder's interpreter ran no row (a --prebuilt run uses the system's python3)."""
    if not any(r.get("name") == "python-pure" and r.get("status") == "ok" for r in summary.get("rows") or []):
        return None
    pym = python_machine(summary)
    build = pym.get("python_build")
    # a set that records only the build: its version is the build's own (`CPython 3.11.7 (...)`), so that it is
    # compared with a set that records only a version
    version = pym.get("python") or (m.group(1) if build and (m := re.match(r"\S+ (\d+\.\d+\.\d+)", build)) else None)
    return build, version and f"Python {version}"


def summary_lines(summaries):
    """The geometric means and what the ISA column means for them, as sentences."""
    a = labels(summaries)[0][0]
    out = []
    for tag, g in geomeans(summaries).items():
        gm, n = g["all"]
        if gm is None:
            out.append(f"{tag}/{a}: no rung timed and verified on both")
            continue
        text = f"geometric mean of {tag}/{a} time over the {n} rungs both timed and verified: {gm:.2f}"
        if parts := [f"{label} {v:.2f} over {k}" for label, (v, k) in
                     (("same ISA path", g["same_isa"]), ("ISA differs", g["isa_differs"])) if v is not None]:
            text += " (" + "; ".join(parts) + ")"
        if g["speedup"][0] is not None:
            text += (f"; of {tag}/{a} speedup over its own pure Python: {g['speedup'][0]:.2f} over "
                     f"{g['speedup'][1]}")
        out.append(text)
    if diffs := differences(summaries):  # only with --allow-different
        out.append("The sets differ in settings, so a ratio also measures that: " + "; ".join(diffs) + ".")
    commits = [((s.get("machine") or {}).get("git_commit") or "?") for s in summaries]
    named = ", ".join(f"{tag} {c}" for (tag, _), c in zip(labels(summaries), commits))
    if len(set(commits)) > 1:
        out.append(f"The sets ran different code (commits {named}): a ratio also measures whatever changed in "
                   "between (a kernel made faster, an exact skip added), not the machines alone; compare sets "
                   "of one commit for that.")
    elif "?" in commits:
        out.append(f"The sets' code is unknown (commits {named}): they may have run different code, and a ratio "
                   "then also measures whatever changed in between.")
    builds = [(tag, i) for (tag, _), s in zip(labels(summaries), summaries) if (i := interpreter(s))]
    # builds compared where recorded (a set from before they were: its version alone), versions everywhere
    if len({b for _, (b, _) in builds if b}) > 1 or len({v for _, (_, v) in builds if v}) > 1:
        out.append("The sets' Python rows ran on different interpreters ("
                   + ", ".join(f"{tag} {build or (version or 'Python') + ' (build not recorded)'}"
                               for tag, (build, version) in builds)
                   + "): every speedup over pure Python also measures the interpreter's build, which moves pure "
                   "Python by itself (MEASUREMENTS.md); compare times, or the speedups of one build.")
    if differ := [e["name"] for e in compare(summaries) if e["isa_differs"]]:
        out.append(f"ISA differs on {len(differ)} rungs ({', '.join(differ)}): their ratio mixes the hardware "
                   "with the instruction set (e.g. AVX2 against AVX-512 lanes), not the machine alone.")
    return out


EXPLAIN = ("Speedup is over pure Python on the same machine; X/A time is machine X's median over machine A's (above "
           "1: slower than A); X/A speedup is X's speedup over its own pure Python over A's. precision: the rung's "
           "(A/B where the results differ). check: verification against the f64 reference. Missing: the rung did not "
           "run there; FAILED: it failed verification. The geometric means take the rungs timed and verified on both.")


def document(legend_lines, table_parts, lines, title=None, explain=None):
    """The comparison as console text, or as markdown with a `title`: legend, table, then sentences."""
    if title is None:
        return "\n".join(legend_lines + ["", fmt.text_table(*table_parts), ""] + lines)
    return "\n".join([f"# {fmt.md(title)}", ""] + [f"- {fmt.md(x)}" for x in legend_lines]
                     + ["", fmt.md_table(*table_parts), ""] + [f"- {fmt.md(x)}" for x in lines]
                     + (["", explain] if explain else []) + [""])


def text(summaries, md=False):
    """The machines side by side: console text, or markdown (`md`)."""
    return document(legend(summaries), table(summaries), summary_lines(summaries),
                    "The Mandelbrot speedup ladder across machines" if md else None, EXPLAIN)


def chart(summaries, names=None):
    """The grouped bar chart: rungs down, one bar per result (its median time), log scale. Rungs that no
    result ran are left out."""
    tags = labels(summaries)
    names = names or [f"{tag}: {mid} ({', '.join(simd_paths(s)) or 'scalar'})"
                      for (tag, mid), s in zip(tags, summaries)]
    series = [(n, svg.PALETTE[i % len(svg.PALETTE)]) for i, n in enumerate(names)]
    groups = []
    for e in compare(summaries):
        if all(row is None or row["status"] == "missing" for row in e["rows"]):
            continue
        bars = []
        for (tag, _), row in zip(tags, e["rows"]):
            ok = row is not None and row["status"] == "ok"
            bars.append({"value": row["median_s"] if ok else None, "text": fmt.time(row["median_s"]) if ok else "",
                         "missing": "FAILED" if row and row["status"] == "failed" else "missing",
                         "attrs": {"data_rung": e["name"], "data_side": tag}})
        groups.append({"label": e["name"] + (" (ISA differs)" if e["isa_differs"] else ""), "bars": bars})
    notes = ["median time of one render per rung, log scale: shorter is faster"]
    return svg.grouped_bar_chart("Mandelbrot ladder: " + " vs ".join(mid for _, mid in tags), notes, series,
                                 groups, decade)


def decade(seconds):
    """A power of ten of seconds as a tick label: `1 ms`, `10 ms`, `100 ms`, `1 s`."""
    return fmt.time(seconds).replace(".00 ", " ").replace(".0 ", " ")


# --- two runs of one machine ---------------------------------------------------------------------


# The verdicts whose reason the table's note gives (the others' is in the rule below it).
EXPLAINED = ("missing", "failed", "not re-measured", "not comparable", "no verdict")


def runs_table(entries):
    """(header, body, right) of the verdict table; rungs timed in neither run are left out."""
    def interval(side):
        return fmt.DASH if side is None else fmt.span(*side)

    body = []
    for e in filter(lambda e: e["shown"], entries):
        a, b, change = e["a"], e["b"], e["change"]
        note = [e["isa"]] if e["isa"] else []
        if e["verdict"] in EXPLAINED or e["why"].startswith("intervals apart"):
            note.append(e["why"])
        if e.get("wide"):
            note.append(f"floor {e['floor']:.1%}: its rounds' spread")
        if e.get("rule") == "interquartile":
            note.append(f"{e['rounds'][0]}+{e['rounds'][1]} rounds: judged by their interquartile ranges, not the "
                        "rank test")
        body.append([e["name"], _time(a), interval(e["interval"][0]), _time(b), interval(e["interval"][1]),
                     _ratio(None if change is None else change + 1),
                     fmt.DASH if change is None else f"{change:+.1%}", e["verdict"], "; ".join(note)])
    header = ["rung", "A time", "A interval", "B time", "B interval", "B/A", "change", "verdict", "note"]
    return header, body, set(header[1:7])


def busy(summary):
    """The 1-minute load average after the benches when it exceeds the cores, else None. The benches run
    at most one thread per core, so more runnable threads than cores means other jobs probably ran: a
    hint, not proof (the average lags, and a job that took one core during a threaded rung only may
    leave it under)."""
    m = summary.get("machine") or {}
    after, cores = m.get("load_average_after_bench"), m.get("cores")
    return after[0] if after and cores and after[0] > cores else None


def runs_summary(report, noise_floor, summaries=(), rounds_floor=ROUNDS_NOISE_FLOOR):
    entries, alpha = report["entries"], report["alpha"]
    tally = ", ".join(f"{n} {v}" for v, n in report["counts"].items())
    both = [e["change"] + 1 for e in entries if e["change"] is not None]
    gm = geomean(both)
    out = [f"verdicts: {tally}" if tally else "verdicts: none (no rung timed)"]
    if gm is not None:
        out.append(f"geometric mean of B/A time over the {len(both)} rungs timed in both: {gm:.3f} ({gm - 1:+.1%})")
    if (note := drift_note(report)) is not None:
        out.append(note)
    if neither := [e["name"] for e in entries if not e["shown"]]:
        out.append(f"timed in neither run (left out): {', '.join(neither)}")
    for tag, s in zip("AB", summaries):
        if (load_1m := busy(s)) is not None:
            out.append(f"{tag} ran on a busy machine (load average {load_1m:.2f} on {s['machine']['cores']} cores "
                       "after the benches, above the cores): other jobs probably took CPU time from the timed code, "
                       "and its verdicts may reflect them as much as the code. Rerun both on a quiet machine.")
        # a change within one run, which the drift note (between the runs) cannot tell apart
        if note := rounds.speed_note(s.get("rows") or [], f"rounds of {tag}"):
            out.append(note)
    if unchecked := [tag for tag, s in zip("AB", summaries) if rounds.round_factors(s.get("rows") or []) is None]:
        out.append(f"whether the machine's speed changed during the rounds of {' and of '.join(unchecked)} is not "
                   f"checked: that needs {rounds.MIN_KERNELS} rows timed in every one of 4 rounds or more")
    out.append(f"rule: rows measured in rounds (both sides): faster/slower when a Mann-Whitney test of the round "
               f"times gives p < {alpha} AND the change exceeds {rounds_floor * 100:g}% or, where wider, "
               "either side's spread (the interquartile range of its round times over their median): two separate "
               "runs drift apart by as much as that spread, so the wider side's counts (scripts/ab, whose rounds "
               "alternate, may use the quieter side's); other rows: when B's interval (Criterion's 95% CI of the "
               f"median; Python: min-max of the timed calls) does not overlap A's AND the change exceeds "
               f"{noise_floor * 100:g}%, and no verdict for fewer than {report['min_calls']} calls a side; otherwise no "
               "change (METHODOLOGY.md, 'Comparing two runs')")
    if few := sum(e.get("rule") == "interquartile" for e in entries):
        out.append(f"{few} of the rows in rounds had too few rounds for the rank test to reach p < {alpha} "
                   f"with one pair of rounds out of order (4 / C(n1+n2, n1) >= {alpha}: 5+5, 4+6 or 3+9 "
                   "rounds, not 3+12): those are faster/slower when their rounds' interquartile ranges do not overlap "
                   "AND the change exceeds the rung's floor")
    return out


def runs_text(a, b, report, noise_floor, names=("A", "B"), rounds_floor=ROUNDS_NOISE_FLOOR, md=False):
    """Two runs with their verdicts: console text, or markdown (`md`)."""
    legend_lines = [line.replace(f"{tag} = ", f"{tag} ({name}) = ", 1)
                    for line, tag, name in zip(legend([a, b]), "AB", names)]
    return document(legend_lines, runs_table(report["entries"]), runs_summary(report, noise_floor, [a, b], rounds_floor),
                    f"Two runs of the ladder on {b['machine_id']}" if md else None)


# --- the command: scripts/compare ----------------------------------------------------------------


def percent(text):
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value / 100


def limit_percent(text):
    """--fail-above: a finite percentage of 0 or more (inf would say "never", which is leaving the flag out)."""
    value = percent(text)
    if not math.isfinite(value):  # inf, 1e999
        raise argparse.ArgumentTypeError(f"must be a finite percentage: {text!r}")
    return value


def floor_percent(text):
    """A noise floor: a finite percentage of 0 or more and below 100 (at 100 or more, or infinite, nothing could be
    `faster`: no change takes more than all of the time away). scripts/ab refuses the same values."""
    value = percent(text)
    if not value < 1:  # inf and 1e999 too
        raise argparse.ArgumentTypeError(f"a percentage below 100: {text!r}")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="*", type=Path,
                   help="results folders or their summary.json; the first is the reference (A)")
    p.add_argument("--baseline", metavar="NAME", help="compare this machine's baseline NAME (A; scripts/ladder "
                   "--save-baseline NAME) with its current results (B; or with the one RESULTS given)")
    p.add_argument("--machine-id", help="with --baseline: the machine whose results to use (default: this one)")
    p.add_argument("--results-dir", type=Path, help="with --baseline: the results folder holding baselines/ "
                   "(default: results/<machine-id>)")
    p.add_argument("--mode", choices=["auto", "runs", "machines"], default="auto",
                   help="runs: verdicts for two runs of one machine; machines: side by side; auto (default): runs "
                   "for --baseline or two results of one machine id")
    p.add_argument("--noise-floor", type=floor_percent, metavar="PCT",
                   help=f"runs: a change must exceed this to be faster/slower, a percentage below 100 (default: "
                   f"{ROUNDS_NOISE_FLOOR * 100:g}%% for rows in rounds, or a rung's wider spread of rounds; "
                   f"{DEFAULT_NOISE_FLOOR * 100:g}%% for others)")
    p.add_argument("--fail-above", type=limit_percent, metavar="PCT", help="runs: exit 1 if a rung is `slower` (past its "
                   "floor) by more than PCT percent, or fails verification in B")
    p.add_argument("--fail-on-missing", action="store_true", help="runs: also exit 1 if a rung is missing on a side")
    p.add_argument("--allow-different", action="store_true",
                   help="compare results of different problems or settings (or machines, for runs) anyway")
    p.add_argument("--md", type=Path, help="also write the comparison as markdown here")
    p.add_argument("--svg", type=Path, help="write the grouped bar chart here (default: next to --md, .svg)")
    args = p.parse_args(argv)
    if args.baseline is not None and len(args.results) > 1:
        p.error("--baseline takes at most one RESULTS (the B side)")
    if args.baseline is None and not args.results:
        p.error("give results folders (or summary.json files) to compare, or --baseline NAME")
    for flag, value in (("--machine-id", args.machine_id), ("--results-dir", args.results_dir)):
        if value is not None and args.baseline is None:
            p.error(f"{flag} picks the machine whose baseline --baseline NAME compares: give --baseline too")
    if args.mode == "machines" and args.noise_floor is not None:
        p.error("--noise-floor judges two runs of one machine (--mode runs), not machines side by side")
    if args.machine_id is not None:
        try:
            baseline.check_folder_name(args.machine_id, "--machine-id")
        except InputError as e:
            p.error(str(e))
    return args


def input_paths(args):
    """The summaries (or folders holding one) compared, in order A, B, ...: the results given, or the
    baseline's summary and the current results (the one RESULTS given, else the results folder)."""
    if args.baseline is None:
        return list(args.results)
    results_dir = args.results_dir or REPO / "results" / (args.machine_id or baseline.this_machine_id(REPO))
    return [baseline.summary_path(results_dir, args.baseline), args.results[0] if args.results else results_dir]


def same_file(one, other):
    """Whether two paths name one file: one spelling after resolving links, or one inode (a hard link). A path
    that cannot be resolved (a symlink loop) names no file another path names."""
    try:
        return one.resolve() == other.resolve() or (one.exists() and other.exists() and os.path.samefile(one, other))
    except (RuntimeError, OSError):
        return False


def check_output_path(flag, out):
    """Refuse an output path that names no file before anything else: a folder's spelling (`.`, `/`, `..`),
    or a symlink loop."""
    if out is None:
        return
    if out.name in ("", ".", ".."):
        raise InputError(f"cannot write {flag} {out}: it names a folder, not a file")
    try:
        out.resolve()
        os.stat(out)
    except FileNotFoundError:
        pass  # a new file: check_writable says whether its folder exists
    except (RuntimeError, OSError) as e:
        raise InputError(f"cannot write {flag} {out}: {getattr(e, 'strerror', None) or e}") from None


def check_writable(flag, out, compared):
    """Refuse an output before anything is read or printed: one of the files compared (writing it would
    overwrite an input), a folder, device or FIFO (a symlink is written through), a missing folder."""
    try:
        for path in compared:
            if same_file(out, path):
                raise InputError(f"it is {path}, one of the summaries compared: writing it would overwrite that input")
        if not (target := atomic.check_target(out)).parent.is_dir():
            raise InputError(f"folder {target.parent} does not exist")
    except InputError as e:
        raise InputError(f"cannot write {flag} {out}: {e}") from None


def write_output(flag, path, text):
    """Write a whole file or none (temporary file + rename); a failure is a clear error, exit 2."""
    try:
        atomic.write_text(path, text)
    except OSError as e:
        raise InputError(f"cannot write {flag} {path}: {e.strerror or e}") from None


def main(argv=None):
    """scripts/compare: 0, 1 when --fail-above/--fail-on-missing find a rung to fail, 2 for an error."""
    args = parse_args(argv)
    try:
        return run(args)
    except InputError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2


def run(args):
    for flag, out in (("--md", args.md), ("--svg", args.svg)):
        check_output_path(flag, out)
    svg_path = args.svg or (args.md.with_suffix(".svg") if args.md else None)
    if args.md and svg_path and same_file(args.md, svg_path):
        how = f"--svg {svg_path}" if args.svg else f"the chart's default path, --md with .svg ({svg_path})"
        raise InputError(f"--md {args.md} and {how} are one file: the chart would overwrite the markdown; "
                         "give them different paths")
    paths = input_paths(args)  # the baseline's and the results folder's summaries too: never an output
    compared = [Path(p) / "summary.json" if Path(p).is_dir() else Path(p) for p in paths]
    for flag, out in (("--md", args.md), ("--svg", svg_path)):
        if out:
            check_writable(flag, out, compared)
    summaries = [read_summary(p) for p in paths]
    mode = args.mode
    if mode == "auto":
        same = len(summaries) == 2 and summaries[0]["machine_id"] == summaries[1]["machine_id"]
        mode = "runs" if args.baseline is not None or same else "machines"
    if mode == "runs" and len(summaries) != 2:
        raise InputError("comparing runs takes exactly two results")
    if mode == "machines" and (args.fail_above is not None or args.fail_on_missing or args.noise_floor is not None):
        raise InputError("--noise-floor/--fail-above/--fail-on-missing judge two runs of one machine (--mode runs): "
                         "these results are of different machines")
    if diffs := differences(summaries, same_machine=mode == "runs"):
        what = "\n".join(f"  - {d}" for d in diffs)
        if not args.allow_different:
            raise InputError(f"the results differ in problem or settings:\n{what}\n"
                             "Their times are not comparable; pass --allow-different to compare them anyway.")
        print(f"warning: comparing results that differ (--allow-different):\n{what}\n")

    if mode == "runs":
        a, b = summaries
        names = [str(a["source"]), str(b["source"])] if args.baseline is None else \
            [f"baseline {args.baseline}", str(args.results[0]) if args.results else "current"]
        rounds_floor = ROUNDS_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        floor = DEFAULT_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        report = judged(cargo.report_binary(REPO), a, b, floor, rounds_floor, fail_above=args.fail_above,
                        fail_on_missing=args.fail_on_missing)
        render = functools.partial(runs_text, a, b, report, floor, names, rounds_floor)
        bad = report["failures"]
        chart_names = [f"A: {names[0]}", f"B: {names[1]}"]
    else:
        render, bad, chart_names = functools.partial(text, summaries), [], None
    print(render())
    # both texts made before either file is written: a chart that cannot be drawn leaves no new markdown beside
    # an old chart
    md_text = render(md=True) if args.md else None
    svg_text = chart(summaries, chart_names) if svg_path else None
    if args.md:
        write_output("--md", args.md, md_text)
    if bad:
        print("\nFAIL: " + "; ".join(bad))
    if args.md:
        print(f"\nmarkdown written to {args.md}")
    if svg_path:
        write_output("--svg", svg_path, svg_text)
        print(f"chart written to {svg_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
