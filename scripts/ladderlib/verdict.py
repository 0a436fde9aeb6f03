"""Two runs of the ladder on one machine, A (the baseline) and B: did each rung get faster, slower, or
not change beyond the noise? The rule, and why it is this one: METHODOLOGY.md, "Comparing two runs".

change = B's median / A's median - 1 (-0.20 is 20% less time). Two rows measured in rounds (`judge_rounds`):
`faster`/`slower` when a Mann-Whitney test of the round times (each round's fastest render; an older set's round
medians) gives p < ALPHA AND the change passes the rung's floor (the wider side's spread, or in interleaved rounds,
scripts/ab's, where the rounds' interquartile ranges lie apart the quieter side's); with too few rounds for the test
to reach ALPHA with one pair of rounds out of order (4 / C(n1+n2, n1) >= ALPHA: 5+5, 4+6, 3+9 rounds, not 3+12:
`rank_test_decides`), when the rounds' interquartile ranges lie apart AND the change passes the wider floor. Other
rows (Criterion's 95% CI of the median, a Python row's fastest and slowest call): when B's interval lies entirely
below/above A's AND the change passes the noise floor (the interval says how stable a few seconds were, not how far
a machine drifts between two runs). `no change` otherwise; `missing` when a side has no time, `failed` when a side
failed verification; `not re-measured` for a Python row a side took from an earlier run or from another machine (its
settings' python_source, python_foreign), or both sides took from one measurement (their python_machine's date and
commit): the same numbers re-used are no evidence of no change; `not comparable` for two rows of one name that
differ in precision, threads, what they compute or problem; `no verdict` for rows not in rounds timed in fewer than
MIN_CALLS calls on a side (a Python row's `repeats`).
"""

import functools
import math
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter

from .rounds import MIN_ROUNDS, quartiles

# Default noise floor of rows not in rounds: the run-to-run drift of an unchanged tree on the project's
# shared VMs, rounded up (METHODOLOGY.md).
DEFAULT_NOISE_FLOOR = 0.10

# Rows measured in rounds: the smallest change called faster or slower, and the rank test's level.
ROUNDS_NOISE_FLOOR = 0.05
ALPHA = 0.01

FASTER, SLOWER, SAME, MISSING, FAILED, STALE, UNLIKE, FEW = VERDICTS = (
    "faster", "slower", "no change", "missing", "failed", "not re-measured", "not comparable", "no verdict")

# Rows not in rounds timed in fewer calls than this on a side get no verdict: one pass of a slow Python rung
# moves by about as much as the noise floor between two runs of one tree (METHODOLOGY.md's A/A checks), and
# its min-max interval of one call is a point.
MIN_CALLS = 3

# What a rung measures beyond its name: two rows of one name that differ in one of these time different work.
CONFIG_FIELDS = ("precision", "threads_n", "computes", "problem")


@functools.cache
def _u_counts(n1, n2):
    """How many orderings of n1 + n2 distinct values give each U (0 .. n1*n2), the exact null
    distribution: the largest value is from the first sample (adding n2 to U) or from the second."""
    if n1 == 0 or n2 == 0:
        return (1,)
    first, second = _u_counts(n1 - 1, n2), _u_counts(n1, n2 - 1)
    return tuple((first[u - n2] if 0 <= u - n2 < len(first) else 0) + (second[u] if u < len(second) else 0)
                 for u in range(n1 * n2 + 1))


