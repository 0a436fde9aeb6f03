//! The one definition every rung of the Mandelbrot speedup ladder shares.
//!
//! # The problem
//!
//! An image of `width x height` pixels covers the rectangle `[x_min, x_max] x [y_min, y_max]` of the
//! complex plane. Pixel `(row, col)` stands for the point
//!
//! ```text
//! c = (x_min + col*dx) + i(y_min + row*dy),   dx = (x_max - x_min)/width,   dy = (y_max - y_min)/height
//! ```
//!
//! computed in f64 as a product (the article accumulated `x += dx`, which drifts) and then rounded once
//! to the kernel's precision, so every f32 kernel starts from the very same `c` ([`Params::point`]).
//!
//! # Escape-time semantics (the only definition in this project)
//!
//! ```text
//! z = 0; n = 0
//! while n < max_iters and |z|^2 <= 4:
//!     z = z*z + c
//!     n += 1
//! count = n            // a point that never escapes gets max_iters
//! ```
//!
//! The test is on `|z|^2 = re^2 + im^2` against 4 (no square root), before each step. The article's
//! three variants each did something slightly different; all rungs here follow this one, and
//! [`reference`](mod@reference) is its plain f64 implementation.
//!
//! # The output
//!
//! Counts are `u32`, row-major, `height x width`, written into a caller-provided slice (the PyO3 layer
//! hands in NumPy memory). Kernels render *spans* of the flattened image: pixel indices
//! `start .. start + out.len()`, so a thread pool can split the image into rows, tiles of rows or
//! fine-grained chunks without the kernels knowing ([`Kernel::render_span`]).

pub mod buffer;
pub mod choose;
pub mod interior;
mod kernel;
pub mod mirror;
mod params;
mod real;
pub mod reference;
mod span;
mod verify;

pub use buffer::AllocError;
pub use kernel::{Kernel, LaneIterationsFn, Precision, RenderError, RenderFn, Threads, runs_everywhere};
pub use params::{MAX_ITERS_CAP, MAX_PIXELS, ParamError, Params};
pub use real::Real;
pub use span::fill_span;
pub use verify::{Comparison, Tolerance, VerifyError, compare, total_iterations, verify};

/// Environment variable that forces a lower instruction-set path in the dispatching kernels
/// (`fma`, `simd`), for tests and comparisons: e.g. `MANDEL_ISA=scalar`. Unset means "widest the CPU has".
pub const ISA_ENV: &str = "MANDEL_ISA";

/// The values [`ISA_ENV`] accepts (any case), as `mandel_simd::Isa::name` spells its paths.
pub const ISA_NAMES: [&str; 5] = ["avx512", "avx2", "sse2", "neon", "scalar"];

/// Environment variable that sizes rayon's global pool (read by rayon itself).
pub const THREADS_ENV: &str = "RAYON_NUM_THREADS";

/// The most threads a pool may have, from `--threads` or [`THREADS_ENV`]: far above any core count
/// the ladder runs on, far below what makes starting the pool itself the whole run.
pub const MAX_THREADS: usize = 1024;

/// An environment variable the ladder reads holds a value it cannot use. Checked like a flag: the
/// CLI exits 2, the Python extension raises `ValueError`, the benches abort, each with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error(
        "{ISA_ENV}={value:?} is not an instruction-set path; accepted (any case, no spaces): {}, or unset/empty for the widest path this CPU has",
        ISA_NAMES.join(", ")
    )]
    Isa { value: String },
    #[error(
        "{THREADS_ENV}={value:?} must be a whole number of threads from 1 to {MAX_THREADS} (digits only, no sign or spaces), or unset/empty for one per core"
    )]
    Threads { value: String },
    #[error(
        "{OLD_THREADS_ENV}={value:?} is rayon's deprecated spelling of {THREADS_ENV}, read when that is unset: unset it, and set {THREADS_ENV} instead"
    )]
    OldThreads { value: String },
}

/// Rayon's deprecated spelling of [`THREADS_ENV`], which rayon still reads when that is unset or empty, without
/// its limit: refused by [`check_env`] (a pool of 3,000 threads started, labelled by no rule of ours).
pub const OLD_THREADS_ENV: &str = "RAYON_RS_NUM_CPUS";

