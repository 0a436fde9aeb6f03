"""Compare ladder results (summary.json): several machines side by side, or two runs of one machine.

  scripts/compare results/A results/B [more ...]   machines: per rung each one's time, speedup over its own
                                                   pure Python, ISA path, threads, verification; X/A ratios
  scripts/compare --baseline NAME                  this machine's baseline NAME against its current results
  scripts/compare RUN_A RUN_B                      two runs of one machine: a verdict per rung (`mandel-report verdicts`)

Results of different problems or settings are refused unless --allow-different. The verdicts on two runs come from
`mandel-report verdicts`, the tables, sentences and chart from `mandel-report compare` (crates/report): cargo builds
it (seconds; after scripts/ladder, a no-op), or MANDEL_REPORT_BIN names a built one (scripts/prebuilt's copy on a
machine without cargo).
"""

import argparse
import math
import os
import sys
from pathlib import Path

from . import atomic, baseline, cargo, rounds
from .readers import InputError, read_summary


REPO = Path(__file__).resolve().parents[2]

# The floors unless --noise-floor: of rows not in rounds, the run-to-run drift of an unchanged tree on the project's
# shared VMs, rounded up; of rows in rounds, the smallest change called faster or slower (METHODOLOGY.md).
DEFAULT_NOISE_FLOOR = 0.10
ROUNDS_NOISE_FLOOR = 0.05
SAME = "no change"  # the verdict of a rung that did not change beyond the noise


def judged(mandel_report, a, b, noise_floor=DEFAULT_NOISE_FLOOR, rounds_floor=ROUNDS_NOISE_FLOOR, interleaved=False,
           fail_above=None, fail_on_missing=False):
    """The verdicts on two runs of one machine, A (`a`) and B (`b`: each a summary, or its rows and settings), by
    `mandel-report verdicts` (the rule: crates/report/src/verdict.rs): {entries, counts, failures, drift, changes,
    alpha, min_calls}, each entry {name, a, b (its rows, None where absent), verdict, change, why, isa, shown,
    interval, rounds, spread} and, judged by rounds, {p, floor, wide, rule}. `interleaved`: the sides' rounds
    alternated (scripts/ab)."""
    report = cargo.ask_report(mandel_report, "verdicts", {
        "a": {"rows": a["rows"], "settings": a.get("settings")}, "b": {"rows": b["rows"], "settings": b.get("settings")},
        "noise_floor": noise_floor, "rounds_floor": rounds_floor, "min_rounds": rounds.MIN_ROUNDS,
        "interleaved": interleaved, "fail_above": fail_above, "fail_on_missing": fail_on_missing})
    rows = [{r["name"]: r for r in s["rows"]} for s in (a, b)]
    for e in report["entries"]:
        e["a"], e["b"] = rows[0].get(e["name"]), rows[1].get(e["name"])
    return report


# --- the outputs --------------------------------------------------------------------------------


def rendered(mandel_report, summaries, runs=None, same_machine=False, md=False, svg=False):
    """`mandel-report compare`'s answer (crates/report/src/compare.rs): {differences, text, markdown (with `md`), svg
    (with `svg`)}, the machines side by side, or with `runs` two runs of one machine. `differences`: what differs
    between the sets' problems and settings (crates/report/src/differences.rs; `same_machine`: the machine too);
    `runs`: {names, report (`judged`), noise_floor, rounds_floor} (the notes on a drift and on each side's rounds are
    made there)."""
    sets = [{k: s[k] for k in ("machine_id", "machine", "rows", "settings") if k in s} for s in summaries]
    return cargo.ask_report(mandel_report, "compare", {"sets": sets, "same_machine": same_machine, "runs": runs,
                                                        "markdown": md, "svg": svg})


# --- the command: scripts/compare ----------------------------------------------------------------


def percent(text):
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value / 100


def limit_percent(text):
    """--fail-above: a finite percentage of 0 or more (inf would say "never", which is leaving the flag out)."""
    value = percent(text)
    if not math.isfinite(value):  # inf, 1e999
        raise argparse.ArgumentTypeError(f"must be a finite percentage: {text!r}")
    return value


