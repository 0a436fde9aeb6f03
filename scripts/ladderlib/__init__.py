"""Shared code of the ladder command (`scripts/ladder`) and `scripts/compare`.

- `machine`: describe the machine and derive its id;
- `readers`: read `mandel describe --json`, the bench records, the Criterion results they name, the
  Python baselines and `mandel peak/tune --json`, with errors that name the file;
- `merge`: turn those inputs into the summary (one row per rung, speedups, share of peak);
- `fmt`: number formatting and the one table renderer (console text and markdown);
- `writers`: summary.md, summary.json, summary.csv;
- `svg`: the one SVG writer (log-scale bars, grouped bars, log-log lines);
- `chart`: speedup.svg;
- `compare`: several machines' summary.json side by side (ratios, geometric means, the grouped chart),
  or two runs of one machine with a verdict per rung;
- `rounds`: the Rust rungs' rounds (`mandel bench`), checked and aggregated per kernel;
- `verdict`: the rule that calls a rung faster, slower or unchanged between two runs;
- `baseline`: named runs kept under results/<machine-id>/baselines/NAME/ (`--save-baseline`);
- `sweeps`: the cost-growth sweeps (`--sweeps`): picking the rungs, the linear fits, CSV/JSON/Markdown/SVG.

Standard library only, so that `python3` can run it when the venv is missing.
"""

SUMMARY_SCHEMA = "mandel-ladder-summary/1"
BASELINES_SCHEMA = "mandel-baselines/1"
DESCRIBE_SCHEMA = "mandel-describe/1"  # `mandel describe --json`: the registry's facts
RECORDS_SCHEMA = "mandel-bench-records/1"  # the bench's records of one run
ROUND_SCHEMA = "mandel-round/1"  # what one `mandel bench --json` prints: one round of every kernel
ROUNDS_SCHEMA = "mandel-rounds/1"  # raw/rounds.json: a run's rounds, in order

# The canonical ladder problem (`Params::canonical()` in crates/core): the Rust benches always time it. The
# Python side's one copy (python_baselines/problem.py and sweep.py read it too), for when neither the
# extension nor `mandel` is at hand (scripts/compare, a Numba-only run.py); a test holds it equal to the
# extension's canonical(), and the ladder to `mandel describe`'s.
CANONICAL = {"width": 960, "height": 960, "x_min": -2.0, "x_max": 0.6, "y_min": -1.5, "y_max": 1.5, "max_iters": 200}
