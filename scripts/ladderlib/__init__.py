"""The ladder's Python side: its commands and their shared code, standard library only (so that a system
python3 runs them where the venv is missing, as `scripts/ladder --prebuilt` may). Every rule, check and write-up
is the Rust binary `mandel-report`'s (crates/report), and so are `scripts/compare` (`mandel-report
compare-results`) and `scripts/ab` and `scripts/stability` (`mandel-report ab-rounds`) whole: no Python.
python_baselines imports this package; nothing here imports python_baselines: its results come in as files.

Commands, run by the bash wrappers of scripts/: `ladder` (scripts/ladder). Shared code:

- `machine`: describe the machine (its CPU and id: `mandel-report check`);  `atomic`: every file written whole;
- `readers`: every input read and checked (by `mandel-report check`), errors naming the file and the field;
- `merge`: the inputs into the summary (one row per rung; its speedups, shares of the peak, notes and
  like-for-like groups by `mandel-report finish`);
- `writers`: the summary files (summary.csv, summary.md and speedup.svg written by `mandel-report summary`);
- `baseline`: named runs kept per machine;  `sweeps`: the cost-growth sweeps, checked, then fitted and drawn by
  `mandel-report sweeps` (crates/report).
- `cargo`: where cargo puts the release `mandel` (one absolute target folder for every build and run), and
  the `mandel-report` that gives the summary's notes and write-up and the sweeps' fits (`cargo.report_binary`).
"""

SUMMARY_SCHEMA = "mandel-ladder-summary/1"
ROUNDS_SCHEMA = "mandel-rounds/1"  # raw/rounds.json: a run's rounds, in order

# The canonical ladder problem (`Params::canonical()` in crates/core): the Rust benches always time it. The
# Python side's one copy (python_baselines/problem.py reads it too), for when neither the
# extension nor `mandel` is at hand (a Numba-only run.py); a test holds it equal to the
# extension's canonical(), and the ladder to `mandel describe`'s.
CANONICAL = {"width": 960, "height": 960, "x_min": -2.0, "x_max": 0.6, "y_min": -1.5, "y_max": 1.5, "max_iters": 200}
