//! Rung: portable SIMD. The scalar FMA rung's step (`mandel_fma`) on vectors of 16/8/4 f32 lanes
//! (8/4/2 f64), one kernel source for every instruction set, chosen at run time.
//!
//! # The algorithm (`whole.rs`, the registered `simd-f32`/`simd-f64`)
//!
//! ```text
//! V vectors in flight, each holding LEN consecutive pixels of the span (lanes may straddle rows)
//! loop:
//!     repeat K times:                       # the hot loop: steps only, everything in registers
//!         for each of the V vectors:
//!             im2 = im*im;  mag = fma(re, re, im2)
//!             alive &= !(mag > 4);  n += alive
//!             re, im = fma(re, re, cx - im2), fma(re + re, im, cy)
//!     for each vector that has finished (no lane alive, or max_iters steps since it started):
//!         store min(n, max_iters) for its real lanes; load the next LEN points
//!     stop when every vector holds only padding
//! ```
//!
//! The tuning tuple `(V, K)` is a [`Tuning`]: `V` vectors in flight, a check every `K` steps.
//!
//! # The tricks, and what each is worth
//! Figures are f32, 960x960/200, one thread; "Xeon" is the 2-core AVX-512 Sapphire Rapids VM the
//! kernel was first tuned on, "Zen 4" the 2-core AMD EPYC (family 25 model 17, AVX-512) of this
//! repository's second result set.
//! 1. **The scalar twin's operations, in its order**, `mul_add_precise` being one fused, singly rounded
//!    FMA on every path (emulated exactly on SSE2 and the scalar level): every lane rounds as
//!    `mandel_fma` does, so the counts equal the scalar FMA rung's pixel for pixel (tests on every path,
//!    every tuning).
//! 2. **`V` independent vectors in flight.** The step's critical path (`im*im`, `cx - im2`, the FMA)
//!    is about 10-12 cycles, while a core can issue the step's FMA-pipe work for one vector in 2-4:
//!    several vectors hide the latency. How many is best depends on the microarchitecture, so it is
//!    chosen on the running CPU (trick 6).
//! 3. **Checks every `K` steps, out of the hot loop.** The loop only steps; whether a vector has
//!    finished is asked every `K` (4 or 8) steps, costing at most `K - 1` idle steps per vector. A
//!    check is a mask test per vector and one compare of the step against the earliest deadline (the
//!    step at which some vector will have run `max_iters`, computed as the loop is entered, as the C
//!    reference does): with each vector's own deadline tested at every check, checking every 4 steps
//!    cost more than the idle steps it saves (8.8% of the lane-iterations idle against 12.7% every 8
//!    steps, AVX2), and the fastest AVX2 tuning on Zen 4 went 5.48 ms (v5k8) -> 5.37 (v5k4).
//! 4. **Whole vectors, not lane refilling.** A vector runs until all its lanes have finished, leaving
//!    lanes idle (11.9% of the lane-iterations on Zen 4 checking every 4 steps, 15.5% every 8).
//!    Refilling single lanes (`refill.rs`, `simd-f32-refill`) cuts that to 4.4% but its
//!    compress/expand bookkeeping costs more: 6.88 ms against 4.30 in Zen 4's committed ladder run
//!    (5.5 against 4.3 on the Xeon m167). Kept, and benched, as the answer "no".
//! 5. **AVX-512's mask-register step** (`avx512.rs`): the portable step compiles to 12 instructions on
//!    AVX-512 (LLVM keeps the sticky mask in a general register); the compare's write-mask and a
//!    masked count add do it in 8, all on vectors: 4.35 against 5.10 ms on the Xeon. The escape test
//!    stays off the critical path (`z` is updated unmasked): freezing escaped lanes with masked FMAs
//!    cost 5.2 against 5.0 ms on Zen 4. `cx` and `cy` are read from memory at every step, so only
//!    `re`, `im` and the count take registers: 4.65 -> 4.45 ms on Zen 4 (see `avx512.rs`). AVX2's step
//!    (`avx2.rs`) reads them from memory too, which matters more with 16 registers: 5.37 -> 5.18 ms
//!    on Zen 4 with AVX2 forced.
//! 6. **Tuned on the machine that runs** (`calibrate.rs`): every [`Tuning`] in [`TUNINGS`] is
//!    instantiated; the first render of a precision times them all on a small calibration image and
//!    keeps the fastest. On Zen 4 (`mandel tune`, canonical image) that is 4 vectors checked every 4
//!    steps (4.37 ms; 12 vectors every 8 steps take 5.25, 3 every 8 5.13), with AVX2 forced also 4
//!    every 4 (5.18 ms), where it was 5 every 8 before trick 3's check; `MANDEL_TUNING` forces
//!    one, `mandel tune` shows them all.
//! 7. **Points from a table, row by row.** A point is `x_min + col*dx` in f64, rounded once to `T`, like
//!    every rung's; the x of each column of the span is computed once into a table and the buffers are
//!    filled by copying runs of it (`points.rs`), without pixel indices (only refilling needs them:
//!    1.23 -> 1.14 ms at `max_iters` 1). The table covers only the span's own columns, so a rayon task's
//!    fixed cost does not grow with the image width (1x16M at `max_iters` 1 on 2 threads: 27.9 s -> 80 ms).
//! 8. **Tails without a scalar loop.** The span's last vector is padded with `c = 4`, which escapes
//!    at once; padding lanes are never stored (that vector's counts go through a small buffer,
//!    trick 10).
//! 9. **Dispatch once.** The CPU's level and the selected path are detected once per process and
//!    cached (as memchr does), not per call or per rayon task.
//! 10. **No call between two rounds of steps.** To LLVM the hot loop and the refill code after it
//!     are one loop, and a call anywhere in it clobbers every vector register: with the buffer
//!     refill and the partial store of the span's last vector as (cold, out-of-line) calls, LLVM
//!     kept every vector's `re`, `im`, counts and mask on the stack, storing and reloading them every
//!     `K` steps, at every tuning, even 3 vectors. Inlining the refill and storing the last vector
//!     through a local buffer keeps them in registers, as GCC does for the C reference: 4.97 ->
//!     4.59 ms on Zen 4 (C: 4.67). The algorithmic variant no longer loops past all-skipped vectors
//!     (which needed a refill call there): 2.31 -> 2.13 ms (before the mirrored rows).
//!
//! # The other variants
//! * [`Variant::Refill`] (`refill.rs`): trick 4's alternative.
//! * [`Variant::Algorithmic`] (`simd-algorithmic-f32`): `whole.rs` plus exact work skipping
//!   (cardioid/bulb closed form, cycle detection, and rows that mirror other rows about the real axis
//!   copied, see `mandel_core::mirror`); counts identical to brute force's.
//!
//! # Why `fearless_simd`
//! `std::simd` is nightly-only, so the portable layer is a crate. Measured on the Xeon
//! (f32, 960x960/200, one thread, 4 vectors in flight): hand-written `std::arch` AVX-512 5.65 ms,
//! `fearless_simd` 6.4-6.7 ms, `pulp` 7.0 ms (AVX-512 only behind a non-default feature),
//! `multiversion` + lane arrays 6.8 ms; `wide` has no run-time dispatch. `fearless_simd` 1.2 has
//! run-time `Level` detection (AVX-512, AVX2+FMA, SSE2, NEON, a scalar fallback), native-width
//! vector types with generic associated types, masks, `mul_add_precise`, and `vectorize`, which
//! compiles a generic function inside `#[target_feature]` for the detected level: one release binary,
//! no `-C target-cpu=native` (which made the AVX-512 code ~9% slower on the Xeon).
//!
//! # Dispatch
//! [`selected_isa`] takes the widest path the CPU has, once; `MANDEL_ISA=avx2|sse2|neon|scalar` forces a
//! narrower one (resolved to a path the CPU has, never wider), and [`render_span_with`] runs any path
//! explicitly, which is how the tests check every path in one process. SSE2 has no FMA instruction, so
//! its fused multiply-add is emulated exactly: correct, but about 30x slower than AVX2.
//!
//! # Measuring the ceiling
//! [`measure_peak`] (`mandel peak`) measures two rates per path and precision: the FMA peak (independent
//! FMA chains) and the step ceiling (the kernel's own step on always-busy vectors, no checks, at the
//! best `V`: what this step can do on this CPU, whatever its ports). [`LaneReport`] (`mandel lanes`)
//! counts lane-iterations (an instrumented build of the same kernel) and reports the useful ones per
//! second against the step ceiling.

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx2;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx512;
mod calibrate;
mod dispatch;
mod isa;
mod lanes;
mod peak;
mod points;
mod refill;
mod skip;
mod tuning;
mod whole;

