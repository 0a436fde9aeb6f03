"""Compare the ladder across machines: `scripts/compare results/A/summary.json results/B/summary.json [...]`.

Prints each rung's time and speedup on every machine, and each machine's time over the first's.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladderlib import compare  # noqa: E402
from ladderlib.readers import InputError  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/compare", description=__doc__)
    p.add_argument("summaries", nargs="+", type=Path, help="summary.json files; the first is the reference (A)")
    p.add_argument("--md", type=Path, help="also write the comparison as markdown here")
    args = p.parse_args(argv)
    try:
        summaries = [compare.read_summary(path) for path in args.summaries]
    except InputError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    print(compare.text(summaries))
    if args.md:
        args.md.write_text(compare.markdown(summaries), encoding="utf-8")
        print(f"\nmarkdown written to {args.md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
