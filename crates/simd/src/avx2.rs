//! The AVX2 step (trick 5d in the crate docs): the portable step's operations
//! (`Orbit::step_portable` in `lanes.rs`) with `cx` and `cy` read from memory at every step, as on
//! AVX-512 (`avx512.rs` explains the volatile reads, and why `fmsub(re, re, im2 - cx)` rounds exactly
//! as the twin's `fma(re, re, cx - im2)`).
//!
//! AVX2 has 16 vector registers. With `cx` and `cy` in registers a vector holds 6 of them (`re`, `im`,
//! `cx`, `cy`, its count and its mask), so every tuning with enough vectors to hide the step's latency
//! spills whole vectors in the hot loop; read from memory (folded into the subtraction and the FMA as
//! memory operands), a vector needs 4. At 4 vectors that is still all 16, before the constant 4 and
//! the temporaries, so that loop still spills some counts and masks, but no whole vectors. The step
//! pays together with the single-deadline check of `whole.rs` (trick 3), which makes checking every
//! 4 steps cheap enough: together they let 4 vectors checked every 4 steps win (MEASUREMENTS.md, SIMD
//! tricks, "3 + 5d").
//!
//! The mask stays a vector: the step without it (an escaped lane's `re` set to +infinity) puts a blend
//! on the critical path (MEASUREMENTS.md, "Tried, not kept").

use crate::lanes::{Consts, Orbit, Step};
use fearless_simd::x86::Avx2;
use fearless_simd::{ExtractToken, SimdFrom, kernel};

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

kernel!(
    #[inline(always)]
    fn step_f32(token: Avx2, o: &mut Orbit<Avx2, f32>, consts: Consts<Avx2, f32>) {
        let (re, im): (__m256, __m256) = (o.re.into(), o.im.into());
        // SAFETY: pointers made from references: valid, aligned, initialised. Volatile only keeps
        // `cx` and `cy` out of registers (see the module docs).
        let cx: __m256 = unsafe { core::ptr::read_volatile(&o.cx) }.into();
        let cy: __m256 = unsafe { core::ptr::read_volatile(&o.cy) }.into();
        let alive: __m256i = o.alive.into();
        let im2 = _mm256_mul_ps(im, im);
        let u = _mm256_sub_ps(im2, cx);
        let mag = _mm256_fmadd_ps(re, re, im2);
        // The twin breaks on `mag > 4`: alive &= !(mag > 4), unordered (a NaN goes on, as there).
        let stays = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_NGT_UQ>(mag, consts.four.into()));
        let alive = _mm256_and_si256(alive, stays);
        let two_re = _mm256_add_ps(re, re);
        o.re = SimdFrom::simd_from(token, _mm256_fmsub_ps(re, re, u));
        o.im = SimdFrom::simd_from(token, _mm256_fmadd_ps(two_re, im, cy));
        // A live lane is all ones, -1: subtracting it counts the step.
        let n: __m256i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm256_sub_epi32(n, alive));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

kernel!(
    #[inline(always)]
    fn step_f64(token: Avx2, o: &mut Orbit<Avx2, f64>, consts: Consts<Avx2, f64>) {
        let (re, im): (__m256d, __m256d) = (o.re.into(), o.im.into());
        // SAFETY: as in `step_f32`.
        let cx: __m256d = unsafe { core::ptr::read_volatile(&o.cx) }.into();
        let cy: __m256d = unsafe { core::ptr::read_volatile(&o.cy) }.into();
        let alive: __m256i = o.alive.into();
        let im2 = _mm256_mul_pd(im, im);
        let u = _mm256_sub_pd(im2, cx);
        let mag = _mm256_fmadd_pd(re, re, im2);
        let stays = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_NGT_UQ>(mag, consts.four.into()));
        let alive = _mm256_and_si256(alive, stays);
        let two_re = _mm256_add_pd(re, re);
        o.re = SimdFrom::simd_from(token, _mm256_fmsub_pd(re, re, u));
        o.im = SimdFrom::simd_from(token, _mm256_fmadd_pd(two_re, im, cy));
        let n: __m256i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm256_sub_epi64(n, alive));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

impl Step for Avx2 {
    #[inline(always)]
    fn step_f32(orbit: &mut Orbit<Avx2, f32>, consts: Consts<Avx2, f32>) {
        step_f32(consts.four.token(), orbit, consts)
    }
    #[inline(always)]
    fn step_f64(orbit: &mut Orbit<Avx2, f64>, consts: Consts<Avx2, f64>) {
        step_f64(consts.four.token(), orbit, consts)
    }
}
