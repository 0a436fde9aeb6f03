"""summary.json (everything), summary.csv (one row per rung, raw numbers), summary.md (for people)."""

import csv
import io
import json
from pathlib import Path

from . import CANONICAL, atomic, fmt, groups, rounds
from .readers import check_summary

# summary.csv's columns, in order: the row fields with raw numbers (seconds, ratios), no formatting.
CSV_FIELDS = ("name method language precision isa threads threads_n computes problem status median_s spread_kind "
              "spread_low_s spread_high_s mean_s repeats compile_s iterations iterations_per_s speedup_vs_python "
              "speedup_vs_previous previous lane_iterations lane_iterations_source step_share peak_share pixels "
              "differing allowed max_abs_diff verified_ok note").split()


def json_text(summary):
    # allow_nan=False: NaN or Infinity would make the file invalid JSON; a ValueError instead of writing it
    return json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# A text cell starting with one of these is a formula to a spreadsheet (CSV injection): it gets a leading "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """None as an empty cell; text a spreadsheet would run as a formula quoted with "'" (a number stays a number)."""
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv_text(rows, fields=CSV_FIELDS, **dialect):
    f = io.StringIO(newline="")
    writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", **dialect)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in fields})
    return f.getvalue()


def machine_lines(summary):
    """The machine and the settings, as (label, value) pairs."""
    m, s = summary["machine"], summary["settings"]
    crit = s.get("criterion") or {}
    pyparams = s.get("python_params")
    pym = s.get("python_machine") or {}  # the baselines' own record of the interpreter that ran them

    def version(package):
        return pym.get(package) or m.get(package) or "not installed"

    return [
        ("machine id", summary["machine_id"]),
        ("CPU", f"{m.get('cpu_model')} (family/model {m.get('cpu_family_model') or '?'}), {m.get('cores')} cores"
                + (f"; this run could use {usable} (CPU affinity or a cgroup quota): a row with more threads "
                   "shared them"
                   if (usable := m.get("cpus_usable")) and usable < (m.get("cores") or 0) else "")),
        ("ISA flags", " ".join(m.get("isa_flags") or []) or fmt.DASH),
        ("OS", m.get("os") or fmt.DASH),
        ("Rust", m.get("rustc") or fmt.DASH),
        ("Python", f"{pym.get('python_build') or version('python')}, NumPy {version('numpy')}, "
                   f"Numba {version('numba')}"),
        ("Python rows from", python_source(s)),
        ("date", m.get("date") or fmt.DASH),
        ("git commit", m.get("git_commit") or fmt.DASH),
        ("problem", problem_text(s.get("params") or CANONICAL)
                    + ("" if not pyparams or pyparams == s["params"] else f" (Python rungs: {pyparams})")),
        ("mode", "quick (a first look: short measurements)" if s.get("quick") else "full"),
        *([("Criterion", criterion_line(crit))] if crit else []),
        ("Rust timing", rounds_line(s.get("rounds"))),
        ("Python timing", ", ".join(f"{k}={v}" for k, v in (s.get("python_settings") or {}).items()) or "not run"),
        ("Python time", rounds.python_time(s) or "not run"),
        ("thread pool", "unknown" if s.get("pool_threads") is None else f"{s['pool_threads']} threads"),
        ("SIMD tuning", (s.get("simd_tuning") or {}).get("value") or "calibrated in each process"),
        ("C reference tuning", (s.get("c_tuning") or {}).get("value") or "calibrated in each process"),
    ]


def python_source(settings):
    """Where the Python rows came from: run now, reused, or merged from another file, and the baselines' own date
    and commit (their machine record's), which may be older than the Rust rows'."""
    pym = settings.get("python_machine") or {}
    source = settings.get("python_source")
    if source is None and settings.get("python_params") is None and not pym:  # not run, or run and failed
        return "none (the notes say why)"
    date, commit = pym.get("date"), pym.get("git_commit")
    recorded = (f"baselines of {date or 'an unrecorded date'}, commit {commit or 'unrecorded'}" if date or commit
                else "their date and commit not in this summary (raw/baselines.json may have them)")
    return f"{source or 'source not recorded'}; {recorded}"


def problem_text(params):
    return ("{width}x{height} pixels, {max_iters} iterations max, x in [{x_min}, {x_max}], "
            "y in [{y_min}, {y_max}]").format(**params)


def rounds_line(r):
    if not r:
        return "not in rounds (an older result set: see Criterion)"
    return (f"{r.get('taken', r.get('rounds', '?'))} rounds (one `mandel bench` process each, the kernel order "
            f"rotated each round), {r.get('kernel_s', '?')} s and at least {r.get('min_renders', '?')} renders per "
            f"kernel and round, after a verification render and a warm-up render; a round's time its "
            f"{rounds.round_time(r)}, the row's the median of the round times, and their "
            "interquartile range")


def criterion_line(crit):
    samples = f", samples taken per kernel {crit['samples']}" if crit.get("samples") else ""
    return (f"sample size {crit.get('sample_size', '?')}, warm-up {crit.get('warm_up_s', '?')} s, measurement "
            f"{crit.get('measurement_s', '?')} s{samples} (from {crit.get('source', 'the bench source')}); median "
            "and its 95% CI")


def console_table(summary):
    return fmt.text_table(*fmt.cells(summary["rows"]))


def markdown(summary):
    lines = [f"# The Mandelbrot speedup ladder on {fmt.md(summary['machine_id'])}", ""]
    lines += ["| | |", "|---|---|"] + [f"| {fmt.md(k)} | {fmt.md(v)} |" for k, v in machine_lines(summary)]
    lines += ["", "## The ladder", "", fmt.md_table(*fmt.cells(summary["rows"])), ""]
    lines += groups.markdown(summary.get("groups") or groups.like_for_like(summary["rows"], summary.get("machine")))
    lines += ["## Notes", "", *[f"- {fmt.md(n)}" for n in summary["notes"]]]
    lines += ["", "How this is measured and what to keep in mind: METHODOLOGY.md at the repository root.", ""]
    return "\n".join(lines)


def write_all(summary, out_dir):
    """summary.json, .csv and .md, the summary checked (`readers.check_summary`) and every text made before any file
    is replaced."""
    out_dir = Path(out_dir)
    check_summary(summary)
    texts = {"summary.json": json_text(summary), "summary.csv": csv_text(summary["rows"]),
             "summary.md": markdown(summary)}
    for name, text in texts.items():
        atomic.write_text(out_dir / name, text)
