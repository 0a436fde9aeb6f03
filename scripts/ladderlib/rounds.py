"""The Rust rungs measured in rounds (`mandel bench`, one process per round; why: crates/registry/src/rounds.rs
and METHODOLOGY.md, "Rounds").

`read_rounds` checks a run's rounds (`raw/rounds.json`, schema mandel-rounds/1: the list of what each
`mandel bench --round N --json` printed, schema mandel-round/1) and aggregates them per kernel:

- the verification: every round verifies every kernel before timing it; the row is verified only if
  every round's verification passed (the first failing one is kept otherwise);
- the time: the median of the round medians (each round's median of its timed renders), the
  interquartile range of the round medians as the spread, every round median kept for the verdicts;
- contention: a round is contended when others (other processes, the hypervisor's steal) used more than
  `CONTENDED` of the machine's CPU time while the kernel was timed; the row says how many were.
"""

import math
from statistics import median

from . import CANONICAL, ROUNDS_SCHEMA, ROUND_SCHEMA
from .readers import InputError, check_params, check_verification, positive_seconds, require, tolerance_of, PARAM_KEYS

# Share of the machine's CPU time used by others (processes, steal) above which a kernel's round counts
# as contended: one busy neighbour on a 2-core VM is 0.5; the ladder's own bookkeeping stays far below.
CONTENDED = 0.10