def floor_percent(text):
    """A noise floor: a finite percentage of 0 or more and below 100 (at 100 or more, or infinite, nothing could be
    `faster`: no change takes more than all of the time away). scripts/ab refuses the same values."""
    value = percent(text)
    if not value < 1:  # inf and 1e999 too
        raise argparse.ArgumentTypeError(f"a percentage below 100: {text!r}")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="*", type=Path,
                   help="results folders or their summary.json; the first is the reference (A)")
    p.add_argument("--baseline", metavar="NAME", help="compare this machine's baseline NAME (A; scripts/ladder "
                   "--save-baseline NAME) with its current results (B; or with the one RESULTS given)")
    p.add_argument("--machine-id", help="with --baseline: the machine whose results to use (default: this one)")
    p.add_argument("--results-dir", type=Path, help="with --baseline: the results folder holding baselines/ "
                   "(default: results/<machine-id>)")
    p.add_argument("--mode", choices=["auto", "runs", "machines"], default="auto",
                   help="runs: verdicts for two runs of one machine; machines: side by side; auto (default): runs "
                   "for --baseline or two results of one machine id")
    p.add_argument("--noise-floor", type=floor_percent, metavar="PCT",
                   help=f"runs: a change must exceed this to be faster/slower, a percentage below 100 (default: "
                   f"{ROUNDS_NOISE_FLOOR * 100:g}%% for rows in rounds, or a rung's wider spread of rounds; "
                   f"{DEFAULT_NOISE_FLOOR * 100:g}%% for others)")
    p.add_argument("--fail-above", type=limit_percent, metavar="PCT", help="runs: exit 1 if a rung is `slower` (past its "
                   "floor) by more than PCT percent, or fails verification in B")
    p.add_argument("--fail-on-missing", action="store_true", help="runs: also exit 1 if a rung is missing on a side")
    p.add_argument("--allow-different", action="store_true",
                   help="compare results of different problems or settings (or machines, for runs) anyway")
    p.add_argument("--md", type=Path, help="also write the comparison as markdown here")
    p.add_argument("--svg", type=Path, help="write the grouped bar chart here (default: next to --md, .svg)")
    args = p.parse_args(argv)
    if args.baseline is not None and len(args.results) > 1:
        p.error("--baseline takes at most one RESULTS (the B side)")
    if args.baseline is None and not args.results:
        p.error("give results folders (or summary.json files) to compare, or --baseline NAME")
    for flag, value in (("--machine-id", args.machine_id), ("--results-dir", args.results_dir)):
        if value is not None and args.baseline is None:
            p.error(f"{flag} picks the machine whose baseline --baseline NAME compares: give --baseline too")
    if args.mode == "machines" and args.noise_floor is not None:
        p.error("--noise-floor judges two runs of one machine (--mode runs), not machines side by side")
    if args.machine_id is not None:
        try:
            baseline.check_folder_name(args.machine_id, "--machine-id")
        except InputError as e:
            p.error(str(e))
    return args


def input_paths(args):
    """The summaries (or folders holding one) compared, in order A, B, ...: the results given, or the
    baseline's summary and the current results (the one RESULTS given, else the results folder)."""
    if args.baseline is None:
        return list(args.results)
    results_dir = args.results_dir or REPO / "results" / (args.machine_id or baseline.this_machine_id(REPO))
    return [baseline.summary_path(results_dir, args.baseline), args.results[0] if args.results else results_dir]


def same_file(one, other):
    """Whether two paths name one file: one spelling after resolving links, or one inode (a hard link). A path
    that cannot be resolved (a symlink loop) names no file another path names."""
    try:
        return one.resolve() == other.resolve() or (one.exists() and other.exists() and os.path.samefile(one, other))
    except (RuntimeError, OSError):
        return False


def check_output_path(flag, out):
    """Refuse an output path that names no file before anything else: a folder's spelling (`.`, `/`, `..`),
    or a symlink loop."""
    if out is None:
        return
    if out.name in ("", ".", ".."):
        raise InputError(f"cannot write {flag} {out}: it names a folder, not a file")
    try:
        out.resolve()
        os.stat(out)
    except FileNotFoundError:
        pass  # a new file: check_writable says whether its folder exists
    except (RuntimeError, OSError) as e:
        raise InputError(f"cannot write {flag} {out}: {getattr(e, 'strerror', None) or e}") from None