def _exact_p_with_ties(a, b):
    """Two-sided p of the rank sum of `a` over every way to draw len(a) of the pooled values, tied values sharing
    their mean rank (in half ranks, so that every sum is a whole number): counted tie group by tie group."""
    n1, pooled = len(a), sorted([*a, *b])
    ties = Counter(pooled)

    def half_rank(value):  # twice the mean of the ranks its ties share
        return 2 * bisect_left(pooled, value) + ties[value] + 1

    ways = {(0, 0): 1}  # (values drawn, their half-rank sum): how many draws
    for value in sorted(ties):
        t, r, drawn = ties[value], half_rank(value), {}
        for (k, total), count in ways.items():
            for j in range(min(t, n1 - k) + 1):
                drawn[k + j, total + j * r] = drawn.get((k + j, total + j * r), 0) + count * math.comb(t, j)
        ways = drawn
    mid = n1 * (len(pooled) + 1)  # the half-rank sum's mean
    seen = abs(sum(map(half_rank, a)) - mid)
    return sum(c for (k, total), c in ways.items() if k == n1 and abs(total - mid) >= seen) / math.comb(len(pooled), n1)


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test of samples `a` and `b`: exact for small samples (25 or fewer
    a side; with ties, `_exact_p_with_ties`), else the normal approximation with the tie and continuity
    corrections."""
    n1, n2 = len(a), len(b)
    if n1 > 25 or n2 > 25:
        return _normal_p(a, b)
    if len(set(a) | set(b)) < n1 + n2:
        return min(1.0, _exact_p_with_ties(a, b))
    u = sum(1 for x in a for y in b if x > y)
    tail = min(u, n1 * n2 - u)
    return min(1.0, 2 * sum(_u_counts(n1, n2)[: tail + 1]) / math.comb(n1 + n2, n1))


def _normal_p(a, b):
    """The normal approximation of the two-sided p, with the tie and continuity corrections."""
    n1, n2 = len(a), len(b)
    pooled = sorted([*a, *b])
    # a value's rank: the average of the ranks its ties share
    u = sum((bisect_left(pooled, x) + bisect_right(pooled, x) + 1) / 2 for x in a) - n1 * (n1 + 1) / 2
    ties = sum(t ** 3 - t for t in Counter(pooled).values())
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))


def round_spread(row):
    """The interquartile range of a row's round times over its median: how far the rung's own rounds,
    fresh processes minutes apart, stray from each other."""
    q1, q3 = quartiles(round_times(row))  # the tables' spread, as `ladderlib.rounds` gives it
    return (q3 - q1) / row["median_s"]


def min_p(n1, n2):
    """The smallest two-sided p the exact Mann-Whitney test of n1 and n2 distinct values can give: every
    value of one sample beyond every value of the other, one ordering of C(n1+n2, n1) on each side."""
    return 2 / math.comb(n1 + n2, n1)


def p_one_out_of_order(n1, n2):
    """The two-sided p of the exact Mann-Whitney test of n1 and n2 distinct values when one pair of them is
    out of order (U = 1): the nearest the test comes to complete separation. One ordering gives U = 0 and one
    U = 1 (either way round), so p = 4 / C(n1+n2, n1): counted, not the exact distribution, which at --rounds'
    largest counts takes seconds and gigabytes to build on every compare."""
    return min(1.0, 4 / math.comb(n1 + n2, n1))


def rank_test_decides(n1, n2, alpha=ALPHA):
    """Whether the rank test of n1 and n2 rounds can give p < alpha with one pair of rounds out of order.
    With 3 or 4 rounds a side it cannot reach alpha at all (its smallest p is 0.1 at 3+3, 0.029 at 4+4);
    with 5 a side only at complete separation (p = 0.0079; one round out of place: 0.016), so that one
    stray round would turn a tenfold slowdown into `no change`. Those are judged by their interquartile
    ranges instead, which one stray round cannot move past the middle half."""
    return p_one_out_of_order(n1, n2) < alpha


def iqr_interval(row):
    """(Q1, Q3) of a row's round times, stretched to hold its median: the interval of a row in rounds."""
    q1, q3 = quartiles(round_times(row))
    return min(q1, row["median_s"]), max(q3, row["median_s"])


