"""scripts/compare's outputs (`mandel-report compare`: crates/report/src/compare.rs) asked as scripts/compare asks
them (`compare.rendered`), for the tests: the machines' `text`, `chart`, `table`, `legend` and `summary_lines`; two
runs' `runs_text`, `runs_table` and `runs_summary`. A summary a test builds by hand (rows alone, say) gets a machine
id; `differences` is what the binary finds different between sets (scripts/compare refuses on it).
The binary is verdict_rule's MANDEL_REPORT."""

import re

from ladderlib import compare
from verdict_rule import MANDEL_REPORT, ROUNDS_NOISE_FLOOR, report as judged


def _sets(summaries):
    return [s if isinstance(s, dict) else {"rows": list(s)} for s in summaries]


def _answer(summaries, runs=None):
    sets = [{"machine_id": f"m{i}", **s} for i, s in enumerate(_sets(summaries))]
    return compare.rendered(MANDEL_REPORT, sets, runs, same_machine=runs is not None, md=True, svg=True)


def differences(summaries, same_machine=False):
    """What differs between the sets' problems and settings (`mandel-report compare`'s `differences`)."""
    sets = [{"machine_id": f"m{i}", **s} for i, s in enumerate(_sets(summaries))]
    return compare.rendered(MANDEL_REPORT, sets, same_machine=same_machine)["differences"]


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


def runs(a, b, noise_floor=compare.DEFAULT_NOISE_FLOOR, names=("A", "B"), rounds_floor=ROUNDS_NOISE_FLOOR):
    """The answer on two runs (each a summary, or its rows), judged as scripts/compare judges them."""
    a, b = _sets([a, b])
    report = judged(a, b, noise_floor, rounds_floor)
    return _answer([a, b], {"names": list(names), "report": report, "noise_floor": noise_floor,
                            "rounds_floor": rounds_floor})


def runs_text(a, b, noise_floor=compare.DEFAULT_NOISE_FLOOR, names=("A", "B"), md=False):
    return runs(a, b, noise_floor, names)["markdown" if md else "text"]


def runs_table(a, b, noise_floor=compare.DEFAULT_NOISE_FLOOR):
    """(header, body) of the verdict table, as the markdown writes it."""
    return _md_table(runs_text(a, b, noise_floor, md=True))


def runs_summary(a, b, noise_floor=compare.DEFAULT_NOISE_FLOOR):
    return _parts(runs_text(a, b, noise_floor))[2]
