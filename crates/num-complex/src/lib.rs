//! Rung: the same loop on the ecosystem's complex type, `num_complex::Complex<T>`, instead of a
//! hand-written struct. It shows what a well-kept library costs or saves: `Mul` and `norm_sqr` are
//! the textbook formulas, so the counts equal the naive rung's of the same precision.

use mandel_core::{Params, Real, fill_span};
use num_complex::Complex;
use num_traits::Num;

/// Escape count of `c` on `num_complex::Complex`.
#[inline(always)]
pub fn escape_count<T: Real + Num>(c: Complex<T>, max_iters: u32) -> u32 {
    let mut z = Complex::new(<T as Real>::ZERO, <T as Real>::ZERO);
    let mut n = 0;
    while n < max_iters && z.norm_sqr() <= <T as Real>::FOUR {
        z = z * z + c;
        n += 1;
    }
    n
}

fn render<T: Real + Num>(params: &Params, start: usize, out: &mut [u32]) {
    let max_iters = params.max_iters();
    fill_span(params, start, out, |cx, cy| escape_count(Complex::new(T::from_f64(cx), T::from_f64(cy)), max_iters));
}

/// [`mandel_core::RenderFn`] in f32.
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    render::<f32>(params, start, out)
}

/// [`mandel_core::RenderFn`] in f64, bit-for-bit equal to the reference.
pub fn render_f64(params: &Params, start: usize, out: &mut [u32]) {
    render::<f64>(params, start, out)
}
