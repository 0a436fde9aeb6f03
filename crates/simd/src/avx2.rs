//! The AVX2 step: the portable step's operations (`Orbit::step_portable` in `lanes.rs`) with `cx`
//! and `cy` read from memory at every step, as on AVX-512 (`avx512.rs`, which explains the volatile
//! reads and why `fmsub(re, re, im2 - cx)` rounds exactly as the twin's `fma(re, re, cx - im2)`).
//!
//! AVX2 has 16 vector registers. With `cx` and `cy` in registers a vector holds 6 of them (`re`, `im`,
//! `cx`, `cy`, its count and its mask), so every tuning with enough vectors to hide the step's
//! latency spilled heavily in the hot loop; read from memory (folded into the subtraction and the FMA
//! as memory operands), a vector needs 4. That is still all 16 at 4 vectors, before the constant 4
//! and the temporaries, so the 4-vector loop still spills some counts and masks (15-16 stack stores
//! and 11-12 reloads per 4 steps of its 4 vectors, in the f32 assembly), but no longer whole vectors. On Zen 4 with AVX2 forced (`mandel
//! tune`, 960x960/200, both with the earliest-deadline check of `whole.rs`): f32 5.37 ms (5 vectors)
//! -> 5.18 ms (4 vectors), f64 10.29 -> 9.80 ms (5 vectors). Without that check the step gained
//! little (5.47 -> 5.44 ms in one session, 5.52 -> 5.41 in another, best tunings checking every 8
//! steps), nor did the check without the step (5.48 -> 5.37): together they let 4 vectors checked
//! every 4 steps win (5.48 -> 5.18). The mask stays a vector: the step without it (an escaped lane's
//! `re` set to +infinity) was slower, its blend being on the critical path.

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
