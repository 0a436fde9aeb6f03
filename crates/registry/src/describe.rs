//! `mandel describe --json`: every fact of the registry the ladder and the Python side need, typed,
//! in one document, so that none of them is restated in Python.

use crate::bench::{BENCH_FULL, BENCH_QUICK, BenchSettings};
use crate::rounds::{ROUNDS_FULL, ROUNDS_QUICK, RoundSettings};
use crate::{KERNELS, pool_threads, threads_used};
use mandel_core::{Kernel, Params, Precision, Threads};
use serde::Serialize;

/// The canonical problem, as [`Params::canonical`] defines it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Problem {
    pub width: usize,
    pub height: usize,
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
    pub max_iters: u32,
}

impl Problem {
    pub fn of(p: &Params) -> Problem {
        let ((x_min, x_max), (y_min, y_max)) = (p.x_range(), p.y_range());
        Problem { width: p.width(), height: p.height(), x_min, x_max, y_min, y_max, max_iters: p.max_iters() }
    }
}

/// One registered kernel as the CLI (`mandel list --json`, `mandel describe --json`) and the bench
/// records report it: what it is, its flags, and what it does in this process (ISA path, threads).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KernelInfo {
    pub name: &'static str,
    pub rung: &'static str,
    pub precision: Precision,
    /// Threads a call made now uses: 1, or the size of the rayon pool (see `pool`).
    pub threads: usize,
    /// Whether it runs on the rayon pool (`threads` is then the pool's size).
    pub pool: bool,
    /// The instruction-set path it takes in this process (`scalar`, `fma`, `avx512`, ...).
    pub isa: &'static str,
    pub description: &'static str,
    pub tolerance_max_fraction: f64,
    pub tolerance_slack_pixels: usize,
    /// A yardstick, not a rung of the article (the hand-written C reference).
    pub reference: bool,
    /// Skips work exactly: executes fewer iterations than its counts stand for.
    pub algorithmic: bool,
    /// Executes one lane per iteration (scalar code): its lane-iterations are its iterations.
    pub one_lane: bool,
    /// Whether it can run in this build with these settings; if not, `unavailable` says why.
    pub available: bool,
    pub unavailable: Option<&'static str>,
}

impl KernelInfo {
    pub fn of(k: &Kernel) -> KernelInfo {
        let unavailable = (k.unavailable)();
        KernelInfo {
            name: k.name,
            rung: k.rung,
            precision: k.precision,
            threads: threads_used(k),
            pool: k.threads == Threads::Pool,
            isa: (k.isa)(),
            description: k.description,
            tolerance_max_fraction: k.tolerance.max_fraction,
            tolerance_slack_pixels: k.tolerance.slack_pixels,
            reference: k.reference,
            algorithmic: k.algorithmic,
            one_lane: k.one_lane,
            available: unavailable.is_none(),
            unavailable,
        }
    }
}

/// Criterion's settings in both modes (`MANDEL_BENCH_QUICK` picks one).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenchModes {
    pub full: BenchSettings,
    pub quick: BenchSettings,
}

/// The ladder's rounds in both modes (`scripts/ladder --quick` picks the quick one).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoundModes {
    pub full: RoundSettings,
    pub quick: RoundSettings,
}

/// What `mandel describe --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Description {
    pub schema: &'static str,
    /// The canonical problem every Rust bench times.
    pub canonical: Problem,
    /// The rayon pool the pooled kernels run on in this process.
    pub pool_threads: usize,
    /// The Criterion settings of the `ladder` bench group.
    pub bench: BenchModes,
    /// The rounds `scripts/ladder` measures in (`mandel bench`).
    pub rounds: RoundModes,
    /// Every registered kernel, in ladder order.
    pub kernels: Vec<KernelInfo>,
}

/// The registry's facts, as `mandel describe --json` prints them.
pub fn describe() -> Description {
    Description {
        schema: "mandel-describe/1",
        canonical: Problem::of(&Params::canonical()),
        pool_threads: pool_threads(),
        bench: BenchModes { full: BENCH_FULL, quick: BENCH_QUICK },
        rounds: RoundModes { full: ROUNDS_FULL, quick: ROUNDS_QUICK },
        kernels: KERNELS.iter().map(KernelInfo::of).collect(),
    }
}