def judge_rounds(a, b, noise_floor=ROUNDS_NOISE_FLOOR, interleaved=False):
    """The verdict on two rows measured in rounds (see the module's doc). The rank rule's floor is the rung's
    own: `noise_floor`, or the wider of the two rows' round spreads. A rung whose rounds stray by 12% within
    one run (the algorithmic rungs, on a shared VM) also lands further between two runs, which the rank
    test cannot see: rounds of one run share that run's moment of the machine. But a change can be what
    spreads one side's rounds (a regression slowing most rounds a lot and a few a little): then that side's
    spread would raise the bar for the very change that made it. So where the rounds were `interleaved`
    (scripts/ab's ABBA rounds, which share the machine's drift), rounds apart by rank whose interquartile
    ranges lie apart too are judged against the quieter side's spread instead: their middle halves already
    clear each other, and a rung noisy on both sides keeps that noise as its floor. Two separate runs keep
    the wider floor: the drift between them is as large as a rung's spread, and neither the rank test nor
    the interquartile ranges see it, so an unchanged noisy rung would clear the quieter side's floor. Too few
    rounds for the rank test to decide (`rank_test_decides`): the interval rule on the rounds' interquartile
    ranges, with the same floors (`rule` says which: "rank" or "interquartile")."""
    change = b["median_s"] / a["median_s"] - 1
    ta, tb = round_times(a), round_times(b)
    p = mann_whitney_p(ta, tb)
    spread_a, spread_b = round_spread(a), round_spread(b)
    floor = max(noise_floor, spread_a, spread_b)
    quiet = max(noise_floor, min(spread_a, spread_b))  # the quieter side's: a change cannot raise it

    def named(f):
        return f"{f:.1%} floor (the rounds' interquartile spread)" if f > noise_floor else f"{f:.0%} floor"

    def entry(f):  # `wide`: the rung's own spread set the floor; the tables say so
        return {"change": change, "p": p, "floor": f, "wide": f > noise_floor}

    def left_out():
        noisy, spread = ("A", spread_a) if spread_a > spread_b else ("B", spread_b)
        return f"{noisy}'s spread of {spread:.1%} left out, as the change may be what spread it"

    (a_lo, a_hi), (b_lo, b_hi) = iqr_interval(a), iqr_interval(b)
    apart = b_hi < a_lo or b_lo > a_hi  # the median is inside each interval: apart in the change's direction
    called = SLOWER if change > 0 else FASTER
    if not rank_test_decides(len(ta), len(tb)):
        # the p one pair out of order would give, not these rounds' own: at 5+5 complete separation reaches
        # p < ALPHA, yet one stray round would not
        rule = (f"interquartile ranges, as with {len(ta)}+{len(tb)} rounds one pair out of order gives "
                f"p={p_one_out_of_order(len(ta), len(tb)):.2g}, not below {ALPHA:g} (these rounds: p={p:.2g}, "
                f"the least possible {min_p(len(ta), len(tb)):.2g})")
        if apart and abs(change) > floor:
            return {"verdict": called, **entry(floor), "why": f"beyond the {named(floor)}; rule: {rule}",
                    "rule": "interquartile"}
        if interleaved and apart and abs(change) > quiet:  # as the rank rule's quieter floor, below
            return {"verdict": called, **entry(quiet), "rule": "interquartile",
                    "why": f"beyond the {named(quiet)}; {left_out()}; rule: {rule}"}
        why = f"{'within the ' + named(floor) if apart else 'ranges overlap'}; rule: {rule}"
        return {"verdict": SAME, **entry(floor), "why": why, "rule": "interquartile"}
    if p < ALPHA and abs(change) > floor:
        return {"verdict": called, **entry(floor), "why": f"rounds apart (p={p:.2g}), beyond the {named(floor)}",
                "rule": "rank"}
    if interleaved and p < ALPHA and apart and abs(change) > quiet:
        return {"verdict": called, **entry(quiet), "rule": "rank",
                "why": f"rounds apart (p={p:.2g}) and their interquartile ranges too, beyond the {named(quiet)}; "
                       f"{left_out()}"}
    why = f"within the {named(floor)} (p={p:.2g})" if p < ALPHA else f"rounds overlap (p={p:.2g})"
    return {"verdict": SAME, **entry(floor), "why": why, "rule": "rank"}


def round_times(row):
    """A row's round times: each round's fastest render, or in a set merged before that rule its round medians
    (compare refuses to mix the two: `compare._settings_view`)."""
    return row.get("round_times_s") or row.get("round_medians_s") or []


def in_rounds(row):
    return len(round_times(row)) >= MIN_ROUNDS


