//! Rung: an algorithm, not a faster loop. Skip work without changing a single count.
//!
//! Most of the canonical image's iterations are spent on the pixels inside the main cardioid or the
//! period-2 bulb, and most of the rest on the other pixels that never escape (the figures:
//! MEASUREMENTS.md, "What bounds each rung"). Brute force pays `max_iters` for each; this rung pays
//! almost nothing for them, and nothing at all for a row that mirrors another:
//!
//! 1. **Cardioid and bulb, closed form.** `c` is in the main cardioid iff, with
//!    `q = (x - 1/4)^2 + y^2`, `q (q + x - 1/4) <= y^2/4`; in the period-2 bulb iff
//!    `(x + 1)^2 + y^2 <= 1/16`. Such points never escape, so they get `max_iters` at once. The test
//!    runs in f64 on the kernel-precision point (the `c` brute force iterates), and only on points a
//!    margin inside, outside a small disk round the cusp `c = 1/4`: right at the boundary the orbit
//!    converges so slowly that rounding noise lets a low-precision orbit out within a high iteration
//!    cap, and brute force escapes there (`mandel_core::interior`, shared with the SIMD rung). The
//!    points left out are iterated, and most end in step 2.
//! 2. **Exact periodicity detection** (Brent's saving points). Every `2^k` steps the orbit's value
//!    is saved; if a later step produces the same `z` as the saved one (float `==`), the
//!    floating-point orbit is a cycle. The float map is deterministic, so the brute-force loop would
//!    go round that cycle, never escaping, until `max_iters`: the count is `max_iters`, exactly.
//!    Nothing is approximated (no "close enough" epsilon), so the counts equal brute force's bit for
//!    bit. Float `==` rather than a bitwise test, as in the SIMD kernel (`mandel_simd`'s `whole.rs`):
//!    `-0.0 == 0.0`, and the sign of a zero never changes a count (`z` enters the escape test squared,
//!    and a zero's sign only reaches the next `z` as a zero's sign); a NaN orbit never equals its save
//!    and runs to `max_iters`, as brute force's does.
//!
//! 3. **Mirror symmetry.** The orbit of `conj(c)` is the conjugate of `c`'s, rounding for rounding,
//!    so a row whose points are the exact negations of another row's gets that row's counts, copied
//!    (`mandel_core::mirror`, which also argues the exactness). The canonical image straddles the
//!    real axis: 479 of its 960 rows are copies in f32. A view off the axis skips nothing this way.
//!
//! The step is the FMA rung's ([`mandel_fma::escape_count`]), so this rung's counts must equal
//! `fma-f32`/`fma-f64` exactly: the tests assert equality, not a tolerance.

use mandel_core::{Params, Real};

/// Whether `c` is certainly in the main cardioid or the period-2 bulb (see step 1): the one test
/// both algorithmic rungs use, with its safety margin, defined in `mandel_core::interior`.
pub use mandel_core::interior::in_cardioid_or_bulb;

/// Escape count of `c` (identical to [`mandel_fma::escape_count`]) and the iterations actually executed.
#[inline(always)]
pub fn escape_count<T: Real>(cx: T, cy: T, max_iters: u32) -> (u32, u32) {
    if in_cardioid_or_bulb(cx.to_f64(), cy.to_f64()) {
        return (max_iters, 0);
    }
    let (mut re, mut im) = (T::ZERO, T::ZERO);
    let (mut saved_re, mut saved_im) = (re, im);
    let mut next_save = 1;
    let mut n = 0;
    while n < max_iters {
        // The FMA rung's step, operation for operation.
        let im2 = im * im;
        if re.mul_add(re, im2) > T::FOUR {
            break;
        }
        let new_re = re.mul_add(re, cx - im2);
        im = (re + re).mul_add(im, cy);
        re = new_re;
        n += 1;
        if re == saved_re && im == saved_im {
            return (max_iters, n);
        }
        if n == next_save {
            (saved_re, saved_im) = (re, im);
            next_save *= 2;
        }
    }
    (n, n)
}

/// Render a span, returning the iterations actually executed.
#[inline(always)]
fn render<T: Real>(params: &Params, start: usize, out: &mut [u32]) -> u64 {
    let max_iters = params.max_iters();
    let mut executed = 0u64;
    mandel_core::fill_span(params, start, out, |cx, cy| {
        let (count, ran) = escape_count(T::from_f64(cx), T::from_f64(cy), max_iters);
        executed += u64::from(ran);
        count
    });
    executed
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    /// The loop compiled for FMA, like the FMA rung's fast path.
    #[target_feature(enable = "fma")]
    pub fn render_fma<T: Real>(params: &Params, start: usize, out: &mut [u32]) -> u64 {
        render::<T>(params, start, out)
    }
}

/// Render pixels `start .. start + out.len()`; returns the iterations executed (the sum of counts
/// minus what was skipped).
/// Rows that mirror others are copied, not rendered (step 3).
pub fn render_span<T: Real>(params: &Params, start: usize, out: &mut [u32]) -> u64 {
    mandel_core::mirror::render_mirrored::<T>(params, start, out, render_run::<T>)
}

/// Render pixels `start .. start + out.len()`, every one of them (no mirroring).
fn render_run<T: Real>(params: &Params, start: usize, out: &mut [u32]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if mandel_fma::hardware_fma() {
        // SAFETY: mandel_fma::hardware_fma() is true only when the CPU has FMA (checked at run time).
        return unsafe { x86::render_fma::<T>(params, start, out) };
    }
    render::<T>(params, start, out)
}

/// [`mandel_core::RenderFn`] in f32.
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    render_span::<f32>(params, start, out);
}
