"""Two runs of the ladder on one machine, A (the baseline) and B: did each rung get faster, slower, or
not change beyond the noise? The rule, and why it is this one: METHODOLOGY.md, "Comparing two runs".

- change = B's median / A's median - 1 (-0.20 is 20% less time);
- two rows measured in rounds (`ladderlib.rounds`, both carrying every round's median; `judge_rounds`):
  `faster`/`slower` when a Mann-Whitney rank test of the round medians gives p < ALPHA AND the change
  passes the rounds' noise floor (`ROUNDS_NOISE_FLOOR`, or the caller's);
- other rows (Criterion's 95% CI of the median, a Python row's fastest and slowest call): `faster`/
  `slower` when B's interval lies entirely below/above A's AND the change passes the noise floor (the
  interval says how stable a few seconds were, not how far a machine drifts between two runs);
- `no change` otherwise; `missing` when a side has no time, `failed` when a side failed verification.
"""

import math
import statistics

# Default noise floor of rows not in rounds: the run-to-run drift of an unchanged tree on the project's
# shared VMs, rounded up (METHODOLOGY.md).
DEFAULT_NOISE_FLOOR = 0.10

# Rows measured in rounds: the smallest change called faster or slower, and the rank test's level.
ROUNDS_NOISE_FLOOR = 0.05
ALPHA = 0.01
MIN_ROUNDS = 3

FASTER, SLOWER, SAME, MISSING, FAILED = "faster", "slower", "no change", "missing", "failed"