pub use calibrate::{
    Calibration, TUNING_ENV, TuningSource, calibrate, calibration_params, check_tuning_env, chosen, forced_tuning,
    is_chosen, parse_tuning, tuning,
};
pub use isa::{Isa, available_isas, selected_isa};
pub use peak::{LaneReport, Peak, efficiency, fma_chains, measure_peak, step_only};
pub use tuning::{TUNINGS, Tuning};

use mandel_core::{ParamError, Params, Precision, total_iterations};

/// How the lanes of a vector are kept busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// A lane whose pixel has finished takes the span's next pixel (checked every few steps).
    Refill,
    /// No lane refilling: a vector of consecutive pixels runs until all its lanes have finished, then
    /// takes the next ones.
    WholeVector,
    /// [`Variant::WholeVector`] plus exact work skipping (cardioid/bulb closed form, cycle detection,
    /// mirrored rows copied): the algorithmic rung on SIMD, counts identical to the other variants'.
    Algorithmic,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::WholeVector, Variant::Refill, Variant::Algorithmic];
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
    render_span_tuned(isa, tuning_on(isa, precision, variant), precision, variant, params, start, out)
}

/// [`render_span_with`] with an explicit [`Tuning`] (used by the whole-vector variant only): how the
/// tests check that every instantiation gives the same counts.
pub fn render_span_tuned(
    isa: Isa,
    tuning: Tuning,
    precision: Precision,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
) -> Result<Isa, ParamError> {
    params.check_span(start, out.len())?;
    params.check_precision(precision)?;
    Ok(match precision {
        Precision::F32 => dispatch::render::<f32>(isa, tuning, variant, params, start, out, None),
        Precision::F64 => dispatch::render::<f64>(isa, tuning, variant, params, start, out, None),
    })
}

