"""Side by side: several machines' summary.json, one line per rung, each machine's time and speedup,
and each machine's time over the first machine's (B/A > 1: B is slower on that rung)."""

from . import SUMMARY_SCHEMA, fmt
from .readers import InputError, load_json, positive_seconds, require


def read_summary(path):
    data = require(load_json(path), ["schema"], path, "the summary")
    if data["schema"] != SUMMARY_SCHEMA:
        raise InputError(f"{path}: schema is {data['schema']!r}, expected {SUMMARY_SCHEMA!r}")
    require(data, ["machine_id", "rows"], path, "the summary")
    if not isinstance(data["rows"], list):
        raise InputError(f"{path}: 'rows' should be a list")
    for i, row in enumerate(data["rows"]):
        require(row, ["name", "status", "median_s"], path, f"row #{i}")
        if row["status"] == "ok":
            positive_seconds(row["median_s"], path, f"row {row['name']!r} median_s")
    return data


def labels(summaries):
    """Short column labels A, B, C... and what each stands for."""
    return [(chr(ord("A") + i), s["machine_id"]) for i, s in enumerate(summaries)]


def compare(summaries):
    """One entry per rung (in order of first appearance): its row on each machine (None where the
    machine has none) and the time ratio of each machine to the first (None unless both timed it)."""
    order, by_machine = [], []
    for s in summaries:
        rows = {r["name"]: r for r in s["rows"]}
        by_machine.append(rows)
        order += [n for n in rows if n not in order]
    result = []
    for name in order:
        rows = [m.get(name) for m in by_machine]
        first = rows[0]
        ratios = [None]
        for r in rows[1:]:
            both = first and r and first["status"] == "ok" and r["status"] == "ok"
            ratios.append(r["median_s"] / first["median_s"] if both else None)
        method = next(r.get("method") or name for r in rows if r)
        result.append({"name": name, "method": method, "rows": rows, "time_ratios": ratios})
    return result


def _time(row):
    if row is None or row["status"] == "missing":
        return "missing"
    if row["status"] == "failed":
        return "FAILED"
    return fmt.time(row["median_s"])


def table(summaries):
    tags = labels(summaries)
    header = ["rung"]
    for tag, _ in tags:
        header += [f"{tag} time", f"{tag} speedup"]
    header += [f"{tag}/{tags[0][0]} time" for tag, _ in tags[1:]]
    body = []
    for entry in compare(summaries):
        line = [entry["name"]]
        for row in entry["rows"]:
            line += [_time(row), fmt.speedup(row.get("speedup_vs_python")) if row else fmt.DASH]
        line += [fmt.DASH if q is None else f"{q:.2f}" for q in entry["time_ratios"][1:]]
        body.append(line)
    right = set(header[1:])
    return header, body, right


def legend(summaries):
    out = []
    for (tag, mid), s in zip(labels(summaries), summaries):
        m = s.get("machine") or {}
        out.append(f"{tag} = {mid}: {m.get('cpu_model', '?')}, {m.get('cores', '?')} cores, "
                   f"{m.get('date', '?')}, commit {m.get('git_commit', '?')}"
                   + (" (quick)" if (s.get("settings") or {}).get("quick") else ""))
    return out


def text(summaries):
    header, body, right = table(summaries)
    return "\n".join(legend(summaries) + ["", fmt.text_table(header, body, right)])


def markdown(summaries):
    header, body, right = table(summaries)
    lines = ["# The Mandelbrot speedup ladder across machines", ""] + [f"- {x}" for x in legend(summaries)]
    lines += ["", fmt.md_table(header, body, right), "",
              "Speedup is over pure Python on the same machine; X/A time is machine X's median over machine A's "
              "(above 1: slower than A). Missing: the rung did not run there; FAILED: it failed verification.", ""]
    return "\n".join(lines)
