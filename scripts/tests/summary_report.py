"""The summary's write-up (`mandel-report summary`: crates/report/src/summary.rs) asked as scripts/ladder asks it
(`writers.report`, `writers.write_all`), for the tests: `markdown`, `svg`, `console_table` and `machine_lines` of a
summary, `cells` of rows (the ladder's table as summary.md has it), `groups_markdown` (the like-for-like section),
`write_all`. A summary a test builds by hand (rows alone, say) is asked for without `readers.check_summary`, which
the scripts apply first. The binary is verdict_rule's MANDEL_REPORT."""

import re

from ladderlib import cargo, writers
from verdict_rule import MANDEL_REPORT


def answer(summary):
    """`mandel-report summary`'s answer for `summary` (a machine id and empty notes filled in where missing)."""
    return cargo.ask_report(MANDEL_REPORT, "summary", {"summary": {"machine_id": "m", "notes": [], **summary}})


def markdown(summary):
    return answer(summary)["markdown"]


def svg(summary):
    return answer(summary)["svg"]


def console_table(summary):
    return answer(summary)["console"]


def machine_lines(summary):
    return [tuple(line) for line in answer(summary)["machine_lines"]]


def write_all(summary, out_dir):
    """summary.json, .csv, .md and speedup.svg, as scripts/ladder writes them."""
    writers.write_all(MANDEL_REPORT, summary, out_dir)


def _split(line):
    """A Markdown table line's cells, an escaped `\\|` kept inside its cell."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def cells(rows):
    """(header, body) of the ladder's table of `rows`, each cell as summary.md writes it."""
    lines = markdown({"rows": rows}).split("## The ladder\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return _split(lines[0]), [_split(line) for line in lines[2:]]


def groups_markdown(groups):
    """summary.md's like-for-like section of `groups` (as summary.json holds them), its lines."""
    md = markdown({"rows": [], "groups": groups})
    return md[md.index("## Like for like"):md.index("## Notes")].splitlines()
