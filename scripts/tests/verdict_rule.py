"""The verdict rule (`mandel-report verdicts`: crates/report/src/verdict.rs) called as scripts/compare and
scripts/ab apply it (`judged`, as `mandel-report compare-results` and `ab-rounds` judge in-process), for the tests:
`judge` one pair of rows, `verdicts` two runs. The binary is
the scripts' (`cargo.report_binary`): MANDEL_REPORT_BIN (scripts/test names its test build), else the release build,
brought up to date first (never a stale one)."""

from statistics import median

from ladderlib import cargo
from ladderlib.readers import REPO

MANDEL_REPORT = cargo.report_binary(REPO)
FASTER, SLOWER, SAME = "faster", "slower", "no change"
ALPHA = 0.01  # the rank test's level, as each report states it (`test_the_report_states_its_rule`)
# scripts/compare's floors (crates/report/src/compare_results.rs): rows not in rounds, rows in rounds
DEFAULT_NOISE_FLOOR, ROUNDS_NOISE_FLOOR = 0.10, 0.05
MIN_ROUNDS = 3  # crates/report/src/rounds.rs
VERDICT_KEYS = ("verdict", "change", "why", "p", "floor", "wide", "rule")


def judged(mandel_report, a, b, noise_floor, rounds_floor, interleaved=False, fail_above=None, fail_on_missing=False):
    """`mandel-report verdicts` on two runs of one machine, A (`a`) and B (`b`: each their rows and settings), each
    entry given its rows (`a`, `b`: None where absent) as the scripts' reports read them."""
    report = cargo.ask_report(mandel_report, "verdicts", {
        "a": {"rows": a["rows"], "settings": a.get("settings")}, "b": {"rows": b["rows"], "settings": b.get("settings")},
        "noise_floor": noise_floor, "rounds_floor": rounds_floor, "min_rounds": MIN_ROUNDS,
        "interleaved": interleaved, "fail_above": fail_above, "fail_on_missing": fail_on_missing})
    rows = [{r["name"]: r for r in s["rows"]} for s in (a, b)]
    for e in report["entries"]:
        e["a"], e["b"] = rows[0].get(e["name"]), rows[1].get(e["name"])
    return report


def _run(s):
    return s if isinstance(s, dict) else {"rows": list(s)}


def report(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR,
           interleaved=False, **fail):
    return judged(MANDEL_REPORT, _run(a), _run(b), noise_floor, rounds_floor, interleaved, **fail)


def verdicts(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR,
             interleaved=False):
    return report(a, b, noise_floor, rounds_floor, interleaved)["entries"]


def judge(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR,
          interleaved=False):
    """The verdict on rows `a` and `b` (one of them may be None: absent) as one rung: {verdict, change, why} and, judged by
    rounds, {p, floor, wide, rule}."""
    name = (a or b or {}).get("name", "k")
    rows = [[{**r, "name": name}] if r else [] for r in (a, b)]
    (entry,) = verdicts(*rows, noise_floor, rounds_floor, interleaved)
    return {k: entry[k] for k in VERDICT_KEYS if k in entry}


def judge_rounds(a, b, noise_floor=ROUNDS_NOISE_FLOOR, interleaved=False):
    """`judge` of two rows in rounds, `noise_floor` their floor."""
    return judge(a, b, rounds_floor=noise_floor, interleaved=interleaved)


def failures(a, b, fail_above=None, fail_on_missing=False):
    return report(a, b, fail_above=fail_above, fail_on_missing=fail_on_missing)["failures"]


def round_times(row):
    return row.get("round_times_s") or row.get("round_medians_s") or []


def quartiles(values):
    """(Q1, Q3): the medians of the lower and upper halves (an odd count's middle value in neither), computed here, as
    the tests' own account of crates/report's (pyjson.rs, the one the rounds and the checker use)."""
    v = sorted(values)
    n = len(v)
    if n < 2:
        return (v[0], v[0]) if v else (None, None)
    return median(v[: n // 2]), median(v[(n + 1) // 2:])


def round_spread(row):
    """A row's rounds' interquartile range over its median, computed here (`quartiles`), to check the rule's."""
    q1, q3 = quartiles(round_times(row))
    return (q3 - q1) / row["median_s"]


def iqr_interval(row):
    """(Q1, Q3) of a row's round times, stretched to hold its median, computed here."""
    q1, q3 = quartiles(round_times(row))
    return min(q1, row["median_s"]), max(q3, row["median_s"])