/// The tuning a render of `precision` and `variant` on `isa` uses: for whole vectors the chosen one
/// ([`tuning`]) on the selected path, else the path's default; the other variants' one tuning.
fn tuning_on(isa: Isa, precision: Precision, variant: Variant) -> Tuning {
    let isa = isa.resolve();
    match variant {
        Variant::WholeVector if isa == selected_isa() => tuning(precision),
        Variant::WholeVector => Tuning::default_for(isa),
        Variant::Refill => tuning::row(isa).refill,
        Variant::Algorithmic => tuning::row(isa).algorithmic,
    }
}

/// Lane-iterations a render of the whole image executes (every lane of every vector step, useful or
/// not) and the sum of its counts (the useful ones), on the path `isa` resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneCount {
    pub isa: Isa,
    pub lane_iterations: u64,
    pub sum_of_counts: u64,
}

/// Count the lane-iterations of a whole-image render (with an instrumented build of the kernel), with
/// the tuning a render of `precision` on `isa` uses.
pub fn lane_count(isa: Isa, precision: Precision, variant: Variant, params: &Params) -> LaneCount {
    lane_count_tuned(isa, tuning_on(isa, precision, variant), precision, variant, params)
}

/// [`lane_count`] with an explicit [`Tuning`] (used by the whole-vector variant only): how the tests
/// compare every instantiation's schedule with the C reference's.
pub fn lane_count_tuned(isa: Isa, t: Tuning, precision: Precision, variant: Variant, params: &Params) -> LaneCount {
    let mut out = vec![0; params.pixels()];
    let mut lane_iterations = 0;
    let isa = match precision {
        Precision::F32 => dispatch::render::<f32>(isa, t, variant, params, 0, &mut out, Some(&mut lane_iterations)),
        Precision::F64 => dispatch::render::<f64>(isa, t, variant, params, 0, &mut out, Some(&mut lane_iterations)),
    };
    LaneCount { isa, lane_iterations, sum_of_counts: total_iterations(&out) }
}

/// [`mandel_core::RenderFn`]: f32, whole vectors (the registered `simd-f32`), on [`selected_isa`].
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    render_selected(Precision::F32, Variant::WholeVector, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f64, whole vectors (the registered `simd-f64`), on [`selected_isa`].
pub fn render_f64(params: &Params, start: usize, out: &mut [u32]) {
    render_selected(Precision::F64, Variant::WholeVector, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f32, lane refilling (`simd-f32-refill`), on [`selected_isa`].
pub fn render_f32_refill(params: &Params, start: usize, out: &mut [u32]) {
    render_selected(Precision::F32, Variant::Refill, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f64, lane refilling (`simd-f64-refill`), on [`selected_isa`].
pub fn render_f64_refill(params: &Params, start: usize, out: &mut [u32]) {
    render_selected(Precision::F64, Variant::Refill, params, start, out, None);
}

/// [`mandel_core::RenderFn`]: f32, whole vectors with exact work skipping (`simd-algorithmic-f32`).
pub fn render_f32_algorithmic(params: &Params, start: usize, out: &mut [u32]) {
    render_selected(Precision::F32, Variant::Algorithmic, params, start, out, None);
}

/// `precision` and `variant` on [`selected_isa`] with the tuning the process chose (whole vectors; the
/// other variants keep their fixed knobs): what every `render_*` function runs.
fn render_selected(
    precision: Precision,
    variant: Variant,
    params: &Params,
    start: usize,
    out: &mut [u32],
    lane_iterations: Option<&mut u64>,
) {
    let isa = selected_isa();
    let t = tuning_on(isa, precision, variant);
    match precision {
        Precision::F32 => dispatch::render::<f32>(isa, t, variant, params, start, out, lane_iterations),
        Precision::F64 => dispatch::render::<f64>(isa, t, variant, params, start, out, lane_iterations),
    };
}

/// The `render_*` function of `precision` and `variant` on [`selected_isa`], instrumented: returns the
/// lane-iterations it executed (for [`mandel_core::Kernel::lane_iterations_fn`]). The span must have
/// been checked against `params`, as for a [`mandel_core::RenderFn`].
pub fn render_counting(precision: Precision, variant: Variant, params: &Params, start: usize, out: &mut [u32]) -> u64 {
    let mut lane_iterations = 0;
    render_selected(precision, variant, params, start, out, Some(&mut lane_iterations));
    lane_iterations
}