def quartiles(values):
    """(Q1, Q3): the medians of the lower and upper halves (the middle value left out of both for an
    odd count)."""
    v = sorted(values)
    n = len(v)
    if n < 2:
        return (v[0], v[0]) if v else (None, None)
    return median(v[: n // 2]), median(v[(n + 1) // 2:])


def _fraction(value, path, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= 1:
        raise InputError(f"{path}: {where} should be a fraction from 0 to 1, found {value!r}")
    return float(value)


def check_round(data, path, where):
    """One `mandel bench --json` output, checked: the canonical problem, kernels with verifications and
    positive times. Returns it."""
    require(data, ["schema", "round", "settings", "params", "kernels", "tunings", "pool_threads"], path, where)
    st = require(data["settings"], ["rounds", "kernel_s", "min_renders"], path, f"{where} 'settings'")
    for key in ("rounds", "min_renders"):
        if not _whole(st[key]) or st[key] < 1:
            raise InputError(f"{path}: {where} 'settings.{key}' should be a whole number above 0, found {st[key]!r}")
    if isinstance(st["kernel_s"], bool) or not isinstance(st["kernel_s"], (int, float)) \
            or not math.isfinite(st["kernel_s"]) or st["kernel_s"] < 0:
        raise InputError(f"{path}: {where} 'settings.kernel_s' should be a finite number of seconds, 0 or more, "
                         f"found {st['kernel_s']!r}")
    if not _whole(data["round"]) or data["round"] < 0:
        raise InputError(f"{path}: {where} 'round' should be a whole number, 0 or more, found {data['round']!r}")
    if not _whole(data["pool_threads"]) or data["pool_threads"] < 1:
        raise InputError(f"{path}: {where} 'pool_threads' should be a whole number above 0, "
                         f"found {data['pool_threads']!r}")
    if data["schema"] != ROUND_SCHEMA:
        raise InputError(f"{path}: {where} schema is {data['schema']!r}, expected {ROUND_SCHEMA!r}")
    params = check_params(data["params"], path, f"{where} 'params'")
    if {k: params[k] for k in PARAM_KEYS} != CANONICAL:
        raise InputError(f"{path}: {where} 'params' is {params}, not the canonical problem {CANONICAL}")
    if not isinstance(data["kernels"], list) or not data["kernels"]:
        raise InputError(f"{path}: {where} 'kernels' should be a non-empty list")
    if not isinstance(data["tunings"], list) or not all(
            isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in data["tunings"]):
        raise InputError(f"{path}: {where} 'tunings' should be a list of [family, tuning] pairs")
    pixels = CANONICAL["width"] * CANONICAL["height"]
    for k in data["kernels"]:
        require(k, ["name", "isa", "precision", "threads", "verification", "times_s", "activity"], path,
                f"{where} kernel")
        name = k["name"]
        if not isinstance(name, str) or not isinstance(k["times_s"], list):
            raise InputError(f"{path}: {where} kernel {name!r}: 'name' should be a string, 'times_s' a list")
        v = k["verification"]
        if v is None:
            if k["times_s"] or not k.get("unavailable"):
                raise InputError(f"{path}: {where} {name!r} has no verification: it must be unavailable and untimed")
            continue
        check_verification(v, path, f"{where} {name!r} verification", pixels=pixels, tolerance=tolerance_of(k))
        if k["times_s"] and not v["ok"]:
            raise InputError(f"{path}: {where} {name!r} is timed but failed verification")
        if v["ok"] and not k["times_s"]:  # `mandel bench` times every kernel it verified, min_renders at least
            raise InputError(f"{path}: {where} {name!r} is verified but not timed ('times_s' is empty): a round "
                             "times every kernel that passes verification")
        for i, t in enumerate(k["times_s"]):
            positive_seconds(t, path, f"{where} {name!r} times_s[{i}]")
        act = k["activity"]
        if act is not None:
            require(act, ["steal", "others"], path, f"{where} {name!r} activity")
            _fraction(act["steal"], path, f"{where} {name!r} activity.steal")
            _fraction(act["others"], path, f"{where} {name!r} activity.others")
    return data


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


# What a round says of a kernel besides its measurement: the same in every round of one run.
MEASURED = ("verification", "times_s", "activity")


def _same_run(rounds, path):
    """Every round of one run: its own index, one kernel list, and the same settings, pool and kernel
    descriptions as round 0 (the tunings may differ: unpinned, each process calibrates its own)."""
    first = rounds[0]
    names = [k["name"] for k in first["kernels"]]
    for i, r in enumerate(rounds):
        if r["round"] != i:
            raise InputError(f"{path}: round #{i} 'round' is {r['round']}: the rounds should be numbered 0, 1, ... "
                             "in order, each once")
        if i == 0:
            continue
        if [k["name"] for k in r["kernels"]] != names:
            raise InputError(f"{path}: round #{i} measured other kernels than round #0")
        for key in ("settings", "pool_threads"):
            if r[key] != first[key]:
                raise InputError(f"{path}: round #{i} {key!r} is {r[key]!r}, round #0's {first[key]!r}: the rounds "
                                 "of one run share their settings")
        for k, k0 in zip(r["kernels"], first["kernels"]):
            if k["isa"] != k0["isa"]:
                raise InputError(f"{path}: {k['name']!r} ran on different ISA paths in different rounds: "
                                 f"{sorted({k['isa'], k0['isa']})}")
            for key in sorted(set(k) | set(k0)):
                if key not in MEASURED and k.get(key) != k0.get(key):
                    raise InputError(f"{path}: {k['name']!r} {key!r} is {k.get(key)!r} in round #{i}, "
                                     f"{k0.get(key)!r} in round #0: one kernel is described alike in every round")


def read_rounds(data, path):
    """A run's rounds (`raw/rounds.json`): (kernel records of the first round, verification rows keyed by
    kernel, results keyed by kernel in the shape the merge takes). Raises InputError naming the file."""
    require(data, ["schema", "rounds"], path, "the rounds")
    if data["schema"] != ROUNDS_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {ROUNDS_SCHEMA!r}")
    if not isinstance(data["rounds"], list) or not data["rounds"]:
        raise InputError(f"{path}: 'rounds' should be a non-empty list")
    rounds = [check_round(r, path, f"round #{i}") for i, r in enumerate(data["rounds"])]
    _same_run(rounds, path)
    names = [k["name"] for k in rounds[0]["kernels"]]
    verify, results = {}, {}
    for pos, name in enumerate(names):
        ks = [r["kernels"][pos] for r in rounds]
        first = ks[0]
        if first["verification"] is None:
            verify[name] = {"kernel": name, "isa": first["isa"], "precision": first["precision"],
                            "skipped": first.get("unavailable") or "unavailable", "pixels": None, "differing": None,
                            "allowed": None, "ok": None}
            continue
        failing = [k for k in ks if k["verification"] and not k["verification"]["ok"]]
        chosen = (failing or ks)[0]
        verify[name] = {"kernel": name, "isa": chosen["isa"], "precision": chosen["precision"],
                        "threads": chosen["threads"], **chosen["verification"]}
        timed = [k for k in ks if k["times_s"]]
        if failing or not timed:
            continue
        round_medians = [median(k["times_s"]) for k in timed]
        all_times = [t for k in timed for t in k["times_s"]]
        q1, q3 = quartiles(round_medians)
        acts = [k["activity"] for k in timed if k["activity"] is not None]
        contended = sum(1 for a in acts if a["others"] + a["steal"] > CONTENDED)
        results[name] = {
            "kernel": name, "isa": first["isa"], "median_s": median(round_medians), "ci_low_s": q1, "ci_high_s": q3,
            "mean_s": sum(round_medians) / len(round_medians), "min_s": min(all_times), "max_s": max(all_times),
            "samples": len(timed), "renders": len(all_times), "iterations": chosen["verification"]["iterations"],
            "spread_kind": f"interquartile range of {len(timed)} round medians",
            "round_medians_s": round_medians,
            "contended_rounds": contended if acts else None,
            "others_median": median([a["others"] for a in acts]) if acts else None,
            "steal_median": median([a["steal"] for a in acts]) if acts else None,
        }
    tunings = sorted({tuple(t) for r in rounds for t in r["tunings"]})
    records = {"schema": data["schema"], "records": rounds[0]["kernels"], "tunings": [list(t) for t in tunings],
               "pool_threads": rounds[0]["pool_threads"], "rounds": len(rounds)}
    return records, verify, results
