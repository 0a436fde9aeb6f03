"""Compare the ladder across machines: `scripts/compare results/A/summary.json results/B/summary.json [...]`.

Prints each rung's time and speedup on every machine, and each machine's time over the first's.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladderlib import atomic, compare  # noqa: E402
from ladderlib.readers import InputError  # noqa: E402


def md_problem(md, summaries):
    """Why --md cannot be written, or None: checked before anything is read or printed. It must not be
    one of the files compared (that would overwrite an input), nor a folder, and its folder must exist."""
    for path in summaries:
        same = md.resolve() == path.resolve() or (md.exists() and path.exists() and os.path.samefile(md, path))
        if same:
            return f"it is {path}, one of the summaries compared: writing it would overwrite that input"
    if md.is_dir():
        return "it is a folder, not a file"
    folder = md.parent
    if not folder.is_dir():
        return f"folder {folder} does not exist"
    return None


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/compare", description=__doc__)
    p.add_argument("summaries", nargs="+", type=Path, help="summary.json files; the first is the reference (A)")
    p.add_argument("--md", type=Path, help="also write the comparison as markdown here")
    args = p.parse_args(argv)
    why = args.md and md_problem(args.md, args.summaries)
    if why:
        print(f"compare: error: cannot write --md {args.md}: {why}", file=sys.stderr)
        return 2
    try:
        summaries = [compare.read_summary(path) for path in args.summaries]
    except InputError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    print(compare.text(summaries))
    if args.md:
        try:
            atomic.write_text(args.md, compare.markdown(summaries))  # a whole file or none
        except OSError as e:
            print(f"compare: error: cannot write --md {args.md}: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"\nmarkdown written to {args.md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
