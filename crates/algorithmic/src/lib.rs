//! Rung: an algorithm, not a faster loop. Skip work without changing a single count.
//!
//! Of the canonical image's 40.1 M iterations, 32.5 M (81%) are spent on the 162,370 pixels inside
//! the main cardioid or the period-2 bulb, and 3.6 M on the 18,197 other pixels that never escape.
//! Brute force pays `max_iters` for each; this rung pays almost nothing for them, and nothing at all
//! for a row that mirrors another:
//!
//! 1. **Cardioid and bulb, closed form.** `c` is in the main cardioid iff, with
//!    `q = (x - 1/4)^2 + y^2`, `q (q + x - 1/4) <= y^2/4`; in the period-2 bulb iff
//!    `(x + 1)^2 + y^2 <= 1/16`. Such points never escape, so they get `max_iters` at once. The test
//!    runs in f64 on the kernel-precision point (the `c` brute force iterates). Near the cusp
//!    `c = 1/4` the interior's orbits converge so slowly that rounding noise could, in principle, let
//!    a low-precision orbit out within a huge iteration cap, so a small disk around the cusp is left
//!    to the iteration (and to step 2).
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

/// Points within this distance of the cusp `c = 1/4` skip the closed-form test (see step 1).
const CUSP_EXCLUSION: f64 = 1e-2;

/// Whether `c` lies in the main cardioid or the period-2 bulb (and outside the cusp's disk).
///
/// Both shapes lie inside `|c| <= 2`, and the test requires it too: for a non-finite point (an f32
/// kernel's `c` beyond f32's range is infinite) or one whose square overflows, the closed form reads
/// `inf <= inf` and would call the point inside, where brute force and the reference escape it at
/// the first step. `x*x + y*y <= 4` is false for infinities and NaN alike.
#[inline(always)]
pub fn in_cardioid_or_bulb(x: f64, y: f64) -> bool {
    let y2 = y * y;
    let xq = x - 0.25;
    let q = xq * xq + y2;
    let in_cardioid = q * (q + xq) <= 0.25 * y2 && q > CUSP_EXCLUSION * CUSP_EXCLUSION;
    let xb = x + 1.0;
    (in_cardioid || xb * xb + y2 <= 0.0625) && x * x + y2 <= 4.0
}

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
