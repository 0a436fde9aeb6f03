//! The ladder's reports on its results, computed here so that every script reads one rule: so far the
//! verdict on two runs of one machine ([`verdict`], `mandel verdicts`), which `scripts/compare` and
//! `scripts/ab` ask for. Its words are Python's (`pyfmt`): the scripts print them beside their own.

pub mod pyfmt;
pub mod verdict;
