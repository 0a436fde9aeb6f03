//! The AVX-512 step (tricks 5a-5c in the crate docs): the portable step's arithmetic on predicate
//! registers, which the portable code does not compile to.
//!
//! The sticky `alive` mask lives in a mask register and is updated by the compare itself (its
//! write-mask does the AND: `alive = alive & !(mag > 4)`), and the count is a masked add: 8
//! instructions a step (mul, sub, add, 3 FMAs, compare, add), the least the step needs, against 12 for
//! the portable step compiled for AVX-512 (LLVM keeps the mask in a general register and turns masked
//! adds into mask-to-vector moves).
//!
//! The FMAs that update `z` are not masked: an escaped lane iterates on (to infinity, then NaN) but
//! never counts again, as on the portable paths. Freezing escaped lanes by merge-masking those FMAs
//! with the escape test would put the compare on the critical path of every step (multiply, FMA,
//! compare into a mask, masked FMA, against multiply, subtract, FMA), so more vectors would have to be
//! in flight to hide it, and they would no longer fit in the 32 registers (trick 5b).
//!
//! `cx` and `cy` are read from memory at every step (volatile reads: LLVM may fold them into the
//! instructions as memory operands but may not keep them in registers), so a vector needs only `re`,
//! `im` and its count in registers, and more vectors fit in the 32 without spilling (GCC does this for
//! the C reference by itself; trick 5c). For the same reason the real part is
//! `fmsub(re, re, im2 - cx)`, whose subtraction takes `cx` as its memory operand: `im2 - cx` is
//! exactly `-(cx - im2)` (round to nearest is symmetric) and a fused `re*re - u` is `re*re + (-u)`
//! rounded once, so every bit equals the twin's `fma(re, re, cx - im2)`, zeros included (`re*re` is
//! never -0, and `+0 + -0` is `+0`); only a NaN's sign and payload may differ, which no count sees (a
//! test in `lanes.rs` checks both steps against the portable one).

use crate::lanes::{Consts, Orbit, Step};
use fearless_simd::x86::Avx512;
use fearless_simd::{ExtractToken, SimdFrom, kernel};

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

kernel!(
    #[inline(always)]
    fn step_f32(token: Avx512, o: &mut Orbit<Avx512, f32>, consts: Consts<Avx512, f32>) {
        let (re, im): (__m512, __m512) = (o.re.into(), o.im.into());
        // SAFETY: pointers made from references: valid, aligned, initialised. Volatile only keeps
        // `cx` and `cy` out of registers (see the module docs).
        let cx: __m512 = unsafe { core::ptr::read_volatile(&o.cx) }.into();
        let cy: __m512 = unsafe { core::ptr::read_volatile(&o.cy) }.into();
        let alive: __mmask16 = o.alive.into();
        let im2 = _mm512_mul_ps(im, im);
        let u = _mm512_sub_ps(im2, cx);
        let mag = _mm512_fmadd_ps(re, re, im2);
        // The twin breaks on `mag > 4`: alive &= !(mag > 4), unordered (a NaN goes on, as there); the
        // compare's write-mask does the AND.
        let alive = _mm512_mask_cmp_ps_mask::<_CMP_NGT_UQ>(alive, mag, consts.four.into());
        let two_re = _mm512_add_ps(re, re);
        o.re = SimdFrom::simd_from(token, _mm512_fmsub_ps(re, re, u));
        o.im = SimdFrom::simd_from(token, _mm512_fmadd_ps(two_re, im, cy));
        let n: __m512i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm512_mask_add_epi32(n, alive, n, consts.one.into()));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

kernel!(
    #[inline(always)]
    fn step_f64(token: Avx512, o: &mut Orbit<Avx512, f64>, consts: Consts<Avx512, f64>) {
        let (re, im): (__m512d, __m512d) = (o.re.into(), o.im.into());
        // SAFETY: as in `step_f32`.
        let cx: __m512d = unsafe { core::ptr::read_volatile(&o.cx) }.into();
        let cy: __m512d = unsafe { core::ptr::read_volatile(&o.cy) }.into();
        let alive: __mmask8 = o.alive.into();
        let im2 = _mm512_mul_pd(im, im);
        let u = _mm512_sub_pd(im2, cx);
        let mag = _mm512_fmadd_pd(re, re, im2);
        let alive = _mm512_mask_cmp_pd_mask::<_CMP_NGT_UQ>(alive, mag, consts.four.into());
        let two_re = _mm512_add_pd(re, re);
        o.re = SimdFrom::simd_from(token, _mm512_fmsub_pd(re, re, u));
        o.im = SimdFrom::simd_from(token, _mm512_fmadd_pd(two_re, im, cy));
        let n: __m512i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm512_mask_add_epi64(n, alive, n, consts.one.into()));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

impl Step for Avx512 {
    #[inline(always)]
    fn step_f32(orbit: &mut Orbit<Avx512, f32>, consts: Consts<Avx512, f32>) {
        step_f32(consts.four.token(), orbit, consts)
    }
    #[inline(always)]
    fn step_f64(orbit: &mut Orbit<Avx512, f64>, consts: Consts<Avx512, f64>) {
        step_f64(consts.four.token(), orbit, consts)
    }
}
