//! Rung: the article's kernel. A hand-written `Complex` struct with `Add` and `Mul` impls and a
//! plain scalar loop, in f32 (the article's choice) and f64 (to compare like with like against the
//! Python and Numba baselines, which are f64).
//!
//! Differences from the article, all deliberate: the project's escape
//! semantics (z starts at 0, test `|z|^2 <= 4` before each step), u32 counts instead of u8 (the
//! article could not go past 255 iterations), the loop over the right dimension, and the pixel's
//! point computed as a product instead of accumulated.

use mandel_core::{Params, Real, fill_span};
use std::ops::{Add, Mul};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Complex<T> {
    pub re: T,
    pub im: T,
}

impl<T: Real> Add for Complex<T> {
    type Output = Complex<T>;
    #[inline(always)]
    fn add(self, rhs: Complex<T>) -> Complex<T> {
        Complex { re: self.re + rhs.re, im: self.im + rhs.im }
    }
}

impl<T: Real> Mul for Complex<T> {
    type Output = Complex<T>;
    #[inline(always)]
    fn mul(self, rhs: Complex<T>) -> Complex<T> {
        Complex { re: self.re * rhs.re - self.im * rhs.im, im: self.re * rhs.im + self.im * rhs.re }
    }
}

impl<T: Real> Complex<T> {
    #[inline(always)]
    pub fn norm_sqr(self) -> T {
        self.re * self.re + self.im * self.im
    }
}

/// Escape count of `c`, the article's loop on the project's semantics.
#[inline(always)]
pub fn escape_count<T: Real>(c: Complex<T>, max_iters: u32) -> u32 {
    let mut z = Complex { re: T::ZERO, im: T::ZERO };
    let mut n = 0;
    while n < max_iters && z.norm_sqr() <= T::FOUR {
        z = z * z + c;
        n += 1;
    }
    n
}

fn render<T: Real>(params: &Params, start: usize, out: &mut [u32]) {
    let max_iters = params.max_iters();
    fill_span(params, start, out, |cx, cy| {
        escape_count(Complex { re: T::from_f64(cx), im: T::from_f64(cy) }, max_iters)
    });
}

/// [`mandel_core::RenderFn`] in f32.
pub fn render_f32(params: &Params, start: usize, out: &mut [u32]) {
    render::<f32>(params, start, out)
}

/// [`mandel_core::RenderFn`] in f64. Bit-for-bit equal to the reference: `re*im + im*re` and
/// `2*re*im` round identically, and nothing is fused.
pub fn render_f64(params: &Params, start: usize, out: &mut [u32]) {
    render::<f64>(params, start, out)
}
