//! The AVX-512 step: the portable step's arithmetic on predicate registers, which the portable code does
//! not compile to. The sticky `alive` mask lives in a mask register and is updated by the compare itself
//! (its write-mask does the AND: `alive = alive & !(mag > 4)`), and the count is a masked add: 8
//! instructions a step (mul, sub, add, 3 FMAs, compare, add), the least the step needs, against 12 for
//! the portable step compiled for AVX-512 (LLVM keeps the mask in a general register and turns masked
//! adds into mask-to-vector moves).
//!
//! The FMAs that update `z` are not masked: an escaped lane iterates on (to infinity, then NaN) but never
//! counts again, as on the portable paths. A first version froze escaped lanes by merge-masking those
//! FMAs with the escape test; that put the compare on the critical path of every step (multiply, FMA,
//! compare into a mask, masked FMA: about 15 cycles on Zen 4 against 10 for multiply, subtract, FMA),
//! so more vectors had to be in flight to hide it and they no longer fitted in the 32 registers. On the
//! 2-core Zen 4 (f32, 960x960/200): 5.0 ms at 5 vectors against 5.2 ms at 8 for the frozen step, and
//! the all-busy view 18.1 against 19.1 ms.

use crate::lanes::{Consts, Orbit, Step};
use fearless_simd::x86::Avx512;
use fearless_simd::{ExtractToken, SimdFrom, kernel};

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

kernel!(
    #[inline(always)]
    fn step_f32(token: Avx512, o: &mut Orbit<Avx512, f32>, k: Consts<Avx512, f32>) {
        let (re, im, cx, cy): (__m512, __m512, __m512, __m512) = (o.re.into(), o.im.into(), o.cx.into(), o.cy.into());
        let alive: __mmask16 = o.alive.into();
        let im2 = _mm512_mul_ps(im, im);
        let t = _mm512_sub_ps(cx, im2);
        let mag = _mm512_fmadd_ps(re, re, im2);
        // The twin breaks on `mag > 4`: alive &= !(mag > 4), unordered (a NaN goes on, as there); the
        // compare's write-mask does the AND.
        let alive = _mm512_mask_cmp_ps_mask::<_CMP_NGT_UQ>(alive, mag, k.four.into());
        let two_re = _mm512_add_ps(re, re);
        o.re = SimdFrom::simd_from(token, _mm512_fmadd_ps(re, re, t));
        o.im = SimdFrom::simd_from(token, _mm512_fmadd_ps(two_re, im, cy));
        let n: __m512i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm512_mask_add_epi32(n, alive, n, k.one.into()));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

kernel!(
    #[inline(always)]
    fn step_f64(token: Avx512, o: &mut Orbit<Avx512, f64>, k: Consts<Avx512, f64>) {
        let (re, im, cx, cy): (__m512d, __m512d, __m512d, __m512d) =
            (o.re.into(), o.im.into(), o.cx.into(), o.cy.into());
        let alive: __mmask8 = o.alive.into();
        let im2 = _mm512_mul_pd(im, im);
        let t = _mm512_sub_pd(cx, im2);
        let mag = _mm512_fmadd_pd(re, re, im2);
        let alive = _mm512_mask_cmp_pd_mask::<_CMP_NGT_UQ>(alive, mag, k.four.into());
        let two_re = _mm512_add_pd(re, re);
        o.re = SimdFrom::simd_from(token, _mm512_fmadd_pd(re, re, t));
        o.im = SimdFrom::simd_from(token, _mm512_fmadd_pd(two_re, im, cy));
        let n: __m512i = o.n.into();
        o.n = SimdFrom::simd_from(token, _mm512_mask_add_epi64(n, alive, n, k.one.into()));
        o.alive = SimdFrom::simd_from(token, alive);
    }
);

impl Step for Avx512 {
    #[inline(always)]
    fn step_f32(orbit: &mut Orbit<Avx512, f32>, k: Consts<Avx512, f32>) {
        step_f32(k.four.token(), orbit, k)
    }
    #[inline(always)]
    fn step_f64(orbit: &mut Orbit<Avx512, f64>, k: Consts<Avx512, f64>) {
        step_f64(k.four.token(), orbit, k)
    }
}
