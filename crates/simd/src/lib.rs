//! Rung: portable SIMD. The scalar FMA rung's step (`mandel_fma`) on vectors of 16/8/4 f32 lanes
//! (8/4/2 f64), one kernel source for every instruction set, chosen at run time.
//!
//! # Why `fearless_simd`
//! `std::simd` is nightly-only, so the portable layer is a crate. Measured on the 2-core AVX-512 Xeon
//! (f32, 960x960/200, one thread, 4 vectors in flight): hand-written `std::arch` AVX-512 5.65 ms,
//! `fearless_simd` 6.4-6.7 ms, `pulp` 7.0 ms (AVX-512 only behind a non-default feature),
//! `multiversion` + lane arrays 6.8 ms; `wide` has no run-time dispatch. `fearless_simd` 1.2 has
//! run-time `Level` detection (AVX-512, AVX2+FMA, SSE2, NEON, a scalar fallback), native-width
//! vector types with generic associated types, masks, `mul_add_precise` (a true fused multiply-add on
//! every level, emulated exactly where the CPU has none), and `vectorize`, which compiles a generic
//! function inside `#[target_feature]` for the detected level: one release binary, no
//! `-C target-cpu=native` (which made the AVX-512 code ~9% slower here).
//!
//! # The kernels
//! * [`Variant::WholeVector`] (`simd-f32`, `simd-f64`, the ladder's rung, `whole.rs`): `V` vectors in
//!   flight per thread (4 on AVX-512 and NEON, 3 on AVX2, 2 on SSE2: enough independent FMA chains to hide
//!   the 4-cycle latency of the step's 3-deep chain, few enough to stay in registers). Each vector takes
//!   `LEN` consecutive pixels of the flattened span (lanes may straddle rows, so widths that are not a
//!   multiple of the lane count need no special case; the span's last vector is padded with a point
//!   that escapes at once and its padding lanes are never stored). Every `K` = 8 steps the loop checks
//!   whether a vector has finished (every lane escaped, or `max_iters` steps since it started); that
//!   vector stores its counts and takes the next pixels. Escaped lanes stop counting (masked add).
//! * [`Variant::Refill`] (`simd-f32-refill`, `simd-f64-refill`, `refill.rs`): a lane whose pixel
//!   finished takes the next pixel on its own (compress the finished lanes' counts into a log, expand
//!   new points into their lanes). It cuts the lanes wasted on escaped pixels from 15.5% to 4.4% of
//!   the lane-iterations (f32, AVX-512), but its bookkeeping costs more than it saves: 5.5 ms against
//!   4.3 ms. Kept, and benched, because it answers the question "does refilling pay?" (here: no).
//!
//! # The step, and the AVX-512 fast path
//! [`lanes::Orbit::step_portable`] is the scalar twin's arithmetic in its order (`im2 = im*im;
//! mag = fma(re, re, im2); escape if mag > 4; re' = fma(re, re, cx - im2); im' = fma(re + re, im, cy)`),
//! so every lane rounds exactly as `mandel_fma` does and the counts are equal pixel for pixel (tests
//! assert 0 differing pixels on every path this CPU can run). On AVX-512 the portable code compiles to
//! 12 instructions a step (LLVM keeps the sticky mask in a general register); `avx512.rs` writes the
//! same arithmetic with merge-masked FMAs and a masked count add, 8 instructions, all on vectors. It
//! earns its place: 4.35 ms against 5.10 ms for the portable step on the same level (f32).
//!
//! # Dispatch
//! [`selected_isa`] takes the widest path the CPU has, once; `MANDEL_ISA=avx2|sse2|neon|scalar` forces a
//! narrower one (resolved to a path the CPU has, never wider), and [`render_span_with`] runs any path
//! explicitly, which is how the tests check every path in one process. SSE2 has no FMA instruction, so
//! its fused multiply-add is emulated exactly: correct, but about 30x slower than AVX2 (~110 ms, still
//! ahead of the scalar rung's `fmaf` library call on such a CPU).
//!
//! # Measuring the ceiling
//! [`measure_peak`] times independent FMA chains on the kernel's path (`mandel peak`); [`lane_report`]
//! counts lane-iterations (an instrumented build of the same kernel) and reports them per second as a
//! fraction of that peak (`mandel lanes`). A step is 8 vector operations for 2 ports, so 1/8 of the
//! peak is the ceiling; `simd-f32` reaches about 9% of the peak (0.72 of the ceiling) here.

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx512;
mod dispatch;
mod lanes;
mod peak;
mod points;
mod refill;
mod skip;
mod whole;

pub use dispatch::{Isa, available_isas, selected_isa};
pub use peak::{LaneReport, Peak, efficiency, fma_chains, lane_report, measure_peak};

use mandel_core::{ParamError, Params, Precision, total_iterations};