def check_writable(flag, out, compared):
    """Refuse an output before anything is read or printed: one of the files compared (writing it would
    overwrite an input), a folder, device or FIFO (a symlink is written through), a missing folder."""
    try:
        for path in compared:
            if same_file(out, path):
                raise InputError(f"it is {path}, one of the summaries compared: writing it would overwrite that input")
        if not (target := atomic.check_target(out)).parent.is_dir():
            raise InputError(f"folder {target.parent} does not exist")
    except InputError as e:
        raise InputError(f"cannot write {flag} {out}: {e}") from None


def write_output(flag, path, text):
    """Write a whole file or none (temporary file + rename); a failure is a clear error, exit 2."""
    try:
        atomic.write_text(path, text)
    except OSError as e:
        raise InputError(f"cannot write {flag} {path}: {e.strerror or e}") from None


def main(argv=None):
    """scripts/compare: 0, 1 when --fail-above/--fail-on-missing find a rung to fail, 2 for an error."""
    args = parse_args(argv)
    try:
        return run(args)
    except InputError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2


def run(args):
    for flag, out in (("--md", args.md), ("--svg", args.svg)):
        check_output_path(flag, out)
    svg_path = args.svg or (args.md.with_suffix(".svg") if args.md else None)
    if args.md and svg_path and same_file(args.md, svg_path):
        how = f"--svg {svg_path}" if args.svg else f"the chart's default path, --md with .svg ({svg_path})"
        raise InputError(f"--md {args.md} and {how} are one file: the chart would overwrite the markdown; "
                         "give them different paths")
    paths = input_paths(args)  # the baseline's and the results folder's summaries too: never an output
    compared = [Path(p) / "summary.json" if Path(p).is_dir() else Path(p) for p in paths]
    for flag, out in (("--md", args.md), ("--svg", svg_path)):
        if out:
            check_writable(flag, out, compared)
    summaries = [read_summary(p) for p in paths]
    mode = args.mode
    if mode == "auto":
        same = len(summaries) == 2 and summaries[0]["machine_id"] == summaries[1]["machine_id"]
        mode = "runs" if args.baseline is not None or same else "machines"
    if mode == "runs" and len(summaries) != 2:
        raise InputError("comparing runs takes exactly two results")
    if mode == "machines" and (args.fail_above is not None or args.fail_on_missing or args.noise_floor is not None):
        raise InputError("--noise-floor/--fail-above/--fail-on-missing judge two runs of one machine (--mode runs): "
                         "these results are of different machines")
    mandel_report, runs, bad = cargo.report(REPO), None, []  # the readers' (found reading the summaries)
    if mode == "runs":
        a, b = summaries
        names = [str(a["source"]), str(b["source"])] if args.baseline is None else \
            [f"baseline {args.baseline}", str(args.results[0]) if args.results else "current"]
        rounds_floor = ROUNDS_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        floor = DEFAULT_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        report = judged(mandel_report, a, b, floor, rounds_floor, fail_above=args.fail_above,
                        fail_on_missing=args.fail_on_missing)
        runs = {"names": names, "report": report, "noise_floor": floor, "rounds_floor": rounds_floor}
        bad = report["failures"]
    # every text made before either file is written: a chart that cannot be drawn leaves no new markdown beside an
    # old chart
    out = rendered(mandel_report, summaries, runs, same_machine=mode == "runs", md=bool(args.md), svg=bool(svg_path))
    if diffs := out["differences"]:
        what = "\n".join(f"  - {d}" for d in diffs)
        if not args.allow_different:
            raise InputError(f"the results differ in problem or settings:\n{what}\n"
                             "Their times are not comparable; pass --allow-different to compare them anyway.")
        print(f"warning: comparing results that differ (--allow-different):\n{what}\n")
    print(out["text"])
    if args.md:
        write_output("--md", args.md, out["markdown"])
    if bad:
        print("\nFAIL: " + "; ".join(bad))
    if args.md:
        print(f"\nmarkdown written to {args.md}")
    if svg_path:
        write_output("--svg", svg_path, out["svg"])
        print(f"chart written to {svg_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
