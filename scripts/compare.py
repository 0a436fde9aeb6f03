"""Compare ladder results: several machines side by side, or two runs of one machine with a verdict per rung.

  scripts/compare results/A results/B [more ...]   machines: times, ISA, threads, verification, ratios,
                                                   geometric mean (folders or their summary.json)
  scripts/compare --baseline NAME                  this machine's baseline NAME (scripts/ladder
                                                   --save-baseline NAME) against its current results
  scripts/compare RUN_A RUN_B                      two runs of one machine (same machine id): verdicts

Two runs get a verdict per rung (faster, slower, no change, missing, failed) that accounts for noise;
--fail-above PCT exits 1 when a rung is slower by more than PCT percent (for CI). Results of different
problems or settings are refused unless --allow-different.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladderlib import atomic, baseline, compare, verdict  # noqa: E402
from ladderlib.readers import InputError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def percent(text):
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value / 100


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="*", type=Path,
                   help="results folders or their summary.json; the first is the reference (A)")
    p.add_argument("--baseline", metavar="NAME", help="compare this machine's baseline NAME (A) with its current "
                   "results (B; or with the one RESULTS given)")
    p.add_argument("--machine-id", help="with --baseline: the machine whose results to use (default: this one)")
    p.add_argument("--results-dir", type=Path, help="with --baseline: the results folder holding baselines/ "
                   "(default: results/<machine-id>)")
    p.add_argument("--mode", choices=["auto", "runs", "machines"], default="auto",
                   help="runs: verdicts for two runs of one machine; machines: the side-by-side table; auto "
                   "(default): runs for --baseline or two results with the same machine id, else machines")
    p.add_argument("--noise-floor", type=percent, metavar="PCT",
                   help=f"runs: a change must exceed this to be faster/slower (default: "
                   f"{verdict.ROUNDS_NOISE_FLOOR * 100:g}%% for rows measured in rounds, with a rank test on their "
                   f"round medians; {verdict.DEFAULT_NOISE_FLOOR * 100:g}%% for older rows, with their intervals)")
    p.add_argument("--fail-above", type=percent, metavar="PCT", help="runs: exit 1 if a rung is slower by more "
                   "than PCT percent (or fails verification in B)")
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
    if args.machine_id is not None:
        try:
            baseline.check_folder_name(args.machine_id, "--machine-id")
        except InputError as e:
            p.error(str(e))
    return args


def inputs(args):
    """([summaries], [names]) in order A, B, ..."""
    if args.baseline is None:
        return [compare.read_summary(p) for p in args.results], None
    results_dir = args.results_dir or REPO / "results" / (args.machine_id or baseline.this_machine_id(REPO))
    a = compare.read_summary(baseline.summary_path(results_dir, args.baseline))
    b = compare.read_summary(args.results[0] if args.results else results_dir)
    return [a, b], [f"baseline {args.baseline}", "current" if not args.results else str(args.results[0])]


def md_problem(md, summaries):
    """Why --md cannot be written, or None: checked before anything is read or printed. It must not be
    one of the files compared (that would overwrite an input), nor a folder, and its folder must exist."""
    for path in summaries:
        same = md.resolve() == path.resolve() or (md.exists() and path.exists() and os.path.samefile(md, path))
        if same:
            return f"it is {path}, one of the summaries compared: writing it would overwrite that input"
    try:
        md = atomic.check_target(md)  # a symlink is written through; a folder, device or FIFO refused
    except InputError as e:
        return str(e)
    folder = md.parent
    if not folder.is_dir():
        return f"folder {folder} does not exist"
    return None


def write_output(flag, path, text):
    """Write a whole file or none (temporary file + rename); a failure is a clear error, exit 2."""
    try:
        atomic.write_text(path, text)
    except OSError as e:
        print(f"compare: error: cannot write {flag} {path}: {e.strerror or e}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv=None):
    args = parse_args(argv)
    svg_path = args.svg or (args.md.with_suffix(".svg") if args.md else None)
    compared = [p / "summary.json" if p.is_dir() else p for p in args.results]
    for flag, out in (("--md", args.md), ("--svg", svg_path)):
        why = out and md_problem(out, compared)
        if why:
            print(f"compare: error: cannot write {flag} {out}: {why}", file=sys.stderr)
            return 2
    try:
        summaries, names = inputs(args)
    except InputError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    mode = args.mode
    if mode == "auto":
        same = len(summaries) == 2 and summaries[0]["machine_id"] == summaries[1]["machine_id"]
        mode = "runs" if args.baseline is not None or same else "machines"
    if mode == "runs" and len(summaries) != 2:
        print("compare: error: comparing runs takes exactly two results", file=sys.stderr)
        return 2
    if mode == "machines" and (args.fail_above is not None or args.fail_on_missing):
        print("compare: error: --fail-above/--fail-on-missing judge two runs of one machine (--mode runs)",
              file=sys.stderr)
        return 2
    diffs = compare.differences(summaries, same_machine=mode == "runs")
    if diffs:
        what = "\n".join(f"  - {d}" for d in diffs)
        if not args.allow_different:
            print(f"compare: error: the results differ in problem or settings:\n{what}\n"
                  "Their times are not comparable; pass --allow-different to compare them anyway.", file=sys.stderr)
            return 2
        print(f"warning: comparing results that differ (--allow-different):\n{what}\n")

    status = 0
    if mode == "runs":
        a, b = summaries
        names = names or [str(a["source"]), str(b["source"])]
        rounds_floor = verdict.ROUNDS_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        floor = verdict.DEFAULT_NOISE_FLOOR if args.noise_floor is None else args.noise_floor
        entries = verdict.verdicts(a, b, floor, rounds_floor)
        print(compare.runs_text(a, b, entries, floor, names, rounds_floor))
        if args.md:
            write_output("--md", args.md, compare.runs_markdown(a, b, entries, floor, names, rounds_floor))
        bad = verdict.failures(entries, args.fail_above, args.fail_on_missing)
        if bad:
            print("\nFAIL: " + "; ".join(bad))
            status = 1
        chart_names = [f"A: {names[0]}", f"B: {names[1]}"]
    else:
        print(compare.text(summaries))
        if args.md:
            write_output("--md", args.md, compare.markdown(summaries))
        chart_names = None
    if args.md:
        print(f"\nmarkdown written to {args.md}")
    if svg_path:
        write_output("--svg", svg_path, compare.chart(summaries, chart_names))
        print(f"chart written to {svg_path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
