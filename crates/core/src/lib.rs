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
//! three variants each did something slightly different (see `shared/seed-notes.md`); all rungs here
//! follow this one, and [`reference`] is its plain f64 implementation.
//!
//! # The output
//!
//! Counts are `u32`, row-major, `height x width`, written into a caller-provided slice (the PyO3 layer
//! hands in NumPy memory). Kernels render *spans* of the flattened image: pixel indices
//! `start .. start + out.len()`, so a thread pool can split the image into rows, tiles of rows or
//! fine-grained chunks without the kernels knowing ([`Kernel::render_span`]).

mod kernel;
mod params;
mod real;
pub mod reference;
mod span;
mod verify;

pub use kernel::{Kernel, LaneIterationsFn, Precision, RenderError, RenderFn, Threads, runs_everywhere};
pub use params::{MAX_ITERS_CAP, MAX_PIXELS, ParamError, Params};
pub use real::Real;
pub use span::fill_span;
pub use verify::{Comparison, Tolerance, VerifyError, compare, total_iterations, verify};

/// Environment variable that forces a lower instruction-set path in the dispatching kernels
/// (`fma`, `simd`), for tests and comparisons: e.g. `MANDEL_ISA=scalar`. Unset means "widest the CPU has".
pub const ISA_ENV: &str = "MANDEL_ISA";

/// The ISA path the user forced through [`ISA_ENV`], lower-cased, if any.
pub fn forced_isa() -> Option<String> {
    std::env::var(ISA_ENV).ok().map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty())
}