def interval(row):
    """(low, high) seconds around the row's median: its CI or min-max, else the median itself."""
    lo, hi = row.get("spread_low_s"), row.get("spread_high_s")
    if lo is None or hi is None:
        return row["median_s"], row["median_s"]
    return min(lo, row["median_s"]), max(hi, row["median_s"])


def failed_verification(row):
    return row is not None and row.get("status") == "failed"


def timed(row):
    return row is not None and row.get("status") == "ok" and row.get("median_s")


def judge(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR, interleaved=False):
    """The verdict on one rung: {verdict, change (None unless both timed), why}. Two rows measured in
    rounds are judged by `judge_rounds` with `rounds_floor` (and `interleaved`: whether their rounds
    alternated); others by their intervals and `noise_floor`."""
    if failed := [side for side, row in (("A", a), ("B", b)) if failed_verification(row)]:
        return {"verdict": FAILED, "change": None, "why": f"failed verification in {' and '.join(failed)}"}
    missing = [side for side, row in (("A", a), ("B", b)) if not timed(row)]
    if missing:
        return {"verdict": MISSING, "change": None, "why": f"not timed in {' and '.join(missing)}"}
    if in_rounds(a) and in_rounds(b):
        return judge_rounds(a, b, rounds_floor, interleaved)
    change = b["median_s"] / a["median_s"] - 1
    calls = [(side, row["repeats"]) for side, row in (("A", a), ("B", b))
             if (row.get("repeats") or MIN_CALLS) < MIN_CALLS]  # None: not counted in calls (Criterion's)
    if calls:
        said = " and ".join(f"{n} call{'s' if n != 1 else ''} in {side}" for side, n in calls)
        return {"verdict": FEW, "change": change, "why": f"{said}: fewer than {MIN_CALLS} a side cannot tell a "
                "change from one pass's noise"}
    (a_lo, a_hi), (b_lo, b_hi) = interval(a), interval(b)
    if b_hi < a_lo and change < -noise_floor:
        return {"verdict": FASTER, "change": change, "why": "B's interval below A's, beyond the noise floor"}
    if b_lo > a_hi and change > noise_floor:
        return {"verdict": SLOWER, "change": change, "why": "B's interval above A's, beyond the noise floor"}
    apart = b_hi < a_lo or b_lo > a_hi
    return {"verdict": SAME, "change": change,
            "why": "intervals apart, within the noise floor" if apart else "intervals overlap"}


def config_difference(a, b):
    """`precision f64 -> f32; threads_n 1 -> 2` where two rows of one name measure different work (fields
    either side leaves unrecorded are not compared), else ""."""
    a, b = a or {}, b or {}
    return "; ".join(f"{k} {a[k]} -> {b[k]}" for k in CONFIG_FIELDS
                     if a.get(k) is not None and b.get(k) is not None and a[k] != b[k])


def isa_note(a, b):
    """`ISA avx512 -> avx2` when the two rows took different instruction-set paths."""
    isa_a, isa_b = (a or {}).get("isa"), (b or {}).get("isa")
    return f"ISA {isa_a} -> {isa_b}" if isa_a and isa_b and isa_a != isa_b else ""


def python_row(row):
    """Whether a row comes from the Python baselines (run.py's file: Python, Numba, Cython, the pyo3-* rows...),
    not from this run's Rust rounds."""
    return row is not None and row.get("language") not in (None, "Rust", "C")


def stale_python(summary):
    """Why a summary's Python rows were not measured in its own run, or None: reused from an earlier run, or
    taken from another machine or problem (--allow-foreign-baselines)."""
    st = summary.get("settings") or {}
    why = []
    if (source := st.get("python_source") or "").startswith("reused"):
        why.append(source)
    if foreign := st.get("python_foreign"):
        why.append(f"from another machine or problem ({foreign})")
    return "; ".join(why) or None


def python_measurement(summary):
    """Which run of the Python baselines a summary's Python rows come from: their machine record's date and
    commit (None where it records no date)."""
    pym = (summary.get("settings") or {}).get("python_machine") or {}
    return (pym["date"], pym.get("git_commit")) if pym.get("date") else None


def rung_order(*summaries):
    return list(dict.fromkeys(r["name"] for s in summaries for r in s["rows"]))


