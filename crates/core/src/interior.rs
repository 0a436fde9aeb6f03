//! The closed-form interior test the algorithmic kernels skip work with, in one place: the scalar
//! rung (`mandel_algorithmic`) calls [`in_cardioid_or_bulb`], and the SIMD rung (`mandel_simd`'s
//! `skip.rs`) evaluates the same inequalities, with the same [`MARGIN`] and [`CUSP_RADIUS`], on vectors.
//!
//! `c = x + iy` is in the main cardioid iff, with `q = (x - 1/4)^2 + y^2`, `q (q + x - 1/4) <= y^2/4`;
//! in the period-2 bulb iff `(x + 1)^2 + y^2 <= 1/16`. Such points never escape in exact arithmetic,
//! but a kernel iterates in f32 or f64: right at the boundary the attracting cycle's multiplier is 1,
//! the orbit converges so slowly that rounding noise can carry it out, and brute force then escapes
//! (a point 3e-9 inside the bulb escaped after 56,271 f32 iterations: issue 20). The algorithmic
//! kernels must equal brute force bit for bit, so they skip only points a [`MARGIN`] inside, where
//! the cycle attracts firmly (in the bulb the margin keeps the multiplier `4|c + 1|` below 0.992), and
//! iterate the rest like brute force does.

/// How far inside both inequalities a point must be to be skipped. It also covers the rounding of
/// the SIMD rung, which evaluates the test in the kernel's precision: for `|c| <= 2` every term is
/// below 100, and f32 rounds each of the few operations by at most 2^-24 relative, under 3e-5 in all.
pub const MARGIN: f64 = 1e-3;

/// Points this close to the cusp `c = 1/4` are never skipped: there the interior's orbits converge
/// so slowly (the multiplier tends to 1 along the real axis) that no margin of the quartic helps.
pub const CUSP_RADIUS: f64 = 1e-2;

/// Whether `c = x + iy` is certainly in the main cardioid or the period-2 bulb: [`MARGIN`] inside
/// both inequalities and outside the disk of [`CUSP_RADIUS`] round the cusp. Algorithmic kernels give
/// such points `max_iters` without iterating; f32 kernels call it on their f32 point, exactly widened.
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
    let cardioid = q * (q + xq) + MARGIN <= 0.25 * y2 && q > CUSP_RADIUS * CUSP_RADIUS + MARGIN;
    let xb = x + 1.0;
    let bulb = xb * xb + y2 + MARGIN <= 0.0625;
    (cardioid || bulb) && x * x + y2 <= 4.0
}
