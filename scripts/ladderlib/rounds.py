"""The Rust rungs measured in rounds (`mandel bench`, one process per round; why: crates/registry/src/rounds.rs and
METHODOLOGY.md). `read_rounds` checks raw/rounds.json (`readers.check_rounds`) and aggregates per kernel: verified
only if every round passed (else the first failure kept); a round's time its fastest render, the row's time the
median of the round times, their interquartile range the spread; a round contended when others used more than
`CONTENDED` of the CPUs while the kernel was timed. A Python rung's calls (one process) are judged the same way in
the merge's rows (`calls_time`, crates/report/src/build.rs)."""

import math
from statistics import median

from .readers import check_rounds, quartiles, verify_row

# Share of the machine's CPU time used by others (processes, steal) above which a kernel's round counts
# as contended: one busy neighbour on a 2-core VM is 0.5; the ladder's own bookkeeping stays far below.
CONTENDED = 0.10


# What a round's time is, as the summary's settings record it (older sets: the round's median render). The
# fastest: interference only ever slows a render, and a neighbour that takes the CPU for a few hundred
# renders made the medians of two runs of one build disagree (see METHODOLOGY.md, "A round's time").
ROUND_TIME = "fastest render"  # (a summary that records none: "median render", crates/report/src/summary.rs)
# Fewest rounds a median of rounds is taken over (a verdict's rank test, a Python rung's time: both in
# crates/report, which the scripts send it).
MIN_ROUNDS = 3
# Most rounds `--rounds` takes (ladder, ab). Rust never sees the count (`mandel bench` is one round per
# process), so it refuses none: the range is the Python side's, checked here once for both.
MAX_ROUNDS = 99




def read_rounds(data, path):
    """(records of the first round, verification rows by kernel, results by kernel as the merge takes them), of rounds
    checked to be rounds of one run (`readers.check_rounds`)."""
    rounds = check_rounds(data, path)["rounds"]
    verify, results = {}, {}
    for ks in zip(*(r["kernels"] for r in rounds)):  # one kernel in every round (check_rounds: one kernel list)
        first, name = ks[0], ks[0]["name"]
        failing = [k for k in ks if k["verification"] and not k["verification"]["ok"]]
        chosen = (failing or ks)[0]
        verify[name] = verify_row(chosen, str(path))
        timed = [k for k in ks if k["times_s"]]
        if first["verification"] is None or failing or not timed:
            continue
        times = [min(k["times_s"]) for k in timed]  # each round's time: its fastest render (ROUND_TIME)
        all_times = [t for k in timed for t in k["times_s"]]
        q1, q3 = quartiles(times)
        acts = [k["activity"] for k in timed if k["activity"] is not None]
        # the mean by fsum, correctly rounded: the same under every CPython (3.12 changed sum()); a round's
        # verification may count no iterations
        results[name] = {
            "kernel": name, "isa": first["isa"], "median_s": median(times), "ci_low_s": q1, "ci_high_s": q3,
            "mean_s": math.fsum(times) / len(times), "min_s": min(all_times), "max_s": max(all_times),
            "samples": len(timed), "renders": len(all_times), "iterations": chosen["verification"].get("iterations"),
            "spread_kind": f"interquartile range of {len(timed)} rounds' fastest renders",
            "round_times_s": times,
            "contended_rounds": sum(a["others"] + a["steal"] > CONTENDED for a in acts) if acts else None,
            "others_median": median([a["others"] for a in acts]) if acts else None,
            "steal_median": median([a["steal"] for a in acts]) if acts else None,
        }
    tunings = sorted({tuple(t) for r in rounds for t in r["tunings"]})
    records = {"schema": data["schema"], "records": rounds[0]["kernels"], "tunings": [list(t) for t in tunings],
               "pool_threads": rounds[0]["pool_threads"], "rounds": len(rounds)}
    return records, verify, results
