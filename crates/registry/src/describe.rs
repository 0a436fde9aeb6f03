//! `mandel describe --json`: every fact of the registry the ladder and the Python side need, typed,
//! in one document, so that none of them is restated in Python.

use crate::bench::{BENCH_FULL, BENCH_QUICK, BenchSettings};
use crate::rounds::{ROUNDS_FULL, ROUNDS_QUICK, RoundSettings};
use crate::{KERNELS, pool_threads, threads_used};
use mandel_core::{ISA_NAMES, Kernel, MAX_THREADS, Params, Precision, THREADS_ENV, Threads, Tolerance};
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
    /// Fuses its multiply-adds (one rounding for a*b + c): its tolerance is FMA's.
    pub fused: bool,
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
            fused: k.fused,
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

/// The thread rule: the pooled kernels run on rayon's global pool, of [`THREADS_ENV`] threads (1 to
/// [`MAX_THREADS`], checked like a flag) or, unset, one per core this process may use
/// (`std::thread::available_parallelism`: affinity and cgroup quota included, which Python's
/// `os.cpu_count()` ignores).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThreadRule {
    /// The variable that sizes the pool: `RAYON_NUM_THREADS`.
    pub env: &'static str,
    /// The most threads it may ask for.
    pub max: usize,
    /// The pool's size in this process: the variable's value, else `cores`.
    pub pool: usize,
    /// The cores this process may use (`available_parallelism`), the pool's size when the variable is unset.
    pub cores: usize,
}

impl ThreadRule {
    pub fn now() -> ThreadRule {
        ThreadRule { env: THREADS_ENV, max: MAX_THREADS, pool: pool_threads(), cores: cores() }
    }
}

/// The cores this process may use, as rayon sizes its default pool: `available_parallelism`, 1 if unknown.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The tolerance of every kernel computing in `precision`, with or without fused multiply-adds
/// ([`Tolerance::of`], the one rule): a kernel, Rust or Python, may differ from the f64 reference on
/// at most `slack_pixels + floor(max_fraction * pixels)` pixels ([`Tolerance::allowed`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ToleranceRule {
    pub precision: Precision,
    pub fused: bool,
    pub max_fraction: f64,
    pub slack_pixels: usize,
}

impl ToleranceRule {
    /// Every combination of precision and fused multiply-adds, f64 first.
    pub fn all() -> Vec<ToleranceRule> {
        [(Precision::F64, false), (Precision::F64, true), (Precision::F32, false), (Precision::F32, true)]
            .into_iter()
            .map(|(precision, fused)| {
                let t = Tolerance::of(precision, fused);
                ToleranceRule { precision, fused, max_fraction: t.max_fraction, slack_pixels: t.slack_pixels }
            })
            .collect()
    }
}

/// Square image sizes of `mandel sweep`'s size axis (at [`SweepGrid::size_iters`] iterations).
pub const SWEEP_SIZES: [usize; 5] = [240, 480, 960, 1920, 3840];
/// Iteration caps of `mandel sweep`'s iteration axis (at [`SweepGrid::iters_size`] pixels square).
pub const SWEEP_ITERS: [u32; 7] = [50, 100, 200, 500, 1000, 2000, 5000];

/// `mandel sweep`'s default grid: how cost grows with the image's size at the canonical iteration
/// cap, and with the cap at the canonical size. The Python sweep (`python_baselines/sweep.py`) and
/// the ladder's `--sweeps` read it here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepGrid {
    pub sizes: Vec<usize>,
    pub size_iters: u32,
    pub iters: Vec<u32>,
    pub iters_size: usize,
    /// The large image `scripts/ladder --sweeps` renders once, in a fresh process, with `mandel render`:
    /// whether a buffer of 1 GiB costs page faults (system time) beyond the render itself.
    pub large: LargeImage,
}

/// The Benchmarks Game's mandelbrot problem (16000 x 16000 at 51 iterations, x in [-1.5, 0.5], y in
/// [-1, 1]), rendered by one kernel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LargeImage {
    pub kernel: &'static str,
    pub problem: Problem,
}

/// [`LargeImage`]'s kernel: the game's problem is f64, and every core takes part.
pub const LARGE_KERNEL: &str = "rayon-simd-f64";

impl SweepGrid {
    pub fn default_grid() -> SweepGrid {
        let canonical = Params::canonical();
        SweepGrid {
            sizes: SWEEP_SIZES.to_vec(),
            size_iters: canonical.max_iters(),
            iters: SWEEP_ITERS.to_vec(),
            iters_size: canonical.width(),
            large: LargeImage {
                kernel: LARGE_KERNEL,
                problem: Problem {
                    width: 16000,
                    height: 16000,
                    x_min: -1.5,
                    x_max: 0.5,
                    y_min: -1.0,
                    y_max: 1.0,
                    max_iters: 51,
                },
            },
        }
    }
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
    /// What `MANDEL_ISA` accepts (any case): [`mandel_core::ISA_NAMES`].
    pub isa_names: [&'static str; 5],
    /// The thread rule and its value in this process.
    pub threads: ThreadRule,
    /// The tolerance rule, for every precision with and without fused multiply-adds.
    pub tolerances: Vec<ToleranceRule>,
    /// `mandel sweep`'s default grid.
    pub sweep: SweepGrid,
    /// `rustc -V` of the compiler that built this binary (build.rs); `None` where it could not be asked.
    pub rustc: Option<&'static str>,
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
        isa_names: ISA_NAMES,
        threads: ThreadRule::now(),
        tolerances: ToleranceRule::all(),
        sweep: SweepGrid::default_grid(),
        rustc: Some(env!("MANDEL_RUSTC_VERSION")).filter(|v| !v.is_empty()),
    }
}