def _exact_u_counts(n1, n2):
    """How many orderings of n1 + n2 distinct values give each U (0 .. n1*n2): the exact null
    distribution, by the recurrence f(n1, n2, u) = f(n1 - 1, n2, u - n2) + f(n1, n2 - 1, u)."""
    # table[j][u] for the current i (rows of the recurrence over n1), j = 0 .. n2
    prev = [[1] + [0] * (n1 * n2) for _ in range(n2 + 1)]  # i = 0: U = 0 only
    for i in range(1, n1 + 1):
        cur = [[0] * (n1 * n2 + 1) for _ in range(n2 + 1)]
        cur[0][0] = 1
        for j in range(1, n2 + 1):
            for u in range(i * j + 1):
                cur[j][u] = (prev[j][u - j] if u >= j else 0) + cur[j - 1][u]
        prev = cur
    return prev[n2]


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test of samples `a` and `b`: exact for small samples
    without ties, else the normal approximation with the tie and continuity corrections (standard
    library only)."""
    n1, n2 = len(a), len(b)
    if n1 <= 25 and n2 <= 25 and len(set(a) | set(b)) == n1 + n2:
        u = sum(1 for x in a for y in b if x > y)
        counts = _exact_u_counts(n1, n2)
        total = sum(counts)
        tail = min(u, n1 * n2 - u)
        return min(1.0, 2 * sum(counts[: tail + 1]) / total)
    pooled = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    ranks, i, ties = [0.0] * len(pooled), 0, 0.0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, side) in zip(ranks, pooled) if side == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return max(0.0, min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2))))


def judge_rounds(a, b, noise_floor=ROUNDS_NOISE_FLOOR):
    """The verdict on two rows measured in rounds (see the module's doc)."""
    ra, rb = a["round_medians_s"], b["round_medians_s"]
    change = b["median_s"] / a["median_s"] - 1
    p = mann_whitney_p(ra, rb)
    beyond = abs(change) > noise_floor
    if p < ALPHA and beyond:
        v = SLOWER if change > 0 else FASTER
        return {"verdict": v, "change": change, "p": p,
                "why": f"rounds apart (p={p:.2g}), beyond the {noise_floor:.0%} floor"}
    why = f"within the {noise_floor:.0%} floor (p={p:.2g})" if p < ALPHA else f"rounds overlap (p={p:.2g})"
    return {"verdict": SAME, "change": change, "p": p, "why": why}


def in_rounds(row):
    return len(row.get("round_medians_s") or []) >= MIN_ROUNDS


def interval(row):
    """(low, high) seconds around the row's median: its CI or min-max, else the median itself."""
    lo, hi = row.get("spread_low_s"), row.get("spread_high_s")
    if lo is None or hi is None:
        return row["median_s"], row["median_s"]
    return min(lo, row["median_s"]), max(hi, row["median_s"])


def timed(row):
    return row is not None and row.get("status") == "ok" and row.get("median_s")


def judge(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR):
    """The verdict on one rung: {verdict, change (None unless both timed), why}. Two rows measured in
    rounds are judged by `judge_rounds` with `rounds_floor`; others by their intervals and `noise_floor`."""
    for side, row in (("A", a), ("B", b)):
        if row is not None and row.get("status") == "failed":
            return {"verdict": FAILED, "change": None, "why": f"failed verification in {side}"}
    missing = [side for side, row in (("A", a), ("B", b)) if not timed(row)]
    if missing:
        return {"verdict": MISSING, "change": None, "why": f"not timed in {' and '.join(missing)}"}
    if in_rounds(a) and in_rounds(b):
        return judge_rounds(a, b, rounds_floor)
    change = b["median_s"] / a["median_s"] - 1
    (a_lo, a_hi), (b_lo, b_hi) = interval(a), interval(b)
    if b_hi < a_lo and change < -noise_floor:
        return {"verdict": FASTER, "change": change, "why": "B's interval below A's, beyond the noise floor"}
    if b_lo > a_hi and change > noise_floor:
        return {"verdict": SLOWER, "change": change, "why": "B's interval above A's, beyond the noise floor"}
    apart = b_hi < a_lo or b_lo > a_hi
    return {"verdict": SAME, "change": change,
            "why": "intervals apart, within the noise floor" if apart else "intervals overlap"}


def isa_note(a, b):
    """`ISA avx512 -> avx2` when the two rows took different instruction-set paths."""
    isa_a, isa_b = (a or {}).get("isa"), (b or {}).get("isa")
    if isa_a and isa_b and isa_a != isa_b:
        return f"ISA {isa_a} -> {isa_b}"
    return ""


def rung_order(*summaries):
    order = []
    for s in summaries:
        order += [r["name"] for r in s["rows"] if r["name"] not in order]
    return order


def verdicts(a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR):
    """One entry per rung of either run, in ladder order: {name, a, b, verdict, change, why, isa}."""
    rows_a, rows_b = ({r["name"]: r for r in s["rows"]} for s in (a, b))
    out = []
    for name in rung_order(a, b):
        ra, rb = rows_a.get(name), rows_b.get(name)
        out.append({"name": name, "a": ra, "b": rb, **judge(ra, rb, noise_floor, rounds_floor), "isa": isa_note(ra, rb)})
    return out


def failures(entries, fail_above=None, fail_on_missing=False):
    """Why a CI job should fail: rungs slower by more than `fail_above` (a fraction), rungs failing
    verification in B (with `fail_above` set), and missing rungs (with `fail_on_missing`)."""
    out = []
    for e in entries:
        if fail_above is not None and e["verdict"] == SLOWER and e["change"] > fail_above:
            out.append(f"{e['name']}: {e['change']:+.1%} slower (threshold {fail_above:.0%})")
        elif fail_above is not None and e["verdict"] == FAILED and e["why"].endswith("in B"):
            out.append(f"{e['name']}: fails verification in B")
        elif fail_on_missing and e["verdict"] == MISSING:
            out.append(f"{e['name']}: {e['why']}")
    return out


def geomean(values):
    """Geometric mean of positive numbers; None for none."""
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def drift(entries, share=0.9, least=8):
    """The whole machine's drift between two runs, or None: when at least `share` of the rungs timed in
    both (and at least `least` of them) changed in the same direction, the median change. On a shared
    VM two runs back to back can differ by a few percent in every row, scalar ones included, which no
    code change does; the verdicts stay as they are, and this says how far to discount those near it."""
    changes = [e["change"] for e in entries if e.get("change") is not None]
    if len(changes) < least:
        return None
    same_way = max(sum(c > 0 for c in changes), sum(c < 0 for c in changes))
    if same_way < share * len(changes):
        return None
    return statistics.median(changes)


def drift_note(entries):
    """drift()'s warning line, or None."""
    d = drift(entries)
    if d is None:
        return None
    n = sum(e.get("change") is not None for e in entries)
    return (f"every rung moved the same way: {'faster' if d < 0 else 'slower'} in at least 90% of the {n} timed in "
            f"both, median {d:+.1%}. A code change rarely moves every row, scalar ones included: the machine "
            "probably changed speed between the runs, and verdicts near that change may be its doing. Compare "
            "builds with scripts/ab, which interleaves them.")


def counts(entries):
    """{verdict: number of rungs}, in a fixed order."""
    order = [FASTER, SLOWER, SAME, MISSING, FAILED]
    found = {v: sum(e["verdict"] == v for e in entries) for v in order}
    return {v: n for v, n in found.items() if n}
