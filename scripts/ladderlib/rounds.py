"""The Rust rungs measured in rounds (`mandel bench`, one process per round; why: crates/registry/src/rounds.rs and
METHODOLOGY.md). `readers.read_rounds` has raw/rounds.json checked and aggregated per kernel by the checker
(crates/report/src/rounds.rs: a round's time its fastest render, the row's the median of the round times, their
interquartile range the spread, a round contended when others used the CPUs); a Python rung's calls (one process)
are judged the same way in the merge's rows (`calls_time`, crates/report/src/build.rs). What stays here is the
range of rounds the scripts' --rounds takes."""

# Fewest rounds a median of rounds is taken over (a verdict's rank test, a Python rung's time: both in
# crates/report, which the scripts send it).
MIN_ROUNDS = 3
# Most rounds `--rounds` takes (ladder, ab). Rust never sees the count (`mandel bench` is one round per
# process), so it refuses none: the range is the Python side's, checked here once for both.
MAX_ROUNDS = 99