fn env_value(var: &str) -> Option<String> {
    // A value that is not Unicode is kept, lossily, so that it is reported rather than ignored.
    std::env::var_os(var).map(|v| v.to_string_lossy().into_owned())
}

/// The ISA path [`ISA_ENV`] forces, validated: `Ok(None)` when unset or empty.
pub fn env_isa() -> Result<Option<&'static str>, EnvError> {
    parse_isa(env_value(ISA_ENV).as_deref())
}

/// [`env_isa`] on a given value, as written (`None` or empty: not forced). Surrounding whitespace is
/// refused, not trimmed, as in every variable the ladder reads: [`THREADS_ENV`] must refuse it (rayon
/// reads that one itself, untrimmed), and one rule for all is one a user can learn.
pub fn parse_isa(value: Option<&str>) -> Result<Option<&'static str>, EnvError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => match ISA_NAMES.iter().find(|n| n.eq_ignore_ascii_case(value)) {
            Some(name) => Ok(Some(name)),
            None => Err(EnvError::Isa { value: value.to_string() }),
        },
    }
}

/// The pool size [`THREADS_ENV`] asks for, validated like `--threads` (1 to [`MAX_THREADS`]):
/// `Ok(None)` when unset or empty.
pub fn env_threads() -> Result<Option<usize>, EnvError> {
    parse_threads(env_value(THREADS_ENV).as_deref())
}

/// [`env_threads`] on a given value: ASCII digits only, 1 to [`MAX_THREADS`]; `None` or empty: the
/// default pool. Nothing is trimmed and no sign is taken, because rayon reads the variable itself
/// with `str::parse`, which trims nothing: `" 3 "` would be accepted here and give rayon's default
/// pool instead of 3 threads. The ladder's `check_env` applies the same rule.
pub fn parse_threads(value: Option<&str>) -> Result<Option<usize>, EnvError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else { return Ok(None) };
    let bad = || EnvError::Threads { value: value.to_string() };
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(Some(n)),
        _ => Err(bad()),
    }
}

/// Check every environment variable the kernels read ([`ISA_ENV`], [`THREADS_ENV`], [`OLD_THREADS_ENV`]). Entry points
/// (CLI, Python extension, benches) call this before anything else, so a mistyped value is an error,
/// not silently ignored.
pub fn check_env() -> Result<(), EnvError> {
    env_isa()?;
    env_threads()?;
    match env_value(OLD_THREADS_ENV).filter(|v| !v.is_empty()) {
        Some(value) => Err(EnvError::OldThreads { value }),
        None => Ok(()),
    }
}

/// The word both tuning variables (`MANDEL_TUNING`, `MANDEL_C_TUNING`) take for the path's default tuning.
pub const DEFAULT_TUNING: &str = "default";

/// What a tuning variable's value names ([`parse_tuning_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuningName<T> {
    /// [`DEFAULT_TUNING`]: the path's own default.
    Default,
    /// One of the listed tunings.
    Named(T),
}

/// The one rule by which `MANDEL_TUNING` (for each tuning it names) and `MANDEL_C_TUNING` read a
/// tuning: any case, and then exactly [`DEFAULT_TUNING`] or the name of one
/// of `tunings` as `name` spells it (`v4k8`); `None` for anything else. Matching whole names of the
/// instantiated list, rather than parsing numbers, is what refuses `v04k8`, `v+4k8` and pairs no
/// path builds with one rule for both kernels. Whether the running path builds the tuning is the
/// caller's check. Surrounding whitespace names nothing ([`parse_isa`]'s rule).
pub fn parse_tuning_name<T: Copy>(value: &str, tunings: &[T], name: impl Fn(T) -> String) -> Option<TuningName<T>> {
    if value.eq_ignore_ascii_case(DEFAULT_TUNING) {
        return Some(TuningName::Default);
    }
    tunings.iter().copied().find(|&t| name(t).eq_ignore_ascii_case(value)).map(TuningName::Named)
}

/// The ISA path the user forced through [`ISA_ENV`], lower-cased, if any (none for a value
/// [`check_env`] refuses).
pub fn forced_isa() -> Option<String> {
    env_isa().ok().flatten().map(str::to_string)
}