def verdicts(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR, interleaved=False):
    """One entry per rung of either run, in ladder order: {name, a, b, verdict, change, why, isa}.
    `interleaved`: A's and B's rounds alternated (scripts/ab), so the quieter side's floor may apply
    (`judge_rounds`); two separate runs (scripts/compare) leave it False."""
    rows_a, rows_b = ({r["name"]: r for r in s["rows"]} for s in (a, b))
    stale = [f"{side}'s Python rows {why}" for side, s in (("A", a), ("B", b)) if (why := stale_python(s))]
    if (shared := python_measurement(a)) is not None and shared == python_measurement(b):  # e.g. --baselines
        stale.append(f"A and B share one measurement of the Python rows (baselines of {shared[0]})")
    out = []
    for name in rung_order(a, b):
        ra, rb = rows_a.get(name), rows_b.get(name)
        got = judge(ra, rb, noise_floor, rounds_floor, interleaved)
        if got["verdict"] not in (MISSING, FAILED) and (unlike := config_difference(ra, rb)):
            got = {"verdict": UNLIKE, "change": None, "why": f"the rows measure different work: {unlike}"}
        elif stale and got["verdict"] not in (MISSING, FAILED) and (python_row(ra) or python_row(rb)):
            got = {"verdict": STALE, "change": None, "why": "; ".join(stale)}
        out.append({"name": name, "a": ra, "b": rb, **got, "isa": isa_note(ra, rb)})
    return out


def failures(entries, fail_above=None, fail_on_missing=False):
    """Why a CI job should fail: rungs slower by more than `fail_above` (a fraction), rungs failing
    verification in B (with `fail_above` set; whatever A did: B is the code under test), and missing rungs
    (with `fail_on_missing`)."""
    out = []
    for e in entries:
        if fail_above is not None and e["verdict"] == SLOWER and e["change"] > fail_above:
            out.append(f"{e['name']}: {e['change']:+.1%} slower (threshold {fail_above:.0%})")
        elif fail_above is not None and e["verdict"] == FAILED and failed_verification(e.get("b")):
            out.append(f"{e['name']}: fails verification in B" + (" (and in A)" if failed_verification(e.get("a"))
                                                                    else ""))
        elif fail_on_missing and e["verdict"] == MISSING:
            out.append(f"{e['name']}: {e['why']}")
    return out


def shown(entry):
    """Whether a verdict counts: a rung missing in both runs (one neither ran, e.g. an ISA the machine
    lacks) is left out of the tables and the tallies."""
    return timed(entry["a"]) or timed(entry["b"]) or entry["verdict"] != MISSING


def geomean(values):
    """Geometric mean of positive numbers; None for none."""
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def drift(entries):
    """The whole machine's drift between two runs, or None: when at least 90% of the rungs timed in both
    (and at least 8 of them) changed in the same direction, the median change. On a shared VM two runs back to
    back can differ by a few percent in every row, scalar ones included, which no code change does; the verdicts
    stay as they are, and this says how far to discount those near it."""
    changes = [e["change"] for e in entries if e.get("change") is not None]
    if len(changes) < 8 or max(sum(c > 0 for c in changes), sum(c < 0 for c in changes)) < 0.9 * len(changes):
        return None
    return statistics.median(changes)


DRIFT_ADVICE = ("A code change rarely moves every row, scalar ones included: the machine probably changed speed "
                "between the runs, and verdicts near that change may be its doing. Compare builds with scripts/ab, "
                "which interleaves them.")


def drift_note(entries, timed="in both", advice=DRIFT_ADVICE):
    """drift()'s warning line, or None: scripts/compare's words unless scripts/ab gives its own (`ab.drift_note`)."""
    if (d := drift(entries)) is None:
        return None
    n = sum(e.get("change") is not None for e in entries)
    return (f"every rung moved the same way: {'faster' if d < 0 else 'slower'} in at least 90% of the {n} timed "
            f"{timed}, median {d:+.1%}. {advice}")


def counts(entries):
    """{verdict: number of rungs}, in a fixed order, those with none left out."""
    return {v: n for v in VERDICTS if (n := sum(e["verdict"] == v for e in entries))}
