"""summary.json (everything), summary.csv (one row per rung, raw numbers), and for people summary.md and speedup.svg,
which `mandel-report summary` writes up (crates/report/src/summary.rs), with the console table and the machine
lines the ladder prints."""

import csv
import io
import json
from pathlib import Path

from . import atomic, cargo
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


def report(mandel_report, summary):
    """summary.md's and speedup.svg's texts, the console table and the machine lines of `summary` (checked first:
    `readers.check_summary`), from `mandel-report summary` (crates/report/src/summary.rs)."""
    check_summary(summary)
    return cargo.ask_report(mandel_report, "summary", {"summary": summary})


def machine_lines(mandel_report, machine_id, machine, settings):
    """The machine and the settings, as (label, value) pairs, before any row is measured."""
    answer = cargo.ask_report(mandel_report, "summary",
                              {"summary": {"machine_id": machine_id, "machine": machine, "settings": settings}})
    return [tuple(line) for line in answer["machine_lines"]]


def write_all(mandel_report, summary, out_dir, answer=None):
    """summary.json, .csv, .md and speedup.svg (those two from `mandel-report summary`, or from `answer`: `report`'s
    of this very summary), the summary checked (`readers.check_summary`) and every text made before any file is
    replaced."""
    out_dir = Path(out_dir)
    check_summary(summary)
    texts = {"summary.json": json_text(summary), "summary.csv": csv_text(summary["rows"])}
    answer = answer or cargo.ask_report(mandel_report, "summary", {"summary": summary})
    texts |= {"summary.md": answer["markdown"], "speedup.svg": answer["svg"]}
    for name, text in texts.items():
        atomic.write_text(out_dir / name, text)
