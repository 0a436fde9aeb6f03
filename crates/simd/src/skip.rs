//! Exact work skipping for the algorithmic SIMD kernel (`Variant::Algorithmic`): the closed-form
//! cardioid/bulb test on a vector of points, and marking lanes finished with `max_iters`.

use crate::lanes::{Lanes, Orbit};
use fearless_simd::{Select, Simd, SimdBase};
use mandel_core::interior::{CUSP_RADIUS, MARGIN};

/// `re` given to a lane that is finished without iterating: `|z|^2 = 9 > 4`, so it escapes at its next
/// step without counting, keeping the count it was given (`max_iters`).
pub(crate) const ESCAPED_RE: f64 = 3.0;

/// Lanes whose point `c = x + iy` is certainly in the main cardioid or the period-2 bulb: the test of
/// `mandel_core::interior::in_cardioid_or_bulb` (the scalar algorithmic rung's), with its margin and
/// cusp disk, evaluated in the kernel's precision (the margin covers that rounding too). Such points
/// never escape, in brute force's arithmetic either.
#[inline(always)]
pub(crate) fn in_cardioid_or_bulb<S: Simd, T: Lanes>(simd: S, x: T::F<S>, y: T::F<S>) -> T::M<S> {
    let c = |v: f64| T::F::<S>::splat(simd, T::from_f64(v));
    let y2 = y * y;
    let xq = x - c(0.25);
    let q = xq * xq + y2;
    let cardioid = (q * (q + xq) + c(MARGIN)).simd_le(c(0.25) * y2) & q.simd_gt(c(CUSP_RADIUS * CUSP_RADIUS + MARGIN));
    let xb = x + c(1.0);
    let bulb = (xb * xb + y2 + c(MARGIN)).simd_le(c(0.0625));
    (cardioid | bulb) & (x * x + y2).simd_le(c(4.0))
}

/// Give the lanes of `orbit` whose point is in the cardioid or the bulb `max_iters` (`max`) and make
/// them escape at their next step, without counting: they are finished without iterating.
#[inline(always)]
pub(crate) fn skip_inside<S: Simd, T: Lanes>(simd: S, orbit: &mut Orbit<S, T>, max: T::I<S>) {
    let inside = in_cardioid_or_bulb::<S, T>(simd, orbit.cx, orbit.cy);
    orbit.n = inside.select(max, orbit.n);
    orbit.re = inside.select(T::F::<S>::splat(simd, T::from_f64(ESCAPED_RE)), orbit.re);
}

/// Live lanes whose `z` equals `saved` are on a cycle of the float map (see the `whole` module docs):
/// give them `max_iters` and make them escape at their next step.
#[inline(always)]
pub(crate) fn finish_cycles<S: Simd, T: Lanes>(
    simd: S,
    orbit: &mut Orbit<S, T>,
    saved: (T::F<S>, T::F<S>),
    max: T::I<S>,
) {
    // Only live lanes: an escaped lane's z may have overflowed to the same infinity or NaN as its save.
    let cycled = orbit.alive & orbit.re.simd_eq(saved.0) & orbit.im.simd_eq(saved.1);
    orbit.n = cycled.select(max, orbit.n);
    orbit.re = cycled.select(T::F::<S>::splat(simd, T::from_f64(ESCAPED_RE)), orbit.re);
}
