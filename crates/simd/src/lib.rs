//! Rung: portable SIMD. The scalar FMA rung's step (`mandel_fma`) on vectors of 16/8/4 f32 lanes
//! (8/4/2 f64), one kernel source for every instruction set, chosen at run time.
//!
//! # The algorithm (`whole.rs`, the registered `simd-f32`/`simd-f64`)
//!
//! ```text
//! VECTORS vectors in flight, each holding LEN consecutive pixels of the span (lanes may straddle rows)
//! loop:
//!     repeat CHECK_EVERY times:             # the hot loop: steps only, everything in registers
//!         for each of the VECTORS vectors:
//!             im2 = im*im;  mag = fma(re, re, im2)
//!             alive &= !(mag > 4);  n += alive
//!             re, im = fma(re, re, cx - im2), fma(re + re, im, cy)
//!     for each vector that has finished (no lane alive, or max_iters steps since it started):
//!         store min(n, max_iters) for its real lanes; load the next LEN points
//!     stop when every vector holds only padding
//! ```
//!
//! The two knobs `(VECTORS, CHECK_EVERY)` are a [`Tuning`], const generics of the loop; the table of
//! those that exist, for every variant and path, is `tuning.rs`.
//!
//! # The files
//! * `whole.rs`: the loop above, its pseudo-code as written at the top (with `SKIP_INTERIOR`, the
//!   algorithmic variant's loop); `refill.rs`: the refill variant's loop.
//! * `lanes.rs`: a precision as SIMD lanes, and the portable escape step; `avx512.rs`, `avx2.rs`:
//!   those paths' own step (trick 5).
//! * `points.rs`: the stream of points `c`, and the refill variant's log of counts; `skip.rs`: the
//!   algorithmic variant's exact skips.
//! * `isa.rs`: the paths and which one runs; `tuning.rs`: the table of tunings; `calibrate.rs`:
//!   choosing the tuning on the running CPU; `dispatch.rs`: path x precision x variant x tuning ->
//!   the monomorphised loop.
//! * `peak.rs`: the FMA peak and step ceiling micro-kernels, and the lane reports.
//!
//! # The tricks, and what each is worth
//! Trick N's measured worth, with its machine and commit, is row N of "SIMD tricks" in
//! MEASUREMENTS.md; the figures live there only.
//! 1. **The scalar twin's operations, in its order**, `mul_add_precise` being one fused, singly rounded
//!    FMA on every path (emulated exactly on SSE2 and the scalar level): every lane rounds as
//!    `mandel_fma` does, so the counts equal the scalar FMA rung's pixel for pixel (tests on every path,
//!    every tuning). Worth: correctness, not speed.
//! 2. **`VECTORS` independent vectors in flight.** The step's critical path (`im*im`, `cx - im2`, the
//!    FMA) is several times longer than the time a core needs to issue one vector's step: several
//!    vectors hide the latency. Too many spill registers. How many is best depends on the
//!    microarchitecture, so it is chosen on the running CPU (trick 6).
//! 3. **Checks every `CHECK_EVERY` steps, out of the hot loop, against one deadline.** The loop only
//!    steps; whether a vector has finished is asked every `CHECK_EVERY` (4 or 8) steps, costing at
//!    most `CHECK_EVERY - 1` idle steps per vector. A check is a mask test per vector and one compare
//!    of the step against the earliest deadline (the step at which some vector will have run
//!    `max_iters`, computed as the loop is entered, as the C reference does): with each vector's own
//!    deadline tested at every check, checking every 4 steps cost more than the idle steps it saved;
//!    with one compare, it can pay (rows 3 and "3 + 5d", the latter with trick 5d).
//! 4. **Whole vectors, not lane refilling.** A vector runs until all its lanes have finished, leaving
//!    lanes idle. Refilling single lanes (`refill.rs`, `simd-f32-refill`) idles far fewer, but its
//!    compress/expand bookkeeping costs more than the idle lanes do: the refill variant is the slower
//!    one. Kept, and benched, as the answer "no".
//! 5. **A path's own step where the portable one compiles badly** (`avx512.rs`, `avx2.rs`; each
//!    module's docs say why in full): (a) AVX-512 keeps the sticky mask in a mask register, where the
//!    compare's write-mask and a masked count add do the step in 8 instructions against the portable
//!    step's 12; (b) `z` is updated unmasked, keeping the escape test off the critical path; (c) on
//!    AVX-512, `cx` and `cy` are read from memory at every step, so only `re`, `im` and the count take
//!    registers and more vectors fit; (d) AVX2 does the same, which matters more with 16 registers.
//! 6. **Tuned on the machine that runs** (`calibrate.rs`): every candidate of the path (the table in
//!    `tuning.rs`) is instantiated; the first render of a precision times them all on a small
//!    calibration image and keeps the fastest. No fixed choice was best on every CPU measured;
//!    `MANDEL_TUNING` forces one, `mandel tune` shows them all.
//! 7. **Points from a table, row by row** (`points.rs`). A point is `x_min + col*dx` in f64, rounded
//!    once to `T`, like every rung's; (a) the x of each column of the span is computed once into a
//!    table and the buffers are filled by copying runs of it, without pixel indices (only refilling
//!    needs them), which matters where the per-pixel cost is all there is (`max_iters` 1); (b) the
//!    table covers only the span's own columns, so a rayon task's fixed cost does not grow with the
//!    image width, which decides the time of a very wide image.
//! 8. **Tails without a scalar loop.** The span's last vector is padded with `c = 4`, which escapes
//!    at once; padding lanes are never stored (that vector's counts go through a small buffer,
//!    trick 10). Simpler code; not measured apart.
//! 9. **Dispatch once.** The CPU's level and the selected path are detected once per process and
//!    cached (as memchr does), not per call or per rayon task. Not measured apart.
//! 10. **No call between two rounds of steps.** To LLVM the hot loop and the refill code after it
//!     are one loop, and a call anywhere in it clobbers every vector register: with the buffer
//!     refill and the partial store of the span's last vector as (cold, out-of-line) calls, LLVM
//!     keeps every vector's `re`, `im`, counts and mask on the stack, storing and reloading them every
//!     `CHECK_EVERY` steps, at every tuning, even 3 vectors. (a) The refill is inlined and the last
//!     vector stored through a local buffer, which keeps them in registers, as GCC does for the C
//!     reference; (b) the algorithmic variant does not loop past vectors whose lanes were all skipped,
//!     which would need a refill call there.
//!
//! # The other variants
//! * [`Variant::Refill`] (`refill.rs`): trick 4's alternative.
//! * [`Variant::Algorithmic`] (`simd-algorithmic-f32`): `whole.rs` plus exact work skipping
//!   (cardioid/bulb closed form, cycle detection, and rows that mirror other rows about the real axis
//!   copied, see `mandel_core::mirror`); counts identical to brute force's.
//!
//! # Why `fearless_simd`
//! `std::simd` is nightly-only, so the portable layer is a crate. Against hand-written `std::arch`,
//! `pulp` (AVX-512 only behind a non-default feature), `multiversion` with lane arrays and `wide` (no
//! run-time dispatch), `fearless_simd` 1.2 was the one with run-time `Level` detection (AVX-512,
//! AVX2+FMA, SSE2, NEON, a scalar fallback), native-width vector types with generic associated
//! types, masks, `mul_add_precise`, and `vectorize`, which compiles a generic function inside
//! `#[target_feature]` for the detected level: one release binary, no `-C target-cpu=native` (which
//! made the AVX-512 code slower). Its cost against hand-written AVX-512 is MEASUREMENTS.md's,
//! "Other changes".
//!
//! # Dispatch
//! [`selected_isa`] takes the widest path the CPU has, once; `MANDEL_ISA=avx2|sse2|neon|scalar` forces a
//! narrower one (resolved to a path the CPU has, never wider), and [`render_span_with`] runs any path
//! explicitly, which is how the tests check every path in one process. SSE2 has no FMA instruction, so
//! its fused multiply-add is emulated exactly: correct, but many times slower than AVX2.
//!
//! # Measuring the ceiling
//! [`measure_peak`] (`mandel peak`) measures two rates per path and precision: the FMA peak (independent
//! FMA chains) and the step ceiling (the kernel's own step on always-busy vectors, no checks, at the
//! best `VECTORS`: what this step can do on this CPU, whatever its ports). [`LaneReport`]
//! (`mandel lanes`) counts lane-iterations (an instrumented build of the same kernel) and reports the
//! useful ones per second against the step ceiling.

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
    is_chosen, parse_tuning, parse_tuning_os, tuning,
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

/// [`render_span_with`] with an explicit [`Tuning`]: how the tests check that every instantiation
/// gives the same counts. The tuning is the whole-vector kernel's, one of [`Tuning::candidates`] of
/// the path that runs; the refill and algorithmic variants, and the narrow paths, have one
/// instantiation each (the table in `tuning.rs`) and ignore it.
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
/// ([`tuning()`]) on the selected path, else the path's default; the other variants' one tuning.
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

/// [`lane_count`] with an explicit [`Tuning`], as for [`render_span_tuned`]: how the tests compare
/// every instantiation's schedule with the C reference's.
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
/// other variants have one tuning a path): what every `render_*` function runs.
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
