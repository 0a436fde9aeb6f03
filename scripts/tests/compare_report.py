"""scripts/compare's outputs (crates/report/src/compare.rs) asked of `mandel-report compare` with the sets as
scripts/compare renders them (`rendered`), for the tests: the machines' `text`, `chart`, `table`, `legend` and
`summary_lines`; two runs' `runs_text`, `runs_table` and `runs_summary`. A summary a test builds by hand (rows alone,
say) gets a machine id; `differences` is what the binary finds different between sets (scripts/compare refuses on
it). `compare` runs scripts/compare itself. The binary is verdict_rule's MANDEL_REPORT."""

import os
import re
import subprocess
from pathlib import Path

from ladderlib import cargo
from verdict_rule import DEFAULT_NOISE_FLOOR, MANDEL_REPORT, ROUNDS_NOISE_FLOOR, report as judged

SCRIPT = Path(__file__).resolve().parents[1] / "compare"


def compare(*argv, cwd=None, env=None, repo=None):
    """scripts/compare run as a user runs it, on MANDEL_REPORT: (exit status, stdout, stderr). With `repo`, the
    subcommand it runs, run for that repository (whose results/<machine-id> holds this machine's results)."""
    command = [MANDEL_REPORT, "compare-results", "--repo", repo, "--"] if repo else [SCRIPT]
    proc = subprocess.run([*command, *map(str, argv)], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MANDEL_REPORT_BIN": str(MANDEL_REPORT), **(env or {})})
    return proc.returncode, proc.stdout, proc.stderr


def rendered(sets, runs=None, same_machine=False, md=False, svg=False):
    """`mandel-report compare`'s answer on `sets` (the summaries' fields scripts/compare renders) and two `runs`."""
    sets = [{k: s[k] for k in ("machine_id", "machine", "rows", "settings") if k in s} for s in sets]
    return cargo.ask_report(MANDEL_REPORT, "compare", {"sets": sets, "same_machine": same_machine, "runs": runs,
                                                        "markdown": md, "svg": svg})


def _sets(summaries):
    return [s if isinstance(s, dict) else {"rows": list(s)} for s in summaries]


def _answer(summaries, runs=None):
    sets = [{"machine_id": f"m{i}", **s} for i, s in enumerate(_sets(summaries))]
    return rendered(sets, runs, same_machine=runs is not None, md=True, svg=True)


def differences(summaries, same_machine=False):
    """What differs between the sets' problems and settings (`mandel-report compare`'s `differences`)."""
    sets = [{"machine_id": f"m{i}", **s} for i, s in enumerate(_sets(summaries))]
    return rendered(sets, same_machine=same_machine)["differences"]


def text(summaries, md=False):
    """The machines side by side: console text, or markdown (`md`)."""
    return _answer(summaries)["markdown" if md else "text"]


def chart(summaries):
    return _answer(summaries)["svg"]


def _split(line):
    """A Markdown table line's cells, an escaped `\\|` kept inside its cell."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def _parts(console):
    """(legend, table, sentences) of a console text, each as lines."""
    legend, table, *rest = console.split("\n\n", 2)
    return legend.splitlines(), table.splitlines(), (rest[0].splitlines() if rest else [])


def _md_table(markdown):
    """(header, body) of the one table of a markdown comparison, each cell as written."""
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]
    return _split(lines[0]), [_split(line) for line in lines[2:]]


def table(summaries):
    """(header, body) of the machines' table, as the markdown writes it."""
    return _md_table(text(summaries, md=True))


def legend(summaries):
    return _parts(text(summaries))[0]


def summary_lines(summaries):
    return _parts(text(summaries))[2]


def runs(a, b, noise_floor=DEFAULT_NOISE_FLOOR, names=("A", "B"), rounds_floor=ROUNDS_NOISE_FLOOR):
    """The answer on two runs (each a summary, or its rows), judged as scripts/compare judges them."""
    a, b = _sets([a, b])
    report = judged(a, b, noise_floor, rounds_floor)
    return _answer([a, b], {"names": list(names), "report": report, "noise_floor": noise_floor,
                            "rounds_floor": rounds_floor})


def runs_text(a, b, noise_floor=DEFAULT_NOISE_FLOOR, names=("A", "B"), md=False):
    return runs(a, b, noise_floor, names)["markdown" if md else "text"]


def runs_table(a, b, noise_floor=DEFAULT_NOISE_FLOOR):
    """(header, body) of the verdict table, as the markdown writes it."""
    return _md_table(runs_text(a, b, noise_floor, md=True))


def runs_summary(a, b, noise_floor=DEFAULT_NOISE_FLOOR):
    return _parts(runs_text(a, b, noise_floor))[2]
