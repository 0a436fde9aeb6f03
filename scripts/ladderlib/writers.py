"""summary.json (everything), and summary.csv (one row per rung, raw numbers), summary.md and speedup.svg, which
`mandel-report summary` writes up (crates/report/src/summary.rs, csv.rs), with the console table and the machine
lines the ladder prints."""

import json
from pathlib import Path

from . import atomic, cargo
from .readers import check_summary


def json_text(summary):
    # allow_nan=False: NaN or Infinity would make the file invalid JSON; a ValueError instead of writing it
    return json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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
    answer = answer or cargo.ask_report(mandel_report, "summary", {"summary": summary})
    texts = {"summary.json": json_text(summary), "summary.csv": answer["csv"], "summary.md": answer["markdown"],
             "speedup.svg": answer["svg"]}
    for name, text in texts.items():
        atomic.write_text(out_dir / name, text)