/// How the lanes of a vector are kept busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// A lane whose pixel has finished takes the span's next pixel (checked every few steps).
    Refill,
    /// No lane refilling: a vector of consecutive pixels runs until all its lanes have finished, then
    /// takes the next ones.
    WholeVector,
    /// [`Variant::WholeVector`] plus exact work skipping (cardioid/bulb closed form, cycle detection):
    /// the algorithmic rung on SIMD, counts identical to the other variants'.
    Algorithmic,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::WholeVector, Variant::Refill, Variant::Algorithmic];

    /// The registry name of the kernel with this variant and precision.
    pub fn kernel_name(self, precision: Precision) -> &'static str {
        match (self, precision) {
            (Variant::WholeVector, Precision::F32) => "simd-f32",
            (Variant::WholeVector, Precision::F64) => "simd-f64",
            (Variant::Refill, Precision::F32) => "simd-f32-refill",
            (Variant::Refill, Precision::F64) => "simd-f64-refill",
            (Variant::Algorithmic, Precision::F32) => "simd-algorithmic-f32",
            (Variant::Algorithmic, Precision::F64) => "simd-algorithmic-f64",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variant::Refill => "refill",
            Variant::WholeVector => "whole",
            Variant::Algorithmic => "algorithmic",
        }
    }
}

/// The path the `render_*` functions take on this CPU with the current settings: `avx512`, `avx2`,
/// `sse2`, `neon` or `scalar` (for [`mandel_core::Kernel::isa`]).
pub fn isa() -> &'static str {
    selected_isa().name()
}

/// Render pixels `start .. start + out.len()` on the path `isa` (or, if this CPU lacks it, the widest
/// one no wider: see [`Isa::resolve`]); returns the path that ran. The explicit form of the `render_*`
/// functions, for tests and benches that run every path in one process.
pub fn render_span_with(
    isa: Isa,
    precision: Precision,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
) -> Result<Isa, ParamError> {
    params.check_span(start, out.len())?;
    params.check_precision(precision)?;
    Ok(match precision {
        Precision::F32 => dispatch::render::<f32>(isa, variant, params, start, out, None),
        Precision::F64 => dispatch::render::<f64>(isa, variant, params, start, out, None),
    })
}

/// Lane-iterations a render of the whole image executes (every lane of every vector step, useful or
/// not) and the sum of its counts (the useful ones), on the path `isa` resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneCount {
    pub isa: Isa,
    pub lane_iterations: u64,
    pub sum_of_counts: u64,
}

impl LaneCount {
    /// The fraction of executed lane-iterations that did no useful work.
    pub fn wasted_fraction(&self) -> f64 {
        1.0 - self.sum_of_counts as f64 / self.lane_iterations as f64
    }
}

/// Count the lane-iterations of a whole-image render (with an instrumented build of the kernel).
pub fn lane_count(isa: Isa, precision: Precision, variant: Variant, params: &Params) -> LaneCount {
    let mut out = vec![0; params.pixels()];
    let mut lane_iterations = 0;
    let isa = match precision {
        Precision::F32 => dispatch::render::<f32>(isa, variant, params, 0, &mut out, Some(&mut lane_iterations)),
        Precision::F64 => dispatch::render::<f64>(isa, variant, params, 0, &mut out, Some(&mut lane_iterations)),
    };
    LaneCount { isa, lane_iterations, sum_of_counts: total_iterations(&out) }
}

/// [`mandel_core::RenderFn`]: f32, whole vectors (the registered `simd-f32`), on [`selected_isa`].
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f32>(selected_isa(), Variant::WholeVector, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f64, whole vectors (the registered `simd-f64`), on [`selected_isa`].
pub fn render_f64(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f64>(selected_isa(), Variant::WholeVector, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f32, lane refilling (`simd-f32-refill`), on [`selected_isa`].
pub fn render_f32_refill(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f32>(selected_isa(), Variant::Refill, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f64, lane refilling (`simd-f64-refill`), on [`selected_isa`].
pub fn render_f64_refill(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f64>(selected_isa(), Variant::Refill, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f32, whole vectors with exact work skipping (`simd-algorithmic-f32`).
pub fn render_f32_algorithmic(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f32>(selected_isa(), Variant::Algorithmic, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f64, whole vectors with exact work skipping (`simd-algorithmic-f64`).
pub fn render_f64_algorithmic(params: &Params, start: usize, out: &mut [u32]) {
    dispatch::render::<f64>(selected_isa(), Variant::Algorithmic, params, start, out, None);
}

/// The `render_*` function of `precision` and `variant` on [`selected_isa`], instrumented: returns the
/// lane-iterations it executed (for [`mandel_core::Kernel::lane_iterations_fn`]). The span must have
/// been checked against `params`, as for a [`mandel_core::RenderFn`].
pub fn render_counting(precision: Precision, variant: Variant, params: &Params, start: usize, out: &mut [u32]) -> u64 {
    let mut lane_iterations = 0;
    let isa = selected_isa();
    match precision {
        Precision::F32 => dispatch::render::<f32>(isa, variant, params, start, out, Some(&mut lane_iterations)),
        Precision::F64 => dispatch::render::<f64>(isa, variant, params, start, out, Some(&mut lane_iterations)),
    };
    lane_iterations
}
